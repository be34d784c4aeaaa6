"""How a campaign's outreach is going: per country, municipality and role, how many
contacts were invited, mailed, bounced, opted out, started and submitted, and when
they were last reminded; and the list of contacts behind it, filtered and exported.
"""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass, field
from datetime import datetime

from sqlalchemy import and_, case, func, literal, select

from surveyapp.extensions import db
from surveyapp.languages.registry import SOURCE_LANGUAGE
from surveyapp.models import (
    ROLES,
    Contact,
    Country,
    Invitation,
    MailSuppression,
    Municipality,
    Response,
)
from surveyapp.models.mail import SUPPRESSED_BOUNCED, SUPPRESSED_OPTED_OUT
from surveyapp.outreach.facts import ContactFacts, Selection, contact_facts, mail_counts

PER_PAGE = 100
#: The list's filters: everyone invited, those who have not submitted, those with no
#: answer after N reminders, bounced, opted out, contacts not invited yet.
STATES = ("not_submitted", "no_answer", "bounced", "opted_out", "not_invited")


@dataclass
class StatusRow:
    #: Country code, municipality code or role; None for the whole campaign.
    code: str | None
    invited: int
    mailed: int
    bounced: int
    opted_out: int
    started: int
    submitted: int
    last_reminder_at: datetime | None
    country_code: str | None = None


@dataclass
class OutreachStatus:
    total: StatusRow
    countries: list[StatusRow]
    municipalities: list[StatusRow]
    roles: list[StatusRow]


def _flags(campaign_id: int):
    """One row per invitation made for a contact, with 0/1 columns to add up."""
    mails = mail_counts(campaign_id)
    counted = Response.marked.is_(None)  # a test or invalid response is no answer

    def flag(condition):
        return case((condition, 1), else_=0)

    return (
        select(
            Country.code.label("country"),
            Country.position.label("position"),
            Municipality.code.label("municipality"),
            Invitation.role.label("role"),
            literal(1).label("invited"),
            flag(func.coalesce(mails.c.sent, 0) + func.coalesce(mails.c.bounced, 0) > 0).label(
                "mailed"
            ),
            flag(
                (MailSuppression.reason == SUPPRESSED_BOUNCED)
                | (func.coalesce(mails.c.bounced, 0) > 0)
            ).label("bounced"),
            flag(MailSuppression.reason == SUPPRESSED_OPTED_OUT).label("opted_out"),
            flag(and_(Response.id.is_not(None), counted)).label("started"),
            flag(and_(Response.status == "submitted", counted)).label("submitted"),
            mails.c.last_reminder_at.label("last_reminder_at"),
        )
        .select_from(Invitation)
        .join(Contact, Invitation.contact_id == Contact.id)
        .join(Municipality, Invitation.municipality_id == Municipality.id)
        .join(Country, Municipality.country_id == Country.id)
        .outerjoin(MailSuppression, MailSuppression.address == Contact.email)
        .outerjoin(Response, Response.invitation_id == Invitation.id)
        .outerjoin(mails, mails.c.invitation_id == Invitation.id)
        .where(Invitation.campaign_id == campaign_id)
        .subquery()
    )


def outreach_status(campaign_id: int) -> OutreachStatus:
    """The status table's rows, added up by the database."""
    flags = _flags(campaign_id)
    sums = (
        func.sum(flags.c.invited),
        func.sum(flags.c.mailed),
        func.sum(flags.c.bounced),
        func.sum(flags.c.opted_out),
        func.sum(flags.c.started),
        func.sum(flags.c.submitted),
        func.max(flags.c.last_reminder_at),
    )

    def rows(*keys, order) -> list[tuple]:
        return list(db.session.execute(select(*keys, *sums).group_by(*keys).order_by(*order)))

    def row(code, *numbers, country_code=None) -> StatusRow:
        invited, mailed, bounced, opted_out, started, submitted = (int(n or 0) for n in numbers[:6])
        return StatusRow(
            code, invited, mailed, bounced, opted_out, started, submitted, numbers[6], country_code
        )

    countries = [
        row(code, *numbers)
        for code, _position, *numbers in rows(
            flags.c.country, flags.c.position, order=(flags.c.position,)
        )
    ]
    towns = [
        row(town, *numbers, country_code=country)
        for country, _position, town, *numbers in rows(
            flags.c.country,
            flags.c.position,
            flags.c.municipality,
            order=(flags.c.position, flags.c.municipality),
        )
    ]
    by_role = {code: row(code, *numbers) for code, *numbers in rows(flags.c.role, order=())}
    total = row(None, *db.session.execute(select(*sums)).one())
    return OutreachStatus(
        total, countries, towns, [by_role[role] for role in ROLES if role in by_role]
    )


# --- the list of contacts ---------------------------------------------------------------


@dataclass
class ListFilter:
    country: str | None = None
    role: str | None = None
    state: str | None = None
    #: "no answer after this many reminders".
    after: int = 2
    page: int = 1
    ignored: list[str] = field(default_factory=list)

    @property
    def selection(self) -> Selection:
        return Selection(self.country, self.role)


@dataclass
class ContactList:
    rows: list[ContactFacts]
    total: int
    page: int
    pages: int


def parse_list_filter(args) -> ListFilter:
    """The list's filters from a query string; what is not understood is left out and
    named in ``ignored``."""
    chosen = ListFilter()
    country = (args.get("country") or "").strip()
    if country:
        if len(country) == 2 and country.isalpha():
            chosen.country = country.upper()
        else:
            chosen.ignored.append("country")
    for name, allowed in (("role", ROLES), ("state", STATES)):
        value = (args.get(name) or "").strip()
        if value:
            if value in allowed:
                setattr(chosen, name, value)
            else:
                chosen.ignored.append(name)
    after = (args.get("after") or "").strip()
    if after:
        if after.isdigit() and 0 <= int(after) <= 10 and len(after) <= 2:
            chosen.after = int(after)
        else:
            chosen.ignored.append("after")
    page = (args.get("page") or "1").strip()
    chosen.page = int(page) if page.isdigit() and 0 < len(page) < 7 else 1
    return chosen


def _wanted(facts: ContactFacts, chosen: ListFilter) -> bool:
    state = chosen.state
    if state == "not_invited":
        return facts.invitation is None
    if facts.invitation is None:
        return False
    if state == "not_submitted":
        return not facts.submitted
    if state == "no_answer":
        return not facts.submitted and facts.reminders >= chosen.after
    if state == "bounced":
        return facts.suppressed == SUPPRESSED_BOUNCED or facts.bounced > 0
    if state == "opted_out":
        return facts.suppressed == SUPPRESSED_OPTED_OUT
    return True


def filtered_contacts(campaign_id: int, chosen: ListFilter) -> list[ContactFacts]:
    return [f for f in contact_facts(campaign_id, chosen.selection) if _wanted(f, chosen)]


def contact_list(campaign_id: int, chosen: ListFilter) -> ContactList:
    rows = filtered_contacts(campaign_id, chosen)
    pages = max(1, -(-len(rows) // PER_PAGE))
    page = min(chosen.page, pages)
    return ContactList(rows[(page - 1) * PER_PAGE : page * PER_PAGE], len(rows), page, pages)


def response_state(facts: ContactFacts) -> str:
    """ "submitted", "started" or "not_started" (or "not_invited")."""
    if facts.invitation is None:
        return "not_invited"
    if facts.submitted:
        return "submitted"
    return "started" if facts.response_status else "not_started"


def contact_rows(campaign_id: int, chosen: ListFilter) -> Iterator[list[object]]:
    """The filtered list as CSV rows (codes, not labels, so that it sorts and merges)."""
    yield [
        "country",
        "municipality_code",
        "municipality",
        "name",
        "role",
        "email",
        "language",
        "response",
        "reminders",
        "last_reminder",
        "last_mail_sent",
        "suppressed",
    ]
    for facts in filtered_contacts(campaign_id, chosen):
        yield [
            facts.country.code,
            facts.town.code,
            facts.town.name(facts.contact.language or SOURCE_LANGUAGE),
            facts.contact.name,
            facts.contact.role,
            facts.contact.email,
            facts.contact.language,
            response_state(facts),
            facts.reminders,
            _iso(facts.last_reminder_at),
            _iso(facts.last_sent_at),
            facts.suppressed or "",
        ]


def _iso(moment: datetime | None) -> str:
    return moment.isoformat(timespec="minutes") if moment else ""
