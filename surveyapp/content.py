"""Questionnaire text in one language, and which languages a version offers.

Texts are stored per language in ``TextEntry`` rows keyed by a stable id
(the ``msgctxt`` of the .po catalogs). Serbian Latin has no rows of its own:
it is the Serbian Cyrillic text, transliterated.
"""

from __future__ import annotations

from collections.abc import Iterable

from sqlalchemy import func, select

from surveyapp.extensions import db
from surveyapp.i18n import LANGUAGES, SOURCE_LANGUAGE, cyrillic_to_latin
from surveyapp.models import Page, Question, TextEntry


def storage_language(lang: str) -> str:
    """The language whose rows hold ``lang``'s text (sr for sr-Latn)."""
    return LANGUAGES[lang].derived_from or lang


class Texts:
    """A version's texts in one language, falling back to the source text."""

    def __init__(self, entries: dict[str, str], source: dict[str, str], lang: str) -> None:
        self._entries = entries
        self._source = source
        self.lang = lang

    def get(self, key: str) -> str:
        return self._entries.get(key) or self._source.get(key, "")

    def has(self, key: str) -> bool:
        return bool(self.get(key))

    # Keys, spelled once.
    def title(self) -> str:
        return self.get("questionnaire.title")

    def page_title(self, page: Page) -> str:
        return self.get(f"page.{page.name}.title")

    def page_intro(self, page: Page) -> str:
        return self.get(f"page.{page.name}.intro")

    def label(self, question: Question) -> str:
        return self.get(f"q.{question.name}.label")

    def hint(self, question: Question) -> str:
        return self.get(f"q.{question.name}.hint")

    def choice(self, list_name: str, value: str) -> str:
        return self.get(f"choice.{list_name}.{value}.label")


def _entries(version_id: int, lang: str) -> dict[str, str]:
    rows = db.session.execute(
        select(TextEntry.key, TextEntry.text).where(
            TextEntry.version_id == version_id, TextEntry.lang == lang
        )
    )
    return {key: text for key, text in rows}


def load_texts(version_id: int, lang: str) -> Texts:
    """All texts of a version in ``lang`` (two queries)."""
    source = _entries(version_id, SOURCE_LANGUAGE)
    if lang == SOURCE_LANGUAGE:
        return Texts(source, source, lang)
    entries = _entries(version_id, storage_language(lang))
    if LANGUAGES[lang].derived_from:
        entries = {key: cyrillic_to_latin(text) for key, text in entries.items()}
    return Texts(entries, source, lang)


def complete_languages(version_id: int, candidates: Iterable[str] | None = None) -> list[str]:
    """Languages in which every source text of the version is translated.

    Returned in registry order; the source language is always complete.
    """
    counts = dict(
        db.session.execute(
            select(TextEntry.lang, func.count())
            .where(TextEntry.version_id == version_id, TextEntry.text != "")
            .group_by(TextEntry.lang)
        ).all()
    )
    needed = counts.get(SOURCE_LANGUAGE, 0)
    wanted = list(candidates) if candidates is not None else list(LANGUAGES)
    return [
        code
        for code in LANGUAGES
        if code in wanted and counts.get(storage_language(code), 0) >= needed
    ]
