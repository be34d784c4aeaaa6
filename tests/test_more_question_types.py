"""The other XLSForm types on the respondent's path: "Other, specify", time, date and
time, location, choices from a file, hidden and recorded values, sub-headings; what is
stored, the review page, the exports and the XLSForm round trip."""

from __future__ import annotations

import csv
import io
import re
from datetime import date, datetime
from pathlib import Path

import openpyxl
import pytest
from sqlalchemy import select

from surveyapp.campaigns import lifecycle
from surveyapp.campaigns.tokens import new_token
from surveyapp.extensions import db
from surveyapp.models import Answer, Campaign, Invitation, Municipality, Question, Response
from surveyapp.questionnaires.editing import text_edits, version_edits
from surveyapp.questionnaires.xlsform.exporter import export_xlsform
from surveyapp.questionnaires.xlsform.importer import import_xlsform
from surveyapp.responses import exports
from surveyapp.responses.reads import saved_answers
from tests.conftest import Respondent
from tests.test_xlsform import messages, snapshot, workbook

EXAMPLES = Path(__file__).resolve().parents[2] / "shared" / "xlsforms"
needs_examples = pytest.mark.skipif(
    not EXAMPLES.is_dir(),
    reason=f"the example XLSForms are not there ({EXAMPLES}): CI puts shared/ beside the checkout",
)

SURVEY = [
    ["type", "name", "label", "label::Српски (sr)", "default", "relevant"],
    ["begin group", "first", "First", "Прво"],
    ["select_one colors or_other", "color", "Favourite colour?", "Омиљена боја?"],
    ["select_multiple colors or specify other", "colors", "Colours you like?", "Боје?"],
    ["time", "meeting", "When do meetings start?", "Када почињу састанци?", 0.3958333333],
    ["dateTime", "visit", "When was the last visit?", "Када је била последња посета?"],
    ["end group"],
    ["begin group", "second", "Second", "Друга страна"],
    ["gps", "place", "Where is the office?", "Где је канцеларија?"],
    ["begin group", "details", "Details", "Детаљи", None, "${meeting} < '12:00'"],
    ["select_one_from_file towns.csv", "town", "Nearest town?", "Најближи град?"],
    ["end group"],
    ["hidden", "batch", None, None, "batch-7"],
    ["start", "started"],
    ["end", "ended"],
    ["today", "day"],
    ["end group"],
]
#: Bosnian labels by name, in a last column (the form is offered in en, sr and bs).
BOSNIAN = {
    "first": "Prvo",
    "color": "Omiljena boja?",
    "colors": "Boje koje volite?",
    "meeting": "Kada počinju sastanci?",
    "visit": "Kada je bila posljednja posjeta?",
    "second": "Druga strana",
    "place": "Gdje je ured?",
    "details": "Detalji",
    "town": "Najbliži grad?",
}
SURVEY[0].append("label::Bosanski (bs)")
for _row in SURVEY[1:]:
    if len(_row) > 1 and _row[1] in BOSNIAN:
        _row.extend([None] * (6 - len(_row)) + [BOSNIAN[_row[1]]])
CHOICES = [
    ["list_name", "name", "label", "label::Српски (sr)", "label::Bosanski (bs)"],
    ["colors", "red", "Red", "Црвена", "Crvena"],
    ["colors", "blue", "Blue", "Плава", "Plava"],
]
TOWNS = (
    "name,label,label::Српски (sr),label::Bosanski (bs)\n"
    "struga,Struga,Струга,Struga\nohrid,Ohrid,Охрид,Ohrid\n"
).encode()


SETTINGS = [
    ["form_id", "title", "title::Српски (sr)", "title::Bosanski (bs)"],
    ["types", "Types", "Врсте", "Vrste"],
]


def _form() -> bytes:
    return workbook(survey=SURVEY, choices=CHOICES, settings=SETTINGS)


def _import(files: dict[str, bytes] | None = None):
    return import_xlsform(
        _form(), "types.xlsx", files={"towns.csv": TOWNS} if files is None else files
    )


def _campaign(app) -> str:
    """The form published in a campaign; an invitation in Struga (North Macedonia)."""
    with app.app_context():
        result = _import()
        assert result.ok, messages(result.errors)
        version = result.version
        text_edits.set_source_text(version.id, "privacy.text", "Your answers stay with us.")
        text_edits.set_source_text(version.id, "privacy.consent", "I agree.")
        text_edits.save_texts(
            version.id,
            {
                ("privacy.text", "sr"): "Ваши одговори остају код нас.",
                ("privacy.consent", "sr"): "Слажем се.",
                ("privacy.text", "bs"): "Vaši odgovori ostaju kod nas.",
                ("privacy.consent", "bs"): "Slažem se.",
            },
            {"privacy.text", "privacy.consent"},
        )
        version_edits.publish(version.id, leave_out_incomplete=True)
        campaign = lifecycle.create_campaign("Types campaign", version.id)
        town = db.session.scalar(select(Municipality).where(Municipality.code == "mk-struga"))
        token = new_token()
        db.session.add(Invitation(token=token, campaign=campaign, municipality=town, role="mayor"))
        db.session.commit()
        return token


def _stored(app, token: str) -> dict[str, object]:
    with app.app_context():
        invitation = db.session.scalar(select(Invitation).where(Invitation.token == token))
        response = db.session.scalar(
            select(Response).where(Response.invitation_id == invitation.id)
        )
        names = dict(db.session.execute(select(Question.id, Question.name)).all())
        return {names[qid]: value for qid, value in saved_answers(response).items()}


def _answer_count(app) -> int:
    with app.app_context():
        return len(db.session.scalars(select(Answer)).all())


FIRST_PAGE = {
    "color": "other",
    "color-other": "Turquoise",
    "colors": ["red", "other"],
    "colors-other": "Teal",
    "meeting": "09:15",
    "visit": "2026-03-29T10:00",
}


def test_the_form_imports_with_every_new_type(ctx):
    result = _import()
    assert result.ok, messages(result.errors)
    questions = {q.name: q for page in result.version.pages for q in page.questions}
    assert {n: q.type for n, q in questions.items()} == {
        "color": "single_choice",
        "colors": "multiple_choice",
        "meeting": "time",
        "visit": "datetime",
        "place": "geopoint",
        "details": "note",
        "town": "single_choice",
        "batch": "hidden",
        "started": "start",
        "ended": "end",
        "day": "today",
    }
    assert questions["color"].source_type == "or_other"
    assert questions["colors"].source_type == "or specify other"
    assert questions["meeting"].default == "09:30"  # a fraction of a day in the cell
    assert questions["place"].source_type == "gps"
    assert [c.value for c in questions["town"].choice_list.choices] == ["struga", "ohrid"]
    assert questions["town"].relevant == "${meeting} < '12:00'"


def test_a_missing_choices_file_is_named_and_nothing_is_written(ctx):
    result = _import(files={})
    assert not result.ok
    assert "The choices file “towns.csv” is missing" in messages(result.errors)
    assert {(e.sheet, e.row, e.column) for e in result.errors} == {("survey", 11, "type")}


def test_a_choice_without_a_label_takes_its_name_with_a_warning(ctx):
    choices = [*CHOICES, ["colors", "green"]]
    result = import_xlsform(
        workbook(survey=SURVEY, choices=choices), "t.xlsx", files={"towns.csv": TOWNS}
    )
    assert result.ok, messages(result.errors)
    assert "The choice “green” has no label: its name is its label" in messages(result.warnings)


def test_the_form_goes_out_and_comes_back_unchanged(ctx):
    version = _import().version
    data = export_xlsform(version.id)
    book = openpyxl.load_workbook(io.BytesIO(data))
    types = [row[0] for row in book["survey"].iter_rows(min_row=2, values_only=True)]
    assert "select_one colors or_other" in types and "gps" in types and "dateTime" in types
    assert "select_one_from_file towns.csv" in types and types.count("begin group") == 3
    assert [r[0] for r in book["external_choices"].iter_rows(min_row=2, values_only=True)] == [
        "towns.csv",
        "towns.csv",
    ]
    again = import_xlsform(data, "again.xlsx", name="types_again")  # the CSV is not needed now
    assert again.ok, messages(again.errors)
    assert not again.warnings, messages(again.warnings)
    assert snapshot(again.version.id) == snapshot(version.id)


@pytest.mark.parametrize(
    ("typed", "message"),
    [
        ({"color": "other"}, "You chose “Other”: please say what it is."),
        ({"colors": ["other"]}, "You chose “Other”: please say what it is."),
        ({"meeting": "25:00"}, "Please enter a time of day, for example 14:30."),
        ({"meeting": "noon"}, "Please enter a time of day, for example 14:30."),
        (
            {"visit": "2026-02-30T10:00"},
            "Please enter a date and a time, for example 2025-03-15 14:30.",
        ),
    ],
)
def test_bad_input_on_the_first_page_says_why_and_stores_nothing(app, client, typed, message):
    person = Respondent(client, _campaign(app), "en")
    person.consent()
    moved = person.answer_page(1, typed)
    assert moved.location.endswith("/p/1")
    assert message in person.get("/p/1").get_data(as_text=True)
    assert _stored(app, person.token) == {}


@pytest.mark.parametrize(
    ("typed", "message"),
    [
        ({"place-lat": "95", "place-lon": "21"}, "latitude as a number from -90 to 90"),
        ({"place-lat": "41", "place-lon": "-181"}, "longitude as a number from -180 to 180"),
        (
            {"place-lat": "41,5", "place-lon": ""},
            "Please enter both the latitude and the longitude.",
        ),
        ({"place-lat": "north", "place-lon": "21"}, "latitude as a number from -90 to 90"),
    ],
)
def test_a_location_out_of_range_says_why_and_stores_nothing(app, client, typed, message):
    person = Respondent(client, _campaign(app), "en")
    person.consent()
    person.answer_page(1, FIRST_PAGE)
    before = _stored(app, person.token)
    moved = person.answer_page(2, typed)
    assert moved.location.endswith("/p/2")
    assert message in person.get("/p/2").get_data(as_text=True)
    assert _stored(app, person.token) == before


def test_a_cyrillic_page_shows_the_new_inputs_and_its_messages(app, client):
    person = Respondent(client, _campaign(app), "sr")
    person.consent()
    page = person.get("/p/1").get_data(as_text=True)
    assert 'type="time"' in page and 'type="datetime-local"' in page
    assert 'value="09:30"' in page, "the form's default time"
    assert 'name="color-other"' in page and ">Друго</label>" in page
    person.answer_page(1, {"color": "other"})
    assert "Изабрали сте „Друго“" in person.get("/p/1").get_data(as_text=True)
    person.answer_page(1, FIRST_PAGE)
    second = person.get("/p/2").get_data(as_text=True)
    assert 'name="place-lat"' in second and 'name="place-lon"' in second
    assert "<legend" in second and "Географска ширина (−90 до 90)" in second
    assert "<h2>Детаљи</h2>" in second, "the sub-group's label as a heading"
    assert 'src="/static/geopoint.js' in second or "geopoint.js" in second


def test_answers_are_stored_reviewed_and_exported(app, client):
    person = Respondent(client, _campaign(app), "en")
    person.consent()
    assert person.answer_page(1, FIRST_PAGE).location.endswith("/p/2")
    typed = {"place-lat": "41,1786", "place-lon": "20.6783", "town": "struga"}
    assert person.answer_page(2, typed).location.endswith("/review")
    review = person.get("/review").get_data(as_text=True)
    assert "Other: Turquoise" in review and "Red; Other: Teal" in review, "in the list's order"
    assert "9:15" in review and "41.1786" in review and "Struga" in review
    assert person.submit().location.endswith("/thanks")

    stored = _stored(app, person.token)
    assert stored["color"] == "other" and stored["color"].other == "Turquoise"
    assert stored["colors"] == ["other", "red"] and stored["colors"].other == "Teal"
    assert stored["meeting"] == "09:15"
    # Skopje is on summer time from 29 March 2026, 02:00: the offset is +02:00.
    assert stored["visit"] == "2026-03-29T10:00+02:00"
    assert stored["place"] == "41.1786 20.6783"
    assert stored["batch"] == "batch-7"
    for name in ("started", "ended"):
        assert re.fullmatch(r"\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\+0[12]:00", stored[name])
    assert date.fromisoformat(stored["day"]) == datetime.fromisoformat(stored["ended"]).date()

    with app.app_context():
        campaign_id = db.session.scalar(
            select(Campaign.id).where(Campaign.name == "Types campaign")
        )
        rows = list(exports.response_rows(campaign_id, None))
        book = openpyxl.load_workbook(exports.workbook(campaign_id, None, False, "en"))
    header, row = rows[0], rows[1]
    cells = dict(zip(header, row, strict=True))
    assert cells["color"] == "other" and cells["color_other"] == "Turquoise"
    assert (
        cells["colors/other"] == 1 and cells["colors/red"] == 1 and cells["colors_other"] == "Teal"
    )
    assert cells["meeting"] == "09:15" and cells["visit"] == "2026-03-29T10:00+02:00"
    assert (cells["place_latitude"], cells["place_longitude"]) == (41.1786, 20.6783)
    assert cells["batch"] == "batch-7" and "details" not in cells
    sheet = book["responses"]
    xlsx = dict(zip(*[[c.value for c in r] for r in sheet.iter_rows(max_row=2)], strict=True))
    assert xlsx["color_other"] == "Turquoise" and xlsx["place_latitude"] == 41.1786
    assert xlsx["visit"] == "2026-03-29T10:00+02:00"
    codebook = [r[0] for r in book["codebook"].iter_rows(values_only=True)]
    assert "color_other" in codebook and "place_longitude" in codebook


def test_the_csv_export_holds_the_new_columns(app, client, staff):
    person = Respondent(client, _campaign(app), "en")
    person.consent()
    person.answer_page(1, FIRST_PAGE)
    person.answer_page(2, {"place-lat": "41.5", "place-lon": "20.5", "town": "ohrid"})
    person.submit()
    with app.app_context():
        campaign_id = db.session.scalar(
            select(Campaign.id).where(Campaign.name == "Types campaign")
        )
    staff().login()
    body = client.get(f"/en/staff/campaigns/{campaign_id}/responses.csv").get_data(as_text=True)
    table = list(csv.DictReader(io.StringIO(body.lstrip("\ufeff"))))
    assert table[0]["color_other"] == "Turquoise" and table[0]["place_longitude"] == "20.5"
    assert table[0]["town"] == "ohrid" and table[0]["meeting"] == "09:15"


@pytest.mark.parametrize("fmt", ["sav", "dta"])
def test_statistical_files_give_each_new_column_a_variable(app, client, fmt, tmp_path):
    import pyreadstat

    from surveyapp.responses.statistical_files import write_statistical_file

    person = Respondent(client, _campaign(app), "en")
    person.consent()
    person.answer_page(1, FIRST_PAGE)
    person.answer_page(2, {"place-lat": "41.5", "place-lon": "20.5", "town": "ohrid"})
    person.submit()
    path = tmp_path / f"out.{fmt}"
    with app.app_context():
        campaign_id = db.session.scalar(
            select(Campaign.id).where(Campaign.name == "Types campaign")
        )
        write_statistical_file(fmt, campaign_id, "en", False, path)
    frame, meta = (pyreadstat.read_sav if fmt == "sav" else pyreadstat.read_dta)(str(path))
    labels = dict(zip(meta.column_names, meta.column_labels, strict=True))
    assert labels["place_latitude"] == "Where is the office?: latitude"
    assert labels["color_other"] == "Favourite colour?: the “Other” answer in words"
    row = frame.iloc[0]
    # "colors/other" (ticked or not) is the variable colors_other: the text gets another name
    assert row["color_other"] == "Turquoise" and "Teal" in set(row.values)
    assert row["place_latitude"] == 41.5 and row["place_longitude"] == 20.5
    assert row["meeting"] == "09:15" and row["visit"] == "2026-03-29T10:00+02:00"


@needs_examples
@pytest.mark.parametrize(
    "filename",
    [
        "or_other.xlsx",
        "default_time_demo.xls",
        "gps.xls",
        "hidden.xls",
        "choice_name_as_type.xls",
        "table-list.xls",  # choices without a label
        "xml_escaping.xls",
    ],
)
def test_example_forms_of_these_types_round_trip(ctx, filename):
    data = (EXAMPLES / filename).read_bytes()
    if filename == "or_other.xlsx":  # its filter compares with an unquoted word; quote it
        book = openpyxl.load_workbook(io.BytesIO(data))
        book["survey"]["D3"] = "pastel='yes'"
        buffer = io.BytesIO()
        book.save(buffer)
        data = buffer.getvalue()
    result = import_xlsform(data, filename)
    assert result.ok, messages(result.errors)
    again = import_xlsform(export_xlsform(result.version.id), "x.xlsx", name="again")
    assert again.ok, messages(again.errors)
    assert snapshot(again.version.id) == snapshot(result.version.id)


@pytest.fixture
def ctx(app):
    with app.app_context():
        yield


def test_the_import_page_takes_the_choices_file_beside_the_form(app, staff):
    analyst = staff("analyst")
    page = analyst.client.get("/en/staff/questionnaires/import").get_data(as_text=True)
    assert 'name="choice_files"' in page and "multiple" in page
    refused = analyst.post_form(
        "/en/staff/questionnaires/import",
        {"form_file": (io.BytesIO(_form()), "types.xlsx")},
        content_type="multipart/form-data",
    )
    assert refused.status_code == 422
    assert "The choices file “towns.csv” is missing" in refused.get_data(as_text=True)
    made = analyst.post_form(
        "/en/staff/questionnaires/import",
        {
            "form_file": (io.BytesIO(_form()), "types.xlsx"),
            "choice_files": [(io.BytesIO(TOWNS), "towns.csv")],
        },
        content_type="multipart/form-data",
    )
    assert made.status_code == 303, made.get_data(as_text=True)
    with app.app_context():
        town = db.session.scalar(select(Question).where(Question.name == "town"))
        assert [c.value for c in town.choice_list.choices] == ["struga", "ohrid"]


def test_a_page_with_a_mistake_keeps_what_was_typed_beside_the_choices(app, client):
    person = Respondent(client, _campaign(app), "en")
    person.consent()
    person.answer_page(1, {**FIRST_PAGE, "meeting": "25:00"})
    again = person.get("/p/1").get_data(as_text=True)
    assert "Please enter a time of day" in again
    assert 'name="color-other" type="text" maxlength="200" value="Turquoise"' in again
    assert 'value="Teal"' in again and 'value="25:00"' in again
    assert _stored(app, person.token) == {}
    person.answer_page(1, FIRST_PAGE)
    person.answer_page(2, {"place-lat": "41.5", "place-lon": "200"})
    assert 'value="41.5"' in person.get("/p/2").get_data(as_text=True)


def test_expressions_read_the_other_text_and_compare_times(ctx):
    from surveyapp.questionnaires import rules
    from surveyapp.questionnaires.more_fields import with_other

    survey = [
        ["type", "name", "label", "relevant"],
        ["select_one colors or_other", "fav", "Colour?"],
        ["time", "opens", "Opens at?"],
        ["text", "why", "Why that colour?", "${fav_other} = 'teal' and ${opens} < '12:00'"],
    ]
    result = import_xlsform(workbook(survey=survey, choices=CHOICES), "expr.xlsx")
    assert result.ok, messages(result.errors)
    version = result.version
    why = next(q for q in version.pages[0].questions if q.name == "why")
    answers = {"fav": with_other("other", "teal"), "opens": "09:30"}
    assert why in rules.relevant_questions(version.pages[0], rules.all_values(version, answers))
    later = {**answers, "opens": "13:15"}
    assert why not in rules.relevant_questions(version.pages[0], rules.all_values(version, later))


def test_the_version_codebook_says_what_each_new_column_holds(ctx):
    from surveyapp.responses.version_codebook import version_codebook

    version = _import().version
    entries = {e.column: e for e in version_codebook(version.id, "sr").entries}
    assert entries["place_latitude"].type_name == "Број"
    assert entries["place_latitude"].texts["sr"] == "Где је канцеларија?: географска ширина"
    assert entries["color_other"].texts["en"] == "Favourite colour?: the “Other” answer in words"
    assert entries["visit"].type_name == "Датум и време, са разликом у односу на UTC"
    assert {"meeting", "batch", "started", "ended", "day", "town"} <= set(entries)


def test_the_api_gives_the_new_columns_as_json_and_csv(app, client):
    from tests.api_support import bearer, make_token

    person = Respondent(client, _campaign(app), "en")
    person.consent()
    person.answer_page(1, FIRST_PAGE)
    person.answer_page(2, {"place-lat": "41.5", "place-lon": "20.5", "town": "ohrid"})
    person.submit()
    with app.app_context():
        campaign_id = db.session.scalar(
            select(Campaign.id).where(Campaign.name == "Types campaign")
        )
    headers = bearer(make_token(app))
    reply = client.get(f"/api/v1/responses?campaign={campaign_id}", headers=headers)
    assert reply.status_code == 200, reply.get_data(as_text=True)
    row = reply.get_json()["responses"][0]
    assert row["color_other"] == "Turquoise" and row["place_longitude"] == 20.5
    assert row["visit"] == "2026-03-29T10:00+02:00" and row["meeting"] == "09:15"
    assert date.fromisoformat(row["day"])  # a date as ISO text, like the other dates
    csv_reply = client.get(f"/api/v1/responses?campaign={campaign_id}&format=csv", headers=headers)
    assert csv_reply.status_code == 200 and "color_other" in csv_reply.get_data(as_text=True)
