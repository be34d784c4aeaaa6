"""A campaign's export page: reached from the overview and the responses table, choices of
format, labels or codes and language, sent on to the download; refused choices explained;
the password asked again; every raw export in the audit log."""

from __future__ import annotations

import time
from urllib.parse import parse_qs, parse_qsl, urlsplit

import pytest
from sqlalchemy import select

from surveyapp.extensions import db
from surveyapp.models import AuditEvent, Campaign
from tests.conftest import PASSWORD


def _campaign_id(app) -> int:
    with app.app_context():
        return db.session.scalar(select(Campaign.id))


def _page(app, lang: str = "en") -> str:
    return f"/{lang}/staff/campaigns/{_campaign_id(app)}/export"


def _exports(app) -> list[AuditEvent]:
    with app.app_context():
        return list(db.session.scalars(select(AuditEvent).where(AuditEvent.action == "export")))


@pytest.mark.parametrize("place", ["", "/responses"])
def test_the_export_page_is_a_click_away_from_the_overview_and_the_responses_table(
    app, staff, place
):
    analyst = staff("analyst")
    html = analyst.client.get(f"/en/staff/campaigns/{_campaign_id(app)}{place}").get_data(
        as_text=True
    )
    assert f'href="{_page(app)}"' in html


def test_the_page_offers_format_values_and_language_with_sensible_defaults(
    app, staff, make_response
):
    make_response(municipality="mk-bitola")
    marked = make_response(municipality="mk-ohrid")
    with app.app_context():
        from surveyapp.responses import listing

        listing.mark_response(_campaign_id(app), marked, "test", "our own trial")
    analyst = staff("analyst")
    reply = analyst.client.get(_page(app, "mk"))
    assert reply.status_code == 200
    html = reply.get_data(as_text=True)
    assert 'name="format" id="format-xlsx" value="xlsx" checked' in html
    assert 'name="values" id="values-labels" value="labels" checked' in html
    assert '<option value="mk" selected>' in html, "the page's language by default"
    assert '<option value="cnr"' in html and '<option value="sr-Latn"' in html
    assert "Ќе биде извезен 1 одговор." in html, "in the page's language"
    assert "has-error" not in html and "error-summary" not in html
    english = analyst.client.get(_page(app)).get_data(as_text=True)
    assert "1 response will be exported." in english
    assert "1 submitted response is left out" in english
    assert "codebook.csv?language=en" in english
    assert _exports(app) == [], "opening the page exports nothing"


@pytest.mark.parametrize(
    ("query", "endpoint", "expected"),
    [
        (
            "format=xlsx&values=labels&language=mk",
            "responses.xlsx",
            {"labels": ["mk"], "language": ["mk"]},
        ),
        (
            "format=csv&values=codes&language=sq&leave_out_self_registered=1",
            "responses.csv",
            {"labels": ["codes"], "language": ["sq"], "leave_out_self_registered": ["1"]},
        ),
    ],
)
def test_the_choices_go_on_to_the_download(app, staff, query, endpoint, expected):
    """A small CSV or XLSX export goes to its download at once (a larger one is a job:
    tests/test_export_jobs.py)."""
    analyst = staff("analyst")
    form = dict(parse_qsl(query))
    preset = analyst.client.get(f"{_page(app)}?{query}").get_data(as_text=True)
    assert f'value="{form["format"]}" checked' in preset, "a query string presets the form"
    reply = analyst.post_form(_page(app), form, form_page=_page(app))
    assert reply.status_code == 303
    target = urlsplit(reply.location)
    assert target.path == f"/en/staff/campaigns/{_campaign_id(app)}/{endpoint}"
    assert parse_qs(target.query) == expected
    with analyst.client.get(reply.location) as download:
        assert download.status_code == 200
    (event,) = _exports(app)
    assert event.target == f"campaign:{_campaign_id(app)}"
    assert event.details["format"] == endpoint.rsplit(".", 1)[1]
    assert event.details["labels"] == (None if expected["labels"] == ["codes"] else "mk")
    assert event.details["leave_out_self_registered"] == ("leave_out" in query)


def test_choices_not_understood_are_explained_and_nothing_is_exported(app, staff):
    analyst = staff("analyst")
    reply = analyst.client.get(f"{_page(app)}?format=pdf&values=both&language=xx")
    assert reply.status_code == 200
    html = reply.get_data(as_text=True)
    assert "Please choose one of the file formats." in html
    assert "Please choose labels or codes." in html
    assert "Please choose one of the languages in the list." in html
    assert 'value="xlsx" checked' in html, "the default stays chosen"
    assert html.count("has-error") == 3
    posted = analyst.post_form(
        _page(app), {"format": "pdf", "values": "labels", "language": "en"}, form_page=_page(app)
    )
    assert posted.status_code == 200
    assert "Please choose one of the file formats." in posted.get_data(as_text=True)
    base = f"/en/staff/campaigns/{_campaign_id(app)}"
    for url in (f"{base}/responses.xlsx?labels=xx", f"{base}/responses.csv?language=<b>"):
        refused = analyst.client.get(url)
        assert refused.status_code == 303 and refused.location.endswith("/export")
        page = analyst.client.get(refused.location).get_data(as_text=True)
        assert "Some export choices were not understood" in page
    assert _exports(app) == []


def test_the_page_asks_for_the_password_again_after_a_while(app, client, make_user):
    from tests.conftest import Staff

    member = Staff(client, make_user("analyst"))
    assert member.login().status_code == 303
    assert client.get(_page(app)).status_code == 200
    with client.session_transaction() as session:
        session["reauth_at"] = time.time() - app.config["STAFF_REAUTH_MAX_AGE"] - 1
    asked = client.get(_page(app))
    assert asked.status_code == 303 and "/en/staff/confirm" in asked.location
    confirmed = member.post_form(asked.location, {"password": PASSWORD})
    assert confirmed.status_code == 303 and confirmed.location.endswith("/export")


def test_translators_cannot_export(app, staff):
    translator = staff("translator")
    assert translator.client.get(_page(app)).status_code == 403
    codebook = f"/en/staff/campaigns/{_campaign_id(app)}/codebook.csv"
    assert translator.client.get(codebook).status_code == 403


def test_leaving_out_open_link_responses_is_offered_once_there_are_some(app, staff, make_response):
    from surveyapp.core.database import write_transaction
    from surveyapp.models import Response

    analyst = staff("analyst")
    first = make_response(municipality="mk-bitola")
    assert "leave_out_self_registered" not in analyst.client.get(_page(app)).get_data(as_text=True)
    with app.app_context(), write_transaction():
        db.session.get(Response, first).self_registered = True
    html = analyst.client.get(_page(app)).get_data(as_text=True)
    assert 'name="leave_out_self_registered"' in html
    assert "1 response came through the open link" in html
