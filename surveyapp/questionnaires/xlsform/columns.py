"""What an XLSForm's columns mean: ``label::Language (code)`` headers, their
languages, and the header aliases form authors write.

Read by the importer (:mod:`.reader`, :mod:`.survey_sheet`) and the exporter.
"""

from __future__ import annotations

import math
import re
import unicodedata
from dataclasses import dataclass
from functools import lru_cache

from babel import Locale

from surveyapp.core.safe_text import lazy_gettext as _l
from surveyapp.languages.registry import DERIVED_LANGUAGES, LANGUAGES, SOURCE_LANGUAGE, VARIANTS
from surveyapp.languages.transliteration import normalise_text
from surveyapp.questionnaires.xlsform.workbook import Sheet, SheetReport, XLSFormReport

#: Header spellings of other tools, and their name here.
HEADER_ALIASES = {
    "list name": "list_name",
    "jr:constraintmsg": "constraint_message",
    "jr:requiredmsg": "required_message",
    "constraint message": "constraint_message",
    "required message": "required_message",
}

#: Language names in headers such as ``label::Shqip`` or ``label:english``.
LANGUAGE_NAMES = {
    name.lower(): code
    for code, language in LANGUAGES.items()
    for name in (*language.aliases, language.autonym)
}

#: A BCP 47 tag, private use (``x-...``) included.
_TAG = re.compile(r"(?:[A-Za-z]{2,3}|[Xx])(?:[-_][A-Za-z0-9]{1,8})*")
_WITH_CODE = re.compile(r"(.*?)\s*\(\s*([^()]*?)\s*\)\s*")


@dataclass(frozen=True)
class Header:
    """A header split into its base name (canonical, lower case) and the
    language part as written (``English (en)``), if it has one."""

    index: int
    text: str
    base: str
    language: str | None


def split_header(index: int, text: str, translatable: frozenset[str]) -> Header:
    """``label::English (en)``, ``label:english`` (legacy) or ``label``; any other
    header keeps its whole text as base (``media::image::English (en)``)."""
    stripped = text.strip()
    for separator in ("::", ":"):
        base, found, language = stripped.partition(separator)
        base = HEADER_ALIASES.get(base.strip().lower(), base.strip().lower())
        if found and base in translatable:
            return Header(index, text, base, language.strip() or None)
    whole = " ".join(stripped.lower().split())
    return Header(index, text, HEADER_ALIASES.get(whole, whole), None)


def canonical_tag(tag: str) -> str:
    """BCP 47 casing: ``SR_latn`` → ``sr-Latn``; our codes as the registry spells them."""
    for code in LANGUAGES:
        if code.lower() == tag.replace("_", "-").lower():
            return code
    parts = re.split(r"[-_]", tag)
    out = [parts[0].lower()]
    for part in parts[1:]:
        if len(part) == 4 and part.isalpha():
            out.append(part.title())
        elif len(part) == 2 or part.isdigit():
            out.append(part.upper())
        else:
            out.append(part.lower())
    return "-".join(out)


@lru_cache(maxsize=1)
def _english_names() -> dict[str, str]:
    return {name.lower(): code for code, name in Locale("en").languages.items() if "_" not in code}


def language_code(spec: str) -> tuple[str, bool]:
    """The code of a header's language part, and whether the header said which.

    ``English (en)`` → en; ``Swahili (sw)`` → sw; ``english`` / ``Shqip`` /
    ``Македонски`` → by name; ``EN`` → en; another language named in English
    (``Swahili``) → its code. Anything else gives a private-use code made from
    the name (``Martian`` → x-martian) and False.
    """
    match = _WITH_CODE.fullmatch(spec)
    if match and _TAG.fullmatch(match.group(2)):
        return canonical_tag(match.group(2)), True
    lowered = " ".join(spec.lower().split())
    if lowered in LANGUAGE_NAMES:
        return LANGUAGE_NAMES[lowered], True
    if _TAG.fullmatch(spec):
        return canonical_tag(spec), True
    if lowered in _english_names():
        return _english_names()[lowered], True
    words = re.findall(r"[a-z0-9]+", unicodedata.normalize("NFKD", lowered)) or ["unknown"]
    return "-".join(["x", *(word[:8] for word in words)])[:35].rstrip("-"), False


@lru_cache(maxsize=256)
def language_label(code: str) -> str:
    """How export names a language: ``Shqip (sq)``, or for a language that is
    not ours its English name, ``Swahili (sw)``."""
    if code in LANGUAGES:
        return f"{LANGUAGES[code].autonym} ({code})"
    if code in VARIANTS:  # a regional variant's overrides: "Shqip (Kosovë) (sq-XK)"
        return f"{VARIANTS[code].name} ({code})"
    names = Locale("en").languages
    name = names.get(code.replace("-", "_")) or names.get(code.split("-")[0]) or code
    return f"{name} ({code})"


class Languages:
    """The languages of a form's text columns, in the order first met.

    A column that names no language (``label``) is in ``default``.
    """

    def __init__(self, default: str = SOURCE_LANGUAGE) -> None:
        self.default = default
        self.found: list[str] = []

    def of(self, header: Header, at: SheetReport) -> str | None:
        """Our code for a text column's language; None (with a warning) when ignored."""
        if header.language is None:
            return self.plain()
        code, named = language_code(header.language)
        if code in DERIVED_LANGUAGES:
            at.warn(1, header.text, _l("Serbian Latin is made from Serbian Cyrillic: ignored."))
            return None
        if len(code) > 35:
            at.error(1, header.text, _l("This language code is too long."))
            return None
        if not named:
            message = _l("“%(language)s” has no language code: its texts are kept as “%(code)s”.")
            at.warn(1, header.text, message % {"language": header.language, "code": code})
        if code not in self.found:
            self.found.append(code)
        return code

    def plain(self) -> str:
        """The language of a text that names none: the default language."""
        if self.default not in self.found:
            self.found.append(self.default)
        return self.default


class Columns:
    """A sheet's headers: plain columns by name, text columns by name and
    language, and the other columns (kept by their header as written)."""

    def __init__(
        self,
        sheet: Sheet,
        texts: set[str],
        plain: set[str],
        languages: Languages,
        report: XLSFormReport,
    ) -> None:
        self.sheet, self.at = sheet, report.on(sheet.title)
        self.plain: dict[str, Header] = {}
        self.texts: dict[str, list[tuple[str, Header]]] = {}
        self.other: list[Header] = []
        seen: dict[tuple[str, str | None], Header] = {}
        for index, text in enumerate(sheet.headers):
            header = split_header(index, text, frozenset(texts))
            lang = languages.of(header, self.at) if text and header.base in texts else None
            if not text or (header.base in texts and lang is None):
                continue
            key = (header.base, lang) if header.base in texts | plain else ("", text.strip())
            if key in seen:
                self.at.error(1, text, _l("This column repeats “%(other)s”.", other=seen[key].text))
            elif header.base in texts:
                self.texts.setdefault(header.base, []).append((lang, header))
            elif header.base in plain:
                self.plain[header.base] = header
            else:
                self.other.append(header)
            seen.setdefault(key, header)

    def value(self, row: list[str], name: str) -> str:
        return row[self.plain[name].index] if name in self.plain else ""

    def header(self, name: str) -> str:
        """A plain column's header as written (for messages), else its name."""
        return self.plain[name].text if name in self.plain else name

    def texts_of(self, row: list[str], name: str) -> dict[str, str]:
        found = ((lang, row[h.index]) for lang, h in self.texts.get(name, []))
        return {lang: normalise_text(text) for lang, text in found if text}

    def media_only(self, row: list[str]) -> bool:
        """Whether the row has an image, audio or video label (``image``,
        ``media::image::English (en)``): kept for export, not shown."""
        media = ("image", "audio", "video", "big-image", "media::")
        return any(h.base.startswith(media) and row[h.index] for h in self.other)

    def kept(self, row: list[str]) -> dict[str, str] | None:
        """The other columns' values of a row, by header: kept in ``extra`` for export."""
        return {h.text.strip(): row[h.index] for h in self.other if row[h.index]} or None

    def other_value(self, row: list[str], name: str) -> tuple[str, str]:
        """An other column's value and header, found by its lower-case name."""
        found = next((h for h in self.other if h.base == name), None)
        return (row[found.index], found.text) if found else ("", name)

    def number(self, number: int, row: list[str], name: str) -> float | None:
        text = self.value(row, name)
        try:
            value = float(text) if text else None
        except ValueError:
            value = math.nan
        if value is not None and not math.isfinite(value):
            self.at.error(number, self.header(name), _l("This is not a number."))
            return None
        return value
