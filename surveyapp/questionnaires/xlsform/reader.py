"""Reading an XLSForm's sheets into plain data (:class:`ImportedForm`), before it is stored.

The settings, choices and domains sheets are read here, the survey sheet by
:mod:`.survey_sheet`; then every expression is checked against the form's
question names, English source texts are filled in and the questionnaire is named.
"""

from __future__ import annotations

import re
import unicodedata
from dataclasses import dataclass
from pathlib import PurePath

from sqlalchemy import select

from surveyapp.core.safe_text import lazy_gettext as _l
from surveyapp.extensions import db
from surveyapp.languages.registry import DERIVED_LANGUAGES, SOURCE_LANGUAGE
from surveyapp.models import Questionnaire
from surveyapp.questionnaires import text_keys
from surveyapp.questionnaires.expressions import ExpressionError, check, unknown_columns
from surveyapp.questionnaires.text_keys import NAME
from surveyapp.questionnaires.xlsform.columns import (
    Columns,
    Languages,
    language_code,
    language_label,
    split_header,
)
from surveyapp.questionnaires.xlsform.external_choices import ExternalChoices
from surveyapp.questionnaires.xlsform.survey_sheet import ImportedPage, SurveySheetReader, bad_name
from surveyapp.questionnaires.xlsform.workbook import SETTINGS_TEXTS, Sheet, XLSFormReport

DOMAIN_CODE = re.compile(r"[A-Za-z0-9_.\-]{1,40}")


def slugify(text: str) -> str:
    """A questionnaire name: lower-case ASCII letters, digits and _, starting with a letter."""
    ascii_text = unicodedata.normalize("NFKD", text).encode("ascii", "ignore").decode()
    slug = re.sub(r"[^a-z0-9]+", "_", ascii_text.lower()).strip("_")
    if not slug[:1].isalpha():
        slug = f"form_{slug}".rstrip("_")
    return slug[:64]


@dataclass
class ImportedChoice:
    value: str
    score: float | None
    extra: dict[str, str] | None


def missing_label(form: ImportedForm, at, number: int, value: str) -> dict[str, str]:
    """A choice without a label is labelled with its name, with a warning."""
    message = _l("The choice “%(value)s” has no label: its name is its label.")
    at.warn(number, None, message % {"value": value})
    return {form.languages.plain(): value}


class ImportedForm:
    """Reads the sheets into plain data, reporting every problem."""

    def __init__(
        self, sheets: dict[str, Sheet], report: XLSFormReport, files: dict[str, bytes] | None = None
    ) -> None:
        self.sheets, self.report = sheets, report
        #: Choice files uploaded beside the form, by name (``select_one_from_file``).
        self.external = ExternalChoices(self, files or {})
        self.languages = Languages()
        self.settings: dict[str, str] = {}
        self.privacy_version = "1"
        self.lists: dict[str, list[ImportedChoice]] = {}
        self.choice_columns: set[str] = set()
        self.domains: dict[str, tuple[dict[str, str], dict[str, str]]] = {}
        self.pages: list[ImportedPage] = []
        self.texts: dict[str, dict[str, str]] = {}
        #: Row of every name (groups and questions), and the question names.
        self.names: dict[str, int] = {}
        self.questions: set[str] = set()
        #: (sheet, row, column, text, is a choice filter), checked once every name is known
        self.expressions: list[tuple[str, int, str, str, bool]] = []
        self.name = ""

    def columns(self, sheet: Sheet, texts: set[str], plain: set[str]) -> Columns:
        return Columns(sheet, texts, plain, self.languages, self.report)

    def source_text(self, texts: dict[str, str]) -> str:
        """The English source of a text that has none: the default language's, else the first."""
        return texts.get(self.languages.default) or next(iter(texts.values()))

    def add_texts(self, key: str, texts: dict[str, str]) -> None:
        if texts:
            self.texts.setdefault(key, {}).update(texts)

    def read(self, filename: str, name: str | None) -> None:
        self._read_settings()
        self._read_choices()
        self._read_domains()
        survey = self.sheets.get("survey")
        if survey is None:
            self.report.error(None, None, None, _l("The workbook has no “survey” sheet."))
        else:
            SurveySheetReader(self, survey).read()
        self._check_expressions()
        self._fill_english()
        self._name_questionnaire(filename, name)

    def _read_settings(self) -> None:
        sheet = self.sheets.get("settings")
        if sheet is None or not sheet.rows:
            return
        number, row = sheet.rows[0]
        for index, text in enumerate(sheet.headers):
            if split_header(index, text, frozenset()).base == "default_language" and row[index]:
                code = language_code(row[index])[0][:35]
                self.languages.default = SOURCE_LANGUAGE if code in DERIVED_LANGUAGES else code
        columns = self.columns(sheet, set(SETTINGS_TEXTS), {"privacy_version"})
        for base, key in SETTINGS_TEXTS.items():
            self.add_texts(key, columns.texts_of(row, base))
        self.privacy_version = columns.value(row, "privacy_version") or "1"
        if len(self.privacy_version) > 32:
            columns.at.error(number, columns.header("privacy_version"), _l("Too long."))
        self.settings = {h.base: row[h.index] for h in columns.other if row[h.index]}
        if self.settings.get("form_title") and not columns.texts.get("title"):
            title = {self.languages.plain(): self.settings["form_title"]}
            self.add_texts(text_keys.QUESTIONNAIRE_TITLE, title)
        if len(sheet.rows) > 1:
            columns.at.warn(sheet.rows[1][0], None, _l("Only the first row of settings is used."))

    def _read_choices(self) -> None:
        sheet = self.sheets.get("choices")
        if sheet is None:
            return
        columns = self.columns(sheet, {"label"}, {"list_name", "name", "score"})
        self.choice_columns = {h.text.strip() for h in columns.other}
        at, seen = columns.at, {}
        allowed = self.settings.get("allow_choice_duplicates", "").strip().lower()
        duplicates: dict[str, dict[str, None]] | None = (
            {} if allowed in ("yes", "true", "1") else None
        )
        for needed in ("list_name", "name"):
            if needed not in columns.plain and sheet.rows:
                at.error(1, None, _l("The sheet has no “%(column)s” column.", column=needed))
                return
        for number, row in sheet.rows:
            list_name, value = columns.value(row, "list_name"), columns.value(row, "name")
            if not NAME.fullmatch(list_name):
                bad_name(at, number, columns.header("list_name"), list_name)
                continue
            if not value or len(value) > 64 or any(c.isspace() for c in value):
                message = _l("A choice needs a name of at most 64 characters, without spaces.")
                at.error(number, columns.header("name"), message)
                continue
            if (list_name, value) in seen and duplicates is not None:
                duplicates.setdefault(list_name, {})[value] = None
            elif (list_name, value) in seen:
                message = _l(
                    "“%(value)s” is already a choice of the list “%(list)s” (row %(row)d): "
                    "each choice of a list needs a name of its own."
                )
                where = {"value": value, "list": list_name, "row": seen[(list_name, value)]}
                at.error(number, columns.header("name"), message % where)
                continue
            labels = columns.texts_of(row, "label") or missing_label(self, at, number, value)
            score = columns.number(number, row, "score")
            self.lists.setdefault(list_name, []).append(
                ImportedChoice(value, score, columns.kept(row))
            )
            if (list_name, value) not in seen:  # duplicates share the first one's label
                self.add_texts(text_keys.choice_label(list_name, value), labels)
            seen.setdefault((list_name, value), number)
        for list_name, values in (duplicates or {}).items():
            message = _l(
                "The list “%(list)s” has choices of the same name (%(names)s), as the setting "
                "allow_choice_duplicates allows: an answer keeps the name, and they show the "
                "first one's label."
            )
            names = ", ".join(values)
            at.warn(None, columns.header("name"), message % {"list": list_name, "names": names})

    def _read_domains(self) -> None:
        sheet = self.sheets.get("domains")
        if sheet is None:
            return
        columns = self.columns(sheet, {"label", "description"}, {"code"})
        for header in columns.other:
            columns.at.warn(1, header.text, _l("This column is not used."))
        for number, row in sheet.rows:
            code = columns.value(row, "code")
            if not DOMAIN_CODE.fullmatch(code) or code in self.domains:
                message = _l("A domain needs a code of its own: up to 40 letters, digits, _ . -")
                columns.at.error(number, columns.header("code"), message)
                continue
            texts = columns.texts_of(row, "label"), columns.texts_of(row, "description")
            for by_lang in texts:
                if by_lang and SOURCE_LANGUAGE not in by_lang:
                    by_lang[SOURCE_LANGUAGE] = self.source_text(by_lang)
            self.domains[code] = texts

    def _check_expressions(self) -> None:
        known = self.questions
        for sheet, number, column, text, is_filter in self.expressions:
            try:
                expression = check(
                    text, known, choice_columns=self.choice_columns if is_filter else None
                )
            except ExpressionError as error:
                message = _l("%(error)s (at character %(position)d of “%(text)s”)")
                where = {"error": error.translated, "position": error.position + 1, "text": text}
                self.report.error(sheet, number, column, message % where)
                continue
            for name in unknown_columns(expression, self.choice_columns) if is_filter else ():
                message = _l(
                    "“%(name)s” is not a column of the choices: it is read as empty, as ODK "
                    "reads it; did you mean '%(name)s'?"
                )
                self.report.warn(sheet, number, column, message % {"name": name})

    def _fill_english(self) -> None:
        """English is the source language: a text without it takes the default
        language's text (else the first language's) as its English source."""
        missing = []
        for key, texts in self.texts.items():
            if SOURCE_LANGUAGE not in texts:
                texts[SOURCE_LANGUAGE] = self.source_text(texts)
                missing.append(key)
        found, default = self.languages.found, self.languages.default
        if missing and SOURCE_LANGUAGE not in found:
            lang = default if default in found else found[0]
            message = _l("The form has no English: the %(language)s texts are the English source.")
            self.report.warn(None, None, None, message % {"language": language_label(lang)})
        elif missing:
            message = _l(
                "%(count)d texts have no English version (such as “%(key)s”): another "
                "language's text is their English source."
            )
            self.report.warn(None, None, None, message % {"count": len(missing), "key": missing[0]})

    def _name_questionnaire(self, filename: str, name: str | None) -> None:
        settings, where = self.sheets.get("settings"), (None, None, None)
        if name is not None:
            wanted = name
        elif self.settings.get("form_id"):
            wanted, where = (
                self.settings["form_id"],
                (settings.title, settings.rows[0][0], "form_id"),
            )
        else:
            wanted = PurePath(filename.replace("\\", "/")).stem
        self.name = slugify(wanted)
        if db.session.scalar(select(Questionnaire.id).where(Questionnaire.name == self.name)):
            message = _l("A questionnaire named “%(name)s” exists already: choose another name.")
            self.report.error(*where, message % {"name": self.name})
        self.texts.setdefault(text_keys.QUESTIONNAIRE_TITLE, {SOURCE_LANGUAGE: self.name})
