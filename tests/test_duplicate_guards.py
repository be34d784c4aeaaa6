"""Duplicates (#14): inviting a municipality and role again says what exists and lets
staff choose; the open link offers to resume what this browser started; staff see
possible duplicates among open-link registrations."""

from __future__ import annotations

import re

from sqlalchemy import func, select

from surveyapp.extensions import db
from surveyapp.models import Campaign, Invitation
from tests.test_open_link_defences import _campaign, _register


def _campaign_id(app) -> int:
    with app.app_context():
        return db.session.scalar(select(Campaign.id).order_by(Campaign.id))


def _personal(app) -> int:
    with app.app_context():
        return db.session.scalar(
            select(func.count())
            .select_from(Invitation)
            .where(Invitation.self_registered.is_(False))
        )


def test_inviting_again_says_what_exists_and_skips_by_default(app, staff, respondent):
    analyst = staff("analyst")
    url = f"/en/staff/campaigns/{_campaign_id(app)}/invite"
    choice = {"municipalities": ["mk-kumanovo", "mk-cair"], "roles": ["mayor"], "language": "mk"}
    assert analyst.post_form(url, {**choice, "municipalities": ["mk-kumanovo"]}).status_code == 303
    before = _personal(app)

    asked = analyst.post_form(url, choice)
    assert asked.status_code == 200, "nothing is made before staff choose"
    page = asked.get_data(as_text=True)
    assert "1 of these municipalities and roles already has a link" in page
    assert re.search(r'<input checked[^>]*name="duplicates"[^>]*value="skip"', page)
    assert _personal(app) == before

    skipped = analyst.post_form(url, {**choice, "duplicates": "skip"})
    assert skipped.status_code == 303
    assert _personal(app) == before + 1, "only Čair's mayor is new"

    again = analyst.post_form(url, {**choice, "duplicates": "new"})
    assert again.status_code == 303
    assert _personal(app) == before + 3, "new links for both, as asked"


def test_the_invite_page_counts_started_and_submitted_links_in_macedonian(
    app, staff, make_response
):
    make_response(municipality="mk-kumanovo", role="mayor")
    analyst = staff("analyst")
    url = f"/mk/staff/campaigns/{_campaign_id(app)}/invite"
    page = analyst.post_form(url, {"municipalities": ["mk-kumanovo"], "roles": ["mayor"]}).get_data(
        as_text=True
    )
    assert "испратени: 1" in page


def test_the_same_browser_is_offered_its_open_link_response_again(app, client):
    open_token = _campaign(app, caps=None)
    first = _register(client, open_token, municipality="mk-kumanovo", new_person="")
    assert first.status_code == 303
    token = first.location.rsplit("/", 1)[-1]

    page = client.get(f"/en/o/{open_token}?country=MK").get_data(as_text=True)
    assert "You already started as the mayor of Kumanovo." in page
    assert f"/r/{token}" in page

    # The same choice again from this browser: no second mayor, the offer instead.
    again = _register(client, open_token, municipality="mk-kumanovo", lang="en", new_person="")
    assert again.status_code == 200
    assert f"/r/{token}" in again.get_data(as_text=True)
    with app.app_context():
        assert db.session.scalar(select(func.count()).select_from(Invitation)) == 1
    # A genuinely different person says so.
    other = _register(client, open_token, municipality="mk-kumanovo", lang="en", new_person="y")
    assert other.status_code == 303 and other.location.rsplit("/", 1)[-1] != token


def test_a_tampered_memory_cookie_is_ignored(app, client):
    open_token = _campaign(app, caps=None)
    client.set_cookie("open_responses", "forged-value")
    page = client.get(f"/en/o/{open_token}?country=MK")
    assert page.status_code == 200
    assert "You already started" not in page.get_data(as_text=True)


def test_staff_see_possible_duplicates_from_the_open_link(app, client, staff):
    open_token = _campaign(app, caps=None)
    for _ in range(2):
        assert _register(client, open_token, municipality="mk-kumanovo").status_code == 303
    assert _register(client, open_token, municipality="mk-cair").status_code == 303
    analyst = staff("analyst")
    page = analyst.client.get(f"/en/staff/campaigns/{_campaign_id(app)}").get_data(as_text=True)
    assert "Possible duplicates" in page
    assert "Kumanovo" in page.split("Possible duplicates", 1)[1]
