"""A translator's catalog upload takes its language from the file's ``Language`` header
and refuses only a real difference; the one-text editor says which language it edits."""

from __future__ import annotations

import io
import re

import pytest
from babel.messages.pofile import read_po, write_po
from sqlalchemy import select

from surveyapp.extensions import db
from surveyapp.languages.negotiation import language_for_catalog
from surveyapp.models import TextEntry
from surveyapp.questionnaires.texts import source_hash
from tests.plans import builtin_version

TITLE = "questionnaire.title"


@pytest.mark.parametrize(
    ("header", "code"),
    [
        ("mk", "mk"),
        ("MK", "mk"),
        ("mk_MK", "mk"),
        ("mk-MK", "mk"),
        ("sq_AL", "sq"),
        ("sq-XK", "sq"),
        ("bs_BA.UTF-8", "bs"),
        ("sr", "sr"),
        ("sr_RS", "sr"),
        ("sr_Cyrl", "sr"),
        ("sr_Latn", "sr-Latn"),
        ("sr-Latn", "sr-Latn"),
        ("SR_LATN", "sr-Latn"),
        ("sr-latn-RS", "sr-Latn"),
        ("sr@latin", "sr-Latn"),
        ("sr_RS@latin", "sr-Latn"),
        ("cnr", "cnr"),
        ("CNR_ME", "cnr"),
        ("sr_ME", "cnr"),
        ("sr_Latn_ME", "cnr"),
        ("en_US", "en"),
        ("hr", "hr"),
        ("hr_HR", "hr"),
        ("HR-ba", "hr"),
        # Nothing stands in for another language or script.
        ("sh", None),
        ("hr_Cyrl", None),
        ("sl_SI", None),
        ("de", None),
        ("mk_Latn", None),
        ("bs_Cyrl", None),
        ("", None),
    ],
)
def test_a_catalogs_language_header_is_read_in_any_usual_spelling(header, code):
    assert language_for_catalog(header) == code


def _catalog(app, client, lang: str, title: str, header: str | None = None) -> bytes:
    """The exported catalog of ``lang`` with a new title, its Language header replaced."""
    version_id = _version_id(app)
    data = client.get(f"/en/staff/translations/{version_id}/{lang}.po").data
    catalog = read_po(io.BytesIO(data))
    catalog.get(_title(app, "en"), context=TITLE).string = title
    buffer = io.BytesIO()
    write_po(buffer, catalog)
    text = buffer.getvalue().decode()
    if header is not None:
        text, found = re.subn(r'"Language: [^"\\]*\\n"', f'"Language: {header}\\\\n"', text)
        assert found == 1
    return text.encode()


def _version_id(app) -> int:
    with app.app_context():
        return builtin_version().id


def _title(app, lang: str) -> str:
    with app.app_context():
        return db.session.scalar(
            select(TextEntry.text).where(TextEntry.key == TITLE, TextEntry.lang == lang)
        )


def _upload(app, translator, data: bytes, language: str = "", lang: str = "en"):
    return translator.post_form(
        f"/{lang}/staff/translations/{_version_id(app)}/upload",
        {"language": language, "catalog": (io.BytesIO(data), "city_needs.po")},
        content_type="multipart/form-data",
    )


def test_the_upload_form_reads_the_language_from_the_file_by_default(app, staff):
    html = (
        staff("translator")
        .client.get(f"/en/staff/translations/{_version_id(app)}/upload")
        .get_data(as_text=True)
    )
    first = re.search(r'<select[^>]*name="language"[^>]*>\s*<option([^>]*)>([^<]*)', html)
    assert first and 'value=""' in first.group(1) and "selected" in first.group(1)
    assert "Language" in first.group(2)


def test_without_a_choice_the_header_decides_even_in_another_spelling(app, staff):
    translator = staff("translator")
    data = _catalog(app, translator.client, "mk", "Локални потреби", header="mk_MK")
    done = _upload(app, translator, data, lang="mk")
    assert done.status_code == 303
    assert _title(app, "mk") == "Локални потреби"
    flashed = translator.client.get(done.location).get_data(as_text=True)
    assert "Македонски" in flashed


@pytest.mark.parametrize("header", ["mk_MK", "MK", "mk-mk"])
def test_a_chosen_language_matching_the_header_in_another_spelling_is_accepted(app, staff, header):
    translator = staff("translator")
    data = _catalog(app, translator.client, "mk", "Локални потреби", header=header)
    assert _upload(app, translator, data, language="mk").status_code == 303
    assert _title(app, "mk") == "Локални потреби"


def test_a_real_mismatch_is_refused_in_the_translators_language(app, staff):
    translator = staff("translator")
    before = _title(app, "mk")
    data = _catalog(app, translator.client, "sr", "Локалне потребе")  # Language: sr
    refused = _upload(app, translator, data, language="mk", lang="mk")
    assert refused.status_code == 422
    html = refused.get_data(as_text=True)
    assert "Српски (sr)" in html and "Македонски (mk)" in html
    assert "Ништо не е променето" in html or "ништо не е променето" in html.lower()
    assert _title(app, "mk") == before


@pytest.mark.parametrize(
    ("header", "language", "says"),
    [
        ("sl_SI", "", "sl_SI"),
        ("sl_SI", "bs", "sl_SI"),  # a header we do not have is refused even with a choice
        ("de", "mk", "de"),
        ("sr_Latn", "", "Srpski (latinica) (sr-Latn)"),
        ("sr_Latn", "sr", "Srpski (latinica) (sr-Latn)"),
        ("en", "", "English"),
    ],
)
def test_a_header_naming_a_language_we_cannot_import_is_refused_clearly(
    app, staff, header, language, says
):
    translator = staff("translator")
    before = {code: _title(app, code) for code in ("sq", "bs", "mk", "sr")}
    data = _catalog(app, translator.client, "bs", "Lokalne potrebe", header=header)
    refused = _upload(app, translator, data, language=language)
    assert refused.status_code == 422
    html = refused.get_data(as_text=True)
    assert says in html and "Nothing was changed." in html
    assert {code: _title(app, code) for code in before} == before


def test_a_file_without_a_language_needs_a_choice(app, staff):
    translator = staff("translator")
    data = _catalog(app, translator.client, "sq", "Nevojat vendore")
    data = re.sub(rb'"Language: [^"\\]*\\n"\n', b"", data)
    refused = _upload(app, translator, data)
    assert refused.status_code == 422
    assert "does not say which language" in refused.get_data(as_text=True)
    assert _upload(app, translator, data, language="sq").status_code == 303
    assert _title(app, "sq") == "Nevojat vendore"


def test_the_one_text_editor_says_which_language_it_edits(app, staff):
    translator = staff("translator")
    version_id = _version_id(app)
    with app.app_context():
        row = db.session.scalar(
            select(TextEntry).where(TextEntry.key == TITLE, TextEntry.lang == "en")
        )
        row.text, row.source_hash = "Local needs", source_hash("Local needs")
        db.session.commit()
    for lang, heading in (("en", "Translate a text into"), ("bs", "")):
        html = translator.client.get(
            f"/{lang}/staff/translations/{version_id}/mk/edit?key={TITLE}"
        ).get_data(as_text=True)
        h1 = re.search(r"<h1>(.*?)</h1>", html, re.S).group(1)
        assert '<span lang="mk">Македонски</span>' in h1
        assert heading in h1
        assert "Македонски" in re.search(r"<title>(.*?)</title>", html, re.S).group(1)


def test_an_unchanged_catalog_says_so_instead_of_zero_texts_updated(app, staff):
    translator = staff("translator")
    data = translator.client.get(f"/sq/staff/translations/{_version_id(app)}/sq.po").data
    done = _upload(app, translator, data, lang="sq")
    assert done.status_code == 303
    html = translator.client.get(done.location).get_data(as_text=True)
    assert "Shqip:" in html and "0 tekste" not in html
