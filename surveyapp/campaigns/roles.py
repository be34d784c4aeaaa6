"""Translated labels for codes stored in the database (roles, ...)."""

from __future__ import annotations

from surveyapp.core.safe_text import lazy_gettext as _l
from surveyapp.models import ROLES

RESPONDENT_ROLE_LABELS = {
    "mayor": _l("Mayor"),
    "deputy_mayor": _l("Deputy mayor"),
    "councillor": _l("Member of the municipal council"),
    "municipal_staff": _l("Municipal staff"),
}


def role_choices() -> list[tuple[str, str]]:
    return [(role, str(RESPONDENT_ROLE_LABELS[role])) for role in ROLES]
