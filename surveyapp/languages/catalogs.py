"""Compiled gettext catalogs, loaded once per language by our own code."""

from __future__ import annotations

from pathlib import Path

from babel.support import NullTranslations, Translations

from surveyapp.languages.registry import LANGUAGES, SOURCE_LANGUAGE, VARIANTS
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


def with_overrides(base: NullTranslations, overrides: Translations) -> NullTranslations:
    """``base``'s messages, with those ``overrides`` translates replaced by its own.

    Merged once into one table rather than chained with ``add_fallback``: a page looks
    up every one of its texts, and one dictionary lookup is what the main catalog costs.
    """
    if not isinstance(base, Translations):
        return base
    merged = Translations()
    merged._catalog = {**base._catalog, **overrides._catalog}
    merged.plural = base.plural
    merged._info = dict(getattr(base, "_info", {}))
    return merged


class CatalogCache:
    """Loads each language's compiled catalog once, by our language code; with a
    regional variant (``registry.VARIANTS``), the language's catalog with the
    variant's overrides."""

    def __init__(self, directory: str | Path) -> None:
        self.directory = Path(directory)
        self._loaded: dict[tuple[str, str | None], NullTranslations] = {}

    def get(self, code: str, variant: str | None = None) -> NullTranslations:
        if variant is not None and (
            variant not in VARIANTS or VARIANTS[variant].language != LANGUAGES[code].spoken_as
        ):
            variant = None
        key = (code, variant)
        if key not in self._loaded:
            self._loaded[key] = (
                self._load(code) if variant is None else self._load_variant(code, variant)
            )
        return self._loaded[key]

    def _load_variant(self, code: str, variant: str) -> NullTranslations:
        lang = LANGUAGES[code]
        if lang.derived_from:
            source = self.get(lang.derived_from, variant)
            if isinstance(source, Translations):
                return TransliteratedTranslations.from_catalog(source)
            return source
        mo = self.directory / VARIANTS[variant].catalog / "LC_MESSAGES" / "messages.mo"
        if not mo.exists():
            return self.get(code)
        with mo.open("rb") as fp:
            return with_overrides(self.get(code), Translations(fp, domain="messages"))

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
