"""Reading the survey sheet of an XLSForm: its rows become the pages and questions of an
:class:`~.reader.ImportedForm`, every problem reported with its row and column.

- Each top-level ``begin group`` is a page (label → title, hint → introduction,
  relevant → the page's relevant). Questions outside any group make a page of
  their own per run. A group within a group goes on its page: its label becomes
  a sub-heading (a note whose ``source_type`` is "begin group"), its relevant
  joins its questions' relevant.
- text, integer, decimal, range, select_one, select_multiple (with ``or_other``,
  :mod:`surveyapp.questionnaires.other_choice`), their ``_from_file`` and
  ``_external`` forms (:mod:`.external_choices`), note, date, time, dateTime,
  geopoint (gps), hidden, start, end, today and calculate rows are questions (a
  select_one whose list has scores is a scale); device metadata rows (deviceid
  ...) are skipped with a warning; repeats and every other type are refused.
"""

from __future__ import annotations

import math
import re
from dataclasses import dataclass, field
from typing import TYPE_CHECKING

from sqlalchemy import select

from surveyapp.core.safe_text import lazy_gettext as _l
from surveyapp.extensions import db
from surveyapp.models import MEASURES, Domain
from surveyapp.questionnaires import text_keys
from surveyapp.questionnaires.date_limits import limits_from_constraint
from surveyapp.questionnaires.expressions import straighten_quotes
from surveyapp.questionnaires.moment_defaults import DYNAMIC, parse_default
from surveyapp.questionnaires.more_fields import parse_datetime, time_from_cell
from surveyapp.questionnaires.other_choice import OR_OTHER
from surveyapp.questionnaires.text_keys import QUESTION_NAME
from surveyapp.questionnaires.xlsform import external_choices, repeats
from surveyapp.questionnaires.xlsform.workbook import QUESTION_TEXTS, Sheet, SheetReport

if TYPE_CHECKING:
    from surveyapp.questionnaires.xlsform.reader import ImportedForm

SURVEY_COLUMNS = frozenset(
    {"type", "name", "required", "relevant", "constraint", "calculation", "choice_filter"}
    | {"default", "appearance", "domain", "measure", "min_value", "max_value", "max_length"}
    | {"repeat_count"}
)
METADATA_TYPES = frozenset(
    {"deviceid", "subscriberid", "simserial", "phonenumber"}
    | {"username", "email", "audit", "start-geopoint", "imei", "uri:deviceid"}
)
#: XLSForm type → (our type, source_type kept for export).
SIMPLE_TYPES = {
    "text": ("short_text", None),
    "string": ("short_text", None),
    "integer": ("number", None),
    "int": ("number", None),
    "decimal": ("number", None),
    "range": ("number", "range"),
    "note": ("note", None),
    "date": ("date", None),
    "calculate": ("calculate", None),
    "phone number": ("short_text", "phone number"),
    "time": ("time", None),
    "datetime": ("datetime", None),
    "geopoint": ("geopoint", None),
    "gps": ("geopoint", "gps"),
    "hidden": ("hidden", None),
    "start": ("start", None),
    "end": ("end", None),
    "today": ("today", None),
    # uploads (surveyapp.uploads): "photo" is the old name of "image"
    "image": ("image", None),
    "photo": ("image", "photo"),
    "audio": ("audio", None),
    "video": ("video", None),
    "file": ("file", None),
    # no scanner on a municipal PC: the code is typed (a warning says so)
    "barcode": ("short_text", "barcode"),
}
#: ODK's "OK" tick: a single choice whose one choice is "OK" (what ODK stores).
ACKNOWLEDGE, ACKNOWLEDGED = "acknowledge", "OK"
#: Types whose rows need no label.
UNLABELLED = frozenset({"calculate", "hidden", "start", "end", "today"})
_SELECT = re.compile(
    r"(select_one|select one|select_multiple|select multiple|select all that apply)"
    r"(?:\s+from)?\s+(\S+)(?:\s+(or_other|or other|or specify other))?",
    re.IGNORECASE,
)
TRUE_WORDS = frozenset({"yes", "true", "true()", "1"})
FALSE_WORDS = frozenset({"", "no", "false", "false()", "0"})
DIGITS_ONLY = r"regex(., '^\d*$')"
#: Longest text the model's short columns hold.
LIMITS = {"default": 200, "appearance": 100}
#: Largest max_length of a text question.
MAX_LENGTH = 1_000_000


@dataclass
class ImportedQuestion:
    name: str
    fields: dict
    list_name: str | None
    domain: str | None


@dataclass
class ImportedPage:
    name: str | None
    relevant: str | None = None
    row: int | None = None
    questions: list[ImportedQuestion] = field(default_factory=list)
    #: A repeat page's ``Page.repeat`` (``xlsform.repeats``); None: a plain page.
    repeat: dict | None = None


@dataclass
class _Open:
    """A group or repeat that has begun and not yet ended."""

    kind: str
    row: int
    relevant: str | None


def bad_name(at: SheetReport, number: int, column: str, value: str) -> None:
    message = _l(
        "“%(name)s” is not a valid name: up to 64 letters, digits and _, starting with a "
        "letter or _ (the editor's rule, since names are part of the text ids)."
    )
    at.error(number, column, message % {"name": value})


class SurveySheetReader:
    """Walks the survey sheet row by row, keeping track of open groups."""

    def __init__(self, form: ImportedForm, sheet: Sheet) -> None:
        self.form, self.sheet = form, sheet
        self.columns = form.columns(sheet, set(QUESTION_TEXTS), set(SURVEY_COLUMNS))
        self.at = self.columns.at
        self.type_column = self.columns.header("type")
        self.open: list[_Open] = []
        self.page: ImportedPage | None = None
        self.domains = set(form.domains) | set(db.session.scalars(select(Domain.code)))
        #: (from a file, file or list name) -> the stored list's name (None: missing)
        self.external_names: dict[tuple[bool, str], str | None] = {}
        self.acknowledge_name: str | None = None

    def read(self) -> None:
        for needed in ("type", "name"):
            if needed not in self.columns.plain:
                self.at.error(1, None, _l("The sheet has no “%(column)s” column.", column=needed))
                return
        for number, row in self.sheet.rows:
            self.row(number, row)
        for unclosed in self.open:
            message = _l("This “begin %(kind)s” has no “end %(kind)s”.")
            self.at.error(unclosed.row, self.type_column, message % {"kind": unclosed.kind})
        self.form.pages[:] = repeats.drop_empty_continuations(self.form.pages)
        taken = set(self.form.names)
        for number, page in enumerate(self.form.pages, start=1):
            if page.name is None:
                page.name = f"page_{number}"
                while page.name in taken:
                    page.name += "_"
                taken.add(page.name)
            if not page.questions and page.row:
                self.at.warn(page.row, None, _l("This page has no questions."))
        if not any(page.questions for page in self.form.pages):
            self.at.error(None, None, _l("The form has no questions."))

    def row(self, number: int, row: list[str]) -> None:
        kind = " ".join(self.columns.value(row, "type").split())
        keyword = kind.lower().replace("_", " ")
        name = self.columns.value(row, "name")
        if not kind and name:
            self.at.error(number, self.type_column, _l("This row has a name but no type."))
        elif not kind:
            self.at.warn(number, None, _l("This row has no type and was ignored."))
        elif repeats.is_begin(kind):
            repeats.begin(self, number, row, kind, name)
        elif repeats.is_end(kind):
            repeats.end(self, number)
        elif keyword in ("begin group", "begin repeat", "begin loop"):
            self.begin(number, row, name, "group" if keyword == "begin group" else "repeat")
        elif keyword in ("end group", "end repeat", "end loop"):
            self.end(number, "group" if keyword == "end group" else "repeat")
        elif kind.lower() in METADATA_TYPES:
            message = _l("“%(type)s” is device metadata, which is not collected: row skipped.")
            self.at.warn(number, self.type_column, message % {"type": kind})
        else:
            self.question(number, row, kind, name)

    def take_name(self, number: int, name: str) -> bool:
        column = self.columns.header("name")
        if not QUESTION_NAME.fullmatch(name):
            message = _l(
                "“%(name)s” is not a valid name: up to 64 letters, digits, _ and -, starting "
                "with a letter or _."
            )
            self.at.error(number, column, message % {"name": name})
            return False
        if name in self.form.names:
            message = _l("The name “%(name)s” is already used in row %(row)d.")
            self.at.error(number, column, message % {"name": name, "row": self.form.names[name]})
            return False
        self.form.names[name] = number
        return True

    def expression(self, number: int, row: list[str], column: str) -> str | None:
        text = self.columns.value(row, column)
        if text:
            header = self.columns.header(column)
            straight = straighten_quotes(text)
            if straight != text:
                # The quotes as a value: a catalog writes its own quotation marks («» ...).
                message = _l("Curly quotes (%(quotes)s) were taken as straight ones: %(text)s")
                self.at.warn(number, header, message % {"quotes": "‘ ’ “ ”", "text": straight})
                text = straight
            self.form.expressions.append(
                (self.sheet.title, number, header, text, column == "choice_filter")
            )
        return text or None

    def begin(self, number: int, row: list[str], name: str, kind: str) -> None:
        relevant = self.expression(number, row, "relevant")
        if kind == "repeat":
            message = _l("Repeats are not supported: a questionnaire asks each question once.")
            self.at.error(number, self.type_column, message)
        if not self.take_name(number, name):
            name = ""
        if kind == "group" and not self.open:
            self.page = ImportedPage(name, relevant, number)
            self.form.pages.append(self.page)
            self.form.add_texts(text_keys.page_title(name), self.columns.texts_of(row, "label"))
            self.form.add_texts(text_keys.page_intro(name), self.columns.texts_of(row, "hint"))
            relevant = None  # the page's own
        elif kind == "group":
            self.open.append(_Open(kind, number, relevant))
            self.sub_heading(number, row, name)
            return
        self.open.append(_Open(kind, number, relevant))

    def sub_heading(self, number: int, row: list[str], name: str) -> None:
        """A group within a group: its label as a sub-heading on the page (a note)."""
        labels = self.columns.texts_of(row, "label")
        if not name or not labels:
            return
        self.form.add_texts(text_keys.question_text(name, "label"), labels)
        self.form.add_texts(
            text_keys.question_text(name, "hint"), self.columns.texts_of(row, "hint")
        )
        conditions = [o.relevant for o in self.open if o.relevant]
        fields = {
            "type": "note",
            "source_type": "begin group",
            "relevant": " and ".join(f"({c})" for c in conditions)
            if len(conditions) > 1
            else (conditions or [None])[0],
            "appearance": self.columns.value(row, "appearance") or None,
        }
        if self.page is None:
            self.page = ImportedPage(None)
            self.form.pages.append(self.page)
        self.page.questions.append(ImportedQuestion(name, fields, None, None))

    def end(self, number: int, kind: str) -> None:
        if not self.open or self.open[-1].kind != kind:
            message = _l("This “end %(kind)s” has no “begin %(kind)s”.")
            self.at.error(number, self.type_column, message % {"kind": kind})
            return
        self.open.pop()
        if not self.open:
            self.page = None

    def question(self, number: int, row: list[str], kind: str, name: str) -> None:
        select_type, list_name = _SELECT.fullmatch(kind), None
        from_file = external_choices.parse_type(kind)
        if from_file:
            list_name = self.external_list(number, *from_file)
            single = from_file[0].startswith("select_one")
            our_type = "single_choice" if single else "multiple_choice"
            source_type = f"{from_file[0]} {from_file[1]}"
            if len(source_type) > 60:
                self.at.error(
                    number, self.type_column, _l("At most %(count)d characters.") % {"count": 60}
                )
        elif select_type:
            list_name = select_type.group(2)
            if list_name not in self.form.lists:
                message = _l("There is no choice list “%(list)s” in the choices sheet.")
                self.at.error(number, self.type_column, message % {"list": list_name})
            scored = any(c.score is not None for c in self.form.lists.get(list_name, []))
            single = select_type.group(1).lower() in ("select_one", "select one")
            our_type = "multiple_choice" if not single else "scale" if scored else "single_choice"
            source_type = (select_type.group(3) or "").lower() or None
            if source_type and our_type == "scale":
                our_type = "single_choice"  # "Other" has no score
        elif kind.lower() == ACKNOWLEDGE:
            our_type, source_type = "single_choice", ACKNOWLEDGE
            list_name = self.acknowledge_list()
        elif kind.lower() in SIMPLE_TYPES:
            our_type, source_type = SIMPLE_TYPES[kind.lower()]
        else:
            message = _l("The question type “%(type)s” is not supported.")
            self.at.error(number, self.type_column, message % {"type": kind})
            self.form.questions.add(name)  # so that expressions naming it give no second error
            return
        if not name and our_type == "note":  # as pyxform names a note without a name
            name = f"generated_note_name_{number}"
        if not self.take_name(number, name):
            return
        self.form.questions.add(name)
        if source_type in OR_OTHER:  # its text, as pyxform names it
            self.form.questions.add(f"{name}_other")
        fields = self.fields(number, row, kind.lower(), our_type, source_type)
        if from_file and list_name is None:  # its list's columns are not known: no check
            self.form.expressions = [e for e in self.form.expressions if e[1] != number]
        if not self.columns.texts_of(row, "label") and our_type not in UNLABELLED:
            if our_type == "note" and self.columns.media_only(row):  # pyxform allows it
                message = _l("Images, audio and video are not shown: this note has no text.")
                self.at.warn(number, None, message)
            else:
                self.at.error(number, None, _l("The question has no label."))
        for part in QUESTION_TEXTS:
            self.form.add_texts(
                text_keys.question_text(name, part), self.columns.texts_of(row, part)
            )
        domain = self.columns.value(row, "domain") or None
        if domain and domain not in self.domains:
            message = _l("There is no domain “%(code)s”.")
            self.at.error(number, self.columns.header("domain"), message % {"code": domain})
        if self.page is None:
            self.page = ImportedPage(None)
            self.form.pages.append(self.page)
        self.page.questions.append(ImportedQuestion(name, fields, list_name, domain))

    def acknowledge_list(self) -> str:
        """The list of the one choice "OK" that every ``acknowledge`` question shares,
        labelled "OK" in each of the form's languages."""
        from surveyapp.questionnaires.xlsform.reader import ImportedChoice  # a cycle otherwise

        if self.acknowledge_name is None:
            self.acknowledge_name = external_choices.list_name_for(self.form, ACKNOWLEDGE)
            self.form.lists[self.acknowledge_name] = [ImportedChoice(ACKNOWLEDGED, None, None)]
            self.form.add_texts(
                text_keys.choice_label(self.acknowledge_name, ACKNOWLEDGED),
                {self.form.languages.plain(): ACKNOWLEDGED},
            )
        return self.acknowledge_name

    def external_list(self, number: int, command: str, source: str) -> str | None:
        """The stored name of a list from a file or the external_choices sheet, read now:
        a list of its own, even where the choices sheet has one of the same name; read
        once for every question that names it."""
        key = (command.endswith("from_file"), source)
        if key in self.external_names:
            return self.external_names[key]
        self.external_names[key] = self._external_list(number, command, source)
        return self.external_names[key]

    def _external_list(self, number: int, command: str, source: str) -> str | None:
        found = self.form.external.find(command, source)
        if found is None and command.endswith("external") and source in self.form.lists:
            return external_choices.copy_list(self.form, source)
        if found is None:
            if command.endswith("from_file"):
                message = _l(
                    "The choices file “%(file)s” is missing: upload it beside the form "
                    "(“Choice files”)."
                )
                self.at.error(number, self.type_column, message % {"file": source})
            else:
                message = _l(
                    "The list “%(list)s” is in no external_choices sheet: add the sheet, or "
                    "upload itemsets.csv beside the form."
                )
                self.at.error(number, self.type_column, message % {"list": source})
            return None
        list_name = external_choices.list_name_for(self.form, source)
        external_choices.read_list(self.form, found[0], found[1], list_name)
        return list_name

    def fields(
        self, number: int, row: list[str], kind: str, our_type: str, source_type: str | None
    ) -> dict:
        """The Question columns of one row."""
        columns, at = self.columns, self.at
        required = columns.value(row, "required").lower()
        if required not in TRUE_WORDS | FALSE_WORDS:
            message = _l("Write yes or no: conditions are not supported in “required”.")
            at.error(number, columns.header("required"), message)
        conditions = [o.relevant for o in self.open if o.relevant]
        conditions.append(self.expression(number, row, "relevant"))
        conditions = [c for c in conditions if c]
        fields = {
            "type": our_type,
            "required": required in TRUE_WORDS,
            "relevant": " and ".join(f"({c})" for c in conditions)
            if len(conditions) > 1
            else (conditions or [None])[0],
            "constraint": self.expression(number, row, "constraint"),
            "calculation": self.expression(number, row, "calculation"),
            "choice_filter": self.expression(number, row, "choice_filter"),
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
            at.warn(number, self.type_column, message)
        if source_type == "phone number" and not fields["constraint"]:
            fields["constraint"] = DIGITS_ONLY
            message = _l("A phone number is imported as a text question accepting digits only.")
            at.warn(number, self.type_column, message)
        if our_type == "calculate" and not fields["calculation"]:
            message = _l("A calculate row needs a calculation.")
            at.error(number, columns.header("calculation"), message)
        if our_type == "date":
            smallest, largest, whole = limits_from_constraint(fields["constraint"])
            fields["min_date"], fields["max_date"] = smallest, largest
            if whole:
                fields["constraint"] = None
        if source_type == "range":
            self.range(number, row, fields)
        if our_type in DYNAMIC and fields["default"]:
            self.moment_default(number, fields)
        return fields

    def moment_default(self, number: int, fields: dict) -> None:
        """A date's or time's default: ``today()``/``now()`` (when the page is opened), or
        the value, a time as ``HH:MM`` (a spreadsheet may hold it as a fraction of a day)."""
        kind, given = fields["type"], fields["default"]
        if kind == "date":
            try:
                fields["default"] = parse_default(
                    kind, given[:10] if given[:1].isdigit() else given
                )
            except ValueError:
                fields["default"] = None
                message = _l("“%(value)s” is not a date: the default was left out.")
                self.at.warn(number, self.columns.header("default"), message % {"value": given})
            return
        if given.strip().lower().removesuffix("()") in ("now", "today"):
            fields["default"] = DYNAMIC[kind]
            return
        parse = time_from_cell if kind == "time" else parse_datetime
        fields["default"] = parse(given)
        if fields["default"] is None:
            message = _l("“%(value)s” is not a time: the default was left out.")
            self.at.warn(number, self.columns.header("default"), message % {"value": given})

    def range(self, number: int, row: list[str], fields: dict) -> None:
        """min and max from ``parameters`` (start=1 end=10 step=1 when not given)."""
        text, column = self.columns.other_value(row, "parameters")
        parameters = {"start": 1.0, "end": 10.0, "step": 1.0}
        try:
            for item in filter(None, re.split(r"[\s;,]+", text)):
                key, _, value = item.partition("=")
                parameters[key.lower()] = float(value)
        except ValueError:
            parameters["start"] = math.nan
        if not all(math.isfinite(value) for value in parameters.values()):
            self.at.error(number, column, _l("Write the range as start=1 end=10 step=1."))
            return
        start, end = parameters["start"], parameters["end"]
        fields["min_value"], fields["max_value"] = min(start, end), max(start, end)
        fields["integer_only"] = all(v.is_integer() for v in parameters.values())
