"""A campaign's chosen languages (``Campaign.languages``, a subset of its version's) are
what its respondents are offered and negotiated: invitation links, the open link, the
language switcher, and an address in a language not chosen (which goes to the closest
chosen one, never to an error). A respondent who started in a language keeps it."""

from __future__ import annotations

import re

import pytest
from sqlalchemy import select

from surveyapp.extensions import db
from surveyapp.models import Campaign, Invitation, QuestionnaireVersion
from tests.test_open_link_defences import _register


def _choose(app, languages: list[str] | None) -> Campaign:
    """The demo campaign (with an open link) offering ``languages``."""
    with app.app_context():
        campaign = db.session.scalar(select(Campaign).order_by(Campaign.id))
        campaign.languages = languages
        db.session.commit()
        return campaign


def _open_token(app) -> str:
    with app.app_context():
        return db.session.scalar(select(Campaign.open_token).order_by(Campaign.id))


def _switcher(html: str) -> list[str]:
    nav = re.search(r'<nav class="languages".*?</nav>', html, re.S).group(0)
    return re.findall(r'\blang="([^"]+)"', nav)


def _path(location: str) -> str:
    return re.sub(r"^https?://[^/]+", "", location)


@pytest.mark.parametrize(
    ("accept", "invited_in", "lands_in"),
    [
        ("en", None, "sq"),  # English is not chosen: the first chosen language
        ("sr,mk;q=0.8,en;q=0.5", None, "mk"),  # the browser's best chosen one
        ("en", "mk", "mk"),  # the invitation's language, when chosen
        ("mk", "bs", "mk"),  # an invitation made before the choice: the browser's
        ("sq-XK", "sr", "sq"),
    ],
)
def test_an_invitation_link_opens_in_a_chosen_language(
    app, client, make_invitation, accept, invited_in, lands_in
):
    _choose(app, ["mk", "sq"])
    token = make_invitation(language=invited_in)
    opened = client.get(f"/r/{token}", headers={"Accept-Language": accept})
    assert _path(opened.location) == f"/{lands_in}/r/{token}"
    page = client.get(_path(opened.location))
    assert page.status_code == 200
    assert _switcher(page.get_data(as_text=True)) == ["sq", "mk"]


@pytest.mark.parametrize(
    ("asked", "lands_in"),
    [("en", "sq"), ("bs", "sq"), ("sr-Latn", "sr"), ("cnr", "sq")],
)
def test_an_address_in_a_language_not_chosen_goes_to_a_chosen_one(
    app, client, make_invitation, asked, lands_in
):
    _choose(app, ["sq", "sr"])
    token = make_invitation()
    for suffix in ("", "/p/1", "/review", "/saved", "/thanks"):
        reply = client.get(f"/{asked}/r/{token}{suffix}", headers={"Accept-Language": "de"})
        assert reply.status_code in (302, 303), (suffix, reply.status_code)
        assert _path(reply.location).startswith(f"/{lands_in}/r/{token}"), reply.location
        assert client.get(_path(reply.location)).status_code < 500


def test_a_respondent_who_started_in_a_language_keeps_it(app, respondent):
    person = respondent("bs", municipality="ba-tuzla", role="mayor")
    assert person.consent().status_code == 303
    _choose(app, ["mk", "sq"])  # staff narrow the campaign afterwards
    page = person.get("/p/1")
    assert page.status_code == 200
    assert _switcher(page.get_data(as_text=True)) == ["sq", "bs", "mk"]
    assert person.client.get(f"/r/{person.token}").location.endswith(f"/bs/r/{person.token}")


def test_the_page_switcher_offers_only_chosen_languages(app, respondent):
    _choose(app, ["mk", "sq"])
    person = respondent("mk")
    person.consent()
    html = person.get("/p/1").get_data(as_text=True)
    assert _switcher(html) == ["sq", "mk"]
    # Switching to a language not chosen through the page's button changes nothing.
    moved = person.post("/p/1", {"action": "lang:bs"}, html)
    assert "/bs/" not in (moved.location or "")


def test_the_open_link_offers_and_negotiates_only_chosen_languages(app, client):
    _choose(app, ["mk", "sq"])
    open_token = _open_token(app)
    entry = client.get(f"/o/{open_token}", headers={"Accept-Language": "sr, mk;q=0.5"})
    assert _path(entry.location) == f"/mk/o/{open_token}"
    away = client.get(f"/bs/o/{open_token}?country=BA", headers={"Accept-Language": "de"})
    assert away.status_code == 303
    assert _path(away.location) == f"/sq/o/{open_token}?country=BA"
    html = client.get(f"/mk/o/{open_token}?country=MK").get_data(as_text=True)
    assert _switcher(html) == ["sq", "mk"]
    assert _register(client, open_token, lang="mk").status_code == 303
    with app.app_context():
        invitation = db.session.scalar(select(Invitation).where(Invitation.self_registered))
        assert invitation.language == "mk"


def test_no_language_left_falls_back_to_the_versions_own(app, client, make_invitation):
    """Staff withdrew every chosen language from the version since: the campaign
    offers the version's languages rather than none."""
    campaign = _choose(app, ["mk"])
    with app.app_context():
        version = db.session.get(QuestionnaireVersion, campaign.version_id)
        version.withdrawn_languages = ["mk"]
        version.revision += 1
        db.session.commit()
    token = make_invitation()
    opened = client.get(f"/r/{token}", headers={"Accept-Language": "mk, sq;q=0.4"})
    assert _path(opened.location) == f"/sq/r/{token}"
    assert client.get(f"/mk/r/{token}").status_code == 302
    assert client.get(f"/sq/r/{token}").status_code == 200


def test_staff_invite_only_in_the_campaigns_languages(app, staff):
    campaign = _choose(app, ["mk", "sq"])
    analyst = staff("analyst")
    url = f"/en/staff/campaigns/{campaign.id}/invite"
    html = analyst.client.get(url).get_data(as_text=True)
    select_html = re.search(r'<select[^>]*name="language".*?</select>', html, re.S).group(0)
    assert re.findall(r'value="([^"]*)"', select_html) == ["", "sq", "mk"]
    refused = analyst.post_form(
        url,
        {"municipalities": ["mk-cair"], "roles": ["mayor"], "language": "bs", "duplicates": "new"},
    )
    assert refused.status_code == 200 and "Unknown: bs" in refused.get_data(as_text=True)
    made = analyst.post_form(
        url,
        {"municipalities": ["mk-cair"], "roles": ["mayor"], "language": "mk", "duplicates": "new"},
    )
    assert made.status_code == 303


def test_the_home_page_says_which_languages_a_campaign_is_offered_in(app, client):
    _choose(app, ["mk", "sq"])
    html = client.get("/bs/").get_data(as_text=True)
    assert re.search(r'<span lang="sq">Shqip</span>, <span lang="mk">Македонски</span>', html)
    assert "Shqip</span>, <span" not in client.get("/mk/").get_data(as_text=True)
