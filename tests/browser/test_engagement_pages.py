"""The engagement log and a municipality's timeline in a Latin and a Cyrillic language,
on a phone and a desktop: nothing wider than the screen, every mark of the chart
described in the list under it, the log's table readable."""

from __future__ import annotations

import pytest

from surveyapp.demo.engagements import seed_engagements
from surveyapp.extensions import db
from surveyapp.models import Campaign
from tests.browser.conftest import DESKTOP, PHONE
from tests.conftest import PASSWORD


@pytest.mark.parametrize(
    ("lang", "viewport"), [("bs", DESKTOP), ("bs", PHONE), ("sr", DESKTOP), ("sr", PHONE)]
)
def test_engagement_log_and_timeline(
    app, live_server, new_page, make_user, screenshots, demo_campaign, lang, viewport
):
    campaign_id, _town = demo_campaign
    with app.app_context():
        seed_engagements(db.session.get(Campaign, campaign_id), seed=7)
    page = new_page(viewport)
    page.goto(f"{live_server}/{lang}/staff/login")
    page.fill("#email", make_user("analyst"))
    page.fill("#password", PASSWORD)
    page.locator("main form button").click()
    page.wait_for_load_state()
    width = viewport["width"]

    page.goto(f"{live_server}/{lang}/staff/engagements")
    assert page.locator("h1").count() == 1
    assert page.locator("table.engagements tbody tr").count() > 10
    overflow = page.evaluate("document.documentElement.scrollWidth - window.innerWidth")
    assert overflow <= 0, f"the log is {overflow}px too wide"
    page.screenshot(path=screenshots / f"engagements-{lang}-{width}.png", full_page=True)
    page.screenshot(path=screenshots / f"engagements-{lang}-{width}-top.png")

    # From the log to Danilovgrad's page by clicking its name.
    page.locator("table.engagements a[href$='/municipalities/me-danilovgrad']").first.click()
    page.wait_for_load_state()
    # The timeline is drawn twice (wide, and narrow for phones); one shows at each width.
    shown = page.locator("svg.timeline-svg").filter(visible=True)
    assert shown.count() == 1
    marks = shown.locator("text.mark-number")
    items = page.locator("ol.timeline-list > li")
    assert marks.count() == items.count() >= 3
    assert shown.locator("rect.mark.round").count() >= 1
    overflow = page.evaluate("document.documentElement.scrollWidth - window.innerWidth")
    assert overflow <= 0, f"the timeline page is {overflow}px too wide"
    page.screenshot(path=screenshots / f"timeline-{lang}-{width}.png", full_page=True)

    # Recording one from the municipality's page: the form opens with the municipality.
    page.locator("main a[href*='/engagements/new']").first.click()
    page.wait_for_load_state()
    assert page.locator("#municipality").input_value() == "me-danilovgrad"
    overflow = page.evaluate("document.documentElement.scrollWidth - window.innerWidth")
    assert overflow <= 0, f"the form is {overflow}px too wide"
    page.screenshot(path=screenshots / f"engagement-form-{lang}-{width}.png", full_page=True)
