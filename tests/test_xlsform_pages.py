"""XLSForm through the browser's forms and the command line."""

from __future__ import annotations

import io
import zipfile
from pathlib import Path

import pytest
from openpyxl import load_workbook
from sqlalchemy import func, select

from surveyapp.extensions import db
from surveyapp.models import Questionnaire
from tests.plans import builtin_version

SHARED = Path(__file__).resolve().parents[2] / "shared" / "xlsforms"


def _shared(name: str) -> bytes:
    if not SHARED.is_dir():
        pytest.skip(f"../shared/xlsforms is not beside the project ({SHARED})")
    return (SHARED / name).read_bytes()


def _count(app) -> int:
    with app.app_context():
        return db.session.scalar(select(func.count()).select_from(Questionnaire))


def test_upload_an_xlsform_then_download_it(app, staff):
    analyst = staff("analyst")
    before = _count(app)
    made = analyst.post_form(
        "/en/staff/questionnaires/import",
        {"form_file": (io.BytesIO(_shared("group.xlsx")), "group.xlsx"), "name": "family"},
        content_type="multipart/form-data",
    )
    assert made.status_code == 303, made.get_data(as_text=True)
    assert _count(app) == before + 1
    editor = analyst.client.get(made.location).get_data(as_text=True)
    assert "family" in editor and "draft" in editor
    version_id = made.location.rstrip("/").rsplit("/", 1)[1]
    with analyst.client.get(f"/en/staff/questionnaires/{version_id}/xlsform.xlsx") as got:
        assert got.status_code == 200
        data = got.data
    workbook = load_workbook(io.BytesIO(data), read_only=True)
    assert {"survey", "choices", "settings"} <= set(workbook.sheetnames)
    workbook.close()


def test_a_refused_xlsform_says_where_and_changes_nothing(app, staff):
    analyst = staff("analyst")
    before = _count(app)
    refused = analyst.post_form(
        "/en/staff/questionnaires/import",
        {"form_file": (io.BytesIO(_shared("case_insensitivity.xlsx")), "case.xlsx")},
        content_type="multipart/form-data",
    )
    assert refused.status_code == 422
    html = refused.get_data(as_text=True)
    assert "SURVEY" in html and "row 4" in html and "Nothing was changed." in html
    assert _count(app) == before


def test_a_file_that_is_not_a_spreadsheet_is_refused(app, staff):
    analyst = staff("analyst")
    refused = analyst.post_form(
        "/en/staff/questionnaires/import",
        {"form_file": (io.BytesIO(b"%PDF-1.4 not a spreadsheet"), "form.xlsx")},
        content_type="multipart/form-data",
    )
    assert refused.status_code == 422


def test_the_command_line_exports_and_imports(app, runner, tmp_path):
    target = tmp_path / "city_needs.xlsx"
    exported = runner.invoke(args=["export-xlsform", "city_needs", "-o", str(target)])
    assert exported.exit_code == 0, exported.output
    imported = runner.invoke(args=["import-xlsform", str(target), "--name", "city_needs_copy"])
    assert imported.exit_code == 0, imported.output
    assert "Imported city_needs_copy as a draft" in imported.output
    with app.app_context():
        source = builtin_version()
        copy = db.session.scalar(
            select(Questionnaire).where(Questionnaire.name == "city_needs_copy")
        )
        assert [len(p.questions) for p in copy.versions[0].pages] == [
            len(p.questions) for p in source.pages
        ]
    again = runner.invoke(args=["import-xlsform", str(target), "--name", "city_needs_copy"])
    assert again.exit_code != 0 and "Nothing was imported." in again.output


def _with_doctype(xlsx: bytes, doctype: bytes, encoding: str = "utf-8") -> bytes:
    """The workbook with a DTD (and an entity used in a cell) in its first sheet."""
    source = zipfile.ZipFile(io.BytesIO(xlsx))
    out = io.BytesIO()
    with zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED) as target:
        for item in source.infolist():
            data = source.read(item.filename)
            if item.filename == "xl/worksheets/sheet1.xml":
                text = data.decode("utf-8")
                head, rest = text.split("?>", 1) if text.startswith("<?xml") else ("", text)
                text = (head + "?>" if head else "") + doctype.decode() + rest
                data = text.encode(encoding)
            target.writestr(item, data)
    return out.getvalue()


LAUGHS = (
    b'<!DOCTYPE lolz [<!ENTITY lol "lol"><!ENTITY lol2 "&lol;&lol;&lol;&lol;&lol;&lol;">'
    b'<!ENTITY lol3 "&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;">]>'
)
EXTERNAL = b'<!DOCTYPE x [<!ENTITY xxe SYSTEM "file:///etc/passwd">]>'


@pytest.mark.parametrize("doctype", [LAUGHS, EXTERNAL, b"<!DOCTYPE worksheet>"])
def test_an_xlsform_with_a_dtd_is_refused_cleanly(app, staff, doctype):
    analyst = staff("analyst")
    before = _count(app)
    with analyst.client.get(f"/en/staff/questionnaires/{_builtin_id(app)}/xlsform.xlsx") as got:
        xlsx = got.data
    refused = analyst.post_form(
        "/en/staff/questionnaires/import",
        {"form_file": (io.BytesIO(_with_doctype(xlsx, doctype)), "form.xlsx"), "name": "dtd"},
        content_type="multipart/form-data",
    )
    assert refused.status_code in (200, 422), refused.status_code
    assert "document type declaration" in refused.get_data(as_text=True)
    assert _count(app) == before


def _builtin_id(app) -> int:
    with app.app_context():
        return builtin_version().id
