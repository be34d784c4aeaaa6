"""The needs-profile pages and their CSV, as staff use them."""

from __future__ import annotations

import csv
import io

from sqlalchemy import select

from surveyapp.extensions import db
from surveyapp.models import Campaign


def _campaign_id(app) -> int:
    with app.app_context():
        return db.session.scalar(select(Campaign.id))


def _responses(make_response) -> None:
    # Six councillors and one mayor in Čair; two mayors in Bitola.
    for variant in range(6):
        make_response(
            municipality="mk-cair", role="councillor", variant=variant, top_priority="Млади"
        )
    make_response(municipality="mk-cair", role="mayor", variant=1)
    make_response(municipality="mk-bitola", role="mayor", variant=2)
    make_response(municipality="mk-bitola", role="mayor", variant=3)


def test_the_regional_profile_ranks_domains_and_hides_small_role_groups(app, staff, make_response):
    _responses(make_response)
    # Without Ohrid, Čair would be hidden: North Macedonia minus Čair is Bitola's two.
    for variant in range(5):
        make_response(municipality="mk-ohrid", role="councillor", variant=variant)
    analyst = staff("analyst")
    html = analyst.client.get(f"/en/staff/campaigns/{_campaign_id(app)}/profile").get_data(
        as_text=True
    )
    assert "Needs profile: Western Balkans region" in html
    assert "14 respondents" in html
    assert "<svg" in html and 'role="img"' in html and "<desc" in html
    assert "hidden (small group)" in html, "three mayors are fewer than five"
    assert "Млади" in html, "free text is shown to staff"


def test_a_municipality_is_compared_with_its_country_and_the_region(app, staff, make_response):
    _responses(make_response)
    # Without Ohrid, Čair would be hidden too: North Macedonia minus Čair is Bitola's two.
    for variant in range(5):
        make_response(municipality="mk-ohrid", role="councillor", variant=variant)
    analyst = staff("analyst")
    url = f"/mk/staff/campaigns/{_campaign_id(app)}/profile?area=mk-cair"
    html = analyst.client.get(url).get_data(as_text=True)
    assert "Чаир" in html and "Северна Македонија" in html
    assert "7 испитаници" in html
    printed = analyst.client.get(url + "&print=1").get_data(as_text=True)
    assert 'print.css" media="all"' in printed


def test_a_small_municipality_shows_no_figures(app, staff, make_response):
    # Was: shown "Based on only 2 respondents" with a warning (issue #14: the notice
    # promises that groups under 5 are never shown).
    _responses(make_response)
    html = (
        staff("analyst")
        .client.get(f"/en/staff/campaigns/{_campaign_id(app)}/profile?area=mk-bitola")
        .get_data(as_text=True)
    )
    assert "No figures are shown for this group" in html
    assert "2 respondents" not in html and "<svg" not in html


def test_the_profile_csv_opens_in_a_spreadsheet(app, staff, make_response):
    _responses(make_response)
    analyst = staff("analyst")
    with analyst.client.get(
        f"/en/staff/campaigns/{_campaign_id(app)}/profile.csv?area=mk-cair"
    ) as got:
        text = got.get_data().decode("utf-8-sig")
    rows = list(csv.DictReader(io.StringIO(text)))
    assert len(rows) == 7
    assert {"mean_need", "mean_capacity", "gap", "country_gap", "region_gap"} <= set(rows[0])
    gaps = [float(row["gap"]) for row in rows if row["gap"]]
    assert gaps == sorted(gaps, reverse=True), "ranked by gap"


def test_unknown_areas_and_roles_are_404(app, staff):
    analyst = staff("analyst")
    base = f"/en/staff/campaigns/{_campaign_id(app)}/profile"
    assert analyst.client.get(base + "?area=xx-nowhere").status_code == 404
    assert analyst.client.get(base + "?role=king").status_code == 404


def test_the_campaign_page_lists_municipalities_that_have_not_answered(app, staff, make_response):
    _responses(make_response)
    analyst = staff("analyst")
    analyst.post_form(
        f"/en/staff/campaigns/{_campaign_id(app)}/invite",
        {"municipalities": ["mk-ohrid"], "roles": ["mayor"]},
    )
    html = analyst.client.get(f"/en/staff/campaigns/{_campaign_id(app)}").get_data(as_text=True)
    assert "Ohrid" in html and "not answered yet" in html


def test_peer_lists_download_as_csv(app, staff, make_response):
    _responses(make_response)
    # Enough respondents in two more towns that Čair and one peer are shown.
    for town in ("mk-ohrid", "mk-kumanovo"):
        for variant in range(5):
            make_response(municipality=town, role="councillor", variant=variant)
    analyst = staff("analyst")
    base = f"/en/staff/campaigns/{_campaign_id(app)}"
    with analyst.client.get(f"{base}/peers.csv?area=mk-cair") as got:
        raw = got.get_data()
    assert raw.startswith("\ufeff".encode())
    rows = list(csv.DictReader(io.StringIO(raw.decode("utf-8-sig"))))
    assert rows and {row["list"] for row in rows} <= {"similar", "host"}
    with analyst.client.get(f"{base}/exchange.csv") as got:
        header = got.get_data().decode("utf-8-sig").splitlines()[0]
    assert header.startswith("theme,")
