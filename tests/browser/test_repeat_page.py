"""A repeat page in a Latin and a Cyrillic language, on a phone and a desktop: entries
added with the button (no script), each under its heading, nothing wider than the
screen; the entries reach the review page."""

from __future__ import annotations

import pytest

from tests.browser.conftest import DESKTOP, PHONE
from tests.repeat_support import repeat_campaign, repeat_invitation

WORDS = {
    "en": {"add": "Add another entry", "entry": "Entry 2"},
    "mk": {"add": "Додајте уште еден запис", "entry": "Запис 2"},
}


@pytest.mark.parametrize("viewport", [DESKTOP, PHONE], ids=["desktop", "phone"])
@pytest.mark.parametrize("lang", sorted(WORDS))
def test_entries_are_added_on_a_repeat_page(
    app, live_server, new_page, screenshots, lang, viewport
):
    campaign_id, _version_id = repeat_campaign(app)
    token = repeat_invitation(app, campaign_id, lang)
    words = WORDS[lang]
    page = new_page(viewport)
    page.goto(f"{live_server}/{lang}/r/{token}")
    page.locator("button[name=action][value=accept]").click()
    page.wait_for_load_state()
    page.fill("#staff", "4")
    page.locator("button[name=action][value=next]").click()
    page.wait_for_load_state()
    page.fill("#e1-pname", "Младински совет" if lang == "mk" else "Youth council")
    page.get_by_role("button", name=words["add"]).click()
    page.wait_for_load_state()
    assert page.get_by_role("heading", name=words["entry"]).is_visible()
    page.fill("#e2-pname", "Спорт" if lang == "mk" else "Sports")
    page.fill("#e2-funding", "1500")
    page.fill("#e2-funder", "ЕУ" if lang == "mk" else "EU")
    overflow = page.evaluate("document.documentElement.scrollWidth - window.innerWidth")
    assert overflow <= 0, f"the repeat page is {overflow}px too wide"
    width = viewport["width"]
    page.screenshot(path=screenshots / f"repeat-page-{lang}-{width}.png", full_page=True)
    page.locator("button[name=action][value=next]").click()
    page.wait_for_load_state()
    assert "/p/3" in page.url
