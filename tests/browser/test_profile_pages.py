"""The needs-profile pages as staff see and print them, in a Latin and a Cyrillic language."""

from __future__ import annotations

import pytest

from tests.browser.conftest import DESKTOP, PHONE
from tests.conftest import PASSWORD


def _sign_in(page, base, email, lang):
    page.goto(f"{base}/{lang}/staff/login")
    page.fill("#email", email)
    page.fill("#password", PASSWORD)
    page.locator("main form button").click()
    page.wait_for_load_state()


@pytest.mark.parametrize(("lang", "viewport"), [("cnr", DESKTOP), ("mk", DESKTOP), ("mk", PHONE)])
def test_profile_pages(
    live_server, new_page, make_user, screenshots, demo_campaign, lang, viewport
):
    campaign_id, town = demo_campaign
    page = new_page(viewport)
    _sign_in(page, live_server, make_user("analyst"), lang)
    width = viewport["width"]
    views = (("region", ""), ("municipality", f"?area={town}"), ("print", f"?area={town}&print=1"))
    for name, query in views:
        page.goto(f"{live_server}/{lang}/staff/campaigns/{campaign_id}/profile{query}")
        assert page.locator("svg.chart-svg").count() >= 1
        assert page.locator("table.figures tbody tr").count() >= 5
        overflow = page.evaluate("document.documentElement.scrollWidth - window.innerWidth")
        assert overflow <= 0, f"{name} is {overflow}px too wide"
        page.screenshot(path=screenshots / f"profile-{name}-{lang}-{width}.png", full_page=True)
        if name == "print" and viewport is DESKTOP:
            page.pdf(path=str(screenshots / f"profile-{lang}.pdf"), format="A4")
    page.goto(f"{live_server}/{lang}/staff/campaigns/{campaign_id}")
    page.screenshot(path=screenshots / f"campaign-{lang}-{width}.png", full_page=True)
