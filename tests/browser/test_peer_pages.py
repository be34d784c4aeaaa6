"""Peer learning pages in a Latin and a Cyrillic language: similar cities,
cities that can show the way, and the regional exchange planner."""

from __future__ import annotations

import pytest

from tests.browser.conftest import DESKTOP, PHONE
from tests.conftest import PASSWORD


@pytest.mark.parametrize(("lang", "viewport"), [("bs", DESKTOP), ("sr", PHONE)])
def test_peer_learning_pages(
    live_server, new_page, make_user, screenshots, demo_campaign, lang, viewport
):
    campaign_id, town = demo_campaign
    page = new_page(viewport)
    page.goto(f"{live_server}/{lang}/staff/login")
    page.fill("#email", make_user("analyst"))
    page.fill("#password", PASSWORD)
    page.locator("main form button").click()
    page.wait_for_load_state()
    width = viewport["width"]
    for name, path in (
        ("peers", f"/{lang}/staff/campaigns/{campaign_id}/peers?area={town}"),
        ("exchange", f"/{lang}/staff/campaigns/{campaign_id}/exchange"),
        ("exchange-print", f"/{lang}/staff/campaigns/{campaign_id}/exchange?print=1"),
    ):
        page.goto(live_server + path)
        assert page.locator("h1").count() == 1
        assert page.locator("table.data").count() >= 1
        overflow = page.evaluate("document.documentElement.scrollWidth - window.innerWidth")
        assert overflow <= 0, f"{name} is {overflow}px too wide"
        page.screenshot(path=screenshots / f"{name}-{lang}-{width}.png", full_page=True)
