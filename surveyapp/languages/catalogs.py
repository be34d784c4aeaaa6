"""Compiled gettext catalogs, loaded once per language by our own code."""

from __future__ import annotations

from pathlib import Path

from babel.support import NullTranslations, Translations

from surveyapp.languages.registry import LANGUAGES, SOURCE_LANGUAGE
from surveyapp.languages.transliteration import cyrillic_to_latin


class TransliteratedTranslations(Translations):
    """A catalog whose messages are another catalog's, transliterated."""

    @classmethod
    def from_catalog(cls, source: Translations) -> TransliteratedTranslations:
        derived = cls()
        derived._catalog = {key: cyrillic_to_latin(value) for key, value in source._catalog.items()}
        derived.plural = source.plural
        derived._info = dict(getattr(source, "_info", {}))
        return derived


class CatalogCache:
    """Loads each language's compiled catalog once, by our language code."""

    def __init__(self, directory: str | Path) -> None:
        self.directory = Path(directory)
        self._loaded: dict[str, NullTranslations] = {}

    def get(self, code: str) -> NullTranslations:
        if code not in self._loaded:
            self._loaded[code] = self._load(code)
        return self._loaded[code]

    def _load(self, code: str) -> NullTranslations:
        lang = LANGUAGES.get(code)
        if lang is None or code == SOURCE_LANGUAGE:
            return NullTranslations()
        if lang.derived_from:
            source = self.get(lang.derived_from)
            if isinstance(source, Translations):
                return TransliteratedTranslations.from_catalog(source)
            return source
        mo = self.directory / lang.catalog / "LC_MESSAGES" / "messages.mo"
        if not mo.exists():
            return NullTranslations()
        with mo.open("rb") as fp:
            return Translations(fp, domain="messages")
