"""Loading a questionnaire version with everything a page or an export walks over."""

from __future__ import annotations

from sqlalchemy import select
from sqlalchemy.orm import Session, selectinload

from surveyapp.extensions import db
from surveyapp.models import ChoiceList, Page, Question, QuestionnaireVersion


def load_version(version_id: int, session: Session | None = None) -> QuestionnaireVersion | None:
    """A version with its pages, questions, choice lists and choices loaded in a few
    queries (None when there is no such version); in ``session`` when given, else
    in the request's."""
    return (session or db.session).scalar(
        select(QuestionnaireVersion)
        .where(QuestionnaireVersion.id == version_id)
        .options(
            selectinload(QuestionnaireVersion.pages)
            .selectinload(Page.questions)
            .selectinload(Question.choice_list)
            .selectinload(ChoiceList.choices),
            selectinload(QuestionnaireVersion.choice_lists).selectinload(ChoiceList.choices),
        )
    )
