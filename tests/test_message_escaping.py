"""Text a user typed never becomes markup through a translated message (#13, finding 4).

Flask-Babel's lazy strings mark the whole formatted message safe, so a value
interpolated into ``_l("… %(x)s", x=...)`` reached the page unescaped. Our
``_l`` escapes the values when the message is rendered as HTML.
"""

from __future__ import annotations

import io
import re

import pytest
from babel.messages.pofile import read_po
from flask import render_template_string

from surveyapp.core.safe_text import lazy_gettext
from surveyapp.languages.catalog_files import TRANSLATIONS
from surveyapp.languages.registry import LANGUAGES, TRANSLATED_LANGUAGES
from tests.plans import builtin_version

PAYLOAD = '<meta http-equiv="refresh" content="0;url=//evil.example">'
PLACEHOLDER = re.compile(r"%\((\w+)\)([sd])")


def _messages_with_variables() -> list[str]:
    with (TRANSLATIONS / "sq" / "LC_MESSAGES" / "messages.po").open("rb") as fp:
        catalog = read_po(fp)
    ids = []
    for message in catalog:
        msgid = message.id[0] if isinstance(message.id, tuple) else message.id
        if msgid and PLACEHOLDER.search(msgid):
            ids.append(msgid)
    return ids


@pytest.mark.parametrize("lang", sorted(LANGUAGES))
def test_every_message_with_variables_escapes_them_in_html_in_every_language(app, lang):
    messages = _messages_with_variables()
    assert len(messages) > 20, "the catalog's messages with placeholders"
    with app.test_request_context(f"/{lang}/"):
        app.preprocess_request()
        for msgid in messages:
            values = {
                name: 7 if kind == "d" else PAYLOAD for name, kind in PLACEHOLDER.findall(msgid)
            }
            html = render_template_string("{{ m }}", m=lazy_gettext(msgid, **values))
            assert "<meta" not in html, (lang, msgid, html)
            if any(kind == "s" for _, kind in PLACEHOLDER.findall(msgid)):
                assert "&lt;meta" in html, (lang, msgid, html)


def test_outside_html_the_message_keeps_the_values_as_typed(app):
    with app.test_request_context("/en/"):
        message = lazy_gettext("Unknown: %(items)s", items="a<b")
        assert str(message) == "Unknown: a<b"


def test_a_planted_msgctxt_is_shown_as_text_in_the_upload_report(app, staff):
    translator = staff("translator")
    with app.app_context():
        version_id = builtin_version().id
    data = translator.client.get(f"/en/staff/translations/{version_id}/sq.po").data
    data = data.replace(
        b'msgctxt "privacy.consent"', b'msgctxt "' + PAYLOAD.encode().replace(b'"', b'\\"') + b'"'
    )
    refused = translator.post_form(
        f"/en/staff/translations/{version_id}/upload",
        {"language": "sq", "catalog": (io.BytesIO(data), "city_needs.sq.po")},
        content_type="multipart/form-data",
    )
    assert refused.status_code == 422
    html = refused.get_data(as_text=True)
    assert "<meta http-equiv" not in html
    assert "&lt;meta http-equiv" in html


def test_unknown_codes_on_the_invite_page_are_shown_as_text(app, staff):
    from sqlalchemy import select

    from surveyapp.extensions import db
    from surveyapp.models import Campaign

    with app.app_context():
        campaign_id = db.session.scalar(select(Campaign.id))
    analyst = staff("analyst")
    page = analyst.post_form(
        f"/en/staff/campaigns/{campaign_id}/invite",
        {"municipalities": ["<img src=x onerror=alert(1)>"], "roles": ["mayor"]},
    )
    html = page.get_data(as_text=True)
    assert "<img src=x" not in html
    assert "&lt;img src=x" in html


def test_translated_languages_are_all_checked():
    assert set(TRANSLATED_LANGUAGES) <= set(LANGUAGES)
