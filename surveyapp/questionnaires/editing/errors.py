"""Why an editor's change cannot be made, and the checks every change shares."""

from __future__ import annotations

from surveyapp.core.safe_text import EscapingLazyString
from surveyapp.extensions import db
from surveyapp.questionnaires.text_keys import NAME, QUESTION_NAME


class EditError(ValueError):
    """A change that cannot be made; ``code`` names why, ``detail`` what (text as typed,
    or a lazily translated message that ``str()`` gives in the reader's language)."""

    def __init__(self, code: str, detail: str | EscapingLazyString = "") -> None:
        super().__init__(f"{code}: {detail}")
        self.code, self.detail = code, detail
        #: Every reason a version cannot be published ("not_ready"): PublishProblem.
        self.problems: list = []


def check_name(name: str) -> None:
    if not NAME.match(name or ""):
        raise EditError("bad_name", name)


def check_question_name(name: str) -> None:
    """A question's name: as a questionnaire's, or with hyphens (imported XLSForms)."""
    if not QUESTION_NAME.match(name or ""):
        raise EditError("bad_question_name", name)


def get_or_fail(model, object_id: int):
    found = db.session.get(model, object_id)
    if found is None:
        raise EditError("not_found", str(object_id))
    return found
