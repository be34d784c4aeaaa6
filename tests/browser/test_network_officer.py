"""A network officer runs a campaign in Chromium, by clicking from the staff home page: creates
it, invites the mayors of North Macedonia and Montenegro, opens the overview and a
municipality's profile, marks a response as a test, exports the responses as XLSX from the
export page and opens the file: numbers are numbers, the header is frozen, the test is out.

Only the sign-in page's address is typed. The mayors' answers are stored in between, as
if they had answered their links (the respondent's path has browser tests of its own)."""

from __future__ import annotations

import re
from pathlib import Path

import pytest
from openpyxl import load_workbook
from sqlalchemy import select

from surveyapp.extensions import db
from surveyapp.models import Campaign, Invitation, Municipality
from tests.browser.conftest import DESKTOP, PHONE
from tests.conftest import PASSWORD

CAMPAIGN = "Mayors of North Macedonia and Montenegro 2026"
#: Mayors who answer, per country code, and the language they answer in.
ANSWERING = {"MK": (6, "mk"), "ME": (5, "cnr")}
STEP_TIMEOUT_MS = 15_000


def _answer_as_the_mayors(app, campaign_name: str) -> list[int]:
    """Submitted responses of the first mayors invited in each country of ANSWERING."""
    from surveyapp.responses import respondent as responses
    from surveyapp.responses import starting
    from tests.plans import answer_plan, builtin_version

    ids = []
    with app.app_context():
        campaign = db.session.scalar(select(Campaign).where(Campaign.name == campaign_name))
        version = builtin_version()
        for country, (count, lang) in ANSWERING.items():
            tokens = db.session.scalars(
                select(Invitation.token)
                .join(Municipality, Invitation.municipality_id == Municipality.id)
                .where(
                    Invitation.campaign_id == campaign.id,
                    Invitation.role == "mayor",
                    Municipality.code.like(f"{country.lower()}-%"),
                )
                .order_by(Invitation.id)
                .limit(count)
            ).all()
            assert len(tokens) == count, f"{country}: {len(tokens)} mayors invited"
            for number, token in enumerate(tokens):
                response = starting.start_response(starting.find_invitation(token), lang)
                plans = answer_plan(version, variant=number % 3)
                for page, plan in zip(version.pages, plans, strict=True):
                    responses.save_page(response, page, plan.expected)
                responses.submit(response)
                ids.append(response.id)
    return ids


def test_a_network_officer_runs_a_campaign_by_clicking(
    app, live_server, new_page, make_user, screenshots, tmp_path: Path
):
    page = new_page(DESKTOP)
    page.set_default_timeout(STEP_TIMEOUT_MS)
    page.set_default_navigation_timeout(STEP_TIMEOUT_MS)

    # Sign in: the one address typed.
    page.goto(f"{live_server}/en/staff/login")
    page.fill("#email", make_user("analyst"))
    page.fill("#password", PASSWORD)
    page.locator("main form button").click()
    page.wait_for_url(re.compile(r"/en/staff/$"))

    # Create the campaign.
    page.get_by_role("link", name="All campaigns, and a new one").click()
    page.get_by_label("Name", exact=True).fill(CAMPAIGN)
    page.get_by_role("button", name="Create campaign").click()
    page.wait_for_url(re.compile(r"/campaigns/\d+/invite$"))
    assert "Now invite municipalities" in page.locator(".flash").inner_text()

    # Invite the mayors of two countries.
    page.get_by_label("North Macedonia", exact=True).check()
    page.get_by_label("Montenegro", exact=True).check()
    page.get_by_label("Mayor", exact=True).check()
    page.get_by_role("button", name="Create invitations").click()
    page.wait_for_load_state()
    created = int(re.search(r"(\d+) invitations were created", page.content()).group(1))
    with app.app_context():
        expected = db.session.scalar(
            select(db.func.count(Municipality.id)).where(
                Municipality.code.like("mk-%") | Municipality.code.like("me-%")
            )
        )
    assert created == expected

    responses = _answer_as_the_mayors(app, CAMPAIGN)

    # The overview: rates per country, then a municipality of North Macedonia.
    page.locator("nav.breadcrumbs").get_by_role("link", name=CAMPAIGN).click()
    page.wait_for_url(re.compile(r"/campaigns/\d+$"))
    assert page.get_by_role("heading", name=CAMPAIGN, level=1).is_visible()
    lead = page.locator("p.lead").inner_text()
    assert f"{len(responses)} of {expected} invited respondents have answered" in lead
    page.get_by_role("link", name="North Macedonia", exact=True).click()
    page.wait_for_url(re.compile(r"country=MK"))
    town = page.locator("details.group[open] tbody tr:not(.silent) th a").first
    town_name = town.inner_text()
    town.click()
    page.wait_for_url(re.compile(r"/profile\?area=mk-"))
    assert town_name in page.locator("h1").inner_text()
    page.screenshot(path=screenshots / "officer-profile-en-1280.png", full_page=True)

    # Mark one response as a test.
    page.locator("nav.breadcrumbs").get_by_role("link", name=CAMPAIGN).click()
    page.locator("p.links").get_by_role("link", name="Responses", exact=True).click()
    page.wait_for_url(re.compile(r"/responses$"))
    page.locator("table.data tbody th a").first.click()
    page.wait_for_url(re.compile(r"/responses/\d+$"))
    marked = int(page.url.rsplit("/", 1)[1])
    assert marked in responses
    page.get_by_label("Reason").fill("The hub's own trial run")
    page.get_by_role("button", name="Mark as a test").click()
    page.wait_for_load_state()
    assert "no longer counts" in page.locator(".flash").inner_text()

    # Export the responses as XLSX, with codes, from the export page.
    page.locator("nav.breadcrumbs").get_by_role("link", name=CAMPAIGN).click()
    page.get_by_role("link", name="Export responses").click()
    page.wait_for_url(re.compile(r"/export$"))
    assert f"{len(responses) - 1} responses will be exported." in page.content()
    page.locator("label[for=values-codes]").click()
    assert page.locator("#values-codes").is_checked()
    assert page.locator("#format-xlsx").is_checked(), "XLSX is the default"
    page.screenshot(path=screenshots / "officer-export-en-1280.png", full_page=True)
    with page.expect_download(timeout=STEP_TIMEOUT_MS) as download_info:
        page.get_by_role("button", name="Export").click()
    download = download_info.value
    assert download.suggested_filename.endswith(".xlsx")
    path = tmp_path / download.suggested_filename
    download.save_as(path)

    # The file, read back.
    workbook = load_workbook(path)
    assert workbook.sheetnames == ["responses", "codebook"]
    sheet = workbook["responses"]
    assert sheet.freeze_panes == "A2", "the header row is frozen"
    assert sheet.auto_filter.ref and sheet.auto_filter.ref.startswith("A1:")
    rows = list(sheet.iter_rows(values_only=True))
    header, data = rows[0], [dict(zip(rows[0], row, strict=True)) for row in rows[1:]]
    assert sorted(row["response_id"] for row in data) == sorted(set(responses) - {marked})
    assert {row["country"] for row in data} == {"MK", "ME"}
    assert {row["role"] for row in data} == {"mayor"}
    for row in data:
        assert type(row["response_id"]) is int
        assert type(row["years_experience"]) is int
        assert type(row["social_cohesion_tensions_need"]) in (int, str)  # "dk" is text
        assert {row[f"support_wanted/{code}"] for code in ("peer_exchange", "other")} <= {0, 1}
    assert any(type(row["social_cohesion_tensions_need"]) is int for row in data)
    assert "support_wanted/peer_exchange" in header


@pytest.mark.parametrize("viewport", [DESKTOP, PHONE], ids=["desktop", "phone"])
@pytest.mark.parametrize("lang", ["mk", "bs"])
def test_the_export_page_and_the_campaign_page_fit_the_screen(
    app, live_server, new_page, make_user, make_response, screenshots, lang, viewport
):
    make_response(municipality="mk-bitola", lang="mk")
    make_response(municipality="ba-tuzla", lang="bs", submit=False)
    with app.app_context():
        campaign_id = db.session.scalar(select(Campaign.id).order_by(Campaign.id))
    page = new_page(viewport)
    page.set_default_timeout(STEP_TIMEOUT_MS)
    page.goto(f"{live_server}/{lang}/staff/login")
    page.fill("#email", make_user("analyst"))
    page.fill("#password", PASSWORD)
    page.locator("main form button").click()
    page.wait_for_url(re.compile(rf"/{lang}/staff/$"))
    width = viewport["width"]
    for name, path in (("campaign", ""), ("export", "/export")):
        reply = page.goto(f"{live_server}/{lang}/staff/campaigns/{campaign_id}{path}")
        assert reply.status == 200
        overflow = page.evaluate("document.documentElement.scrollWidth - window.innerWidth")
        assert overflow <= 0, f"{name} is {overflow}px too wide"
        page.screenshot(path=screenshots / f"{name}-page-{lang}-{width}.png", full_page=True)
    assert page.locator(f"#language option[value={lang}]").evaluate("o => o.selected")
    # No open-link response yet: nothing to leave out, so no such choice.
    assert page.locator("input[name=leave_out_self_registered]").count() == 0
