"""The API token page in a Latin and a Cyrillic language, on a desktop and a phone:
made by clicking from the account page, the new token shown once and nothing wider
than the screen; the token then reads the API."""

from __future__ import annotations

import re
import urllib.request

import pytest

from tests.browser.conftest import DESKTOP, PHONE
from tests.conftest import PASSWORD

#: What the page says in each language (from the catalogs).
WORDS = {
    "sq": {"account": "Llogaria ime", "tokens": "Tokenët e API-së", "create": "Krijoni tokenin"},
    "sr": {"account": "Мој налог", "tokens": "API токени", "create": "Направите токен"},
}


@pytest.mark.parametrize("viewport", [DESKTOP, PHONE], ids=["desktop", "phone"])
@pytest.mark.parametrize("lang", sorted(WORDS))
def test_a_token_is_made_and_shown_once(
    live_server, new_page, make_user, screenshots, lang, viewport
):
    words = WORDS[lang]
    page = new_page(viewport)
    page.goto(f"{live_server}/{lang}/staff/login")
    page.fill("#email", make_user("analyst"))
    page.fill("#password", PASSWORD)
    page.locator("main form button").click()
    page.wait_for_load_state()
    page.get_by_role("link", name=words["account"]).click()
    page.get_by_role("link", name=words["tokens"]).click()
    page.wait_for_load_state()
    page.fill("#name", "Power BI")
    page.select_option("#scope", "responses")
    page.get_by_role("button", name=words["create"]).click()
    page.wait_for_load_state()
    secret = page.locator("#new-token").inner_text()
    assert re.fullmatch(r"sva_[A-Za-z0-9_-]{43}", secret)
    overflow = page.evaluate("document.documentElement.scrollWidth - window.innerWidth")
    assert overflow <= 0, f"the token page is {overflow}px too wide"
    width = viewport["width"]
    page.screenshot(path=screenshots / f"api-token-{lang}-{width}.png", full_page=True)
    request = urllib.request.Request(  # noqa: S310 (127.0.0.1)
        f"{live_server}/api/v1/campaigns?format=csv", headers={"Authorization": f"Bearer {secret}"}
    )
    with urllib.request.urlopen(request) as reply:  # noqa: S310
        assert reply.status == 200 and reply.headers["Content-Type"].startswith("text/csv")
    page.goto(page.url)  # the page again, not the form sent again
    assert secret not in page.content()
