"""Import an XLSForm as a new questionnaire with one draft version.

The whole file is checked first, and the questionnaire is written in one
transaction only when there is no error: a refused file changes nothing.
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

from dataclasses import dataclass

from sqlalchemy.exc import IntegrityError

from surveyapp.core.safe_text import lazy_gettext as _l
from surveyapp.extensions import db
from surveyapp.models import QuestionnaireVersion
from surveyapp.questionnaires.xlsform.reader import ImportedForm
from surveyapp.questionnaires.xlsform.store import store_form
from surveyapp.questionnaires.xlsform.workbook import Issue, XLSFormReport, read_workbook


@dataclass
class ImportResult:
    """The new draft version (None when refused), with what was found."""

    version: QuestionnaireVersion | None
    errors: list[Issue]
    warnings: list[Issue]

    @property
    def ok(self) -> bool:
        return self.version is not None


def import_xlsform(
    data: bytes,
    filename: str = "",
    name: str | None = None,
    files: dict[str, bytes] | None = None,
) -> ImportResult:
    """Check an XLSForm and, when it has no error, store it as a new questionnaire.

    The questionnaire is called ``name`` if given, else the form's ``form_id``,
    else the file name's stem, slugified. ``files``: choice files uploaded beside
    it, by name (``select_one_from_file towns.csv``). Returns the new draft version, or
    None and the errors; warnings say what was skipped or assumed.
    """
    report = XLSFormReport()
    sheets = read_workbook(data, report)
    if sheets is not None:
        form = ImportedForm(sheets, report, files)
        form.read(filename, name)
        if not report.errors:
            try:
                version = store_form(form)
                return ImportResult(version, report.errors, _in_order(report.warnings))
            except IntegrityError:  # a questionnaire of that name was made meanwhile
                db.session.rollback()
                report.error(None, None, None, _l("“%(name)s” exists already.", name=form.name))
    return ImportResult(None, _in_order(report.errors), _in_order(report.warnings))


def _in_order(issues: list[Issue]) -> list[Issue]:
    """By sheet and row, the file's own problems first."""
    return sorted(issues, key=lambda i: (i.sheet is not None, i.sheet or "", i.row or 0))
