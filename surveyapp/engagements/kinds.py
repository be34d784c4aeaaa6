"""Kinds and statuses of engagements as people read them, in the page's language or
in a chosen one (``kind_name_in``: the import matches them in every language)."""

from __future__ import annotations

from surveyapp.core.safe_text import lazy_gettext as _l
from surveyapp.languages.current import N_, gettext_in

KIND_NAMES = {
    "roundtable": N_("Roundtable"),
    "workshop": N_("Workshop"),
    "peer_exchange": N_("Peer exchange"),
    "training": N_("Training"),
    "study_visit": N_("Study visit"),
    # I18N: the hub helped a municipality write or revise an action plan or a strategy
    "action_plan": N_("Help with an action plan or strategy"),
    # I18N: Local Safety Councils and Community Action Teams are bodies a municipality sets up
    "safety_council": N_("Setting up a Local Safety Council or Community Action Team"),
    "other": N_("Other"),
}
STATUS_NAMES = {
    # I18N: an engagement of the hub that has not taken place yet
    "planned": N_("Planned"),
    # I18N: an engagement of the hub that took place
    "done": N_("Done"),
}
KIND_LABELS = {kind: _l(name) for kind, name in KIND_NAMES.items()}
STATUS_LABELS = {status: _l(name) for status, name in STATUS_NAMES.items()}


def kind_label(kind: str) -> str:
    return str(KIND_LABELS.get(kind, kind))


def status_label(status: str) -> str:
    return str(STATUS_LABELS.get(status, status))


def kind_choices() -> list[tuple[str, str]]:
    return [(kind, str(label)) for kind, label in KIND_LABELS.items()]


def status_choices() -> list[tuple[str, str]]:
    return [(status, str(label)) for status, label in STATUS_LABELS.items()]


def kind_name_in(lang: str, kind: str) -> str:
    return gettext_in(lang, KIND_NAMES[kind])


def status_name_in(lang: str, status: str) -> str:
    return gettext_in(lang, STATUS_NAMES[status])
