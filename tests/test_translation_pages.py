"""The translators' pages: status matrix, catalog download and upload, one-text fixes."""

from __future__ import annotations

import io

from babel.messages.pofile import read_po, write_po
from sqlalchemy import select

from surveyapp.extensions import db
from surveyapp.models import TextEntry
from surveyapp.questionnaires.texts import source_hash
from tests.plans import builtin_version

TITLE = "questionnaire.title"


def _version_id(app) -> int:
    with app.app_context():
        return builtin_version().id


def _title(app, lang: str) -> str:
    with app.app_context():
        return db.session.scalar(
            select(TextEntry.text).where(TextEntry.key == TITLE, TextEntry.lang == lang)
        )


def _change_source(app, key: str, text: str) -> None:
    with app.app_context():
        row = db.session.scalar(
            select(TextEntry).where(TextEntry.key == key, TextEntry.lang == "en")
        )
        row.text, row.source_hash = text, source_hash(text)
        db.session.commit()


def test_the_status_page_shows_every_language_and_part(app, staff):
    html = staff("translator").client.get("/en/staff/translations").get_data(as_text=True)
    for autonym in ("Shqip", "Bosanski", "Македонски", "Српски", "Crnogorski"):
        assert autonym in html
    assert "Interface" in html and "city_needs v1" in html
    assert "100 %" in html


def test_an_out_of_date_text_is_listed_with_a_link_that_fixes_it(app, staff):
    translator = staff("translator")
    _change_source(app, TITLE, "Local needs and priorities")
    html = translator.client.get("/en/staff/translations").get_data(as_text=True)
    assert "out of date" in html
    version_id = _version_id(app)
    fix = f"/en/staff/translations/{version_id}/mk/edit?key={TITLE}"
    assert fix.replace("&", "&amp;") in html or fix in html
    edit_page = translator.client.get(fix).get_data(as_text=True)
    assert "Local needs and priorities" in edit_page
    saved = translator.post_form(fix, {"text": "Локални потреби и приоритети"})
    assert saved.status_code == 303
    assert _title(app, "mk") == "Локални потреби и приоритети"
    html = translator.client.get("/en/staff/translations").get_data(as_text=True)
    assert f"/{version_id}/mk/edit?key={TITLE}" not in html


def test_upload_a_translated_catalog(app, staff):
    translator = staff("translator")
    version_id = _version_id(app)
    download = translator.client.get(f"/en/staff/translations/{version_id}/sq.po")
    assert download.status_code == 200
    assert "attachment" in download.headers["Content-Disposition"]
    catalog = read_po(io.BytesIO(download.data))
    catalog.get(_title(app, "en"), context=TITLE).string = "Nevojat dhe prioritetet vendore"
    buffer = io.BytesIO()
    write_po(buffer, catalog)
    url = f"/en/staff/translations/{version_id}/upload"
    done = translator.post_form(
        url,
        {"language": "sq", "catalog": (io.BytesIO(buffer.getvalue()), "city_needs.sq.po")},
        content_type="multipart/form-data",
    )
    assert done.status_code == 303
    assert _title(app, "sq") == "Nevojat dhe prioritetet vendore"


def test_a_refused_upload_reports_by_line_and_changes_nothing(app, staff):
    translator = staff("translator")
    version_id = _version_id(app)
    before = _title(app, "sq")
    data = translator.client.get(f"/en/staff/translations/{version_id}/sq.po").data
    data = data.replace(b'msgctxt "privacy.consent"', b'msgctxt "q.does_not_exist.label"')
    data = data.replace(before.encode(), b"Titull i ri")
    refused = translator.post_form(
        f"/en/staff/translations/{version_id}/upload",
        {"language": "sq", "catalog": (io.BytesIO(data), "city_needs.sq.po")},
        content_type="multipart/form-data",
    )
    assert refused.status_code == 422
    html = refused.get_data(as_text=True)
    assert "q.does_not_exist.label" in html and "Line " in html and "Nothing was changed." in html
    assert _title(app, "sq") == before


def test_uploading_the_wrong_language_is_refused(app, staff):
    translator = staff("translator")
    version_id = _version_id(app)
    data = translator.client.get(f"/en/staff/translations/{version_id}/sr.po").data
    refused = translator.post_form(
        f"/en/staff/translations/{version_id}/upload",
        {"language": "mk", "catalog": (io.BytesIO(data), "city_needs.sr.po")},
        content_type="multipart/form-data",
    )
    assert refused.status_code == 422
    assert "not for" in refused.get_data(as_text=True)
