"""A Kosovo respondent answers in Albanian in a real browser, on a phone and on a
desktop: the privacy notice, the questions and the thank-you page say "komuna", as
Kosovo does, while the page stays "Shqip"; the translators' status page shows the
regional variants, in Macedonian (Cyrillic) too."""

from __future__ import annotations

import re

import pytest

from tests.browser.conftest import DESKTOP, PHONE
from tests.browser.test_respondent_browser import _fill_page
from tests.conftest import PASSWORD

BASHKI = re.compile(r"\bbashki", re.IGNORECASE)


@pytest.mark.parametrize("viewport", [PHONE, DESKTOP], ids=["phone", "desktop"])
def test_a_kosovo_respondent_reads_komuna_in_albanian(
    live_server, new_page, make_invitation, screenshots, viewport
):
    token = make_invitation(municipality="xk-prishtine", role="councillor", language="sq")
    page = new_page(viewport, locale="sq-AL")
    size = "phone" if viewport is PHONE else "desktop"

    def seen(name: str) -> str:
        page.screenshot(path=screenshots / f"variant-sq-XK-{size}-{name}.png", full_page=True)
        return page.locator("body").inner_text()

    page.goto(f"{live_server}/r/{token}")
    assert page.url.endswith(f"/sq/r/{token}")
    assert page.locator("html").get_attribute("lang") == "sq"
    start = seen("consent")
    assert "Anëtar i kuvendit komunal" in start and "komunave" in start
    assert not BASHKI.search(start)
    page.locator("button[value=accept]").click()
    page.wait_for_load_state()
    first = seen("page-1")
    assert "komuna juaj" in first and not BASHKI.search(first)
    pages = int(page.locator("progress").get_attribute("max"))
    for _ in range(pages):
        _fill_page(page)
        page.locator("button[value=next]").click()
        page.wait_for_load_state()
    assert page.url.endswith("/review")
    page.locator("main form button").click()
    page.wait_for_load_state()
    thanks = seen("thanks")
    assert page.url.endswith("/thanks")
    assert "komunat" in thanks and not BASHKI.search(thanks)


@pytest.mark.parametrize(
    ("lang", "viewport"), [("mk", PHONE), ("sq", DESKTOP)], ids=["mk-phone", "sq-desktop"]
)
def test_the_status_page_lists_the_regional_variants(
    live_server, new_page, make_user, screenshots, lang, viewport
):
    email = make_user("translator")
    page = new_page(viewport)
    page.goto(f"{live_server}/{lang}/staff/login")
    page.fill("#email", email)
    page.fill("#password", PASSWORD)
    page.locator("main form button").click()
    page.wait_for_load_state()
    page.goto(f"{live_server}/{lang}/staff/translations")
    table = page.locator("#variants + p + .table-wrap")
    assert table.is_visible()
    assert "Shqip (Kosovë)" in table.inner_text() and "sq-MK" in table.inner_text()
    page.locator("#variants").scroll_into_view_if_needed()
    page.screenshot(path=screenshots / f"variant-status-{lang}.png", full_page=True)
