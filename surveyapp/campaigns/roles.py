"""Translated labels for codes stored in the database (roles, ...)."""

from __future__ import annotations

from surveyapp.core.safe_text import lazy_gettext as _l
from surveyapp.languages.current import N_, catalog_in
from surveyapp.models import ROLES

#: The roles' names as message ids (translated for the page, or into a chosen language).
ROLE_NAMES = {
    "mayor": N_("Mayor"),
    "deputy_mayor": N_("Deputy mayor"),
    "councillor": N_("Member of the municipal council"),
    "municipal_staff": N_("Municipal staff"),
}
RESPONDENT_ROLE_LABELS = {role: _l(name) for role, name in ROLE_NAMES.items()}


def role_choices() -> list[tuple[str, str]]:
    return [(role, str(RESPONDENT_ROLE_LABELS[role])) for role in ROLES]


def role_name_in(lang: str, role: str, variant: str | None = None) -> str:
    """A role's name in ``lang`` (its code if it is not a role), as spoken in the
    regional ``variant`` if given ("Kryetar i komunës" in Kosovo)."""
    return catalog_in(lang, variant).gettext(ROLE_NAMES[role]) if role in ROLE_NAMES else role
