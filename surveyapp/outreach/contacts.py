"""Contacts: the people at each municipality whom the hub writes to.

Staff add, change and delete them one by one here (a whole list: ``contact_import``).
A contact is opted out or bounced when its address is suppressed
(``mail.outbox.suppression_of``): one answer for every mail the app sends.
"""

from __future__ import annotations

import re
import unicodedata
from dataclasses import dataclass, field
from typing import cast

from sqlalchemy import func, or_, select, update
from sqlalchemy.engine import CursorResult
from sqlalchemy.orm import joinedload

from surveyapp.campaigns.tokens import new_token
from surveyapp.core.database import write_transaction
from surveyapp.extensions import db
from surveyapp.languages.registry import LANGUAGES
from surveyapp.languages.transliteration import normalise_text
from surveyapp.mail.outbox import normalise_address
from surveyapp.models import ROLES, Contact, Country, Invitation, MailSuppression, Municipality
from surveyapp.models.mail import MAIL_CANCELLED, MAIL_QUEUED, SUPPRESSED_OPTED_OUT, OutboundMail
from surveyapp.outreach.audit import Actor, note

MAX_NAME_LENGTH = 200
MAX_EMAIL_LENGTH = 254
PER_PAGE = 100

#: A mailbox address as people type it: no display name, no comments, no quotes.
_LOCAL = r"[A-Za-z0-9!#$%&'*+/=?^_`{|}~-]+(?:\.[A-Za-z0-9!#$%&'*+/=?^_`{|}~-]+)*"
_DOMAIN = r"(?:[^\W_](?:[\w-]{0,61}[^\W_])?\.)+[^\W\d_][^\W_]{1,62}"
EMAIL = re.compile(rf"{_LOCAL}@{_DOMAIN}")


@dataclass
class ContactFields:
    """A contact as typed: every field a string, checked by ``check_fields``."""

    municipality: str = ""
    name: str = ""
    role: str = ""
    email: str = ""
    language: str = ""


class ContactRefused(ValueError):
    """``problems`` maps a field to what is wrong with it: "required", "too_long",
    "one_line", "invalid", "unknown", "taken" (another contact has the address) or
    "opted_out" (an opted-out contact's address cannot change)."""

    def __init__(self, problems: dict[str, str], other: Contact | None = None) -> None:
        super().__init__(", ".join(f"{k}: {v}" for k, v in problems.items()))
        self.problems = problems
        self.other = other


def clean_name(name: str) -> str:
    return " ".join(normalise_text(name or "").split(" ")).strip()


def email_problem(address: str) -> str | None:
    """What is wrong with an e-mail address as typed (None: nothing)."""
    if not address:
        return "required"
    if len(address) > MAX_EMAIL_LENGTH:
        return "too_long"
    return None if EMAIL.fullmatch(address) else "invalid"


def name_problem(name: str) -> str | None:
    if not name:
        return "required"
    if len(name) > MAX_NAME_LENGTH:
        return "too_long"
    if any(unicodedata.category(ch)[0] == "C" for ch in name):
        return "one_line"
    return None


def check_fields(fields: ContactFields) -> tuple[dict[str, str], Municipality | None]:
    """Problems per field, and the municipality the code names."""
    problems: dict[str, str] = {}
    town = None
    code = fields.municipality.strip()
    if not code:
        problems["municipality"] = "required"
    else:
        town = db.session.scalar(select(Municipality).where(Municipality.code == code))
        if town is None:
            problems["municipality"] = "unknown"
    if problem := name_problem(clean_name(fields.name)):
        problems["name"] = problem
    if fields.role not in ROLES:
        problems["role"] = "required" if not fields.role else "unknown"
    if fields.language not in LANGUAGES:
        problems["language"] = "required" if not fields.language else "unknown"
    if problem := email_problem(fields.email.strip()):
        problems["email"] = problem
    return problems, town


def contact_by_email(address: str) -> Contact | None:
    return db.session.scalar(select(Contact).where(Contact.email == normalise_address(address)))


@write_transaction()
def add_contact(fields: ContactFields, actor: Actor) -> Contact:
    """A new contact (``ContactRefused`` when a field is wrong or the address is taken)."""
    problems, town = check_fields(fields)
    other = None
    if "email" not in problems and (other := contact_by_email(fields.email)) is not None:
        problems["email"] = "taken"
    if problems:
        raise ContactRefused(problems, other)
    contact = Contact(
        municipality=town,
        name=clean_name(fields.name),
        role=fields.role,
        email=normalise_address(fields.email),
        language=fields.language,
        opt_out_token=new_token(),
    )
    db.session.add(contact)
    db.session.flush()
    note("contact_created", f"contact:{contact.id}", actor)
    db.session.commit()
    return contact


@write_transaction()
def update_contact(contact_id: int, fields: ContactFields, actor: Actor) -> dict[str, list]:
    """Change a contact; returns what changed (field → [before, after]).

    The address of a contact who opted out cannot change: the person asked for no
    more mail, and a new address would bring it back. Someone else is a new contact.
    """
    contact = db.session.get(Contact, contact_id)
    if contact is None:
        raise LookupError(contact_id)
    problems, town = check_fields(fields)
    address = normalise_address(fields.email)
    other = None
    if "email" not in problems and address != contact.email:
        other = contact_by_email(address)
        if other is not None:
            problems["email"] = "taken"
        elif opted_out(contact.email):
            problems["email"] = "opted_out"
    if problems:
        raise ContactRefused(problems, other)
    if town is None:  # check_fields names the municipality whenever it finds no problem
        raise ContactRefused({"municipality": "unknown"}, other)
    after = {
        "municipality": town.code,
        "name": clean_name(fields.name),
        "role": fields.role,
        "email": address,
        "language": fields.language,
    }
    before = {
        "municipality": contact.municipality.code,
        "name": contact.name,
        "role": contact.role,
        "email": contact.email,
        "language": contact.language,
    }
    changes = {key: [before[key], after[key]] for key in after if before[key] != after[key]}
    contact.municipality = town
    contact.name, contact.role = after["name"], after["role"]
    contact.email, contact.language = after["email"], after["language"]
    if changes:
        # The audit log says which fields changed, not the personal data itself.
        note("contact_changed", f"contact:{contact.id}", actor, fields=sorted(changes))
    db.session.commit()
    return changes


@write_transaction()
def delete_contact(contact_id: int, actor: Actor) -> None:
    """Delete a contact. Mails not sent yet are cancelled; their links stay (answers
    given through them belong to the campaign), no longer tied to the person."""
    contact = db.session.get(Contact, contact_id)
    if contact is None:
        raise LookupError(contact_id)
    cancelled = cast(
        CursorResult,
        db.session.execute(
            update(OutboundMail)
            .where(OutboundMail.contact_id == contact_id, OutboundMail.status == MAIL_QUEUED)
            .values(status=MAIL_CANCELLED)
        ),
    ).rowcount
    db.session.execute(
        update(Invitation).where(Invitation.contact_id == contact_id).values(contact_id=None)
    )
    db.session.delete(contact)
    note("contact_deleted", f"contact:{contact_id}", actor, mails_cancelled=cancelled)
    db.session.commit()


def opted_out(address: str) -> bool:
    return bool(
        db.session.scalar(
            select(func.count())
            .select_from(MailSuppression)
            .where(
                MailSuppression.address == normalise_address(address),
                MailSuppression.reason == SUPPRESSED_OPTED_OUT,
            )
        )
    )


# --- the list staff see -----------------------------------------------------------------


@dataclass
class ContactFilter:
    country: str | None = None
    role: str | None = None
    #: Part of a name, an address or a municipality's code.
    search: str = ""
    page: int = 1
    ignored: list[str] = field(default_factory=list)


@dataclass
class ContactRow:
    contact: Contact
    #: The address's suppression reason ("bounced", "opted_out"), or None.
    suppressed: str | None


@dataclass
class ContactPage:
    rows: list[ContactRow]
    total: int
    page: int
    pages: int


def parse_filter(args) -> ContactFilter:
    chosen = ContactFilter()
    country = (args.get("country") or "").strip()
    if country:
        if len(country) == 2 and country.isalpha():
            chosen.country = country.upper()
        else:
            chosen.ignored.append("country")
    role = (args.get("role") or "").strip()
    if role:
        if role in ROLES:
            chosen.role = role
        else:
            chosen.ignored.append("role")
    chosen.search = normalise_text(args.get("q") or "").strip()[:100]
    page = (args.get("page") or "1").strip()
    chosen.page = int(page) if page.isdigit() and 0 < len(page) < 7 else 1
    return chosen


def list_contacts(chosen: ContactFilter) -> ContactPage:
    """One page of contacts, by country, municipality and name."""
    query = (
        select(Contact, MailSuppression.reason)
        .join(Municipality, Contact.municipality_id == Municipality.id)
        .join(Country, Municipality.country_id == Country.id)
        .outerjoin(MailSuppression, MailSuppression.address == Contact.email)
    )
    if chosen.country:
        query = query.where(Country.code == chosen.country)
    if chosen.role:
        query = query.where(Contact.role == chosen.role)
    if chosen.search:
        needle = f"%{chosen.search.lower()}%"
        query = query.where(
            or_(
                # SQLite lower-cases ASCII only: also match the text as typed.
                Contact.name.like(f"%{chosen.search}%"),
                func.lower(Contact.name).like(needle),
                Contact.email.like(needle),
                Municipality.code.like(needle),
                func.lower(Municipality.name_latn).like(needle),
            )
        )
    total = db.session.scalar(select(func.count()).select_from(query.subquery())) or 0
    pages = max(1, -(-total // PER_PAGE))
    page = min(chosen.page, pages)
    rows = db.session.execute(
        query.options(joinedload(Contact.municipality).joinedload(Municipality.country))
        .order_by(Country.position, Municipality.code, Contact.name, Contact.id)
        .limit(PER_PAGE)
        .offset((page - 1) * PER_PAGE)
    ).all()
    return ContactPage([ContactRow(c, reason) for c, reason in rows], total, page, pages)


def contact_count() -> int:
    return db.session.scalar(select(func.count()).select_from(Contact)) or 0
