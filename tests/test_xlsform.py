"""XLSForm import and export: real forms written by others, our built-in
questionnaire going out and coming back unchanged, and small forms that show
what is refused, skipped or kept."""

from __future__ import annotations

import base64
import io
import zipfile
import zlib
from dataclasses import dataclass, field
from pathlib import Path

import openpyxl
import pytest
from sqlalchemy import func, select

from surveyapp.extensions import db
from surveyapp.models import (
    ChoiceList,
    Domain,
    Page,
    Question,
    Questionnaire,
    QuestionnaireVersion,
    TextEntry,
)
from surveyapp.questionnaires.texts import latest_version
from surveyapp.questionnaires.xlsform import workbook as xlsform
from surveyapp.questionnaires.xlsform.exporter import export_xlsform
from surveyapp.questionnaires.xlsform.importer import ImportResult, import_xlsform

EXAMPLES = Path(__file__).resolve().parents[2] / "shared" / "xlsforms"
needs_examples = pytest.mark.skipif(
    not EXAMPLES.is_dir(),
    reason=f"the example XLSForms are not there ({EXAMPLES}): CI puts shared/ beside the checkout",
)


@pytest.fixture
def ctx(app):
    with app.app_context():
        yield


# --- helpers ---------------------------------------------------------------------


def workbook(**sheets: list[list]) -> bytes:
    """An .xlsx with one sheet per keyword, rows as given (the first is the header)."""
    book = openpyxl.Workbook()
    book.remove(book.active)
    for title, rows in sheets.items():
        sheet = book.create_sheet(title)
        for row in rows:
            sheet.append(row)
    buffer = io.BytesIO()
    book.save(buffer)
    return buffer.getvalue()


def sheet_rows(path: Path, title: str) -> list[list]:
    """A sheet of an example file as rows of values, trailing empty cells dropped."""
    book = openpyxl.load_workbook(path, read_only=True, data_only=True)
    sheet = next(s for s in book.worksheets if s.title.lower() == title)
    sheet.reset_dimensions()
    rows = []
    for row in sheet.iter_rows(values_only=True):
        row = list(row)
        while row and row[-1] is None:
            row.pop()
        rows.append(row)
    while rows and not rows[-1]:
        rows.pop()
    book.close()
    return rows


def where(result: ImportResult) -> set[tuple]:
    return {(issue.sheet, issue.row, issue.column) for issue in result.errors}


def messages(issues) -> str:
    return "\n".join(str(issue) for issue in issues)


def texts(version_id: int) -> dict[tuple[str, str], str]:
    rows = db.session.scalars(select(TextEntry).where(TextEntry.version_id == version_id))
    return {(row.key, row.lang): row.text for row in rows}


def question(version: QuestionnaireVersion, name: str) -> Question:
    return next(q for page in version.pages for q in page.questions if q.name == name)


def counts() -> tuple[int, ...]:
    models = (Questionnaire, QuestionnaireVersion, Page, Question, ChoiceList, TextEntry, Domain)
    return tuple(db.session.scalar(select(func.count()).select_from(m)) for m in models)


QUESTION_ATTRIBUTES = (
    "name", "type", "position", "required", "measure", "min_value", "max_value", "max_length",
    "integer_only", "relevant", "constraint", "calculation", "choice_filter", "default",
    "appearance", "source_type", "extra", "min_date", "max_date",
)  # fmt: skip


def snapshot(version_id: int) -> dict:
    """Everything a questionnaire version holds, without ids and names of its own."""
    version = db.session.get(QuestionnaireVersion, version_id)
    pages = [
        (
            page.name,
            page.position,
            page.relevant,
            [
                {
                    **{a: getattr(q, a) for a in QUESTION_ATTRIBUTES},
                    "choices": q.choice_list.name if q.choice_list else None,
                    "domain": q.domain.code if q.domain else None,
                }
                for q in page.questions
            ],
        )
        for page in version.pages
    ]
    lists = {
        choice_list.name: [(c.value, c.score, c.position, c.extra) for c in choice_list.choices]
        for choice_list in version.choice_lists
    }
    rows = db.session.scalars(select(TextEntry).where(TextEntry.version_id == version_id))
    entries = sorted((r.key, r.lang, r.text, r.source_hash) for r in rows)
    return {
        "pages": pages,
        "lists": lists,
        "texts": entries,
        "privacy_version": version.privacy_version,
    }


def round_trip(version_id: int, name: str) -> QuestionnaireVersion:
    result = import_xlsform(export_xlsform(version_id), "export.xlsx", name=name)
    assert result.ok, messages(result.errors)
    assert not result.warnings, messages(result.warnings)
    return result.version


# --- (a) real forms written by others -----------------------------------------------


@dataclass
class Expected:
    """What importing an example file gives, and why."""

    imports: bool
    why: str
    #: (row, column) of every error on the survey sheet, or the full place of each
    errors: set[tuple] = field(default_factory=set)
    #: words that must appear in the errors and warnings
    says: tuple[str, ...] = ()


#: the first row naming each choices file not uploaded beside the form, and others
UCL_UNSUPPORTED = {16, 17, 18, 20, 35}
#: the one repeat inside a repeat (the only repeat refusal left; its photo questions
#: inside repeats, rows 46 and 65, are taken)
UCL_REPEATS = {43}
#: table-list.xls, xml_escaping.xls and repeat_date_test.xls share a choices sheet whose
#: lists a_b and happy_sad have an image and no text label: they take their name
UNLABELLED_IMAGE_CHOICES = "choices, row 24: The choice “sad” has no label: its name is its label"

EXPECTED = {
    "yes_or_no_question.xlsx": Expected(
        True, "the smallest form: legacy single-colon label:english and a “list name” header"
    ),
    "text_and_integer.xlsx": Expected(True, "text and integer questions, label:english"),
    "group.xlsx": Expected(
        True,
        "a group becomes a page, the question before it a page of its own; “phone number” "
        "is a text question accepting digits only (with a warning)",
        says=("phone number",),
    ),
    "choice_filter_test.xlsx": Expected(
        True,
        "the list “counties” has two choices named “king” (one per state), which its "
        "setting allow_choice_duplicates allows, as pyxform does: both kept, with a warning",
        errors=set(),
        says=("The list “counties” has choices of the same name (king)",),
    ),
    "case_insensitivity.xlsx": Expected(
        False,
        "upper-case sheets and headers are read, extra sheets ignored with a warning; "
        "select_one_external reads the EXTERNAL_CHOICES sheet and its choice_filter its "
        "YES_NO column, but an osm question is refused (without it it imports)",
        errors={("SURVEY", 4, "TYPE")},
        says=("osm c1", "ENTITIES"),
    ),
    "UCL_Biomass_Plot_Form.xlsx": Expected(
        False,
        "a field form with a repeat inside a repeat (its photos inside repeats are fine), "
        "select_one_from_file (its CSV files not given), a regex that can backtrack badly and "
        "a condition in “required”; its curly quotes in relevant are taken as straight ones "
        "and its sqrt/cos/atan calculations are read (warnings only); without the rest its "
        "Swahili and English texts arrive (see the test below)",
        errors={("survey", row, "type") for row in UCL_UNSUPPORTED | UCL_REPEATS}
        | {("survey", 10, "constraint"), ("survey", 49, "required")},
        says=(
            "A repeat inside a repeat is not supported",
            "The choices file “UCL_regions.csv” is missing",
            "Curly quotes (‘ ’ “ ”) were taken as straight ones: ${any_trees} = 'yes'",
            "regular expression refused",
            "conditions are not supported in “required”",
            "“deviceid” is device metadata",
        ),
    ),
    "allow_comment_rows_test.xls": Expected(
        True,
        "a comment row (text only in the “_Category” column, no type) is ignored with a "
        "warning; stray numbers far below the header, in columns without a name, are dropped",
        says=("This row has no type and was ignored",),
    ),
    "attribute_columns_test.xlsx": Expected(
        True,
        "pyxform's spec test: names with hyphens (``label-test``); a barcode is typed, "
        "acknowledge is one choice “OK”, a note whose only label is an image is taken "
        "with a warning; choices without a label take their name, device metadata only "
        "warns; time, datetime, geopoint, start, end, today, image, audio and video read fine",
        says=(
            "The choice “a” has no label: its name is its label",
            "this note has no text",
            "the code is typed in a text box",
            "“deviceid” is device metadata",
            "columns: This sheet is not used",
        ),
    ),
    "calculate.xls": Expected(True, "calculate rows, and notes that show them with ${}"),
    "cascading_select_test_equivalent.xls": Expected(
        True,
        "cascading selects written the long way: one list per parent choice, relevant on "
        "each select and an if() calculation that picks the answer (no choice_filter)",
    ),
    "choice_name_as_type.xls": Expected(
        True,
        "the list “type” is harmless; “select_one_external type” reads its choices from "
        "the external_choices sheet, as a list of its own",
    ),
    "default_time_demo.xls": Expected(
        True, "a “time” question whose default .xls keeps as a time cell (09:30)"
    ),
    "extra_sheet_names.xlsx": Expected(
        True,
        "sheets that are not survey/choices/settings (even a misspelt “stettings”) are "
        "ignored with a warning",
        says=("my_sheet: This sheet is not used", "stettings: This sheet is not used"),
    ),
    "gps.xls": Expected(True, "the legacy “gps” type is a location question"),
    "group.xls": Expected(
        True,
        "the .xls twin of group.xlsx: the group becomes a page, “phone number” a text "
        "question accepting digits only (with a warning)",
        says=("phone number",),
    ),
    "hidden.xls": Expected(
        True, "its only row is a “hidden” field: a value kept with each response, no label"
    ),
    "ict_survey_fails.xls": Expected(
        True,
        "one yes/no question (its “bind: relevant” cell is only a line break, so no "
        "condition); the unused choice lists are kept, the empty Sheet3 ignored with a warning",
        says=("Sheet3: This sheet is not used",),
    ),
    "include.xlsx": Expected(
        False,
        "“include” (another form pulled in by name, deprecated in pyxform) is not supported",
        errors={("survey", 3, "type")},
        says=("“include” is not supported",),
    ),
    "loop.xlsx": Expected(
        True,
        "the legacy “select all that apply from … or specify other” (an “Other” choice "
        "with its text) and “begin loop over toilet_type” both read fine",
        errors=set(),
        says=(),
    ),
    "or_other.xlsx": Expected(
        True,
        "“or_other” reads fine (an “Other” choice with its text); the choice_filter "
        "“pastel=yes” compares with “yes”, no column of the choices: read as empty, as ODK "
        "reads it, with a warning (the text would need quotes: pastel='yes')",
        errors=set(),
        says=("“yes” is not a column of the choices: it is read as empty",),
    ),
    "repeat_date_test.xls": Expected(
        True,
        "its repeat (with repeat_count) reads fine; its two notes without a name (one whose "
        "label is a date stored as a number) are named as pyxform names them; choices whose "
        "only label is an image take their name",
        says=(UNLABELLED_IMAGE_CHOICES,),
    ),
    "simple_loop.xls": Expected(
        True, "“begin loop over my_columns”: one entry per choice of the list"
    ),
    "sms_info.xls": Expected(
        True,
        "its image and geopoint questions read fine, the legacy “select one from …” too, "
        "the sms_* columns raise no error, and device metadata only warns",
        errors=set(),
        says=("“imei” is device metadata",),
    ),
    "style_settings.xls": Expected(
        True, "the settings sheet's “style” is kept with the other settings"
    ),
    "table-list.xls": Expected(
        True,
        "the table-list groups and “end_group” read fine; the choices of a_b and happy_sad "
        "whose only label is an image take their name as label, with a warning",
        says=(UNLABELLED_IMAGE_CHOICES,),
    ),
    "xl_date_ambiguous_v1.xlsx": Expected(
        True,
        "the date default Excel stored as a number arrives as 1900-01-01; choice labels "
        "with ${} are kept as text; the changelog sheet is ignored with a warning",
        says=("changelog: This sheet is not used",),
    ),
    "xml_escaping.xls": Expected(
        True,
        "the label “${a} < ${b}” is fine (we do not write XML); the shared choices sheet's "
        "image-only choices in a_b and happy_sad take their name as label, with a warning",
        says=(UNLABELLED_IMAGE_CHOICES,),
    ),
}


@needs_examples
def test_every_example_form_has_an_expected_outcome():
    assert sorted(p.name for p in EXAMPLES.glob("*.xls*")) == sorted(EXPECTED)


@needs_examples
@pytest.mark.parametrize("filename", sorted(EXPECTED))
def test_example_form_imports_or_is_refused_saying_why(ctx, filename):
    expected = EXPECTED[filename]
    before = counts()
    result = import_xlsform((EXAMPLES / filename).read_bytes(), filename)
    assert result.ok is expected.imports, f"{expected.why}\n{messages(result.errors)}"
    assert where(result) == expected.errors, messages(result.errors)
    said = messages(result.errors + result.warnings)
    for words in expected.says:
        assert words in said
    if not expected.imports:
        assert counts() == before


@needs_examples
def test_legacy_label_and_list_name_headers(ctx):
    result = import_xlsform((EXAMPLES / "yes_or_no_question.xlsx").read_bytes(), "yes_or_no.xlsx")
    version = result.version
    good_day = question(version, "good_day")
    assert (good_day.type, good_day.choice_list.name) == ("single_choice", "yes_or_no")
    assert [c.value for c in good_day.choice_list.choices] == ["yes", "no"]
    assert texts(version.id)[("q.good_day.label", "en")] == "have you had a good day today?"
    assert texts(version.id)[("choice.yes_or_no.no.label", "en")] == "no"
    assert version.questionnaire.name == "yes_or_no"
    assert version.status == "draft"


@needs_examples
def test_text_and_integer(ctx):
    version = import_xlsform((EXAMPLES / "text_and_integer.xlsx").read_bytes(), "t.xlsx").version
    assert question(version, "your_name").type == "short_text"
    age = question(version, "your_age")
    assert (age.type, age.integer_only) == ("number", True)


@needs_examples
def test_group_is_a_page_and_loose_questions_get_their_own(ctx):
    version = import_xlsform((EXAMPLES / "group.xlsx").read_bytes(), "group.xlsx").version
    pages = [(p.name, [q.name for q in p.questions]) for p in version.pages]
    assert pages == [("page_1", ["family_name"]), ("father", ["phone_number", "age"])]
    assert texts(version.id)[("page.father.title", "en")] == "Father"
    phone = question(version, "phone_number")
    assert (phone.type, phone.source_type) == ("short_text", "phone number")
    assert phone.constraint == r"regex(., '^\d*$')"


@needs_examples
def test_choice_filter_is_kept_and_checked(ctx):
    survey = sheet_rows(EXAMPLES / "choice_filter_test.xlsx", "survey")
    choices = sheet_rows(EXAMPLES / "choice_filter_test.xlsx", "choices")
    settings = sheet_rows(EXAMPLES / "choice_filter_test.xlsx", "settings")
    del choices[5]  # row 6, the second “king”
    result = import_xlsform(workbook(survey=survey, choices=choices, settings=settings))
    assert result.ok, messages(result.errors)
    version = result.version
    assert version.questionnaire.name == "cascading_selects1"
    assert question(version, "county").choice_filter == "${state}=cf"
    assert question(version, "city").choice_filter == "${county}=cf"
    king = next(c for c in question(version, "county").choice_list.choices if c.value == "king")
    assert king.extra == {"cf": "washington"}
    assert version.settings["allow_choice_duplicates"] == "yes"

    survey[2][3] = "${state} = nowhere"
    result = import_xlsform(workbook(survey=survey, choices=choices, settings=settings), name="x")
    assert result.ok, messages(result.errors)
    assert {(w.sheet, w.row, w.column) for w in result.warnings} == {("survey", 3, "choice_filter")}
    assert "did you mean 'nowhere'?" in messages(result.warnings)

    survey[2][3] = "${nowhere} = cf"
    result = import_xlsform(workbook(survey=survey, choices=choices, settings=settings), name="y")
    assert where(result) == {("survey", 3, "choice_filter")}
    assert "unknown question ${nowhere}" in messages(result.errors)


@needs_examples
def test_allow_choice_duplicates_keeps_a_name_twice_only_when_the_settings_say_so(ctx):
    data = (EXAMPLES / "choice_filter_test.xlsx").read_bytes()
    result = import_xlsform(data, "choice_filter_test.xlsx")
    assert result.ok, messages(result.errors)
    assert "has choices of the same name (king)" in messages(result.warnings)
    counties = question(result.version, "county").choice_list
    kings = [c.extra for c in counties.choices if c.value == "king"]
    assert kings == [{"cf": "washington"}, {"cf": "texas"}]
    # Answers keep the name, as in ODK: one “King” to show, to count and to export.
    assert [c.value for c in counties.distinct_choices] == ["king", "pierce", "cameron"]
    again = import_xlsform(export_xlsform(result.version.id), "export.xlsx", name="again")
    assert again.ok, messages(again.errors)
    counties = question(again.version, "county").choice_list
    assert [c.extra for c in counties.choices if c.value == "king"] == kings
    assert again.version.settings["allow_choice_duplicates"] == "yes"

    survey = sheet_rows(EXAMPLES / "choice_filter_test.xlsx", "survey")
    choices = sheet_rows(EXAMPLES / "choice_filter_test.xlsx", "choices")
    for allowed, ok in (("no", False), ("TRUE", True)):
        settings = [["form_id", "allow_choice_duplicates"], [f"dupes_{allowed}", allowed]]
        result = import_xlsform(workbook(survey=survey, choices=choices, settings=settings))
        assert result.ok is ok, messages(result.errors)
        if not ok:
            assert where(result) == {("choices", 6, "name")}
            assert "“king” is already a choice of the list “counties” (row 4)" in messages(
                result.errors
            )
    result = import_xlsform(workbook(survey=survey, choices=choices), name="no_settings")
    assert where(result) == {("choices", 6, "name")}


@needs_examples
def test_upper_case_sheets_and_columns(ctx):
    path = EXAMPLES / "case_insensitivity.xlsx"
    survey = [row for row in sheet_rows(path, "survey") if row[0] in ("TYPE", "select_one c1")]
    data = workbook(
        SURVEY=survey,
        CHOICES=sheet_rows(path, "choices"),
        SETTINGS=sheet_rows(path, "settings"),
        EXTERNAL_CHOICES=sheet_rows(path, "external_choices"),
    )
    result = import_xlsform(data)
    assert result.ok, messages(result.errors)
    version = result.version
    assert version.questionnaire.name == "yesno"
    assert version.settings["default_language"] == "EN"
    assert texts(version.id)[("q.q1.label", "en")] == "Are you good?"
    assert texts(version.id)[("questionnaire.title", "en")] == "Yes or no"
    assert [c.value for c in question(version, "q1").choice_list.choices] == ["n1-c", "n2-c"]
    assert "EXTERNAL_CHOICES" not in messages(result.warnings)  # read, for select_one_external


def _supported_part_of_ucl(path: Path) -> list[list]:
    """The UCL form without repeats, unsupported types, sqrt and curly quotes."""
    unsupported = ("select_one_from_file", "geopoint")
    kept, depth = [], 0
    for row in sheet_rows(path, "survey"):
        kind = (row[0] or "") if row else ""
        if kind == "begin repeat":
            depth += 1
        if depth == 0 and not kind.startswith(unsupported) and "sqrt" not in str(row[13:14]):
            kept.append([str(c).replace("‘", "'").replace("’", "'") if c else c for c in row])
        if kind == "end repeat":
            depth -= 1
    for row in kept:
        if row[1:2] == ["leader_number"]:
            row[8] = "regex(., '^[0-9]{10}$')"
    return kept


@needs_examples
def test_swahili_and_english_texts_of_a_real_form_arrive(ctx):
    path = EXAMPLES / "UCL_Biomass_Plot_Form.xlsx"
    data = workbook(
        survey=_supported_part_of_ucl(path),
        choices=sheet_rows(path, "choices"),
        settings=sheet_rows(path, "settings"),
    )
    result = import_xlsform(data, "UCL Biomass Plot Form.xlsx")
    assert result.ok, messages(result.errors)
    version = result.version
    found = texts(version.id)
    assert version.questionnaire.name == "ucl_biomass_plot_form"
    assert found[("q.leader_name.label", "sw")] == "Jina Lako"
    assert found[("q.leader_name.label", "en")] == "Your Name"
    assert found[("q.leader_name.hint", "sw")] == "Chagua moja"
    assert found[("q.leader_number.constraint_message", "en")] == "10 digit phone number"
    assert found[("page.info.title", "sw")] == "Taarifa za mtu anayejaza fomu"
    assert found[("choice.decay_class.4.label", "en")] == "Stem is in between solid and rotten"
    assert found[("choice.enumerator.other.label", "sw")] == "Mwingine"
    assert question(version, "leader_name_other").relevant == "${leader_name} = 'other'"
    assert question(version, "leader_number").constraint == "regex(., '^[0-9]{10}$')"
    assert question(version, "leader_name").required is True
    assert question(version, "disturbance").type == "multiple_choice"
    assert [p.name for p in version.pages] == ["intro", "info", "location", "page_4"]
    assert version.settings["default_language"] == "Swahili (sw)"
    # the “name ” header of the choices sheet has a trailing space
    assert [c.value for c in question(version, "plant_phase").choice_list.choices][:2] == [
        "2022",
        "2023",
    ]
    assert "“deviceid” is device metadata" in messages(result.warnings)
    assert [question(version, name).type for name in ("start", "end")] == ["start", "end"]
    # and it goes out and comes back the same, Swahili included
    copy = round_trip(version.id, "ucl_copy")
    assert snapshot(copy.id) == snapshot(version.id)


# --- (b) our questionnaires go out and come back the same ------------------------------


def test_builtin_questionnaire_round_trips_unchanged(ctx):
    original = latest_version("city_needs")
    copy = round_trip(original.id, "city_needs_copy")
    assert copy.status == "draft"
    assert snapshot(copy.id) == snapshot(original.id)
    assert copy.questionnaire.name == "city_needs_copy"
    assert any(q.domain and q.measure for page in copy.pages for q in page.questions)


RICH_SURVEY = [
    [
        "type", "name", "label::English (en)", "label::Shqip (sq)", "label::Swahili (sw)",
        "hint::English (en)", "required", "required_message::English (en)", "relevant",
        "constraint", "constraint_message::English (en)", "constraint_message::Shqip (sq)",
        "calculation", "choice_filter", "default", "appearance", "parameters", "domain",
        "measure", "min_value", "max_value", "max_length", "media::image",
    ],
    ["begin group", "first", "First", "E para", "Kwanza", "Intro text", None, None, None],
    ["integer", "age", "Age", "Mosha", "Umri", "In years", "yes", "Say it", None,
     ". >= 18", "Adults only", "Vetëm të rritur", None, None, "30", None, None, None, None,
     0, 120],
    ["range", "mood", "Mood", None, None, None, "TRUE()", None, "${age} > 20", None, None,
     None, None, None, None, "vertical", "start=1 end=5 step=1"],
    ["select_one need", "need_q", "Need?", "Nevoja?", None, None, "1", None, None, None,
     None, None, None, None, None, None, None, "rich_domain", "need"],
    ["select_multiple support", "support", "Support?", None, None, None, "no", None, None,
     None, None, None, None, "kind = 'a'", None, "minimal", None, None, None, None, None,
     None, "pic.png"],
    ["end group"],
    ["begin group", "second", "Second", None, None, None, None, None, "${age} < 100"],
    ["text", "story", "Story", None, None, None, None, None, None, None, None, None, None,
     None, None, "multiline", None, None, None, None, None, 2000],
    ["calculate", "double", None, None, None, None, None, None, None, None, None, None,
     "${age} * 2"],
    ["note", "thanks", "Thanks ${age}", None, None],
    ["date", "when", "When?", None, None],
    ["decimal", "share", "Share", None, None],
    ["end group"],
]  # fmt: skip
RICH_CHOICES = [
    ["list_name", "name", "label::English (en)", "label::Shqip (sq)", "score", "kind"],
    ["need", "1", "Low", "E ulët", 1, None],
    ["need", "2", "High", "E lartë", 2.5, None],
    ["need", "dk", "Don't know", "Nuk e di", None, None],
    ["support", "x", "X", None, None, "a"],
    ["support", "y", "Y", None, None, "b"],
]
RICH_SETTINGS = [
    ["form_title", "form_id", "version", "style", "privacy_version", "title::English (en)",
     "title::Shqip (sq)", "privacy_notice::English (en)", "privacy_consent::English (en)",
     "description::Shqip (sq)"],
    ["Rich", "rich", "2024-1", "pages", "v7", "Rich form", "Formular", "We keep it safe.",
     "I agree", "Përshkrim"],
]  # fmt: skip
RICH_DOMAINS = [
    ["code", "label::English (en)", "label::Shqip (sq)", "description::English (en)"],
    ["rich_domain", "Rich things", "Gjëra", "About rich things"],
]


def test_a_form_using_every_column_round_trips(ctx):
    data = workbook(
        survey=RICH_SURVEY, choices=RICH_CHOICES, settings=RICH_SETTINGS, domains=RICH_DOMAINS
    )
    result = import_xlsform(data, "rich.xlsx")
    assert result.ok, messages(result.errors)
    version = result.version
    age, mood = question(version, "age"), question(version, "mood")
    assert (age.type, age.integer_only, age.min_value, age.max_value) == ("number", True, 0, 120)
    assert (age.default, age.constraint, age.required) == ("30", ". >= 18", True)
    assert (mood.type, mood.source_type, mood.min_value, mood.max_value) == (
        "number",
        "range",
        1,
        5,
    )
    assert mood.extra == {"parameters": "start=1 end=5 step=1"}
    assert (mood.required, mood.appearance) == (True, "vertical")
    need = question(version, "need_q")
    assert (need.type, need.measure, need.domain.code) == ("scale", "need", "rich_domain")
    assert [c.score for c in need.choice_list.choices] == [1, 2.5, None]
    support = question(version, "support")
    assert (support.type, support.choice_filter) == ("multiple_choice", "kind = 'a'")
    assert support.extra == {"media::image": "pic.png"}
    assert support.choice_list.choices[0].extra == {"kind": "a"}
    story = question(version, "story")
    assert (story.type, story.appearance, story.max_length) == ("long_text", None, 2000)
    assert question(version, "double").calculation == "${age} * 2"
    assert question(version, "share").integer_only is False
    second = version.pages[1]
    assert (second.name, second.relevant) == ("second", "${age} < 100")
    assert version.privacy_version == "v7"
    assert version.settings == {
        "form_title": "Rich",
        "form_id": "rich",
        "version": "2024-1",
        "style": "pages",
    }
    found = texts(version.id)
    assert found[("q.age.constraint_message", "sq")] == "Vetëm të rritur"
    assert found[("q.age.required_message", "en")] == "Say it"
    assert found[("q.age.label", "sw")] == "Umri"
    assert found[("page.first.intro", "en")] == "Intro text"
    assert found[("questionnaire.title", "sq")] == "Formular"
    assert found[("privacy.consent", "en")] == "I agree"
    # Albanian description without English: Albanian is its English source
    assert found[("questionnaire.description", "en")] == "Përshkrim"
    domain = db.session.scalar(select(Domain).where(Domain.code == "rich_domain"))
    assert domain.labels == {"en": "Rich things", "sq": "Gjëra"}

    copy = round_trip(version.id, "rich_copy")
    assert snapshot(copy.id) == snapshot(version.id)
    assert copy.settings == version.settings
    again = round_trip(copy.id, "rich_copy_2")
    assert snapshot(again.id) == snapshot(version.id)


def test_export_writes_language_columns_and_never_formulas(ctx):
    original = latest_version("city_needs")
    book = openpyxl.load_workbook(io.BytesIO(export_xlsform(original.id)))
    assert book.sheetnames == ["survey", "choices", "settings", "domains"]
    headers = [c.value for c in book["survey"][1]]
    for expected in ("label::English (en)", "label::Shqip (sq)", "label::Македонски (mk)"):
        assert expected in headers
    assert "label::Crnogorski (cnr)" in headers
    assert "label::Hrvatski (hr)" in headers
    assert not any("sr-Latn" in h for h in headers)

    version = import_xlsform(survey_form(["text", "formula", "A formula?"]), "f.xlsx").version
    label = db.session.scalar(select(TextEntry).where(TextEntry.key == "q.formula.label"))
    label.text = '=HYPERLINK("x")'
    db.session.commit()
    sheet = openpyxl.load_workbook(io.BytesIO(export_xlsform(version.id)))["survey"]
    label = next(row for row in sheet.iter_rows() if row[1].value == "formula")[2]
    assert (label.value, label.data_type) == ('=HYPERLINK("x")', "s")


# --- (c) small forms: what is refused, skipped or assumed ------------------------------

SURVEY_HEADER = ["type", "name", "label", "relevant", "constraint", "calculation"]
YES_NO = [["list_name", "name", "label"], ["yn", "yes", "Yes"], ["yn", "no", "No"]]


def survey_form(*rows: list, choices: list | None = None, **sheets) -> bytes:
    return workbook(survey=[SURVEY_HEADER, *rows], choices=choices or YES_NO, **sheets)


def test_a_note_without_a_name_is_named_as_pyxform_names_it(ctx):
    result = import_xlsform(
        survey_form(["note", "", "Welcome"], ["text", "a", "A"], ["note", "", "Thank you"])
    )
    assert result.ok, messages(result.errors)
    version = result.version
    assert question(version, "generated_note_name_2").type == "note"
    assert question(version, "generated_note_name_4").type == "note"
    assert round_trip(version.id, "again").id


def test_a_question_without_a_name_is_still_refused(ctx):
    result = import_xlsform(survey_form(["text", "", "A"], ["text", "b", "B"]))
    assert not result.ok
    assert ("survey", 2, "name") in where(result)
    assert "“” is not a valid name" in messages(result.errors)


def test_a_repeat_inside_a_repeat_is_refused_with_sheet_row_and_column(ctx):
    before = counts()
    result = import_xlsform(
        survey_form(
            ["text", "a", "A"],
            ["begin repeat", "people", "People"],
            ["text", "person", "Person"],
            ["begin repeat", "children", "Children"],
            ["text", "child", "Child"],
            ["end repeat"],
            ["end repeat"],
        )
    )
    assert not result.ok
    assert where(result) == {("survey", 5, "type")}
    assert "A repeat inside a repeat is not supported" in messages(result.errors)
    assert counts() == before


@pytest.mark.parametrize("kind", ["background-audio", "osm"])
def test_an_unsupported_question_type_is_refused(ctx, kind):
    result = import_xlsform(survey_form(["text", "a", "A"], [kind, "where", "Where?"]))
    assert where(result) == {("survey", 3, "type")}
    assert f"“{kind}” is not supported" in messages(result.errors)


def test_a_device_metadata_row_is_skipped_with_a_warning(ctx):
    result = import_xlsform(
        survey_form(["start", "start"], ["text", "a", "A"], ["deviceid", "device"])
    )
    assert result.ok, messages(result.errors)
    assert [q.name for q in result.version.pages[0].questions] == ["start", "a"]
    assert {(w.row, w.column) for w in result.warnings} == {(4, "type")}


def test_an_unknown_choice_list_is_refused(ctx):
    result = import_xlsform(survey_form(["select_one colours", "c", "Colour?"]))
    assert where(result) == {("survey", 2, "type")}
    assert "no choice list “colours”" in messages(result.errors)


def test_a_bad_relevant_expression_is_refused_at_its_cell(ctx):
    result = import_xlsform(survey_form(["integer", "age", "Age"], ["text", "b", "B", "${age} >"]))
    assert where(result) == {("survey", 3, "relevant")}
    assert "unexpected end of expression" in messages(result.errors)


def test_an_unknown_reference_is_refused(ctx):
    result = import_xlsform(survey_form(["text", "b", "B", None, ". != ${nobody}"]))
    assert where(result) == {("survey", 2, "constraint")}
    assert "unknown question ${nobody}" in messages(result.errors)


def test_a_duplicate_name_is_refused(ctx):
    result = import_xlsform(survey_form(["text", "a", "A"], ["integer", "a", "Again"]))
    assert where(result) == {("survey", 3, "name")}
    assert "already used in row 2" in messages(result.errors)


@pytest.mark.parametrize("bad", ["1st", "has space", "x" * 65, "", "a.b", "-ab", "ž"])
def test_an_invalid_name_is_refused(ctx, bad):
    result = import_xlsform(survey_form(["text", bad, "A"], ["text", "ok", "B"]))
    assert where(result) == {("survey", 2, "name")}


def test_a_file_is_recognised_by_its_content_not_its_name(ctx):
    result = import_xlsform(survey_form(["text", "a", "A"]), "form.xls")
    assert result.ok and result.version.questionnaire.name == "form"


#: A legacy Excel 97–2003 form, made once with xlwt (xlrd cannot write): a "Survey"
#: sheet with English and Macedonian labels, a TRUE cell in "required", a date cell
#: as a default; choices; settings with the number 7 as version.
LEGACY_XLS = zlib.decompress(
    base64.b64decode(
        "eNrtWE1sG1UQnrc/tpPmx02cQNI2WEWUtLRSoCBVqRKTNqUgkajAoRQhhY39mlh11mW9aWUOUCg+IiFxKuJSVA5cClz4"
        "ESCBxIEDUhEckJCQEjhyQmolDm3MN7PrJVsMqiUICnhWO+/NvPdmxm++nefdr69sXbn43vAq3USTZNJavYMS63QKd0dD"
        "SBPG63XuNtoU7nqbNhV1pJDIhE0fd3+V5BxyvlfJoHetz8GJfsT9NJ2m2bKrsxtIhyQGR3EMEyoB7BlA5BvgPTQkkfUJ"
        "zwvvF/6OzP5E+IOieUX4BOauqKfoSm52z4EQyU8aO2WsB1zRB7Lme9HcSwP0JSP5hVdVMNemKa/olDbZwIjVRZcIST2q"
        "Xe2x3EtvUSfRCdC+mZl909MrlEHCL9G1epboauPJ/izb1m+sXhH0v8b1yT/Rp5DEm/WvGRbROao/oxjMNYD6gh08zE8s"
        "e2d0tUa99AhXZ1jNL5aLeV2poYA7nUHVrmjfL7oLletUU3dCcwduGPSrpzUa11nS/UQlZ16XxsePuAulYmUxO6rd3YOk"
        "SuTQPGkq0Tiu7daYNW49YN1vTVoT1hT6B6wsjdISnaLdfDx4+tnloqcLQGVBn3SWS343wX1J5/05LjBVF3E7C57W0E+X"
        "s9XyclbEXIZUBtYPisUp+GA+ae2HZgyeDlv3oT0EfY5DLzg+h352UbPB42hyNqlhWTCGKfBfdH29oD0M58vLro9z7eHy"
        "2eyS41ZziWDqQcR/GJMxhJ/sz/FGoEBUXRNMV8BP6IoRxAW9WwabBVM7EAa29mTZW5rzi35JJ0OhyD/8jPYqxbK7hehR"
        "veDkq1keglQSaY4lzktQmNOxwtwtxaoLvICMcn+rlKw09vb62798MzN/LDcnmnNyGAdH9l2MDqrTi7wCi3tkxKKG1T2y"
        "4h7hL4nVbdIfFp5BPUG769hA2HnovMx5WUZ3wc9+oW9zd6/rj6Jf+/mxD0dqP+U485ePrj6Xufxd7iLtxH4WsJ6v87RX"
        "7VWvX2D6KNdoVVjafxA+9IcynzLSYez18H9JL90gwTL2gymQeHdUJBnhXgWSCcmMJAuSFUk2JDv0o0SO+1HiJxHOV+In"
        "GUnsJxVJ7If/MtlGCpIlEbFdo0n8htjtDNcG2d0SSWy3K5LYLh4Ret5gycaOvfmFIZbNJpZNsdwTrjbFcm8kseV0JLFl"
        "3sVPYdOUiBPRapsmjT56nwPFAfs7bQRezQi1mxWvVlO89rWE1wYmraaY7I9hMhPD5EAMk4OhLaOJLSNmK8jabTEc3h7D"
        "4RC/LjAu6N/AhRGhY7PiwmyKi+EYLrbFcLF9HRLMpkjYEUPCSFgpAiSM/GW+2tSmNv1vSIUl1AwPVzss0cnwu84N3Gvt"
        "zyT/WXqcyrh8vFAeIRetR9WW8DNItmrYUre4pvG9kOk4vHt4PZyXOE61jF8csWr977nlhem/7xFq1f9aK3H+w/5/A2Xy"
        "p0s="
    )
)


def test_a_legacy_xls_is_read_by_its_content(ctx):
    result = import_xlsform(LEGACY_XLS, "named_like_an.xlsx")
    assert result.ok, messages(result.errors)
    version = result.version
    assert version.questionnaire.name == "legacy_form"
    assert version.settings == {
        "form_title": "Legacy form",
        "form_id": "legacy_form",
        "version": "7",
    }
    found = texts(version.id)
    assert found[("q.agree.label", "mk")] == "Дали се согласувате?"
    assert found[("choice.yn.no.label", "mk")] == "Не"
    assert question(version, "agree").required is True
    assert question(version, "when").default == "2024-03-01"
    assert question(version, "count").default == "3"


def test_a_legacy_xls_that_cannot_be_read_gives_a_clear_error(ctx):
    ole2 = xlsform.OLE2_MAGIC + b"\0" * 1000
    result = import_xlsform(ole2, "form.xls")
    assert [(i.sheet, i.row, i.column) for i in result.errors] == [(None, None, None)]
    assert "Excel 97–2003 (.xls)" in messages(result.errors)


@pytest.mark.parametrize(
    "data", [b"%PDF-1.7 not a form", b"type,name,label\ntext,a,A\n", b"", b"PK\x03\x04broken"]
)
def test_a_file_that_is_not_a_workbook_is_refused(ctx, data):
    result = import_xlsform(data, "form.xlsx")
    assert not result.ok and len(result.errors) == 1
    assert result.errors[0].sheet is None


def test_a_zip_bomb_is_refused_before_openpyxl_opens_it(ctx, monkeypatch):
    def never(*args, **kwargs):
        raise AssertionError("openpyxl must not open this file")

    monkeypatch.setattr(openpyxl, "load_workbook", never)
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w", zipfile.ZIP_DEFLATED) as archive:
        archive.writestr("[Content_Types].xml", "<Types/>")
        archive.writestr("xl/worksheets/sheet1.xml", b"<row/>" * 2_000_000)
    result = import_xlsform(buffer.getvalue(), "bomb.xlsx")
    assert "compressed suspiciously well" in messages(result.errors)

    data = survey_form(["text", "a", "A"])
    monkeypatch.setattr(xlsform, "MAX_UNPACKED_BYTES", len(data) + 1)
    result = import_xlsform(data, "big.xlsx")
    assert "unpacks to more than" in messages(result.errors)


def test_a_sheet_with_too_many_rows_is_refused(ctx, monkeypatch):
    monkeypatch.setattr(xlsform, "MAX_ROWS", 3)
    assert import_xlsform(survey_form(["text", "a", "A"], ["text", "b", "B"])).ok
    result = import_xlsform(survey_form(*[["text", f"q{i}", "Q"] for i in range(3)]), "r.xlsx")
    assert where(result) == {("survey", 4, None)}


def test_nothing_is_written_when_there_is_an_error(ctx):
    before = counts()
    data = workbook(
        survey=[*RICH_SURVEY[:-1], ["text", "late", "Late", *[None] * 5, "${gone}"], ["end group"]],
        choices=RICH_CHOICES,
        settings=RICH_SETTINGS,
        domains=RICH_DOMAINS,
    )
    result = import_xlsform(data, "rich.xlsx")
    assert where(result) == {("survey", len(RICH_SURVEY), "relevant")}
    assert counts() == before


def test_the_name_comes_from_the_caller_then_form_id_then_the_file(ctx):
    settings = [["form_id"], ["My Form-ID"]]
    assert import_xlsform(survey_form(["text", "a", "A"]), "C:\\x\\Needs 2024.xlsx").version
    assert db.session.scalar(select(Questionnaire.id).where(Questionnaire.name == "needs_2024"))
    version = import_xlsform(survey_form(["text", "a", "A"], settings=settings), "f.xlsx").version
    assert version.questionnaire.name == "my_form_id"
    taken = import_xlsform(survey_form(["text", "a", "A"], settings=settings), "f.xlsx")
    assert where(taken) == {("settings", 2, "form_id")}
    assert "“my_form_id” exists already" in messages(taken.errors)
    free = import_xlsform(survey_form(["text", "a", "A"], settings=settings), "f.xlsx", "Free")
    assert free.version.questionnaire.name == "free"
    assert not import_xlsform(survey_form(["text", "a", "A"]), "x.xlsx", name="city_needs").ok


def test_language_columns_by_code_by_name_and_by_default(ctx):
    data = workbook(
        survey=[
            ["type", "name", "label", "label::Shqip", "label:macedonian", "label::Srpski (sr)",
             "label::Srpski (latinica) (sr-Latn)", "label::Crnogorski", "hint::Deutsch (de)",
             "hint::Martian"],
            ["text", "a", "Bosnian text", "Shqip", "Македонски", "Српски", "Srpski", "Crnogorski",
             "Deutsch", "Ack ack"],
        ],
        settings=[["default_language"], ["Bosanski (bs)"]],
    )  # fmt: skip
    result = import_xlsform(data, "langs.xlsx")
    assert result.ok, messages(result.errors)
    found = texts(result.version.id)
    by_lang = {lang: text for (key, lang), text in found.items() if key == "q.a.label"}
    assert by_lang == {
        "bs": "Bosnian text",
        "sq": "Shqip",
        "mk": "Македонски",
        "sr": "Српски",
        "cnr": "Crnogorski",
        "en": "Bosnian text",
    }
    assert found[("q.a.hint", "de")] == "Deutsch"
    assert found[("q.a.hint", "x-martian")] == "Ack ack"
    warned = messages(result.warnings)
    assert "Serbian Latin" in warned and "“Martian” has no language code" in warned
    assert "The form has no English" in warned and "Bosanski (bs)" in warned
    book = openpyxl.load_workbook(io.BytesIO(export_xlsform(result.version.id)))
    headers = [c.value for c in book["survey"][1]]
    assert "hint::German (de)" in headers and "label::Bosanski (bs)" in headers
    copy = round_trip(result.version.id, "langs_copy")
    assert snapshot(copy.id) == snapshot(result.version.id)


def test_a_nested_group_goes_on_its_page_with_its_label_as_a_sub_heading(ctx):
    result = import_xlsform(
        survey_form(
            ["integer", "age", "Age"],
            ["begin group", "outer", "Outer", "${age} > 1"],
            ["begin group", "inner", "Inner", "${age} > 2"],
            ["text", "deep", "Deep", "${age} > 3"],
            ["text", "shallow", "Shallow"],
            ["end group"],
            ["end group"],
        )
    )
    assert result.ok, messages(result.errors)
    version = result.version
    assert [p.name for p in version.pages] == ["page_1", "outer"]
    assert version.pages[1].relevant == "${age} > 1"
    assert question(version, "deep").relevant == "(${age} > 2) and (${age} > 3)"
    assert question(version, "shallow").relevant == "${age} > 2"
    heading = question(version, "inner")
    assert (heading.type, heading.source_type, heading.relevant) == (
        "note",
        "begin group",
        "${age} > 2",
    )
    assert texts(version.id)[("q.inner.label", "en")] == "Inner"
    assert [q.name for q in version.pages[1].questions] == ["inner", "deep", "shallow"]
    assert not result.warnings
    copy = round_trip(version.id, "nested_copy")
    assert snapshot(copy.id) == snapshot(version.id)


@pytest.mark.parametrize("value", ["yes", "TRUE", "true()", "1", "Yes", True, 1])
def test_required_words(ctx, value):
    data = workbook(survey=[["type", "name", "label", "required"], ["text", "a", "A", value]])
    assert question(import_xlsform(data).version, "a").required is True


def test_expressions_may_name_questions_but_not_groups(ctx):
    result = import_xlsform(
        survey_form(
            ["begin group", "g", "G"],
            ["integer", "n", "N", None, ". < ${later}"],
            ["text", "t", "T", "${g} = 1"],
            ["end group"],
            ["integer", "later", "Later"],
        )
    )
    assert where(result) == {("survey", 4, "relevant")}
    assert "unknown question ${g}" in messages(result.errors)


def test_unbalanced_groups_and_missing_columns(ctx):
    result = import_xlsform(survey_form(["begin group", "g", "G"], ["text", "a", "A"]))
    assert where(result) == {("survey", 2, "type")}
    result = import_xlsform(survey_form(["text", "a", "A"], ["end group"]))
    assert where(result) == {("survey", 3, "type")}
    result = import_xlsform(workbook(survey=[["name", "label"], ["a", "A"]]))
    assert where(result) == {("survey", 1, None)}
    result = import_xlsform(workbook(choices=YES_NO))
    assert "no “survey” sheet" in messages(result.errors)


def test_values_the_model_cannot_hold_are_refused(ctx):
    data = workbook(
        survey=[
            ["type", "name", "label", "default", "appearance", "max_length", "min_value", "params"],
            ["text", "a", "A", "x" * 201, "y" * 101, "1e10", "low"],
            ["text", "b", "B", None, None, "2.5"],
            ["range", "c", "C"],
        ]
    )
    assert where(import_xlsform(data)) == {
        ("survey", 2, "default"),
        ("survey", 2, "appearance"),
        ("survey", 2, "max_length"),
        ("survey", 2, "min_value"),
        ("survey", 3, "max_length"),
    }
    bad_range = workbook(
        survey=[["type", "name", "label", "Parameters"], ["range", "r", "R", "start=a"]]
    )
    assert where(import_xlsform(bad_range)) == {("survey", 2, "Parameters")}
    good_range = workbook(survey=[["type", "name", "label"], ["range", "r", "R"]])
    r = question(import_xlsform(good_range).version, "r")
    assert (r.min_value, r.max_value, r.integer_only, r.extra) == (1, 10, True, None)


def test_domain_measure_and_score_are_checked(ctx):
    data = workbook(
        survey=[
            ["type", "name", "label", "domain", "measure"],
            ["select_one yn", "a", "A", "no_such_domain", "want"],
            ["select_one yn", "b", "B", "youth", "Capacity"],
        ],
        choices=[["list_name", "name", "label", "score"], ["yn", "yes", "Yes", "many"]],
    )
    result = import_xlsform(data)
    assert where(result) == {
        ("survey", 2, "domain"),
        ("survey", 2, "measure"),
        ("choices", 2, "score"),
    }
