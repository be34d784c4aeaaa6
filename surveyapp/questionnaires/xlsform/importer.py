"""Import an XLSForm as a new questionnaire with one draft version.

The whole file is checked first, and the questionnaire is written in one
transaction only when there is no error: a refused file changes nothing. When
every problem is on rows of the survey or choices sheets, the author may choose
to import the rest (``import_rest``): those rows are left out and listed in the
draft's ``import_notes``.
Every problem names its sheet, 1-based row and column header.

- Each top-level ``begin group`` is a page (label → title, hint → introduction,
  relevant → the page's relevant). Questions outside any group make a page of
  their own per run. Nested groups are flattened into their page, their
  relevant joining their questions' relevant, with a warning.
- text, integer, decimal, range, select_one, select_multiple, note, date and
  calculate rows are questions (a select_one whose list has scores is a scale);
  metadata rows (start, deviceid ...) are skipped with a warning; repeats and
  every other type (geopoint, image, select_one_from_file ...) are refused.
- relevant, constraint, calculation and choice_filter must pass
  :func:`surveyapp.questionnaires.expressions.check` against the form's question names.
- Texts of every language become ``TextEntry`` rows. English is the source
  language: a text without English takes the default language's text as its
  English source, with a warning.
- Our own columns make our questionnaires round-trip: ``domain``, ``measure``,
  ``min_value``, ``max_value``, ``max_length`` (survey), ``score`` (choices),
  ``title``/``description``/``privacy_notice``/``privacy_consent`` per language
  and ``privacy_version`` (settings), and a ``domains`` sheet. Any other column
  is kept in ``extra`` for export.
"""

from __future__ import annotations

from dataclasses import dataclass, field

from flask_babel import gettext as _
from sqlalchemy.exc import IntegrityError

from surveyapp.core.safe_text import lazy_gettext as _l
from surveyapp.extensions import db
from surveyapp.models import QuestionnaireVersion
from surveyapp.questionnaires.xlsform.reader import ImportedForm
from surveyapp.questionnaires.xlsform.store import store_form
from surveyapp.questionnaires.xlsform.workbook import Issue, Sheet, XLSFormReport, read_workbook


@dataclass
class ImportResult:
    """The new draft version (None when refused), with what was found.

    ``errors`` are the whole file's problems, also when the rest was imported;
    ``left_out`` the rows left out to import the rest (each with its problems), or,
    when the form was refused, the rows the author may choose to leave out
    (``can_import_rest``)."""

    version: QuestionnaireVersion | None
    errors: list[Issue]
    warnings: list[Issue]
    left_out: list[LeftOutRow] = field(default_factory=list)

    @property
    def ok(self) -> bool:
        return self.version is not None

    @property
    def can_import_rest(self) -> bool:
        return self.version is None and bool(self.left_out)


@dataclass
class LeftOutRow:
    """A row of the survey or choices sheet that importing the rest leaves out."""

    sheet: str
    row: int
    #: the rows a left-out “begin group/repeat” takes with it up to its “end” (inclusive)
    through: int
    problems: list[Issue]

    def __str__(self) -> str:
        if self.through != self.row:
            where = _(
                "%(sheet)s, rows %(first)d–%(last)d",
                sheet=self.sheet,
                first=self.row,
                last=self.through,
            )
        else:
            where = _("%(sheet)s, row %(row)d", sheet=self.sheet, row=self.row)
        return f"{where}: " + "; ".join(_without_place(issue) for issue in self.problems)


#: Sheets whose rows may be left out; a problem anywhere else keeps the form out whole.
_ROW_SHEETS = ("survey", "choices")
#: Rounds of leaving rows out (a row left out can make rows that refer to it fail).
_MAX_ROUNDS = 8


def import_xlsform(
    data: bytes,
    filename: str = "",
    name: str | None = None,
    files: dict[str, bytes] | None = None,
    *,
    import_rest: bool = False,
) -> ImportResult:
    """Check an XLSForm and, when it has no error, store it as a new questionnaire.

    The questionnaire is called ``name`` if given, else the form's ``form_id``,
    else the file name's stem, slugified. ``files``: choice files uploaded beside
    it, by name (``select_one_from_file towns.csv``). Returns the new draft version, or
    None and the errors; warnings say what was skipped or assumed.

    A refused form whose problems are all on rows of the survey or choices sheets
    says so (``can_import_rest``); with ``import_rest`` those rows are left out (a
    group or repeat with everything in it, and then the rows that referred to what
    was left out) and the rest is stored, the left-out rows written in the
    version's ``import_notes``. By default a form is imported whole or not at all.
    """
    report = XLSFormReport()
    sheets = read_workbook(data, report)
    if sheets is None:
        return ImportResult(None, _in_order(report.errors), _in_order(report.warnings))
    form = ImportedForm(sheets, report, files)
    form.read(filename, name)
    errors, warnings = _in_order(report.errors), _in_order(report.warnings)
    left_out: list[LeftOutRow] = []
    if errors:
        form, left_out = _without_refused_rows(sheets, form, filename, name, files)
        if form is None:
            return ImportResult(None, errors, warnings)
        if not import_rest:
            return ImportResult(None, errors, warnings, left_out)
        warnings = _in_order(form.report.warnings)
    try:
        version = store_form(form, notes="\n".join(str(row) for row in left_out) or None)
    except IntegrityError:  # a questionnaire of that name was made meanwhile
        db.session.rollback()
        message = _l("“%(name)s” exists already.", name=form.name)
        return ImportResult(None, [*errors, Issue(None, None, None, message)], warnings)
    return ImportResult(version, errors, warnings, left_out)


def _without_refused_rows(
    sheets: dict[str, Sheet],
    form: ImportedForm,
    filename: str,
    name: str | None,
    files: dict[str, bytes] | None = None,
) -> tuple[ImportedForm | None, list[LeftOutRow]]:
    """The form read again without the rows that have problems, until none has; None
    when a problem is not on a row that can be left out."""
    left_out: dict[tuple[str, int], LeftOutRow] = {}
    for _round in range(_MAX_ROUNDS):
        if not form.report.errors:
            return form, sorted(left_out.values(), key=lambda r: (r.sheet != "survey", r.row))
        for issue in form.report.errors:
            key = _sheet_key(sheets, issue.sheet)
            if key not in _ROW_SHEETS or not issue.row or issue.row <= 1:
                return None, []
            found = left_out.get((key, issue.row))
            if found is None:
                through = _block_end(sheets[key], issue.row) if key == "survey" else issue.row
                found = left_out[(key, issue.row)] = LeftOutRow(
                    sheets[key].title, issue.row, through, []
                )
            found.problems.append(issue)
        kept = dict(sheets)
        for key in _ROW_SHEETS:
            if key in sheets:
                ranges = [(r.row, r.through) for (k, _row), r in left_out.items() if k == key]
                sheet = sheets[key]
                rows = [
                    (number, texts)
                    for number, texts in sheet.rows
                    if not any(first <= number <= last for first, last in ranges)
                ]
                kept[key] = Sheet(sheet.title, sheet.headers, rows)
        form = ImportedForm(kept, XLSFormReport(), files)
        form.read(filename, name)
    return None, []


def _sheet_key(sheets: dict[str, Sheet], title: str | None) -> str | None:
    return next((key for key, sheet in sheets.items() if sheet.title == title), None)


def _block_end(survey: Sheet, row: int) -> int:
    """The row of the “end …” that closes a “begin …” at ``row``; ``row`` itself for
    any other row (or a “begin” that is never closed)."""
    column = next((i for i, h in enumerate(survey.headers) if h.strip().lower() == "type"), None)
    if column is None:
        return row
    depth = 0
    for number, texts in survey.rows:
        if number < row:
            continue
        kind = texts[column].strip().lower()
        if kind.startswith("begin"):
            depth += 1
        elif kind.startswith("end"):
            depth -= 1
        if depth <= 0:
            return number
    return row


def _without_place(issue: Issue) -> str:
    if issue.column:
        return f"{_('column “%(column)s”', column=issue.column)}: {issue.message}"
    return str(issue.message)


def _in_order(issues: list[Issue]) -> list[Issue]:
    """By sheet and row, the file's own problems first."""
    return sorted(issues, key=lambda i: (i.sheet is not None, i.sheet or "", i.row or 0))
