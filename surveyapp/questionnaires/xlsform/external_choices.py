"""Choices kept outside the choices sheet: ``select_one_from_file towns.csv`` (a CSV
uploaded beside the form, or, in a form we exported, the ``external_choices`` sheet's
rows whose list_name is the file's name) and ``select_one_external list`` (the
``external_choices`` sheet, or an uploaded ``itemsets.csv``; a list of the choices
sheet of the same name is used first).

A CSV has a header row (name, label or label::Language (code), and any other
column, kept for choice filters), UTF-8 (a byte order mark is allowed), at most
``MAX_ROWS`` rows.
"""

from __future__ import annotations

import csv
import io
import re
from typing import TYPE_CHECKING

from surveyapp.core.safe_text import lazy_gettext as _l
from surveyapp.questionnaires import text_keys
from surveyapp.questionnaires.text_keys import NAME
from surveyapp.questionnaires.xlsform.workbook import MAX_COLUMNS, MAX_ROWS, Sheet

if TYPE_CHECKING:
    from surveyapp.questionnaires.xlsform.reader import ImportedForm

#: The sheet of a form's external choices, and the file ODK keeps them in.
SHEET = "external_choices"
ITEMSETS = "itemsets.csv"
_FROM_FILE = re.compile(
    r"(select_one_from_file|select_multiple_from_file|select_one_external|"
    r"select_multiple_external)\s+(\S+)",
    re.IGNORECASE,
)


def parse_type(kind: str) -> tuple[str, str] | None:
    """``select_one_from_file towns.csv`` → (``select_one_from_file``, ``towns.csv``)."""
    match = _FROM_FILE.fullmatch(kind)
    return (match.group(1).lower(), match.group(2)) if match else None


def csv_sheet(filename: str, data: bytes, form: ImportedForm) -> Sheet | None:
    """An uploaded CSV read as a sheet; None (with an error) when it cannot be read."""
    try:
        text = data.decode("utf-8-sig")
        rows = list(csv.reader(io.StringIO(text, newline="")))
    except (UnicodeDecodeError, csv.Error):
        message = _l("“%(file)s” could not be read: save it as CSV in UTF-8.")
        form.report.error(filename, None, None, message % {"file": filename})
        return None
    if not rows or len(rows) > MAX_ROWS or len(rows[0]) > MAX_COLUMNS:
        message = _l("“%(file)s” needs a header row and at most %(count)d rows.")
        form.report.error(filename, None, None, message % {"file": filename, "count": MAX_ROWS})
        return None
    headers = [h.strip() for h in rows[0]]
    width = len(headers)
    body = [
        (number, [cell.strip() for cell in (row + [""] * width)[:width]])
        for number, row in enumerate(rows[1:], start=2)
        if any(cell.strip() for cell in row)
    ]
    return Sheet(filename, headers, body)


class ExternalChoices:
    """The lists of the external_choices sheet and of the uploaded files, read on demand."""

    def __init__(self, form: ImportedForm, files: dict[str, bytes]) -> None:
        self.form = form
        self.files = {name.rsplit("/", 1)[-1]: data for name, data in files.items()}
        self.sheet = form.sheets.get(SHEET)
        self._grouped: dict[str, dict[str, list[tuple[int, list[str]]]]] = {}

    def _rows_by_list(self, sheet: Sheet | None) -> dict[str, list[tuple[int, list[str]]]]:
        if sheet is None:
            return {}
        if sheet.title not in self._grouped:
            columns = self.form.columns(sheet, {"label"}, {"list_name", "name"})
            grouped: dict[str, list[tuple[int, list[str]]]] = {}
            for number, row in sheet.rows:
                grouped.setdefault(columns.value(row, "list_name"), []).append((number, row))
            self._grouped[sheet.title] = grouped
        return self._grouped[sheet.title]

    def find(self, command: str, source: str) -> tuple[Sheet, list[tuple[int, list[str]]]] | None:
        """The sheet and rows of a list: an uploaded file first, then the sheet."""
        if command.endswith("from_file"):
            if source in self.files:
                sheet = csv_sheet(source, self.files[source], self.form)
                return (sheet, sheet.rows) if sheet else None
        elif ITEMSETS in self.files:
            sheet = csv_sheet(ITEMSETS, self.files[ITEMSETS], self.form)
            rows = self._rows_by_list(sheet).get(source) if sheet else None
            if sheet and rows:
                return sheet, rows
        rows = self._rows_by_list(self.sheet).get(source)
        return (self.sheet, rows) if self.sheet and rows else None


def list_name_for(form: ImportedForm, source: str) -> str:
    """The name a file's list is stored under: ``towns.csv`` → ``towns_csv``."""
    base = re.sub(r"[^A-Za-z0-9_]", "_", source)[:60] or "list"
    if not NAME.fullmatch(base):
        base = f"f_{base}"[:60]
    name = base
    while name in form.lists:
        name += "_"
    return name


def copy_list(form: ImportedForm, source: str) -> str:
    """A copy of a list of the choices sheet (``select_one_external`` without an
    external_choices sheet), with its texts; its name."""
    list_name = list_name_for(form, source)
    form.lists[list_name] = list(form.lists[source])
    for choice in form.lists[source]:
        texts = form.texts.get(text_keys.choice_label(source, choice.value), {})
        form.add_texts(text_keys.choice_label(list_name, choice.value), dict(texts))
    return list_name


def read_list(form: ImportedForm, sheet: Sheet, rows, list_name: str) -> None:
    """Rows of a file or sheet as the choices of ``list_name`` (names and labels checked
    as the choices sheet's are)."""
    from surveyapp.questionnaires.xlsform.reader import ImportedChoice, missing_label

    columns = form.columns(sheet, {"label"}, {"list_name", "name"})
    at = columns.at
    if "name" not in columns.plain:
        at.error(1, None, _l("The sheet has no “%(column)s” column.", column="name"))
        return
    form.choice_columns |= {h.text.strip() for h in columns.other}
    choices, seen = form.lists.setdefault(list_name, []), set()
    for number, row in rows:
        value = columns.value(row, "name")
        if not value or len(value) > 64 or any(c.isspace() for c in value) or value in seen:
            message = _l("A choice needs a name of at most 64 characters, without spaces.")
            at.error(number, columns.header("name"), message)
            continue
        seen.add(value)
        labels = columns.texts_of(row, "label") or missing_label(form, at, number, value)
        choices.append(ImportedChoice(value, None, columns.kept(row)))
        form.add_texts(text_keys.choice_label(list_name, value), labels)
