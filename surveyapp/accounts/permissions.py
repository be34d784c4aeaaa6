"""Staff roles and what each may do: the one map the views, the templates and the
tests read. A view asks for a permission (``requires("run_campaigns")``), a
template asks ``can("run_campaigns")``; neither names roles.
"""

from __future__ import annotations

from surveyapp.core.safe_text import lazy_gettext as _l
from surveyapp.models import STAFF_ROLES

#: The staff roles' names, for people (stored codes are in ``models.STAFF_ROLES``).
STAFF_ROLE_LABELS = {
    "admin": _l("Administrator"),
    "analyst": _l("Analyst"),
    "translator": _l("Translator"),
}

#: The role a new account starts with: the one that can do least (no responses).
LEAST_PRIVILEGE = "translator"

#: Permission -> the roles that have it.
PERMISSIONS: dict[str, frozenset[str]] = {
    #: The staff area's start page: every signed-in staff member.
    "enter_staff_area": frozenset(STAFF_ROLES),
    #: Campaigns, invitations, response exports, needs profiles, peer learning.
    "run_campaigns": frozenset({"admin", "analyst"}),
    #: The questionnaire editor, XLSForm import and export, publishing.
    "edit_questionnaires": frozenset({"admin", "analyst"}),
    #: Translation status, catalog download and upload, one-text fixes.
    "translate": frozenset({"admin", "translator"}),
    #: Outreach: contacts (personal data), mail texts, sending invitations and reminders.
    "outreach": frozenset({"admin", "analyst"}),
    #: Mail texts as .po catalogs, and where their translation stands (no personal data).
    "translate_mail_texts": frozenset({"admin", "analyst", "translator"}),
    #: The engagement log (the hub's support to each municipality) and a municipality's
    #: timeline of rounds and engagements; no personal data. The domain gaps on the
    #: timeline are profile figures: they ask for run_campaigns too.
    "view_engagements": frozenset(STAFF_ROLES),
    #: Adding, changing, importing and deleting engagements; planning an exchange.
    "record_engagements": frozenset({"admin", "analyst"}),
    #: Staff accounts and the audit log.
    "manage_accounts": frozenset({"admin"}),
    #: Outgoing mail: what was sent or failed, bounce reports, suppressed addresses.
    "manage_mail": frozenset({"admin"}),
}


def role_can(role: str | None, permission: str) -> bool:
    """Whether ``role`` has ``permission`` (an unknown permission is a programming error)."""
    return role in PERMISSIONS[permission]


def can(user, permission: str) -> bool:
    """Whether ``user`` (signed in, active) has ``permission``."""
    return bool(getattr(user, "is_authenticated", False)) and role_can(user.role, permission)


def staff_role_label(role: str) -> str:
    return str(STAFF_ROLE_LABELS.get(role, role))


def staff_role_choices() -> list[tuple[str, str]]:
    return [(role, str(STAFF_ROLE_LABELS[role])) for role in STAFF_ROLES]
