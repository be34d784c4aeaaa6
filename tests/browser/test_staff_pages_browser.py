"""The staff home, a campaign's overview and its responses table in a Cyrillic and a
Latin language, on a desktop and a phone: nothing wider than the screen."""

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


@pytest.mark.parametrize("viewport", [DESKTOP, PHONE], ids=["desktop", "phone"])
@pytest.mark.parametrize("lang", ["mk", "cnr"])
def test_staff_pages(live_server, new_page, make_user, screenshots, demo_campaign, lang, viewport):
    campaign_id, _town = demo_campaign
    page = new_page(viewport)
    _sign_in(page, live_server, make_user("admin"), lang)
    width = viewport["width"]
    base = f"{live_server}/{lang}/staff"
    for name, path in (
        ("staff-home", "/"),
        ("campaign-overview", f"/campaigns/{campaign_id}"),
        ("responses", f"/campaigns/{campaign_id}/responses"),
        ("campaign-edit", f"/campaigns/{campaign_id}/edit"),
    ):
        reply = page.goto(base + path)
        assert reply.status == 200
        overflow = page.evaluate("document.documentElement.scrollWidth - window.innerWidth")
        assert overflow <= 0, f"{name} is {overflow}px too wide"
        page.screenshot(path=screenshots / f"{name}-{lang}-{width}.png", full_page=True)
    page.goto(f"{base}/campaigns/{campaign_id}/responses")
    page.locator("table.data tbody a").first.click()
    page.wait_for_load_state()
    page.screenshot(path=screenshots / f"response-{lang}-{width}.png", full_page=True)
