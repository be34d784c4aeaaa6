"""Checks of gettext catalogs that translators run and CI enforces.

Shared by the interface catalogs (``flask translate check``) and by questionnaire
catalog imports: placeholders, plural forms, fuzzy and untranslated entries.
"""

from __future__ import annotations

import re
from collections import Counter
from dataclasses import dataclass, field
from pathlib import Path

from babel.messages.catalog import Catalog, Message
from babel.messages.pofile import read_po

from surveyapp.languages.registry import LANGUAGES, VARIANTS

#: %(name)s, %(num)d, %s, %%, {name}
PLACEHOLDER = re.compile(r"%\([A-Za-z_]\w*\)[-#0 +]*\d*(?:\.\d+)?[sdifrx]|%[sdif]|\{[A-Za-z_]\w*\}")


def placeholders(text: str) -> Counter[str]:
    return Counter(PLACEHOLDER.findall(text or ""))


@dataclass
class Problem:
    line: int
    message: str  #: may be a lazy translated string; str() it in the reader's language

    def __str__(self) -> str:
        return f"line {self.line}: {self.message}"


@dataclass
class CatalogReport:
    path: str
    total: int = 0
    translated: int = 0
    fuzzy: int = 0
    untranslated: int = 0
    problems: list[Problem] = field(default_factory=list)

    @property
    def ok(self) -> bool:
        return not self.problems

    @property
    def percent(self) -> int:
        return round(100 * self.translated / self.total) if self.total else 100


def message_problems(message: Message) -> list[Problem]:
    """Placeholders of a translated message that differ from its source."""
    problems = []
    if message.pluralizable:
        singular, plural = message.id
        wanted = placeholders(plural)
        for index, string in enumerate(message.string):
            if not string:
                continue
            # The singular form may drop the number ("one answer"), nothing else.
            have = placeholders(string)
            extra = set(have) - set(wanted) - set(placeholders(singular))
            missing = set(wanted) - set(have) - {"%(num)d", "%(num)s"}
            if extra or missing:
                problems.append(_placeholder_problem(message, missing, extra, f"msgstr[{index}]"))
    elif message.string:
        wanted, have = placeholders(message.id), placeholders(message.string)
        if wanted != have:
            missing, extra = set(wanted) - set(have), set(have) - set(wanted)
            problems.append(_placeholder_problem(message, missing, extra, "msgstr"))
    return problems


def _placeholder_problem(message: Message, missing: set, extra: set, where: str) -> Problem:
    parts = []
    if missing:
        parts.append("missing " + ", ".join(sorted(missing)))
    if extra:
        parts.append("unknown " + ", ".join(sorted(extra)))
    label = message.context or (message.id[0] if message.pluralizable else message.id)
    return Problem(message.lineno, f"placeholders in {where} of {label!r}: " + "; ".join(parts))


def is_translated(message: Message) -> bool:
    if message.pluralizable:
        return all(message.string)
    return bool(message.string)


def check_catalog(catalog: Catalog, code: str, path: str = "") -> CatalogReport:
    """Every problem of one language's catalog, with counts for a status table."""
    report = CatalogReport(path=path)
    expected_plurals = LANGUAGES[code].plural_forms
    header = dict(catalog.mime_headers).get("Plural-Forms", "")
    if _squash(header) != _squash(expected_plurals):
        report.problems.append(
            Problem(1, f"Plural-Forms is {header!r}, expected {expected_plurals!r}")
        )
    nplurals = int(re.search(r"nplurals=(\d+)", expected_plurals).group(1))
    for message in catalog:
        if not message.id:
            continue
        report.total += 1
        if message.fuzzy:
            report.fuzzy += 1
            report.problems.append(Problem(message.lineno, f"fuzzy entry {message.id!r}"))
        elif is_translated(message):
            report.translated += 1
        else:
            report.untranslated += 1
            report.problems.append(Problem(message.lineno, f"untranslated {message.id!r}"))
        if message.pluralizable and len(message.string) != nplurals:
            report.problems.append(
                Problem(message.lineno, f"{len(message.string)} plural forms, expected {nplurals}")
            )
        report.problems.extend(message_problems(message))
    return report


def _squash(text: str) -> str:
    return re.sub(r"\s+", "", text).rstrip(";")


def check_po_file(path: Path, code: str) -> CatalogReport:
    with path.open("rb") as fp:
        catalog = read_po(fp, locale=None)
    return check_catalog(catalog, code, str(path))


def check_variant_catalog(
    catalog: Catalog, variant: str, known: Catalog | None = None, path: str = ""
) -> CatalogReport:
    """Every problem of a regional variant's override catalog (``registry.VARIANTS``).

    A variant holds only the strings that differ from its language's catalog: an
    entry left empty falls back to it (counted as untranslated, not a problem).
    Broken placeholders, fuzzy entries, a wrong Plural-Forms header and, given
    ``known`` (the template), overrides of strings the code no longer has are.
    """
    report = CatalogReport(path=path)
    expected_plurals = LANGUAGES[VARIANTS[variant].language].plural_forms
    header = dict(catalog.mime_headers).get("Plural-Forms", "")
    if _squash(header) != _squash(expected_plurals):
        report.problems.append(
            Problem(1, f"Plural-Forms is {header!r}, expected {expected_plurals!r}")
        )
    nplurals = int(re.search(r"nplurals=(\d+)", expected_plurals).group(1))
    for message in catalog:
        if not message.id:
            continue
        report.total += 1
        label = message.id[0] if message.pluralizable else message.id
        if known is not None and known.get(message.id, message.context) is None:
            report.problems.append(
                Problem(
                    message.lineno, f"override of {label!r}, which is no longer a source string"
                )
            )
        if message.fuzzy:
            report.fuzzy += 1
            report.problems.append(Problem(message.lineno, f"fuzzy entry {label!r}"))
        elif is_translated(message):
            report.translated += 1
        else:
            report.untranslated += 1
        if message.pluralizable and any(message.string) and len(message.string) != nplurals:
            report.problems.append(
                Problem(message.lineno, f"{len(message.string)} plural forms, expected {nplurals}")
            )
        report.problems.extend(message_problems(message))
    return report


def check_variant_po_file(path: Path, variant: str, template: Path | None = None) -> CatalogReport:
    with path.open("rb") as fp:
        catalog = read_po(fp, locale=None)
    known = None
    if template is not None and template.exists():
        with template.open("rb") as fp:
            known = read_po(fp, locale=None)
    return check_variant_catalog(catalog, variant, known, str(path))
