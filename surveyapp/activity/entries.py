"""Audit entries told in words: who did it, what it concerns and its details, with
users and objects named (``names``) instead of ids, in the reader's language."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime
from typing import Any

from flask_babel import format_date

from surveyapp.accounts import audit_log
from surveyapp.accounts.audit_log import AuditFilter, AuditPage
from surveyapp.accounts.permissions import STAFF_ROLE_LABELS
from surveyapp.activity.names import Named, Names, Wanted, find_names, parse_target
from surveyapp.campaigns.roles import RESPONDENT_ROLE_LABELS
from surveyapp.core.safe_text import lazy_gettext as _l
from surveyapp.languages.registry import LANGUAGES
from surveyapp.models import AuditEvent


@dataclass(frozen=True)
class Detail:
    """One detail of an entry: a label ("" for none) and a text, or an object."""

    label: str
    text: str
    named: Named | None = None


@dataclass
class Entry:
    """An audit entry as people read it."""

    id: int
    at: datetime
    action: str
    ip: str
    #: The staff member who did it; None when nobody was signed in (a failed sign-in,
    #: a respondent's request, a scheduled job).
    who: Named | None
    #: What it concerns; None when nothing, or when that is the actor themselves
    #: ("Ana signed in", not "Ana signed in: Ana").
    subject: Named | None
    #: The target as recorded when it names no object (a typed e-mail address, a file).
    target_text: str
    details: list[Detail] = field(default_factory=list)


#: Detail keys -> what they are, for people. Keys not listed show as they are stored.
DETAIL_LABELS = {
    "campaign": _l("Campaign"),
    "source": _l("Made from"),
    "scope": _l("Area"),
    "area": _l("Area"),
    "role": _l("Role"),
    "language": _l("Language"),
    "labels": _l("Answers written as"),
    "format": _l("Format"),
    "reason": _l("Reason"),
    "active": _l("Active"),
    "submitted": _l("Submitted"),
    "count": _l("Number"),
    "responses": _l("Responses"),
    "invitations": _l("Invitation links"),
    "problems": _l("Problems found"),
    "errors": _l("Problems found"),
    "warnings": _l("Warnings"),
    "request": _l("Deletion request"),
    "requests": _l("Deletion request"),
    "key": _l("Text"),
    #: An int for a translation import (a campaign's changes are a dict: ``_changes``).
    "changes": _l("Texts updated"),
    "change": _l("Change"),
    "page_id": _l("Page"),
    "question_id": _l("Question"),
    # An import's figures (contacts, engagements).
    "rows": _l("Rows read"),
    "created": _l("Added"),
    "updated": _l("Updated"),
    "unchanged": _l("Unchanged"),
    "merged": _l("Repeated rows merged"),
}
#: A campaign's fields, as ``campaign_changed`` records their changes.
CHANGE_LABELS = {
    "name": _l("Name"),
    "version_id": _l("Questionnaire"),
    "opens_at": _l("Opens on"),
    "closes_at": _l("Closes on"),
    "languages": _l("Languages offered to respondents"),
    "min_group_size": _l("Smallest group a report may show"),
}
#: Why a sign-in failed.
OUTCOMES = {
    "invalid": _l("wrong e-mail address or password"),
    "throttled": _l("too many attempts for this account"),
    "address_throttled": _l("too many attempts from this address"),
    "code": _l("wrong two-factor code"),
}
MARKS = {"test": _l("marked as a test"), "invalid": _l("marked as invalid")}
#: What an export wrote (``export``'s ``format``).
FORMATS = {
    "csv": "CSV",
    "xlsx": "XLSX",
    "profile csv": _l("needs profile (CSV)"),
    "invitation links": _l("invitation links (CSV)"),
    "peers csv": _l("peer learning (CSV)"),
    "exchange csv": _l("exchange planner (CSV)"),
}
#: Details whose id the log keeps under another name than the object's kind.
_DETAIL_KINDS = {"campaign": "campaign", "source": "version"}
#: Details that say nothing once the entry is read in words.
_SILENT = {"name"}
#: Details whose value says what they are ("marked as a test").
_UNLABELLED = {"outcome", "mark", "two_factor", "leave_out_self_registered"}


def describe(events: list[AuditEvent], lang: str) -> list[Entry]:
    """``events`` in words, in ``lang``; everything they name is found in bulk."""
    wanted = Wanted()
    for event in events:
        target = parse_target(event.target)
        if target:
            wanted.add(*target)
            if event.action == "campaign_deleted" and event.details:
                wanted.recorded[target] = str(event.details.get("name") or "")[:200]
        for key, value in (event.details or {}).items():
            if key in _DETAIL_KINDS:
                wanted.add(_DETAIL_KINDS[key], value)
            elif key in ("scope", "area"):
                wanted.add_place(value)
            elif key == "changes" and isinstance(value, dict):
                for version_id in value.get("version_id") or []:
                    wanted.add("version", version_id)
    names = find_names(wanted, lang)
    return [_entry(event, names) for event in events]


def _entry(event: AuditEvent, names: Names) -> Entry:
    who = (
        Named("user", event.user.id, event.user.name or event.user.email,
              hint=event.user.email if event.user.name else "")
        if event.user is not None
        else None
    )  # fmt: skip
    target = parse_target(event.target)
    subject = names.get(*target) if target else None
    if subject is not None and who is not None and (subject.kind, subject.id) == ("user", who.id):
        subject = None
    target_text = "" if target else _target_text(event.target)
    return Entry(
        event.id,
        event.at,
        event.action,
        event.ip,
        who,
        subject,
        target_text,
        _details(event, names),
    )


def _target_text(target: str) -> str:
    if target == audit_log.NOT_AN_EMAIL:
        return str(_l("not an e-mail address"))
    return target


def _details(event: AuditEvent, names: Names) -> list[Detail]:
    found = []
    for key, value in sorted((event.details or {}).items()):
        if key in _SILENT:
            continue
        label = str(DETAIL_LABELS.get(key, key.replace("_", " ")))
        if key == "changes" and isinstance(value, dict):
            found.extend(_changes(value, names))
        elif key in _DETAIL_KINDS and isinstance(value, int):
            found.append(Detail(label, "", names.get(_DETAIL_KINDS[key], value)))
        elif key in ("scope", "area"):
            place = names.places.get(value) if isinstance(value, str) else None
            if place is not None:
                found.append(Detail(label, place.label, place))
            elif not value:
                found.append(Detail(label, str(_l("the whole region"))))
            else:
                found.append(Detail(label, str(value)))
        else:
            text = _value(event.action, key, value)
            if text:
                found.append(Detail("" if key in _UNLABELLED else label, text))
    return found


def _value(action: str, key: str, value: Any) -> str:
    """A detail's value in words; "" when it says nothing worth showing."""
    if key == "role":
        labels = STAFF_ROLE_LABELS if action.startswith("account_") else RESPONDENT_ROLE_LABELS
        return str(labels.get(value, value)) if value else ""
    if key in ("language", "labels"):
        if value in LANGUAGES:
            return LANGUAGES[value].autonym
        return str(_l("codes")) if key == "labels" else str(value or "")
    if key == "outcome":
        return str(OUTCOMES.get(value, value or ""))
    if key == "mark":
        return str(MARKS.get(value, value or ""))
    if key == "format":
        return str(FORMATS.get(value, value or ""))
    if key == "two_factor":
        return str(_l("with a two-factor code")) if value else ""
    if key == "leave_out_self_registered":
        return str(_l("open-link responses left out")) if value else ""
    if key in ("request", "page_id", "question_id") and isinstance(value, int):
        return f"#{value}"
    if key == "requests" and isinstance(value, list):
        return ", ".join(f"#{item}" for item in value)
    if isinstance(value, bool):
        return str(_l("yes") if value else _l("no"))
    if value is None:
        return ""
    return str(value)


def _changes(changes: dict, names: Names) -> list[Detail]:
    """A campaign's changed fields: "Closes on: 1 Mar 2026 → 15 Mar 2026"."""
    found = []
    for key, before_after in changes.items():
        if not isinstance(before_after, list) or len(before_after) != 2:
            continue
        before, after = (_changed_value(key, value, names) for value in before_after)
        label = str(CHANGE_LABELS.get(key, key.replace("_", " ")))
        found.append(Detail(label, f"{before} → {after}"))
    return found


def _changed_value(key: str, value: Any, names: Names) -> str:
    if key == "version_id" and isinstance(value, int):
        return names.get("version", value).label
    if key in ("opens_at", "closes_at"):
        if not value:
            return str(_l("no end date"))
        try:
            return format_date(datetime.fromisoformat(str(value)), "medium")
        except ValueError:
            return str(value)
    if key == "languages":
        if not value:
            return str(_l("every language of the questionnaire"))
        return ", ".join(LANGUAGES[code].autonym if code in LANGUAGES else code for code in value)
    if key == "min_group_size" and value is None:
        return str(_l("the site’s minimum"))
    return "—" if value in (None, "") else str(value)


def recent_activity(lang: str, limit: int = 10) -> list[Entry]:
    """The latest entries in words, newest first (for the staff home)."""
    return describe(audit_log.recent(limit), lang)


def audit_page(chosen: AuditFilter, lang: str) -> tuple[AuditPage, list[Entry]]:
    """A page of the audit log as the filters choose it, and its entries in words."""
    page = audit_log.audit_page(chosen)
    return page, describe(page.events, lang)
