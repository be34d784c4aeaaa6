"""What translators need to see: every language × (interface, each questionnaire)."""

from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path

from babel.messages.catalog import Message
from babel.messages.pofile import read_po

from surveyapp.languages import catalog_files
from surveyapp.languages.catalog_checks import (
    check_po_file,
    check_variant_po_file,
    is_translated,
)
from surveyapp.languages.registry import TRANSLATED_LANGUAGES, VARIANTS, Variant
from surveyapp.questionnaires.texts import (
    TranslationGap,
    VariantStatus,
    latest_versions,
    translated_languages,
    translation_gaps,
    translation_status,
    variant_gaps,
    variant_status,
)


@dataclass
class Cell:
    percent: int
    done: int
    total: int
    open_items: int


@dataclass
class Column:
    """The interface (version None) or one questionnaire version."""

    title: str
    version_id: int | None = None
    cells: dict[str, Cell] = field(default_factory=dict)
    #: Languages with every text translated (some perhaps waiting for review).
    translated: list[str] = field(default_factory=list)
    #: Languages staff withdrew from new respondents.
    withdrawn: list[str] = field(default_factory=list)


@dataclass
class InterfaceGap:
    lang: str
    path: str
    line: int
    msgid: str
    state: str  # "missing" or "fuzzy"


def interface_column() -> tuple[Column, list[InterfaceGap]]:
    column = Column("interface")
    gaps = []
    for code in TRANSLATED_LANGUAGES:
        path = catalog_files.po_path(code)
        if not path.exists():
            column.cells[code] = Cell(0, 0, 0, 0)
            continue
        report = check_po_file(path, code)
        column.cells[code] = Cell(
            report.percent, report.translated, report.total, report.fuzzy + report.untranslated
        )
        shown = str(path.relative_to(catalog_files.ROOT))
        for message in _open_messages(path):
            msgid = message.id[0] if message.pluralizable else message.id
            state = "fuzzy" if message.fuzzy else "missing"
            gaps.append(InterfaceGap(code, shown, message.lineno, msgid, state))
    return column, gaps


def _open_messages(path: Path) -> list[Message]:
    with path.open("rb") as fp:
        catalog = read_po(fp, locale=None)
    return [m for m in catalog if m.id and (m.fuzzy or not is_translated(m))]


def questionnaire_columns() -> list[Column]:
    columns = []
    for version in latest_versions():
        column = Column(
            f"{version.questionnaire.name} v{version.number}",
            version.id,
            translated=[c for c in translated_languages(version.id) if c in TRANSLATED_LANGUAGES],
            withdrawn=list(version.withdrawn_languages or []),
        )
        for code, status in translation_status(version.id).items():
            if code in TRANSLATED_LANGUAGES:
                column.cells[code] = Cell(
                    status.percent, status.current, status.total, status.missing + status.outdated
                )
        columns.append(column)
    return columns


def questionnaire_gaps(columns: list[Column]) -> list[tuple[Column, str, list]]:
    """(column, language, gaps) for every cell that is not complete."""
    return [
        (column, code, translation_gaps(column.version_id, code))
        for column in columns
        for code, cell in column.cells.items()
        if cell.open_items
    ]


@dataclass
class VariantRow:
    """A regional variant: its interface overrides and its overrides per questionnaire."""

    variant: Variant
    #: The override catalog, as the repository names it (translations/sq_XK/...).
    path: str
    #: Interface strings it overrides (with a text), and the catalog's problems
    #: (broken placeholders, fuzzy entries, overrides of strings gone from the code).
    overrides: int = 0
    problems: int = 0
    #: version id -> its overrides of that version's texts
    texts: dict[int, VariantStatus] = field(default_factory=dict)
    #: (column, outdated overrides) to review
    gaps: list[tuple[Column, list[TranslationGap]]] = field(default_factory=list)


def variant_rows(columns: list[Column]) -> list[VariantRow]:
    """Every regional variant of the registry, with the questionnaire ``columns``."""
    rows = []
    for code, variant in VARIANTS.items():
        path = catalog_files.variant_po_path(code)
        row = VariantRow(variant, str(path.relative_to(catalog_files.ROOT)))
        if path.exists():
            report = check_variant_po_file(path, code, catalog_files.POT)
            row.overrides, row.problems = report.translated, len(report.problems)
        for column in columns:
            status = variant_status(column.version_id)[code]
            row.texts[column.version_id] = status  # type: ignore[index]  # None: interface
            if status.outdated:
                row.gaps.append((column, variant_gaps(column.version_id, code)))
        rows.append(row)
    return rows
