"""The columns of a survey sheet's question row as a Question's fields: required,
relevant (joined with the open groups'), constraint, calculation, default and
appearance, the measure, number and length limits, a date's limits from its
constraint, a range's ``parameters``, a time's default; each problem reported
with its row and column.
"""

from __future__ import annotations

import math
import re
from typing import TYPE_CHECKING

from surveyapp.core.safe_text import lazy_gettext as _l
from surveyapp.models import MEASURES
from surveyapp.questionnaires.date_limits import limits_from_constraint
from surveyapp.questionnaires.moment_defaults import DYNAMIC, names_the_moment, parse_default
from surveyapp.questionnaires.more_fields import parse_datetime, time_from_cell

if TYPE_CHECKING:
    from surveyapp.questionnaires.xlsform.survey_sheet import SurveySheetReader

TRUE_WORDS = frozenset({"yes", "true", "true()", "1"})
FALSE_WORDS = frozenset({"", "no", "false", "false()", "0"})
DIGITS_ONLY = r"regex(., '^\d*$')"
#: Longest text the model's short columns hold.
LIMITS = {"default": 200, "appearance": 100}
#: Largest max_length of a text question.
MAX_LENGTH = 1_000_000


def question_fields(
    reader: SurveySheetReader,
    number: int,
    row: list[str],
    kind: str,
    our_type: str,
    source_type: str | None,
) -> dict:
    """The Question columns of one row (``kind``: its XLSForm type, in lower case)."""
    columns, at = reader.columns, reader.at
    required = columns.value(row, "required").lower()
    if required not in TRUE_WORDS | FALSE_WORDS:
        message = _l("Write yes or no: conditions are not supported in “required”.")
        at.error(number, columns.header("required"), message)
    conditions = [o.relevant for o in reader.open if o.relevant]
    conditions.append(reader.expression(number, row, "relevant"))
    conditions = [c for c in conditions if c]
    fields = {
        "type": our_type,
        "required": required in TRUE_WORDS,
        "relevant": " and ".join(f"({c})" for c in conditions)
        if len(conditions) > 1
        else (conditions or [None])[0],
        "constraint": reader.expression(number, row, "constraint"),
        "calculation": reader.expression(number, row, "calculation"),
        "choice_filter": reader.expression(number, row, "choice_filter"),
        "default": columns.value(row, "default") or None,
        "appearance": columns.value(row, "appearance") or None,
        "source_type": source_type,
        "extra": columns.kept(row),
        "integer_only": kind in ("integer", "int"),
        "measure": columns.value(row, "measure").lower() or None,
    }
    if fields["measure"] not in (None, *MEASURES):
        message = _l("The measure is “need”, “capacity” or nothing.")
        at.error(number, columns.header("measure"), message)
    for column in ("min_value", "max_value", "max_length"):
        fields[column] = columns.number(number, row, column)
    if fields["max_length"] is not None:
        if not (0 <= fields["max_length"] <= MAX_LENGTH and fields["max_length"].is_integer()):
            message = _l("Write a whole number from 0 to %(count)d.")
            at.error(number, columns.header("max_length"), message % {"count": MAX_LENGTH})
        fields["max_length"] = int(min(max(fields["max_length"], 0), MAX_LENGTH))
    words = (fields["appearance"] or "").split()
    if our_type == "short_text" and "multiline" in words:
        fields["type"] = "long_text"
        fields["appearance"] = " ".join(w for w in words if w != "multiline") or None
    for column, limit in LIMITS.items():
        if len(fields[column] or "") > limit:
            message = _l("At most %(count)d characters.")
            at.error(number, columns.header(column), message % {"count": limit})
    if source_type == "barcode":
        message = _l("There is no barcode scanner here: the code is typed in a text box.")
        at.warn(number, reader.type_column, message)
    if source_type == "phone number" and not fields["constraint"]:
        fields["constraint"] = DIGITS_ONLY
        message = _l("A phone number is imported as a text question accepting digits only.")
        at.warn(number, reader.type_column, message)
    if our_type == "calculate" and not fields["calculation"]:
        message = _l("A calculate row needs a calculation.")
        at.error(number, columns.header("calculation"), message)
    if our_type == "date":
        smallest, largest, whole = limits_from_constraint(fields["constraint"])
        fields["min_date"], fields["max_date"] = smallest, largest
        if whole:
            fields["constraint"] = None
    if source_type == "range":
        _range(reader, number, row, fields)
    if our_type in DYNAMIC and fields["default"]:
        _moment_default(reader, number, fields)
    return fields


def _moment_default(reader: SurveySheetReader, number: int, fields: dict) -> None:
    """A date's or time's default: ``today()``/``now()`` (when the page is opened), or
    the value, a time as ``HH:MM`` (a spreadsheet may hold it as a fraction of a day)."""
    kind, given = fields["type"], fields["default"]
    if kind == "date":
        try:
            fields["default"] = parse_default(kind, given[:10] if given[:1].isdigit() else given)
        except ValueError:
            fields["default"] = None
            message = _l("“%(value)s” is not a date: the default was left out.")
            reader.at.warn(number, reader.columns.header("default"), message % {"value": given})
        return
    if names_the_moment(given):
        fields["default"] = DYNAMIC[kind]
        return
    parse = time_from_cell if kind == "time" else parse_datetime
    fields["default"] = parse(given)
    if fields["default"] is None:
        message = _l("“%(value)s” is not a time: the default was left out.")
        reader.at.warn(number, reader.columns.header("default"), message % {"value": given})


def _range(reader: SurveySheetReader, number: int, row: list[str], fields: dict) -> None:
    """min and max from ``parameters`` (start=1 end=10 step=1 when not given)."""
    text, column = reader.columns.other_value(row, "parameters")
    parameters = {"start": 1.0, "end": 10.0, "step": 1.0}
    try:
        for item in filter(None, re.split(r"[\s;,]+", text)):
            key, _, value = item.partition("=")
            parameters[key.lower()] = float(value)
    except ValueError:
        parameters["start"] = math.nan
    if not all(math.isfinite(value) for value in parameters.values()):
        reader.at.error(number, column, _l("Write the range as start=1 end=10 step=1."))
        return
    start, end = parameters["start"], parameters["end"]
    fields["min_value"], fields["max_value"] = min(start, end), max(start, end)
    fields["integer_only"] = all(v.is_integer() for v in parameters.values())
