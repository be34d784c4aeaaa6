"""The change pages in a Latin and a Cyrillic language, on a phone and a desktop: three
rounds as lines for the region, two as dumbbells for a municipality, and the A4 print."""

from __future__ import annotations

import os
import shutil
from pathlib import Path

import pytest
from sqlalchemy import func, select

from surveyapp.demo.rounds import seed_demo_rounds
from surveyapp.extensions import db
from surveyapp.models import Municipality, Response
from surveyapp.rounds import series
from tests.browser.conftest import DESKTOP, PHONE
from tests.conftest import PASSWORD

SHOTS = Path("/work/shots/rounds")


@pytest.fixture
def demo_rounds(app) -> tuple[int, int, str]:
    """Three demo rounds (a series), the first two as a series of their own, and the
    municipality with most respondents."""
    with app.app_context():
        three = seed_demo_rounds(700, 3, seed=5)
        campaigns = series.round_campaigns(three)
        two = series.create_series("City needs 2023-2026")
        for campaign in campaigns[:2]:
            series.add_round(two, campaign.id)
        town = db.session.scalar(
            select(Municipality.code)
            .join(Response, Response.municipality_id == Municipality.id)
            .where(Response.campaign_id == campaigns[0].id)
            .group_by(Municipality.code)
            .order_by(func.count().desc())
        )
        return three, two, town


@pytest.mark.parametrize(
    ("lang", "viewport"), [("bs", DESKTOP), ("sr", PHONE), ("sq", PHONE), ("mk", DESKTOP)]
)
def test_change_pages(live_server, new_page, make_user, screenshots, demo_rounds, lang, viewport):
    three, two, town = demo_rounds
    page = new_page(viewport)
    page.goto(f"{live_server}/{lang}/staff/login")
    page.fill("#email", make_user("analyst"))
    page.fill("#password", PASSWORD)
    page.locator("main form button").click()
    page.wait_for_load_state()
    width = viewport["width"]
    for name, path in (
        ("rounds-region-3", f"/{lang}/staff/rounds/{three}/change"),
        ("rounds-town-2", f"/{lang}/staff/rounds/{two}/change?area={town}"),
        ("rounds-print", f"/{lang}/staff/rounds/{two}/change?area={town}&print=1"),
        ("rounds-items", f"/{lang}/staff/rounds/{two}/items"),
    ):
        page.goto(live_server + path)
        assert page.locator("h1").count() == 1
        assert page.locator("table.data").count() >= 1
        if name != "rounds-items":
            # Each chart is drawn twice (wide, and narrow for phones); one shows.
            shown = page.locator("svg.chart-svg").filter(visible=True)
            assert shown.count() == 1
            assert shown.locator("title").text_content()
        overflow = page.evaluate("document.documentElement.scrollWidth - window.innerWidth")
        assert overflow <= 0, f"{name} is {overflow}px too wide"
        shot = screenshots / f"{name}-{lang}-{width}.png"
        page.screenshot(path=shot, full_page=True)
        if SHOTS.parent.exists():
            SHOTS.mkdir(exist_ok=True)
            shutil.copy(shot, SHOTS / shot.name)
    if lang == "bs":
        page.goto(f"{live_server}/{lang}/staff/rounds/{two}/change?area={town}&print=1")
        page.pdf(path=str(SHOTS / "rounds-print-bs.pdf"), format="A4", print_background=True)


def test_the_printed_support_page_never_leaves_a_table_header_at_a_page_foot(
    app, live_server, new_page, make_user, screenshots
):
    """Was: printed on A4 in Bosnian, the region table's header row stood alone at the
    foot of page 1, its rows on page 2."""
    from surveyapp.demo.rounds import seed_demo_rounds
    from tests.browser.test_profile_print import _page_endings

    with app.app_context():
        series_id = seed_demo_rounds(500, 2, seed=3)
    page = new_page(DESKTOP)
    page.goto(f"{live_server}/bs/staff/login")
    page.fill("#email", make_user("analyst"))
    page.fill("#password", PASSWORD)
    page.locator("main form button").click()
    page.wait_for_load_state()
    page.goto(f"{live_server}/bs/staff/rounds/{series_id}/support")
    headers = page.evaluate(
        """() => [...document.querySelectorAll('main table thead tr')]
             .map(r => r.innerText.replace(/\\s+/g, ' ').trim())"""
    )
    assert len(headers) >= 2, headers
    page.emulate_media(media="print")
    pdf = screenshots / "support-print-bs.pdf"
    page.pdf(path=str(pdf), format="A4", print_background=True)
    if shutil.which("pdftotext") is None:
        assert not os.environ.get("CI"), "poppler-utils (pdftotext) is not installed"
        return
    endings = _page_endings(pdf)
    assert len(endings) >= 2, endings
    last_words = {header.split(" ")[-1] for header in headers}
    for number, ending in enumerate(endings[:-1], start=1):
        assert ending.split(" ")[-1] not in last_words, (
            f"page {number} ends with a table's header: {ending!r} (headers {headers})"
        )
