"""Repeats in the editor: a page made a repeat (its questions asked once per entry) or a
plain page again, and a question moved to the page before or after its own, which is how
questions go into a repeat and out of it. Each change is made on ``editable_version``."""

from __future__ import annotations

from surveyapp.core.database import write_transaction
from surveyapp.extensions import db
from surveyapp.models import Page, Question, QuestionnaireVersion
from surveyapp.questionnaires.editing.errors import EditError, get_or_fail
from surveyapp.questionnaires.editing.structure import _same_in, _same_question
from surveyapp.questionnaires.editing.version_edits import editable_version


@write_transaction()
def set_repeat(page_id: int, repeat: bool) -> QuestionnaireVersion:
    """Make the page a repeat the respondent adds entries to, or a plain page. A loop or a
    repeat_count (from an XLSForm) is kept as it is when the page stays a repeat."""
    page = get_or_fail(Page, page_id)
    version = editable_version(page.version_id)
    target = _same_in(version, page)
    if not repeat:
        target.repeat = None
    elif not target.repeat:
        target.repeat = {"kind": "repeat"}
    db.session.commit()
    return version


@write_transaction()
def move_to_page(question_id: int, delta: int) -> QuestionnaireVersion:
    """Move the question to the end of the page before (``delta`` -1) or the start of
    the page after (1). Raises ``EditError("no_page")`` past the first or last page."""
    question = get_or_fail(Question, question_id)
    version = editable_version(question.version_id)
    target = _same_question(version, question)
    pages = list(version.pages)
    index = pages.index(target.page) + delta
    if not 0 <= index < len(pages):
        raise EditError("no_page", question.name)
    source, destination = target.page, pages[index]
    # Reparented (not removed from a collection, which would delete it as an orphan).
    staying = [q for q in source.questions if q is not target]
    arriving = list(destination.questions)
    arriving = [*arriving, target] if delta < 0 else [target, *arriving]
    with db.session.no_autoflush:
        target.page = destination
        for ordered in (staying, arriving):
            for position, q in enumerate(ordered):
                q.position = position
    db.session.commit()
    return version
