"""Answer plans: what a respondent types on each page of a questionnaire, and
what must be stored as a result."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date

from sqlalchemy import select

from surveyapp.extensions import db
from surveyapp.models import Questionnaire, QuestionnaireVersion
from surveyapp.questionnaires.versions import load_version

#: Typed as letter + combining accent; must be stored in NFC ("Ś").
TYPED_TEXT = "Mladi u Tuzima i Pljevljima \u2013 S\u0301kola, Ђурђевдан, Shkodër"
STORED_TEXT = "Mladi u Tuzima i Pljevljima \u2013 Śkola, Ђурђевдан, Shkodër"


@dataclass
class PagePlan:
    name: str
    form: dict[str, str | list[str]] = field(default_factory=dict)
    #: question name -> the Python value saved_answers() must give back
    expected: dict[str, object] = field(default_factory=dict)


def builtin_version() -> QuestionnaireVersion:
    questionnaire = db.session.scalar(
        select(Questionnaire).where(Questionnaire.name == "city_needs")
    )
    return load_version(questionnaire.versions[-1].id)


def answer_plan(version: QuestionnaireVersion, variant: int = 0) -> list[PagePlan]:
    """Valid answers to every question (optional ones too), varied by ``variant``."""
    plans = []
    for page in version.pages:
        plan = PagePlan(page.name)
        for i, q in enumerate(page.questions):
            values = [c.value for c in q.choice_list.choices] if q.choice_list else []
            if q.type in ("single_choice", "scale"):
                value = values[(i + variant) % len(values)]
                plan.form[q.name], plan.expected[q.name] = value, value
            elif q.type == "multiple_choice":
                chosen = sorted(
                    {values[variant % len(values)], values[(variant + 2) % len(values)]}
                )
                plan.form[q.name], plan.expected[q.name] = chosen, chosen
            elif q.type == "number":
                number = (q.min_value or 0) + 3 + variant
                plan.form[q.name], plan.expected[q.name] = str(int(number)), float(number)
            elif q.type == "date":
                plan.form[q.name], plan.expected[q.name] = "2024-03-15", date(2024, 3, 15)
            else:
                text = TYPED_TEXT[: q.max_length or 200]
                plan.form[q.name] = "  " + text + "  "
                plan.expected[q.name] = STORED_TEXT[: q.max_length or 200]
        plans.append(plan)
    return plans
