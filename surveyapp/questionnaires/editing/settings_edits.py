"""Settings an XLSForm carries that the editor changes on forms of their own: a repeat's
number of entries, an upload question's accepted kinds of file and largest size, a
hidden question's value and a date's or time's default. They are kept where the import
puts them (``Page.repeat``'s "count", ``Question.extra``'s ``body::accept`` and
``parameters``, ``Question.default``), so the respondent's pages and the XLSForm export
read them as before. Each change is made on :func:`editable_version`: a published
version stays as it was."""

from __future__ import annotations

import re

from surveyapp.core.database import write_transaction
from surveyapp.extensions import db
from surveyapp.models import Page, Question, QuestionnaireVersion
from surveyapp.questionnaires import moment_defaults
from surveyapp.questionnaires.editing.errors import EditError, get_or_fail
from surveyapp.questionnaires.editing.structure import _same_in, _same_question
from surveyapp.questionnaires.editing.version_edits import editable_version
from surveyapp.questionnaires.question_types.uploads import UPLOAD_TYPES
from surveyapp.questionnaires.repeats import MAX_ENTRIES
from surveyapp.uploads import kinds

#: A count that names one answer: ``${staff}``.
REFERENCE = re.compile(r"^\$\{([A-Za-z_][\w.-]*)\}$")
#: The longest hidden value (as the XLSForm import allows for a ``default``).
MAX_HIDDEN_LENGTH = 200
#: The smallest upload limit the editor offers, in MB.
SMALLEST_MAX_MB = 0.1
_ACCEPT_KEYS = ("body::accept", "accept")


# --- a repeat's number of entries -------------------------------------------------------


def is_counted_repeat(page: Page) -> bool:
    """Whether the page is a repeat whose number of entries can be set (not a loop)."""
    return bool(page.repeat) and (page.repeat or {}).get("kind") != "loop"


def count_sources(page: Page) -> list[Question]:
    """The number questions a repeat's count may name: those on the plain pages before
    ``page`` (one answer each, known before the repeat is shown)."""
    found = []
    for each in page.version.pages:
        if each is page or each.name == page.name:
            break
        if not each.repeat:
            found.extend(q for q in each.questions if q.type == "number")
    return found


def check_count(page: Page, count: str | None) -> str | None:
    """The count as stored: None (the respondent adds entries), a whole number from 1 to
    ``MAX_ENTRIES`` as text, or ``${name}`` of a :func:`count_sources` question.
    Raises ``EditError("bad_count")`` or ``("bad_count_source")``."""
    count = (count or "").strip()
    if not count:
        return None
    reference = REFERENCE.match(count)
    if reference:
        if reference.group(1) not in {q.name for q in count_sources(page)}:
            raise EditError("bad_count_source", reference.group(1))
        return count
    if not re.fullmatch(r"[0-9]{1,6}", count) or not 1 <= int(count) <= MAX_ENTRIES:
        raise EditError("bad_count", count)
    return str(int(count))


@write_transaction()
def set_repeat_count(page_id: int, count: str | None) -> QuestionnaireVersion:
    """Fix the number of entries of a repeat page (see :func:`check_count`), or with None
    let the respondent add and remove them. Raises ``EditError("not_repeat")`` for a
    plain page or a loop."""
    page = get_or_fail(Page, page_id)
    if not is_counted_repeat(page):
        raise EditError("not_repeat", page.name)
    checked = check_count(page, count)
    version = editable_version(page.version_id)
    target = _same_in(version, page)
    if not is_counted_repeat(target):
        raise EditError("not_repeat", page.name)
    checked = check_count(target, count)
    repeat = {k: v for k, v in (target.repeat or {}).items() if k != "count"}
    if checked:
        repeat["count"] = checked
    target.repeat = repeat  # a new dict: the JSON column sees the change
    db.session.commit()
    return version


# --- an upload question's limits ----------------------------------------------------


def _key(extra: dict, name: str) -> str | None:
    """The key of ``extra`` that is the column ``name`` (headers keep their case)."""
    return next((k for k in extra if str(k).strip().lower() == name), None)


def stored_max_mb(question: Question) -> float | None:
    """The largest file the question sets in MB (``parameters``' ``max-size``), rounded to
    0.1; None when it keeps its type's usual limit."""
    extra = question.extra or {}
    key = _key(extra, "parameters")
    asked = kinds.parse_parameters(str(extra[key]) if key is not None else None).get("max-size")
    if not asked:
        return None
    return round(kinds.limits_for(question.type, question.extra).max_bytes / kinds.MB, 1)


def limit_problems(type_code: str, accepted: list[str], max_mb: float | None) -> list[EditError]:
    """Everything wrong with these limits, so a form can say it all at once: kinds of
    file the type does not take or none at all (``EditError("bad_kinds")``,
    ``("no_kinds")``), a size beyond ``kinds.LARGEST_MAX_BYTES`` (``("bad_size")``)."""
    problems = []
    unknown = [code for code in accepted if code not in kinds.ACCEPTED[type_code]]
    if not accepted:
        problems.append(EditError("no_kinds", type_code))
    elif unknown:
        problems.append(EditError("bad_kinds", ", ".join(unknown)))
    largest = kinds.LARGEST_MAX_BYTES / kinds.MB
    if max_mb is not None and not SMALLEST_MAX_MB <= max_mb <= largest:
        problems.append(EditError("bad_size", f"{max_mb:g}"))
    return problems


def check_limits(type_code: str, accepted: list[str], max_mb: float | None) -> None:
    """Refuse limits with a problem (:func:`limit_problems`): its first ``EditError``."""
    problems = limit_problems(type_code, accepted, max_mb)
    if problems:
        raise problems[0]


@write_transaction()
def set_upload_limits(
    question_id: int, accepted: list[str], max_mb: float | None
) -> QuestionnaireVersion:
    """Accept only the kinds ``accepted`` (all the type takes: no ``body::accept``) and
    files up to ``max_mb`` MB (None: the type's default); the other ``parameters``
    (``max-pixels``) are kept. See :func:`check_limits` for what is refused."""
    question = get_or_fail(Question, question_id)
    if question.type not in UPLOAD_TYPES:
        raise EditError("not_upload", question.name)
    check_limits(question.type, accepted, max_mb)
    version = editable_version(question.version_id)
    target = _same_question(version, question)
    extra = dict(target.extra or {})
    for name in _ACCEPT_KEYS:
        extra.pop(_key(extra, name) or name, None)
    if set(accepted) != kinds.ACCEPTED[target.type]:
        extensions = (kinds.KINDS[code].extensions[0] for code in sorted(accepted))
        extra["body::accept"] = ",".join(extensions)
    parameters_key = _key(extra, "parameters") or "parameters"
    parameters = kinds.parse_parameters(extra.pop(parameters_key, None))
    parameters.pop("max-size", None)
    if max_mb is not None:
        parameters["max-size"] = f"{round(max_mb, 1):g}MB"
    if parameters:
        extra[parameters_key] = " ".join(f"{k}={v}" for k, v in parameters.items())
    target.extra = extra or None
    db.session.commit()
    return version


# --- a hidden question's value ------------------------------------------------------


@write_transaction()
def set_hidden_value(question_id: int, value: str) -> QuestionnaireVersion:
    """The value kept with every response to a hidden question (empty: none). Raises
    ``EditError("not_hidden")`` for another type, ``("too_long_value")`` past
    ``MAX_HIDDEN_LENGTH`` characters."""
    question = get_or_fail(Question, question_id)
    if question.type != "hidden":
        raise EditError("not_hidden", question.name)
    value = (value or "").strip()
    if len(value) > MAX_HIDDEN_LENGTH:
        raise EditError("too_long_value", str(MAX_HIDDEN_LENGTH))
    version = editable_version(question.version_id)
    target = _same_question(version, question)
    target.default = value or None
    db.session.commit()
    return version


# --- a date's or time's default -----------------------------------------------------


@write_transaction()
def set_moment_default(question_id: int, default: str | None) -> QuestionnaireVersion:
    """The answer a date, time or date-and-time question shows before it is answered:
    None (nothing), the moment the page is opened (``moment_defaults.DYNAMIC``), or a
    fixed value. Raises ``EditError("not_moment")`` for another type, ``("bad_default")``
    for a value that is not of the question's type."""
    question = get_or_fail(Question, question_id)
    if question.type not in moment_defaults.DYNAMIC:
        raise EditError("not_moment", question.name)
    try:
        stored = moment_defaults.parse_default(question.type, default)
    except ValueError:
        raise EditError("bad_default", default or "") from None
    version = editable_version(question.version_id)
    target = _same_question(version, question)
    target.default = stored
    db.session.commit()
    return version
