"""What pyxform's spec test (attribute_columns_test.xlsx) needs: names with a hyphen,
and ODK types without a like here read as the nearest thing the app has: ``barcode``
(typed), ``acknowledge`` (one choice "OK") and a note whose only label is an image."""

from __future__ import annotations

import io

import openpyxl
import pytest

from surveyapp.questionnaires.editing.errors import EditError, check_question_name
from surveyapp.questionnaires.expressions import check
from surveyapp.questionnaires.xlsform.exporter import export_xlsform
from surveyapp.questionnaires.xlsform.importer import import_xlsform
from surveyapp.responses.variables import unique_names
from surveyapp.web.authoring.editor_routes import EDIT_ERRORS
from tests.test_xlsform import ctx, messages, question, round_trip, survey_form, texts
from tests.test_xlsform_examples import (
    _answer_every_page,
    _campaign_with_invitation,
    _check_exports,
)

__all__ = ["ctx"]  # the fixture, used by name


def _survey_types(version_id: int) -> dict[str, str]:
    book = openpyxl.load_workbook(io.BytesIO(export_xlsform(version_id)))
    rows = list(book["survey"].iter_rows(values_only=True))
    at = {h: i for i, h in enumerate(rows[0])}
    return {r[at["name"]]: r[at["type"]] for r in rows[1:] if r[at["name"]]}


def test_a_barcode_is_typed_in_a_text_box_and_exported_as_barcode(ctx):
    result = import_xlsform(survey_form(["barcode", "code", "Scan the code"]))
    assert result.ok, messages(result.errors)
    code = question(result.version, "code")
    assert (code.type, code.source_type) == ("short_text", "barcode")
    assert "the code is typed in a text box" in messages(result.warnings)
    assert _survey_types(result.version.id)["code"] == "barcode"
    again = import_xlsform(export_xlsform(result.version.id), "export.xlsx", name="again")
    assert again.ok, messages(again.errors)
    assert question(again.version, "code").source_type == "barcode"


def test_acknowledge_is_one_choice_ok_and_exported_as_acknowledge(ctx):
    result = import_xlsform(
        survey_form(["acknowledge", "agree", "I agree"], ["acknowledge", "seen", "Seen"])
    )
    assert result.ok, messages(result.errors)
    agree, seen = question(result.version, "agree"), question(result.version, "seen")
    assert (agree.type, agree.source_type) == ("single_choice", "acknowledge")
    assert [c.value for c in agree.choice_list.choices] == ["OK"]
    assert seen.choice_list_id == agree.choice_list_id
    assert texts(result.version.id)[(f"choice.{agree.choice_list.name}.OK.label", "en")] == "OK"
    exported = _survey_types(result.version.id)
    assert (exported["agree"], exported["seen"]) == ("acknowledge", "acknowledge")
    book = openpyxl.load_workbook(io.BytesIO(export_xlsform(result.version.id)))
    assert "OK" not in [r[1] for r in book["choices"].iter_rows(values_only=True)]
    again = round_trip(result.version.id, "again")
    assert question(again, "agree").source_type == "acknowledge"
    assert [c.value for c in question(again, "agree").choice_list.choices] == ["OK"]


def test_a_note_whose_only_label_is_an_image_is_taken_with_a_warning(ctx):
    data = survey_form(
        ["note", "picture", "", "", "", "", "map.jpg"],
        ["text", "a", "A"],
    )
    book = openpyxl.load_workbook(io.BytesIO(data))
    book["survey"].cell(1, 7, "image")
    buffer = io.BytesIO()
    book.save(buffer)
    result = import_xlsform(buffer.getvalue())
    assert result.ok, messages(result.errors)
    assert question(result.version, "picture").type == "note"
    assert "this note has no text" in messages(result.warnings)


def test_a_question_whose_only_label_is_an_image_is_still_refused(ctx):
    data = survey_form(["text", "a", "", "", "", "", "map.jpg"])
    book = openpyxl.load_workbook(io.BytesIO(data))
    book["survey"].cell(1, 7, "image")
    buffer = io.BytesIO()
    book.save(buffer)
    result = import_xlsform(buffer.getvalue())
    assert not result.ok
    assert "The question has no label" in messages(result.errors)


def test_hyphen_names_are_read_referred_to_answered_and_exported(app, client, tmp_path):
    app.config["UPLOAD_FOLDER"] = str(tmp_path / "uploads")
    form = survey_form(
        ["select_one yn", "label-test", "Agree?"],
        ["text", "why-so", "Why?", "${label-test} = 'yes'"],
        ["note", "said-note", "You said ${why-so}"],
        ["begin repeat", "visit-log", "Visits"],
        ["integer", "visit-count", "How many?", "${label-test} != ''"],
        ["end repeat"],
    )
    with app.app_context():
        result = import_xlsform(form, "hyphens.xlsx", name="x_hyphens")
        assert result.ok, messages(result.errors)
        version_id = result.version.id
        assert check("${label-test} = 'yes'", {"label-test"}).text
        campaign_id, token = _campaign_with_invitation(version_id)
    answered = _answer_every_page(app, client, token, version_id)
    assert answered.values["label-test"] == "yes"
    assert answered.values["why-so"]  # shown: its condition read ${label-test}
    assert answered.entries["visit-log"]
    with app.app_context():
        _check_exports(campaign_id, version_id, answered)
        assert round_trip(version_id, "again").id
    assert unique_names(["label-test", "label_test"], "sav") == {
        "label-test": "label_test",
        "label_test": "label_test_2",
    }
    assert unique_names(["visit-count"], "dta") == {"visit-count": "visit_count"}


def test_the_editor_keeps_hyphen_names_but_not_a_leading_hyphen():
    check_question_name("label-test")
    with pytest.raises(EditError) as refused:
        check_question_name("-label")
    assert refused.value.code == "bad_question_name"
    assert "bad_question_name" in EDIT_ERRORS
    with pytest.raises(EditError):
        check_question_name("label.test")


def test_a_name_starting_with_a_hyphen_is_refused_saying_what_a_name_may_hold(ctx):
    result = import_xlsform(survey_form(["text", "-ab", "A"], ["text", "ok", "B"]))
    assert not result.ok
    assert "up to 64 letters, digits, _ and -" in messages(result.errors)
