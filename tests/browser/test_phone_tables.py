"""The staff tables of the outreach and mail pages on a phone: each row a card of
labelled lines (``phone-cards``), every column in sight without scrolling the table
sideways (their last columns were cut off at 390 px). In a Latin and a Cyrillic
language; screenshots go to /work/shots/ui/ when that folder's parent exists."""

from __future__ import annotations

import os
from pathlib import Path

import pytest

from tests.browser.conftest import PHONE
from tests.browser.test_outreach_browser import _outreach_pages
from tests.browser.test_profile_pages import _sign_in

SHOTS = Path(os.environ.get("UI_SHOTS", "/work/shots/ui"))
#: Each table's cells that reach past the screen's right edge (the table not scrolled).
CUT = """() => [...document.querySelectorAll('main table.data')].flatMap(t =>
  [...t.querySelectorAll('th, td')].filter(c => c.getClientRects().length
    && c.getBoundingClientRect().right > window.innerWidth + 0.5)
  .map(c => (t.caption ? t.caption.textContent.trim() : t.className)
    + ': ' + c.textContent.trim()))"""
LABELS = """() => [...document.querySelectorAll('main table.phone-cards tbody td[data-label]')]
  .slice(0, 3).map(td => getComputedStyle(td, '::before').content)"""


@pytest.mark.parametrize("lang", ["sq", "mk"])
def test_the_outreach_and_mail_tables_fit_a_phone(app, live_server, new_page, make_user, lang):
    pages = _outreach_pages(app, lang)
    make_user("admin")
    page = new_page(PHONE)
    _sign_in(page, live_server, "admin@example.org", lang)
    pages["mail"] = f"/{lang}/staff/mail"
    for name in ("contacts", "outreach", "who", "texts", "mail-translations", "mail"):
        page.goto(live_server + pages[name])
        assert page.locator("main table.data").count() > 0, name
        assert page.evaluate(CUT) == [], f"{name}: cut off at 390 px"
        labels = page.evaluate(LABELS)
        # Each line says its column (the mail page has no problem mails to list here).
        assert labels or name == "mail", name
        assert all(label not in ("none", "normal", "") for label in labels), name
        if SHOTS.parent.exists():
            SHOTS.mkdir(exist_ok=True)
            page.screenshot(path=SHOTS / f"phone-table-{name}-{lang}-390.png", full_page=True)
