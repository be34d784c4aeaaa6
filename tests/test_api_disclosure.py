"""The API never reveals what the profile pages hide: for every area and role a reader
can ask for, a group the page hides is hidden in the API, and a group the page shows has
the same figures in both."""

from __future__ import annotations

import csv
import io
import re

import pytest

from surveyapp.models import ROLES
from tests.api_support import bearer, campaign_id, make_token

AREAS = ["", "MK", "RS", "mk-cair", "mk-bitola", "mk-ohrid"]


@pytest.fixture
def answered(app, make_response) -> int:
    # Six councillors and one mayor in Čair, two mayors in Bitola, five councillors in
    # Ohrid: Bitola and every mayor group are small; Čair's mayor is hidden.
    for variant in range(6):
        make_response(municipality="mk-cair", role="councillor", variant=variant)
    make_response(municipality="mk-cair", role="mayor", variant=1)
    make_response(municipality="mk-bitola", role="mayor", variant=2)
    make_response(municipality="mk-bitola", role="mayor", variant=3)
    for variant in range(5):
        make_response(municipality="mk-ohrid", role="councillor", variant=variant)
    return campaign_id(app)


def _number(value: float | None) -> str:
    return "" if value is None else f"{value:.2f}"


def test_every_group_the_page_hides_is_hidden_in_the_api(app, client, staff, answered):
    analyst = staff("analyst")
    secret = make_token(app, "analyst", "profiles")
    hidden_somewhere = shown_somewhere = 0
    for area in AREAS:
        for role in [None, *ROLES]:
            query = f"area={area}&role={role or ''}"
            page = analyst.client.get(f"/en/staff/campaigns/{answered}/profile?{query}")
            html = page.get_data(as_text=True)
            page_hides = "No figures are shown for this group" in html
            reply = client.get(
                f"/api/v1/profiles?campaign={answered}&area={area}"
                + (f"&role={role}" if role else ""),
                headers=bearer(secret),
            )
            assert reply.status_code == 200, (area, role)
            data = reply.get_json()
            assert data["suppressed"] == page_hides, (area, role)
            if page_hides:
                hidden_somewhere += 1
                assert data["respondents"] is None and data["open_link_respondents"] is None
                assert all(d["suppressed"] and d["respondents"] is None for d in data["domains"])
                assert all(d["mean_need"] is None and d["gap"] is None for d in data["domains"])
                assert data["role_breakdown"] == data["choice_shares"] == []
                assert data["scale_distributions"] == []
                continue
            shown_somewhere += 1
            people = re.search(r'<p class="meta">.*?(\d+) respondents?', html, re.S)
            assert people and int(people.group(1)) == data["respondents"], (area, role)
            # The same figures as the page's own CSV, domain by domain.
            text = (
                analyst.client.get(f"/en/staff/campaigns/{answered}/profile.csv?{query}")
                .get_data()
                .decode("utf-8-sig")
            )
            page_rows = {row["domain"]: row for row in csv.DictReader(io.StringIO(text))}
            for d in data["domains"]:
                row = page_rows[d["domain"]]
                assert row["respondents"] == (
                    "" if d["respondents"] is None else str(d["respondents"])
                )
                assert row["mean_need"] == _number(d["mean_need"]), (area, role, d["domain"])
                assert row["mean_capacity"] == _number(d["mean_capacity"])
    assert hidden_somewhere and shown_somewhere


def test_a_role_cell_hidden_on_the_page_is_hidden_in_the_api(app, client, staff, answered):
    secret = make_token(app, "analyst", "profiles")
    data = client.get(
        f"/api/v1/profiles?campaign={answered}&area=mk-cair", headers=bearer(secret)
    ).get_json()
    assert data["suppressed"] is False and data["respondents"] == 7
    for row in data["role_breakdown"]:
        cells = {cell["role"]: cell for cell in row["cells"]}
        mayor = cells["mayor"]
        assert mayor["status"] in ("suppressed", "empty")
        assert mayor["respondents"] is None and mayor["mean_need"] is None
    assert any(
        cell["role"] == "mayor" and cell["status"] == "suppressed"
        for row in data["role_breakdown"]
        for cell in row["cells"]
    )
    html = (
        staff("analyst")
        .client.get(f"/en/staff/campaigns/{answered}/profile?area=mk-cair")
        .get_data(as_text=True)
    )
    assert "hidden (small group)" in html
    # The lone mayor cannot be read in the API by asking for that role either.
    mayor = client.get(
        f"/api/v1/profiles?campaign={answered}&area=mk-cair&role=mayor", headers=bearer(secret)
    ).get_json()
    assert mayor["suppressed"] is True and mayor["respondents"] is None
    # Nor as CSV.
    text = (
        client.get(
            f"/api/v1/profiles?campaign={answered}&area=mk-bitola&format=csv",
            headers=bearer(secret),
        )
        .get_data()
        .decode("utf-8-sig")
    )
    rows = list(csv.DictReader(io.StringIO(text)))
    assert rows and all(r["suppressed"] == "1" and r["respondents"] == "" for r in rows)
