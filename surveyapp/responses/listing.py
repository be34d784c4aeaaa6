"""A campaign's responses as staff see them: a filtered, paged table, one response
with its answers, and marking a response as a test or as invalid.

Plain arguments in; only ``mark_response`` writes (and commits).
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date, datetime, time, timedelta

from sqlalchemy import func, select
from sqlalchemy.orm import joinedload

from surveyapp.core.database import write_transaction
from surveyapp.extensions import db
from surveyapp.models import ROLES, Country, Municipality, QuestionnaireVersion, Response
from surveyapp.models.response import MARKS, REVIEW_PENDING, REVIEW_REJECTED
from surveyapp.profiles import count_rebuild
from surveyapp.questionnaires import repeats, rules
from surveyapp.questionnaires.expressions import REPEATS
from surveyapp.questionnaires.label_references import filled_labels
from surveyapp.questionnaires.texts import Texts, load_texts
from surveyapp.questionnaires.versions import load_version
from surveyapp.responses.reads import answers_by_name, saved_answers

#: What the status filter offers: the response's progress, or why it does not count.
STATUSES = ("in_progress", "submitted", "held", "test", "invalid")
PER_PAGE = 50
#: The longest reason kept with a mark.
REASON_LIMIT = 500


@dataclass
class ResponseFilter:
    """The table's filters; None (or empty) means any."""

    country: str | None = None
    municipality: str | None = None
    role: str | None = None
    language: str | None = None
    status: str | None = None
    since: date | None = None
    until: date | None = None
    page: int = 1
    #: Names of the filters whose value was not understood (and so ignored).
    ignored: list[str] = field(default_factory=list)


@dataclass
class ResponsePage:
    rows: list[Response]
    total: int
    page: int
    pages: int


def parse_filter(args: dict[str, str], languages: list[str]) -> ResponseFilter:
    """The filters from a query string; a value that is not understood is dropped and
    its name listed in ``ignored``, so the page can say so."""
    chosen = ResponseFilter()
    for name, allowed in (("role", ROLES), ("language", languages), ("status", STATUSES)):
        value = (args.get(name) or "").strip()
        if value:
            if value in allowed:
                setattr(chosen, name, value)
            else:
                chosen.ignored.append(name)
    for name in ("country", "municipality"):
        value = (args.get(name) or "").strip()
        if value:
            if len(value) <= 40 and value.replace("-", "").isalnum():
                setattr(chosen, name, value)
            else:
                chosen.ignored.append(name)
    for name in ("since", "until"):
        value = (args.get(name) or "").strip()
        if value:
            try:
                setattr(chosen, name, date.fromisoformat(value))
            except ValueError:
                chosen.ignored.append(name)
    page = (args.get("page") or "1").strip()
    chosen.page = int(page) if page.isdigit() and 0 < int(page) < 100000 else 1
    return chosen


def _conditions(campaign_id: int, chosen: ResponseFilter) -> list:
    conditions = [Response.campaign_id == campaign_id]
    if chosen.role:
        conditions.append(Response.role == chosen.role)
    if chosen.language:
        conditions.append(Response.language == chosen.language)
    if chosen.municipality:
        conditions.append(
            Response.municipality_id.in_(
                select(Municipality.id).where(Municipality.code == chosen.municipality)
            )
        )
    if chosen.country:
        conditions.append(
            Response.municipality_id.in_(
                select(Municipality.id)
                .join(Country, Municipality.country_id == Country.id)
                .where(Country.code == chosen.country)
            )
        )
    if chosen.status in ("test", "invalid"):
        conditions.append(Response.marked == chosen.status)
    elif chosen.status == "held":
        conditions.append(Response.review.in_((REVIEW_PENDING, REVIEW_REJECTED)))
    elif chosen.status:
        conditions.append(Response.status == chosen.status)
    if chosen.since:
        conditions.append(Response.started_at >= datetime.combine(chosen.since, time.min))
    if chosen.until:
        next_day = datetime.combine(chosen.until + timedelta(days=1), time.min)
        conditions.append(Response.started_at < next_day)
    return conditions


def list_responses(campaign_id: int, chosen: ResponseFilter) -> ResponsePage:
    """One page of a campaign's responses, newest first, with their municipality."""
    conditions = _conditions(campaign_id, chosen)
    total = db.session.scalar(select(func.count(Response.id)).where(*conditions)) or 0
    pages = max(1, -(-total // PER_PAGE))
    page = min(chosen.page, pages)
    rows = db.session.scalars(
        select(Response)
        .where(*conditions)
        .options(joinedload(Response.municipality).joinedload(Municipality.country))
        .order_by(Response.started_at.desc(), Response.id.desc())
        .limit(PER_PAGE)
        .offset((page - 1) * PER_PAGE)
    )
    return ResponsePage(list(rows), total, page, pages)


@dataclass
class ResponseDetail:
    response: Response
    version: QuestionnaireVersion
    answers: dict
    texts: Texts
    #: Per repeat page: each entry's heading, its answers by question name, and its
    #: labels that name answers (``${name}``) with them written in, by question name.
    entries: dict = field(default_factory=dict)
    #: The labels of the other pages that name answers, written in, by question name:
    #: as the respondent read them (``label_references``).
    labels: dict = field(default_factory=dict)


def response_detail(campaign_id: int, response_id: int, lang: str) -> ResponseDetail | None:
    """One response of the campaign with its answers and the version's texts in
    ``lang``; None when the campaign has no such response."""
    response = db.session.scalar(
        select(Response)
        .where(Response.id == response_id, Response.campaign_id == campaign_id)
        .options(joinedload(Response.municipality).joinedload(Municipality.country))
    )
    if response is None:
        return None
    version = load_version(response.version_id)
    texts = load_texts(version.id, lang)
    answers = saved_answers(response, version)
    # Every value as the rules read it (the repeats' entries and the calculations too), so
    # that labels naming answers (``${name}``) read as the respondent's pages did.
    values = rules.all_values(version, answers_by_name(response, version, answers), texts)
    entered: repeats.Entries = values.get(REPEATS) or {}  # type: ignore[assignment]
    entries = {
        page.name: [
            (
                repeats.heading(page, n, texts),
                entry,
                filled_labels(
                    page.questions, texts, repeats.entry_values(values, entered, page, n)
                ),
            )
            for n, entry in enumerate(entered[page.name], start=1)
        ]
        for page in version.pages
        if page.name in entered
    }
    labels = filled_labels(
        (q for page in version.pages if not page.repeat for q in page.questions), texts, values
    )
    return ResponseDetail(response, version, answers, texts, entries, labels)


class MarkError(ValueError):
    """Why a mark was refused: ``code`` is "mark" (unknown) or "reason" (missing or too long)."""

    def __init__(self, code: str) -> None:
        super().__init__(code)
        self.code = code


@write_transaction()
def mark_response(campaign_id: int, response_id: int, mark: str | None, reason: str) -> bool:
    """Mark a response as a test or as invalid (``mark`` in MARKS, with a reason), or
    take the mark away (``mark`` None); False when the campaign has no such response.

    The campaign's count tables are rebuilt rather than adjusted: marking is rare,
    the rebuild is a few GROUP BY statements over one campaign, and it cannot drift
    from the one condition (``counts_in_profiles``) that profiles and exports read.
    """
    if mark is not None and mark not in MARKS:
        raise MarkError("mark")
    reason = (reason or "").strip()
    if mark is not None and not reason or len(reason) > REASON_LIMIT:
        raise MarkError("reason")
    response = db.session.scalar(
        select(Response).where(Response.id == response_id, Response.campaign_id == campaign_id)
    )
    if response is None:
        return False
    response.marked = mark
    response.marked_reason = reason or None
    db.session.flush()
    count_rebuild.rebuild(campaign_id)
    db.session.commit()
    return True
