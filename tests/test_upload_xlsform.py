"""XLSForm's file questions (#20): image (and its old name photo), audio, video and
file import with their parameters, export back and import again unchanged; the SPSS
and Stata files carry each file's staff link as a text variable."""

from __future__ import annotations

import pytest

from surveyapp.questionnaires.xlsform.importer import import_xlsform
from surveyapp.uploads import kinds
from tests.test_xlsform import messages, question, round_trip, snapshot, workbook

SURVEY = [
    ["type", "name", "label", "parameters", "body::accept"],
    ["image", "site_photo", "A photo of the site", "max-pixels=1024", ""],
    ["photo", "old_photo", "A photo, as old forms say", "", ""],
    ["audio", "statement", "Record a short statement", "", ""],
    ["video", "walk", "A short video", "", ""],
    ["file", "plan", "Your action plan", "max-size=2MB", ".pdf,.docx"],
]


@pytest.fixture
def ctx(app):
    with app.app_context():
        yield


def test_file_questions_import_and_come_back_unchanged(ctx):
    result = import_xlsform(workbook(survey=SURVEY), "uploads.xlsx")
    assert result.ok, messages(result.errors)
    version = result.version
    assert [question(version, n).type for n in ("site_photo", "old_photo", "statement")] == [
        "image",
        "image",
        "audio",
    ]
    assert question(version, "walk").type == "video" and question(version, "plan").type == "file"
    assert question(version, "old_photo").source_type == "photo"
    plan = kinds.limits_for("file", question(version, "plan").extra)
    assert plan.accepted == {"pdf", "docx"} and plan.max_bytes == 2 * kinds.MB
    assert kinds.limits_for("image", question(version, "site_photo").extra).max_pixels == 1024
    again = round_trip(version.id, "uploads_again")
    assert snapshot(again.id) == snapshot(version.id)
