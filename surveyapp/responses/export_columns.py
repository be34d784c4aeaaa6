"""The columns of a responses export, and its codebook.

Headers are short and stable: the fixed columns' names, then each question's
name (``years_experience``), a multiple-choice question followed by one 0/1
column per option (``support_wanted/peer_exchange``, as Kobo names them). The
full question text lives in a codebook (a sheet of the XLSX, a CSV of its own),
not in a second header row: with one header row the data sheet stays a plain
table that pandas, R, SPSS and Excel's own filters read without being told to
skip a row, and the codebook has room for what a second row could not hold (the
type, and every choice with its code and label).

Notes are left out (they take no answer); calculations are kept.
"""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass, field

from sqlalchemy import select

from surveyapp.campaigns.roles import ROLE_NAMES, role_name_in
from surveyapp.extensions import db
from surveyapp.languages.current import N_, gettext_in
from surveyapp.languages.registry import LANGUAGES
from surveyapp.models import ROLES, Country, Question
from surveyapp.questionnaires.other_choice import OTHER, has_other
from surveyapp.questionnaires.question_types import TYPES
from surveyapp.questionnaires.texts import Texts
from surveyapp.questionnaires.versions import load_version

#: The columns before the questions: name -> (what it holds, its type), message ids.
FIXED = {
    "response_id": (N_("Number of the response"), N_("Number")),
    "submission_id": (N_("Identifier of the submission"), N_("Code")),
    "country": (N_("Country"), N_("Code")),
    "municipality_code": (N_("Code of the municipality"), N_("Code")),
    "municipality": (N_("Municipality"), N_("Text")),
    "role": (N_("Role of the respondent"), N_("One answer from a list")),
    "language": (N_("Language the respondent answered in"), N_("Code")),
    "started_at": (N_("When the response was started"), N_("Date and time (UTC)")),
    "submitted_at": (N_("When the response was submitted"), N_("Date and time (UTC)")),
    "self_registered": (N_("Registered through the open link"), N_("Yes (1) or no (0)")),
}
FIXED_COLUMNS = list(FIXED)

#: A question type's name in the codebook, as the questionnaire editor calls it.
TYPE_NAMES = {
    "single_choice": N_("One answer from a list"),
    "multiple_choice": N_("Several answers from a list"),
    "scale": N_("Scale with scores"),
    "number": N_("Number"),
    "short_text": N_("Short text"),
    "long_text": N_("Long text"),
    "date": N_("Date"),
    "calculate": N_("Calculation (hidden)"),
    "time": N_("Time of day"),
    "datetime": N_("Date and time, with its offset from UTC"),
    "geopoint": N_("Location: latitude and longitude"),
    "hidden": N_("Hidden value"),
    "start": N_("When the response was begun (recorded)"),
    "end": N_("When the response was submitted (recorded)"),
    "today": N_("Date of submission (recorded)"),
}
#: What a question's extra column holds, by its suffix; its type, by kind.
EXTRA_NAMES = {
    "_other": N_("the “Other” answer in words"),
    "_latitude": N_("latitude"),
    "_longitude": N_("longitude"),
}
EXTRA_TYPES = {"text": N_("Text"), "number": N_("Number")}
OPTION_TYPE = N_("Ticked (1) or not (0)")
#: A multiple-choice question's joined cell holds its codes or labels separated by this.
JOINED_BY = "; "

CODEBOOK_HEADER = ["column", "question", "type", "code", "label"]


def is_exported(question: Question) -> bool:
    """Questions that take an answer, and calculations; not notes."""
    kind = TYPES.get(question.type)
    return kind is not None and (kind.answerable or kind.calculated)


@dataclass
class ColumnPlan:
    """Where each answer goes: ``position`` (question id -> index among the answer
    columns), ``options`` (multiple-choice question id -> choice code -> index)."""

    questions: list[Question]
    header: list[str]
    position: dict[int, int] = field(default_factory=dict)
    options: dict[int, dict[str, int]] = field(default_factory=dict)
    #: Index among the answer columns -> the question's type code (or "option").
    types: list[str] = field(default_factory=list)
    #: Question id -> indexes of its extra columns (``QuestionType.extra_columns_of``:
    #: "Other, specify" text, a location's latitude and longitude).
    extras: dict[int, list[int]] = field(default_factory=dict)

    @property
    def width(self) -> int:
        """The number of answer columns (after the fixed ones)."""
        return len(self.types)


def plan_columns(version_id: int) -> ColumnPlan:
    """The export's header and the place of every answer, for a questionnaire version."""
    version = load_version(version_id)
    # A repeat's questions have a sheet of their own (``repeat_exports``), one row per entry.
    questions = [
        q for page in version.pages if not page.repeat for q in page.questions if is_exported(q)
    ]
    plan = ColumnPlan(questions, list(FIXED_COLUMNS))
    for question in questions:
        plan.position[question.id] = plan.width
        plan.types.append(question.type)
        plan.header.append(question.name)
        for suffix, kind in TYPES[question.type].extra_columns_of(question):
            plan.extras.setdefault(question.id, []).append(plan.width)
            plan.types.append(f"extra_{kind}")
            plan.header.append(question.name + suffix)
        if TYPES[question.type].multiple:
            plan.options[question.id] = {}
            for code in choice_codes(question):
                plan.options[question.id][code] = plan.width
                plan.types.append("option")
                plan.header.append(option_column(question, code))
    return plan


def choice_codes(question: Question) -> list[str]:
    """The codes of a question's choices ("other" last where "or_other" adds it)."""
    codes = [c.value for c in question.choice_list.distinct_choices] if question.choice_list else []
    if has_other(question) and OTHER not in codes:
        codes.append(OTHER)
    return codes


def option_column(question: Question, code: str) -> str:
    return f"{question.name}/{code}"


def codebook_rows(version_id: int, texts: Texts) -> Iterator[list[object]]:
    """The codebook in ``texts``' language: the header, then for every column of the
    export its name, what it holds (the full question), its type, and one row per
    choice with its code and label (the column's name repeated, so a filter on it
    keeps them together)."""
    lang = texts.lang
    yield list(CODEBOOK_HEADER)
    yield from _fixed_rows(lang)
    for question in plan_columns(version_id).questions:
        list_name = question.choice_list.name if question.choice_list else ""
        label = texts.label(question)
        kind = gettext_in(lang, TYPE_NAMES.get(question.type, N_("Text")))
        yield [question.name, label, kind, None, None]
        for code in choice_codes(question):
            yield [question.name, None, None, code, texts.choice_label(list_name, code)]
        for suffix, extra in TYPES[question.type].extra_columns_of(question):
            what = gettext_in(lang, EXTRA_NAMES[suffix])
            yield [
                question.name + suffix,
                f"{label}: {what}",
                gettext_in(lang, EXTRA_TYPES[extra]),
                None,
                None,
            ]
        if TYPES[question.type].multiple:
            for code in choice_codes(question):
                name = option_column(question, code)
                option = texts.choice_label(list_name, code)
                yield [name, f"{label}: {option}", gettext_in(lang, OPTION_TYPE), None, None]
    yield from _repeat_rows(version_id, texts)


#: What the codebook says of a question asked once per entry of a repeat.
REPEAT_NOTE = N_(
    "In the repeat's own sheet (a CSV of its own), one row per entry; not in SPSS or Stata files"
)


def _repeat_rows(version_id: int, texts: Texts) -> Iterator[list[object]]:
    """The questions of repeat pages, named ``<repeat>/<question>``: they are not columns
    of the main table (``repeat_exports`` has them; SPSS and Stata files leave them out)."""
    note = gettext_in(texts.lang, REPEAT_NOTE)
    for page in load_version(version_id).pages:
        if not page.repeat:
            continue
        for question in page.questions:
            if is_exported(question):
                yield [f"{page.name}/{question.name}", texts.label(question), note, None, None]


def _fixed_rows(lang: str) -> Iterator[list[object]]:
    yes_no = ((1, gettext_in(lang, N_("yes"))), (0, gettext_in(lang, N_("no"))))
    codes: dict[str, list[tuple[object, str]]] = {
        "country": [(c.code, c.name(lang)) for c in _countries()],
        "role": [(role, role_name_in(lang, role)) for role in ROLES if role in ROLE_NAMES],
        "language": [(code, language.autonym) for code, language in LANGUAGES.items()],
        "self_registered": list(yes_no),
    }
    for name, (holds, kind) in FIXED.items():
        yield [name, gettext_in(lang, holds), gettext_in(lang, kind), None, None]
        for code, label in codes.get(name, []):
            yield [name, None, None, code, label]


def _countries() -> list[Country]:
    return list(db.session.scalars(select(Country).order_by(Country.code)))
