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

import math
import re
import unicodedata
from dataclasses import dataclass, field
from pathlib import PurePath

from sqlalchemy import select
from sqlalchemy.exc import IntegrityError

from surveyapp.core.database import write_transaction
from surveyapp.core.safe_text import lazy_gettext as _l
from surveyapp.extensions import db
from surveyapp.languages.registry import SOURCE_LANGUAGE
from surveyapp.models import (
    MEASURES,
    Choice,
    ChoiceList,
    Domain,
    Page,
    Question,
    Questionnaire,
    QuestionnaireVersion,
    TextEntry,
)
from surveyapp.questionnaires.expressions import ExpressionError, check
from surveyapp.questionnaires.text_keys import NAME
from surveyapp.questionnaires.texts import source_hash
from surveyapp.questionnaires.xlsform.workbook import (
    QUESTION_TEXTS,
    SETTINGS_TEXTS,
    Columns,
    Issue,
    Languages,
    Report,
    Sheet,
    SheetReport,
    language_code,
    language_label,
    read_workbook,
    split_header,
)

SURVEY_COLUMNS = frozenset(
    {"type", "name", "required", "relevant", "constraint", "calculation", "choice_filter"}
    | {"default", "appearance", "domain", "measure", "min_value", "max_value", "max_length"}
)
METADATA_TYPES = frozenset(
    {"start", "end", "today", "deviceid", "subscriberid", "simserial", "phonenumber"}
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
}
_SELECT = re.compile(
    r"(select_one|select one|select_multiple|select multiple|select all that apply)"
    r"(?:\s+from)?\s+(\S+)(\s+or_other)?",
    re.IGNORECASE,
)
DOMAIN_CODE = re.compile(r"[A-Za-z0-9_.\-]{1,40}")
TRUE_WORDS = frozenset({"yes", "true", "true()", "1"})
FALSE_WORDS = frozenset({"", "no", "false", "false()", "0"})
DIGITS_ONLY = r"regex(., '^\d*$')"
#: Longest text the model's short columns hold.
LIMITS = {"default": 200, "appearance": 100}
#: Largest max_length of a text question.
MAX_LENGTH = 1_000_000


@dataclass
class ImportResult:
    """The new draft version (None when refused), with what was found."""

    version: QuestionnaireVersion | None
    errors: list[Issue]
    warnings: list[Issue]

    @property
    def ok(self) -> bool:
        return self.version is not None


def import_xlsform(data: bytes, filename: str = "", name: str | None = None) -> ImportResult:
    """Check an XLSForm and, when it has no error, store it as a new questionnaire.

    The questionnaire is called ``name`` if given, else the form's ``form_id``,
    else the file name's stem, slugified. Returns the new draft version, or
    None and the errors; warnings say what was skipped or assumed.
    """
    report = Report()
    sheets = read_workbook(data, report)
    if sheets is not None:
        form = _Form(sheets, report)
        form.read(filename, name)
        if not report.errors:
            try:
                version = form.create()
                return ImportResult(version, report.errors, _in_order(report.warnings))
            except IntegrityError:  # a questionnaire of that name was made meanwhile
                db.session.rollback()
                report.error(None, None, None, _l("“%(name)s” exists already.", name=form.name))
    return ImportResult(None, _in_order(report.errors), _in_order(report.warnings))


def _in_order(issues: list[Issue]) -> list[Issue]:
    """By sheet and row, the file's own problems first."""
    return sorted(issues, key=lambda i: (i.sheet is not None, i.sheet or "", i.row or 0))


def slugify(text: str) -> str:
    """A questionnaire name: lower-case ASCII letters, digits and _, starting with a letter."""
    ascii_text = unicodedata.normalize("NFKD", text).encode("ascii", "ignore").decode()
    slug = re.sub(r"[^a-z0-9]+", "_", ascii_text.lower()).strip("_")
    if not slug[:1].isalpha():
        slug = f"form_{slug}".rstrip("_")
    return slug[:64]


# --- what a form holds, before it is stored ---------------------------------------


@dataclass
class _Choice:
    value: str
    score: float | None
    extra: dict[str, str] | None


@dataclass
class _Question:
    name: str
    fields: dict
    list_name: str | None
    domain: str | None


@dataclass
class _Page:
    name: str | None
    relevant: str | None = None
    row: int | None = None
    questions: list[_Question] = field(default_factory=list)


@dataclass
class _Open:
    """A group or repeat that has begun and not yet ended."""

    kind: str
    row: int
    relevant: str | None


class _Form:
    """Reads the sheets into plain data, reporting every problem; then stores it."""

    def __init__(self, sheets: dict[str, Sheet], report: Report) -> None:
        self.sheets, self.report = sheets, report
        self.languages = Languages()
        self.settings: dict[str, str] = {}
        self.privacy_version = "1"
        self.lists: dict[str, list[_Choice]] = {}
        self.choice_columns: set[str] = set()
        self.domains: dict[str, tuple[dict[str, str], dict[str, str]]] = {}
        self.pages: list[_Page] = []
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
            _SurveyReader(self, survey).read()
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
                self.languages.default = SOURCE_LANGUAGE if code == "sr-Latn" else code
        columns = self.columns(sheet, set(SETTINGS_TEXTS), {"privacy_version"})
        for base, key in SETTINGS_TEXTS.items():
            self.add_texts(key, columns.texts_of(row, base))
        self.privacy_version = columns.value(row, "privacy_version") or "1"
        if len(self.privacy_version) > 32:
            columns.at.error(number, columns.header("privacy_version"), _l("Too long."))
        self.settings = {h.base: row[h.index] for h in columns.other if row[h.index]}
        if self.settings.get("form_title") and not columns.texts.get("title"):
            title = {self.languages.plain(): self.settings["form_title"]}
            self.add_texts("questionnaire.title", title)
        if len(sheet.rows) > 1:
            columns.at.warn(sheet.rows[1][0], None, _l("Only the first row of settings is used."))

    def _read_choices(self) -> None:
        sheet = self.sheets.get("choices")
        if sheet is None:
            return
        columns = self.columns(sheet, {"label"}, {"list_name", "name", "score"})
        self.choice_columns = {h.text.strip() for h in columns.other}
        at, seen = columns.at, {}
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
            if (list_name, value) in seen:
                message = _l(
                    "“%(value)s” is already a choice of the list “%(list)s” (row %(row)d): "
                    "each choice of a list needs a name of its own."
                )
                where = {"value": value, "list": list_name, "row": seen[(list_name, value)]}
                at.error(number, columns.header("name"), message % where)
                continue
            seen[(list_name, value)] = number
            labels = columns.texts_of(row, "label")
            if not labels:
                at.error(number, None, _l("The choice has no label."))
            score = columns.number(number, row, "score")
            self.lists.setdefault(list_name, []).append(_Choice(value, score, columns.kept(row)))
            self.add_texts(f"choice.{list_name}.{value}.label", labels)

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
                check(text, known, choice_columns=self.choice_columns if is_filter else None)
            except ExpressionError as error:
                message = _l("%(error)s (at character %(position)d of “%(text)s”)")
                where = {"error": error.message, "position": error.position + 1, "text": text}
                self.report.error(sheet, number, column, message % where)

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
        self.texts.setdefault("questionnaire.title", {SOURCE_LANGUAGE: self.name})

    @write_transaction()
    def create(self) -> QuestionnaireVersion:
        """Store what was read, in one transaction."""
        domains = {d.code: d for d in db.session.scalars(select(Domain))}
        last = max((d.position for d in domains.values()), default=-1)
        for code, (labels, descriptions) in self.domains.items():
            if code not in domains:
                last += 1
                domains[code] = Domain(
                    code=code, position=last, labels=labels, descriptions=descriptions
                )
                db.session.add(domains[code])
            elif domains[code].labels != labels:
                message = _l("The domain “%(code)s” exists already and is kept as it is.")
                self.report.warn(self.sheets["domains"].title, None, None, message % {"code": code})
        version = QuestionnaireVersion(
            questionnaire=Questionnaire(name=self.name),
            number=1,
            status="draft",
            privacy_version=self.privacy_version,
            settings=self.settings or None,
        )
        db.session.add(version)
        lists = {}
        for list_name, choices in self.lists.items():
            lists[list_name] = ChoiceList(name=list_name)
            version.choice_lists.append(lists[list_name])
            for position, c in enumerate(choices):
                choice = Choice(value=c.value, score=c.score, position=position, extra=c.extra)
                lists[list_name].choices.append(choice)
        for page_position, spec in enumerate(self.pages):
            page = Page(name=spec.name, position=page_position, relevant=spec.relevant)
            version.pages.append(page)
            for position, q in enumerate(spec.questions):
                question = Question(version=version, name=q.name, position=position, **q.fields)
                question.choice_list = lists.get(q.list_name or "")
                question.domain = domains.get(q.domain or "")
                page.questions.append(question)
        for key, texts in self.texts.items():
            hashed = source_hash(texts[SOURCE_LANGUAGE])
            for lang, text in texts.items():
                db.session.add(
                    TextEntry(version=version, key=key, lang=lang, text=text, source_hash=hashed)
                )
        db.session.commit()
        return version


def bad_name(at: SheetReport, number: int, column: str, value: str) -> None:
    message = _l(
        "“%(name)s” is not a valid name: up to 64 letters, digits and _, starting with a "
        "letter or _ (the editor's rule, since names are part of the text ids)."
    )
    at.error(number, column, message % {"name": value})


class _SurveyReader:
    """Walks the survey sheet row by row, keeping track of open groups."""

    def __init__(self, form: _Form, sheet: Sheet) -> None:
        self.form, self.sheet = form, sheet
        self.columns = form.columns(sheet, set(QUESTION_TEXTS), set(SURVEY_COLUMNS))
        self.at = self.columns.at
        self.type_column = self.columns.header("type")
        self.open: list[_Open] = []
        self.page: _Page | None = None
        self.domains = set(form.domains) | set(db.session.scalars(select(Domain.code)))

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
        if not NAME.fullmatch(name):
            bad_name(self.at, number, column, name)
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
            self.page = _Page(name, relevant, number)
            self.form.pages.append(self.page)
            self.form.add_texts(f"page.{name}.title", self.columns.texts_of(row, "label"))
            self.form.add_texts(f"page.{name}.intro", self.columns.texts_of(row, "hint"))
            relevant = None  # the page's own
        elif kind == "group":
            message = _l(
                "Groups within groups are not supported: the questions of “%(name)s” go on "
                "the page of the group around it, and its label is dropped."
            )
            self.at.warn(number, self.type_column, message % {"name": name})
        self.open.append(_Open(kind, number, relevant))

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
        if select_type:
            list_name = select_type.group(2)
            if select_type.group(3):
                message = _l("“or_other” is not supported: add an “other” choice instead.")
                self.at.error(number, self.type_column, message)
            if list_name not in self.form.lists:
                message = _l("There is no choice list “%(list)s” in the choices sheet.")
                self.at.error(number, self.type_column, message % {"list": list_name})
            scored = any(c.score is not None for c in self.form.lists.get(list_name, []))
            single = select_type.group(1).lower() in ("select_one", "select one")
            our_type = "multiple_choice" if not single else "scale" if scored else "single_choice"
            source_type = None
        elif kind.lower() in SIMPLE_TYPES:
            our_type, source_type = SIMPLE_TYPES[kind.lower()]
        else:
            message = _l("The question type “%(type)s” is not supported.")
            self.at.error(number, self.type_column, message % {"type": kind})
            self.form.questions.add(name)  # so that expressions naming it give no second error
            return
        if not self.take_name(number, name):
            return
        self.form.questions.add(name)
        fields = self.fields(number, row, kind.lower(), our_type, source_type)
        if not self.columns.texts_of(row, "label") and our_type != "calculate":
            self.at.error(number, None, _l("The question has no label."))
        for part in QUESTION_TEXTS:
            self.form.add_texts(f"q.{name}.{part}", self.columns.texts_of(row, part))
        domain = self.columns.value(row, "domain") or None
        if domain and domain not in self.domains:
            message = _l("There is no domain “%(code)s”.")
            self.at.error(number, self.columns.header("domain"), message % {"code": domain})
        if self.page is None:
            self.page = _Page(None)
            self.form.pages.append(self.page)
        self.page.questions.append(_Question(name, fields, list_name, domain))

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
        if source_type == "phone number" and not fields["constraint"]:
            fields["constraint"] = DIGITS_ONLY
            message = _l("A phone number is imported as a text question accepting digits only.")
            at.warn(number, self.type_column, message)
        if our_type == "calculate" and not fields["calculation"]:
            message = _l("A calculate row needs a calculation.")
            at.error(number, columns.header("calculation"), message)
        if source_type == "range":
            self.range(number, row, fields)
        return fields

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
