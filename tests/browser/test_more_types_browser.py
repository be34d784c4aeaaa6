"""The other question types in a real browser: "Other, specify", a time, a date and
time, a location filled in by "Use my location", in Serbian Cyrillic and in Bosnian,
on a phone and a desktop; screenshots of each page for a person to look at."""

from __future__ import annotations

from pathlib import Path

import pytest

from tests.browser.conftest import DESKTOP, PHONE, _local_only
from tests.test_more_question_types import _campaign, _stored

SHOTS = Path("/work/shots/types")


@pytest.mark.parametrize(
    ("lang", "viewport"), [("sr", PHONE), ("sr", DESKTOP), ("bs", PHONE), ("bs", DESKTOP)]
)
def test_fill_the_new_inputs_and_use_my_location(app, browser, live_server, lang, viewport):
    token = _campaign(app)
    context = browser.new_context(
        viewport=viewport,
        locale="sr-RS" if lang == "sr" else "bs-BA",
        geolocation={"latitude": 41.1786, "longitude": 20.6783},
        permissions=["geolocation"],
    )
    context.route("**/*", _local_only)
    page = context.new_page()
    size = "phone" if viewport is PHONE else "desktop"
    SHOTS.mkdir(parents=True, exist_ok=True)
    base = f"{live_server}/{lang}/r/{token}"
    page.goto(base)
    page.locator("form button[name=action][value=accept]").click()
    page.goto(f"{base}/p/1")
    page.locator("#color-2").check()  # "Other", after red and blue
    page.locator("#color-other").fill("Тиркизна" if lang == "sr" else "Turquoise")
    page.locator("#colors-0").check()
    page.locator("#meeting").fill("09:15")
    page.locator("#visit").fill("2026-03-29T10:00")
    page.screenshot(path=str(SHOTS / f"page1-{lang}-{size}.png"), full_page=True)
    page.locator("button[name=action][value=next]").click()
    page.wait_for_url("**/p/2")
    button = page.locator("button[data-geopoint]")
    assert button.is_visible(), "the browser can tell the location: the button shows"
    button.click()
    page.wait_for_function("document.getElementById('place-lat').value !== ''")
    assert page.locator("#place-lat").input_value() == "41.1786"
    page.locator("#town-0").check()
    page.screenshot(path=str(SHOTS / f"page2-{lang}-{size}.png"), full_page=True)
    page.locator("button[name=action][value=next]").click()
    page.wait_for_url("**/review")
    page.screenshot(path=str(SHOTS / f"review-{lang}-{size}.png"), full_page=True)
    context.close()
    stored = _stored(app, token)
    assert stored["color"] == "other"
    assert stored["color"].other == ("Тиркизна" if lang == "sr" else "Turquoise")
    assert stored["meeting"] == "09:15" and stored["visit"] == "2026-03-29T10:00+02:00"
    assert stored["place"] == "41.1786 20.6783" and stored["town"] == "struga"


def test_a_bad_time_and_an_unfilled_other_show_their_messages(app, browser, live_server):
    token = _campaign(app)
    context = browser.new_context(viewport=PHONE, locale="sr-RS")
    context.route("**/*", _local_only)
    page = context.new_page()
    base = f"{live_server}/sr/r/{token}"
    page.goto(base)
    page.locator("form button[name=action][value=accept]").click()
    page.goto(f"{base}/p/1")
    page.locator("#color-2").check()
    page.locator("button[name=action][value=next]").click()
    page.wait_for_url("**/p/1*")
    assert "Изабрали сте „Друго“" in page.content()
    page.screenshot(path=str(SHOTS / "page1-sr-phone-errors.png"), full_page=True)
    context.close()
