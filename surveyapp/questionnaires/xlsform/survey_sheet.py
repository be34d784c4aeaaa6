"""Reading the survey sheet of an XLSForm: its rows become the pages and questions of an
:class:`~.reader.ImportedForm`, every problem reported with its row and column. This module
walks the rows: groups and pages, names, expressions, each question's texts; a row's
type is read by :mod:`.row_types`, its other columns by :mod:`.question_fields`.

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
  ...) are skipped with a warning; repeats are read by :mod:`.repeats`; every other
  type is refused.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import TYPE_CHECKING

from sqlalchemy import select

from surveyapp.core.safe_text import lazy_gettext as _l
from surveyapp.extensions import db
from surveyapp.models import Domain
from surveyapp.questionnaires import text_keys
from surveyapp.questionnaires.expressions import straighten_quotes
from surveyapp.questionnaires.other_choice import OR_OTHER
from surveyapp.questionnaires.text_keys import QUESTION_NAME
from surveyapp.questionnaires.xlsform import repeats, row_types
from surveyapp.questionnaires.xlsform.question_fields import question_fields
from surveyapp.questionnaires.xlsform.row_types import RowTypes
from surveyapp.questionnaires.xlsform.workbook import QUESTION_TEXTS, Sheet, SheetReport

if TYPE_CHECKING:
    from surveyapp.questionnaires.xlsform.reader import ImportedForm

SURVEY_COLUMNS = frozenset(
    {"type", "name", "required", "relevant", "constraint", "calculation", "choice_filter"}
    | {"default", "appearance", "domain", "measure", "min_value", "max_value", "max_length"}
    | {"repeat_count"}
)


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
        self.types = RowTypes(form, self.at, self.type_column)

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
        elif kind.lower() in row_types.METADATA_TYPES:
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
        found = self.types.read(number, kind)
        if found is None:
            self.form.questions.add(name)  # so that expressions naming it give no second error
            return
        our_type, source_type, list_name = found.our_type, found.source_type, found.list_name
        if not name and our_type == "note":  # as pyxform names a note without a name
            name = f"generated_note_name_{number}"
        if not self.take_name(number, name):
            return
        self.form.questions.add(name)
        if source_type in OR_OTHER:  # its text, as pyxform names it
            self.form.questions.add(f"{name}_other")
        fields = question_fields(self, number, row, kind.lower(), our_type, source_type)
        if found.external and list_name is None:  # its list's columns are not known: no check
            self.form.expressions = [e for e in self.form.expressions if e[1] != number]
        if not self.columns.texts_of(row, "label") and our_type not in row_types.UNLABELLED:
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
