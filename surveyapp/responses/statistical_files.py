"""SPSS (.sav) and Stata (.dta) files of a campaign's responses, written row by row by
our own writers (``spss_file``, ``stata_file``), without pandas.

The variables are ``variables.plan_variables``'s: valid, stable names per format;
variable labels (the question in full) and value labels (the choices) in a chosen
language; the unscored choices of scale questions declared missing; scale questions
ordinal, numbers scale, the rest nominal (SPSS's measurement level; Stata has none).

The rows are read as codes (``exports.response_rows``) batch by batch, each cell made
the variable's value once (``_Column.value``), and handed to the writer, which spools
them to a temporary file and writes the file from it: memory does not grow with the
responses (bench/README.md). The files read back with pyreadstat exactly as the ones
pyreadstat wrote before. One case is left to pyreadstat: a text longer than SPSS's
short strings (255 bytes) in a .sav, which needs SPSS's very long strings; then the
whole table is in memory once, as a pandas data frame (``_write_sav``).

Text is written as it was typed: these files are not spreadsheets, and no program
that opens them runs a cell as a formula.
"""

from __future__ import annotations

import math
from array import array
from collections.abc import Callable, Iterator
from datetime import date, datetime
from pathlib import Path
from typing import Any

from sqlalchemy import select

from surveyapp.campaigns.roles import role_name_in
from surveyapp.extensions import db
from surveyapp.languages.current import N_, gettext_in
from surveyapp.models import Campaign, Municipality
from surveyapp.questionnaires.texts import Texts, load_texts
from surveyapp.responses import exports, stata_file
from surveyapp.responses.export_columns import EXTRA_NAMES, FIXED
from surveyapp.responses.spss_file import SpssColumn, spooled_rows, write_sav
from surveyapp.responses.stata_file import StataColumn, write_dta
from surveyapp.responses.variables import (
    DATE,
    NUMBER,
    TEXT,
    Variable,
    plan_variables,
    unique_names,
)

#: Longest variable label: Stata's 80 characters; SPSS's (bytes) is larger.
LABEL_LIMITS = {"sav": 250, "dta": 80}
#: Longest value label: SPSS's 120 bytes; Stata's is larger (we keep 120 characters).
VALUE_LABEL_LIMITS = {"sav": 120, "dta": 120}
MISSING_LETTERS = "abcdefghijklmnopqrstuvwxyz"
PROGRESS_ROWS = 2000
TICKED = N_("ticked")
NOT_TICKED = N_("not ticked")


def shorten(text: str, limit: int, fmt: str) -> str:
    """``text`` within ``limit`` (UTF-8 bytes for SPSS, characters for Stata), cut at a
    character and marked with an ellipsis."""

    def size(value: str) -> int:
        return len(value.encode("utf-8")) if fmt == "sav" else len(value)

    text = " ".join(text.split())
    if size(text) <= limit:
        return text
    while text and size(text + "…") > limit:
        text = text[:-1]
    return text.rstrip() + "…"


def variable_label(variable: Variable, texts: Texts, lang: str) -> str:
    """What a variable holds, in ``lang``: the question in full (and the option)."""
    if variable.question is None:
        return gettext_in(lang, FIXED[variable.column][0])
    label = texts.label(variable.question)
    if variable.option is not None:
        list_name = variable.question.choice_list.name if variable.question.choice_list else ""
        return f"{label}: {texts.choice_label(list_name, variable.option)}"
    extra = EXTRA_NAMES.get(variable.column[len(variable.question.name) :])
    return f"{label}: {gettext_in(lang, extra)}" if extra is not None else label


def value_labels(variable: Variable, texts: Texts, lang: str) -> dict[int, str]:
    """Value -> label in ``lang`` for the variables with coded values."""
    if variable.option is not None:
        return {0: gettext_in(lang, NOT_TICKED), 1: gettext_in(lang, TICKED)}
    if variable.column == "role":
        return {value: role_name_in(lang, role) for role, value in variable.values.items()}
    if variable.column == "self_registered":
        return {0: gettext_in(lang, N_("no")), 1: gettext_in(lang, N_("yes"))}
    if variable.question is None or not variable.values:
        return {}
    list_name = variable.question.choice_list.name if variable.question.choice_list else ""
    return {value: texts.choice_label(list_name, code) for code, value in variable.values.items()}


#: Largest whole number a 4-byte float holds exactly.
FLOAT32_EXACT = 2**24


def _number_type(variable: Variable) -> str:
    """The array type of a numeric variable's cells: 4-byte floats for codes (0/1 of an
    option, a choice's number), which they hold exactly, at half the memory; 8-byte ones
    for numbers as typed. Either way the file stores doubles (pyreadstat writes a float32
    column as doubles, the same file)."""
    if variable.option is not None:
        return "f"
    if variable.values and all(abs(v) <= FLOAT32_EXACT for v in variable.values.values()):
        return "f"
    return "d"


class _Column:
    """One variable's cells, kept compactly while the rows are read."""

    def __init__(self, variable: Variable, index: int, fmt: str) -> None:
        self.variable = variable
        self.index = index
        self.cells: Any = array(_number_type(variable)) if variable.kind == NUMBER else []
        self.codes = {str(code): value for code, value in variable.values.items()}
        #: Stata: a missing value's letter (.a, .b ...) instead of the number.
        self.letters: dict[float, str] = (
            {float(value): MISSING_LETTERS[n] for n, value in enumerate(variable.missing)}
            if fmt == "dta"
            else {}
        )
        if self.letters:
            self.cells = []
        #: Text seen in this column, when the cells are kept (``keep``): once each.
        self.seen: dict[str, str] = {}

    def keep(self, value: Any) -> None:
        """Keep a value (``value``'s) for the data frame; a text that repeats once."""
        if self.variable.kind == TEXT:
            value = self.seen.setdefault(value, value)
        self.cells.append(value)

    def value(self, cell: object) -> Any:
        """The cell as this variable holds it: a float (NaN: missing); with Stata's
        missing letters an int, a float, the letter or None; text; a date; a naive
        datetime; or None."""
        kind = self.variable.kind
        if kind == NUMBER:
            value = self._number(cell)
            if self.letters:
                # ints, not floats: Python keeps one object per small int, so a column
                # of codes costs a pointer a cell
                letter = self.letters.get(value)
                if letter is None and not math.isnan(value):
                    letter = int(value) if value.is_integer() else value
                return letter
            return value
        if kind == TEXT:
            # not kept once here: the writers spool each row at once, and a table of
            # every distinct text (a submission id a row) grew with the responses
            return "" if cell is None else str(cell)
        if kind == DATE:
            return cell if isinstance(cell, date) else None
        # DATETIME: stored in UTC, written without a zone
        return cell.replace(tzinfo=None) if isinstance(cell, datetime) else None

    def _number(self, cell: object) -> float:
        if cell is None or cell == "":
            return math.nan
        if self.codes:
            value = self.codes.get(str(cell))
            return math.nan if value is None else float(value)
        try:
            return float(cell)  # type: ignore[arg-type]
        except (TypeError, ValueError):
            return math.nan

    def series(self) -> Any:
        import numpy as np
        import pandas as pd

        if isinstance(self.cells, array):
            return np.frombuffer(
                self.cells, dtype="float32" if self.cells.typecode == "f" else "float64"
            )
        # Times stay Python objects: with a datetime64 column pyreadstat copies the whole
        # table to convert it (measured: bench/README.md)
        return pd.Series(self.cells, dtype="object")


def write_statistical_file(
    fmt: str,
    campaign_id: int,
    lang: str,
    leave_out_self_registered: bool,
    path: Path,
    progress: Callable[[int], None] | None = None,
) -> None:
    """Write the campaign's responses as ``fmt`` ("sav" or "dta") to ``path``, labels in
    ``lang``; ``progress`` is told how many responses were read, now and then."""
    campaign = db.session.get(Campaign, campaign_id)
    texts = load_texts(campaign.version_id, lang)
    variables = plan_variables(campaign.version_id)
    names = unique_names([v.column for v in variables], fmt)
    rows = exports.response_rows(campaign_id, None, leave_out_self_registered)
    header = next(rows)
    place = {column: n for n, column in enumerate(header)}
    columns = [_Column(v, place[v.column], fmt) for v in variables]
    values = _values(rows, columns, place["municipality_code"], _place_names(lang), progress)
    label_limit, value_limit = LABEL_LIMITS[fmt], VALUE_LABEL_LIMITS[fmt]
    column_labels = {
        names[v.column]: shorten(variable_label(v, texts, lang), label_limit, fmt)
        for v in variables
    }
    labelled: dict[str, dict[Any, str]] = {}
    for variable in variables:
        labels = value_labels(variable, texts, lang)
        if not labels:
            continue
        if fmt == "dta":
            letters = {value: MISSING_LETTERS[n] for n, value in enumerate(variable.missing)}
            labelled[names[variable.column]] = {
                letters.get(value, value): shorten(label, value_limit, fmt)
                for value, label in labels.items()
            }
        else:
            labelled[names[variable.column]] = {
                float(value): shorten(label, value_limit, fmt) for value, label in labels.items()
            }
    title = shorten(campaign.name, 64 if fmt == "sav" else 80, fmt)
    if fmt == "dta":
        stata_columns = [
            StataColumn(
                names[c.variable.column],
                _stata_kind(c),
                column_labels[names[c.variable.column]],
                labelled.get(names[c.variable.column]),
            )
            for c in columns
        ]
        write_dta(path, stata_columns, values, title)
        return
    _write_sav(path, columns, values, names, title, column_labels, labelled)


def _values(
    rows: Iterator[list[object]],
    columns: list[_Column],
    municipality_code: int,
    place_names: dict[str, str],
    progress: Callable[[int], None] | None,
) -> Iterator[list[Any]]:
    """Each response's values, a variable each (``_Column.value``); the municipality by
    its name in the chosen language."""
    done = 0
    at = next(n for n, c in enumerate(columns) if c.variable.column == "municipality")
    municipality = columns[at]
    for row in rows:
        values = [column.value(row[column.index]) for column in columns]
        values[at] = municipality.value(
            place_names.get(str(row[municipality_code])) or row[municipality.index]
        )
        yield values
        done += 1
        if progress and done % PROGRESS_ROWS == 0:
            progress(done)
    if progress:
        progress(done)


def _stata_kind(column: _Column) -> str:
    """A variable's storage in the .dta: a 4-byte int for the codes of a column with
    missing letters when they are all whole numbers (as pyreadstat chose), else as its
    kind."""
    variable = column.variable
    if variable.kind != NUMBER:
        return {TEXT: stata_file.TEXT, DATE: stata_file.DATE}.get(
            variable.kind, stata_file.DATETIME
        )
    if column.letters and all(
        float(v).is_integer() and abs(v) < 2**31 - 30 for v in variable.values.values()
    ):
        return stata_file.LONG
    return stata_file.NUMBER


def _write_sav(
    path: Path,
    columns: list[_Column],
    values: Iterator[list[Any]],
    names: dict[str, str],
    title: str,
    column_labels: dict[str, str],
    labelled: dict[str, dict[Any, str]],
) -> None:
    """The .sav by ``spss_file``, row by row; when a text is longer than its short
    strings hold (255 bytes), through pyreadstat from one data frame, the whole table in
    memory once."""
    spss_columns = []
    for column in columns:
        variable, name = column.variable, names[column.variable.column]
        spss_columns.append(
            SpssColumn(
                name,
                variable.kind,
                column_labels[name],
                labelled.get(name, {}),
                _spss_missing(variable.missing) if variable.missing else [],
                variable.measure,
            )
        )
    written, spool = write_sav(path, spss_columns, values, title)
    if written or spool is None:
        return
    import pandas as pd
    import pyreadstat

    with spool:
        for row in spooled_rows(spool, spss_columns):
            for column, value in zip(columns, row, strict=True):
                column.keep(value)
    # Column by column, each one's list let go once it is an array: a list and its
    # array side by side for every column at once was a fifth of the peak.
    data: dict[str, Any] = {}
    for column in columns:
        data[names[column.variable.column]] = column.series()
        column.cells = None
    frame = pd.DataFrame(data, copy=False)  # no copy: one block per column
    del columns, data
    pyreadstat.write_sav(
        frame,
        str(path),
        file_label=title,
        column_labels=column_labels,
        variable_value_labels=labelled,
        missing_ranges={c.name: c.missing for c in spss_columns if c.missing},
        variable_measure={c.name: c.measure for c in spss_columns},
    )


def _spss_missing(values: list[int]) -> list[Any]:
    """SPSS takes three discrete missing values, or one range and one value."""
    if len(values) <= 3:
        return [float(value) for value in values]
    return [{"lo": float(min(values)), "hi": float(max(values))}]


def _place_names(lang: str) -> dict[str, str]:
    """Municipality code -> its name in ``lang``."""
    return {m.code: m.name(lang) for m in db.session.scalars(select(Municipality))}
