"""Loading a questionnaire version with everything a page or an export walks over."""

from __future__ import annotations

from sqlalchemy import select
from sqlalchemy.orm import selectinload

from surveyapp.extensions import db
from surveyapp.models import (
    Page,
    Question,
    QuestionnaireVersion,
)


def load_version(version_id: int) -> QuestionnaireVersion:
    """A version with its pages, questions and choices loaded in a few queries."""
    return db.session.scalar(
        select(QuestionnaireVersion)
        .where(QuestionnaireVersion.id == version_id)
        .options(
            selectinload(QuestionnaireVersion.pages)
            .selectinload(Page.questions)
            .selectinload(Question.choice_list),
            selectinload(QuestionnaireVersion.choice_lists),
        )
    )
