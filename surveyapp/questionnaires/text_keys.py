"""Names of questions, pages and choices, and the keys of their texts.

Every ``TextEntry.key`` (the ``msgctxt`` of the .po catalogs) is built here.
The keys are stored, so their spelling must never change.
"""

from __future__ import annotations

import re

NAME = re.compile(r"^[A-Za-z_][A-Za-z0-9_]{0,63}$")
#: A question's or page's name: a hyphen too, as XLSForms have them (``label-test``);
#: ``${label-test}`` is one reference, and statistical exports write ``label_test``.
QUESTION_NAME = re.compile(r"^[A-Za-z_][A-Za-z0-9_-]{0,63}$")

# --- the questionnaire's own texts ----------------------------------------------

QUESTIONNAIRE_TITLE = "questionnaire.title"
QUESTIONNAIRE_DESCRIPTION = "questionnaire.description"
PRIVACY_TEXT = "privacy.text"
PRIVACY_CONSENT = "privacy.consent"
#: The texts every version has besides those of its pages, questions and choices.
VERSION_TEXTS = (QUESTIONNAIRE_TITLE, QUESTIONNAIRE_DESCRIPTION, PRIVACY_TEXT, PRIVACY_CONSENT)

# --- pages ------------------------------------------------------------------------


def page_title(page_name: str) -> str:
    return f"page.{page_name}.title"


def page_intro(page_name: str) -> str:
    return f"page.{page_name}.intro"


# --- questions --------------------------------------------------------------------

#: The texts a question can have, in the order they are shown and exported.
QUESTION_PARTS = ("label", "hint", "constraint_message", "required_message")


def question_prefix(question_name: str) -> str:
    """What every key of the question's texts starts with."""
    return f"q.{question_name}."


def question_text(question_name: str, part: str) -> str:
    """The key of one of :data:`QUESTION_PARTS` of a question."""
    return f"{question_prefix(question_name)}{part}"


def question_label(question_name: str) -> str:
    return question_text(question_name, "label")


def question_hint(question_name: str) -> str:
    return question_text(question_name, "hint")


def constraint_message(question_name: str) -> str:
    return question_text(question_name, "constraint_message")


def required_message(question_name: str) -> str:
    return question_text(question_name, "required_message")


# --- choices ----------------------------------------------------------------------


def choice_label(list_name: str, value: str) -> str:
    return f"choice.{list_name}.{value}.label"
