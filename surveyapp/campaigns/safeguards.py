"""Checks a campaign must pass before it opens, and what sets campaigns apart."""

from __future__ import annotations

from sqlalchemy import select

from surveyapp.extensions import db
from surveyapp.models import TextEntry
from surveyapp.questionnaires import text_keys
from surveyapp.questionnaires.texts import offered_languages, storage_language

PRIVACY_KEYS = (text_keys.PRIVACY_TEXT, text_keys.PRIVACY_CONSENT)


def languages_without_privacy_notice(version_id: int) -> list[str]:
    """The languages a version offers whose privacy notice or consent is blank.

    Each language is read from its own rows (no falling back to English): a
    respondent consents to a notice in the language they answer in."""
    rows = db.session.execute(
        select(TextEntry.lang, TextEntry.key, TextEntry.text).where(
            TextEntry.version_id == version_id, TextEntry.key.in_(PRIVACY_KEYS)
        )
    )
    present = {(lang, key) for lang, key, text in rows if (text or "").strip()}
    return [
        code
        for code in offered_languages(version_id)
        if any((storage_language(code), key) not in present for key in PRIVACY_KEYS)
    ]
