"""A repeat page saves what the respondent types in the background, as any page does
(static/live.js), in Albanian (Latin) and Macedonian (Cyrillic), on a phone and a
desktop: the status line says "saved", a reload shows the answer, in the first entry and
in one just added; typed with the network cut, it is offered back; after the response
was submitted in another tab nothing changes; a chosen file waits for the page's buttons
and a stored one stays; without JavaScript the page works as before."""

from __future__ import annotations

import time
from pathlib import Path

import pytest

from tests import upload_files as files
from tests.browser import test_repeat_upload_page as uploads
from tests.browser import test_upload_pages as upload_pages
from tests.browser.conftest import DESKTOP, PHONE, _local_only
from tests.browser.test_live_page import _close_tab, _saves_fail, _status_is
from tests.repeat_support import (
    published_campaign,
    repeat_campaign,
    repeat_invitation,
    repeat_workbook,
)
from tests.test_repeats import stored

SHOTS = Path("/work/shots/repeat")

SURVEY = [
    ["type", "name", "label::English (en)", "label::Shqip (sq)", "label::Македонски (mk)",
     "required", "constraint"],
    ["begin repeat", "programme", "Youth programmes", "Programet për të rinjtë",
     "Програми за млади"],
    ["text", "pname", "Name of the programme", "Emri i programit", "Име на програмата", "yes"],
    ["integer", "funding", "Yearly funding (EUR)", "Financimi vjetor (EUR)",
     "Годишно финансирање (EUR)", "", ". >= 0"],
    ["end repeat"],
    ["text", "comment", "Anything else?", "Diçka tjetër?", "Нешто друго?"],
]  # fmt: skip
CHOICES = [
    ["list_name", "name", "label::English (en)", "label::Shqip (sq)", "label::Македонски (mk)"],
    ["unused", "x", "x", "x", "x"],
]
SETTINGS = [
    ["title::English (en)", "title::Shqip (sq)", "title::Македонски (mk)", "form_id"],
    ["Youth programmes", "Programet për të rinjtë", "Програми за млади", "youth_live"],
]
NAMES = {
    "sq": ("Këshilli rinor", "Sporti për të gjithë"),
    "mk": ("Младински совет", "Спорт за сите"),
}
CASES = [("sq", PHONE), ("mk", DESKTOP), ("sq", DESKTOP), ("mk", PHONE)]
IDS = ["sq-phone", "mk-desktop", "sq-desktop", "mk-phone"]


@pytest.fixture
def invite(app):
    workbook = repeat_workbook(SURVEY, CHOICES, SETTINGS)
    campaign_id, _version_id = published_campaign(app, workbook, "youth_live.xlsx", "Youth")
    return lambda lang: repeat_invitation(app, campaign_id, lang)


def _open(browser, viewport, **options):
    context = browser.new_context(viewport=viewport, **options)
    context.route("**/*", _local_only)
    return context


def _consent(page, base: str, token: str, lang: str) -> None:
    page.goto(f"{base}/{lang}/r/{token}")
    page.locator("button[value=accept]").click()
    page.wait_for_url("**/p/1")


def _stored_soon(app, expected: dict, timeout: float = 10.0) -> dict:
    deadline = time.monotonic() + timeout
    while (found := stored(app)) != expected and time.monotonic() < deadline:
        time.sleep(0.2)
    return found


@pytest.mark.parametrize(("lang", "viewport"), CASES, ids=IDS)
def test_typed_answers_are_saved_in_the_background_and_there_after_a_reload(
    app, live_server, browser, invite, lang, viewport
):
    first, second = NAMES[lang]
    context = _open(browser, viewport)
    page = context.new_page()
    _consent(page, live_server, invite(lang), lang)
    assert page.locator("html").get_attribute("lang") == lang
    page.locator("#e1-pname").fill(first)
    _status_is(page, "saved")
    width = viewport["width"]
    SHOTS.mkdir(parents=True, exist_ok=True)
    page.screenshot(path=SHOTS / f"repeat-saved-{lang}-{width}.png", full_page=True)
    overflow = page.evaluate("document.documentElement.scrollWidth - window.innerWidth")
    assert overflow <= 0, f"the page is {overflow}px too wide"
    assert stored(app) == {1: first}
    page.reload()
    assert page.locator("#e1-pname").input_value() == first
    # A new entry: added with its button, typed into, saved in the background.
    page.locator("button[name=action][value=add]").click()
    page.wait_for_selector("#e2-pname")
    page.locator("#e2-pname").fill(second)
    page.locator("#e2-funding").fill("1500")
    page.locator("#e2-funding").blur()
    _status_is(page, "saved")
    page.screenshot(path=SHOTS / f"repeat-new-entry-saved-{lang}-{width}.png", full_page=True)
    assert _stored_soon(app, {1: first, 2: second}) == {1: first, 2: second}
    page.reload()
    assert page.locator("#e2-pname").input_value() == second
    assert page.locator("#e2-funding").input_value() == "1500"
    assert page.locator("#e3-pname").count() == 0, "no entry was added by the saves"
    # Next sends the same entries: kept once each.
    page.locator("button[name=action][value=next]").click()
    page.wait_for_url("**/p/2")
    assert stored(app) == {1: first, 2: second}
    page.locator("button[name=action][value=back]").click()
    page.wait_for_url("**/p/1")
    assert page.locator("#e2-pname").input_value() == second
    assert page.locator("#e3-pname").count() == 0
    assert page.evaluate("localStorage.length") == 0, "nothing left unconfirmed"
    context.close()


def test_an_entry_typed_offline_is_offered_back_and_stored(app, live_server, browser, invite):
    first, second = NAMES["mk"]
    context = _open(browser, DESKTOP)
    page = context.new_page()
    token = invite("mk")
    _consent(page, live_server, token, "mk")
    page.locator("#e1-pname").fill(first)
    _status_is(page, "saved")
    context.set_offline(True)
    _saves_fail(page)
    page.locator("#e1-pname").fill(second)
    _status_is(page, "unsaved")
    page.wait_for_function("localStorage.length > 0")
    _close_tab(page)
    assert stored(app) == {1: first}, "the change did not reach the server"
    context.set_offline(False)
    page = context.new_page()
    page.goto(f"{live_server}/mk/r/{token}/p/1")
    offer = page.locator("#live-restore")
    offer.wait_for()
    offer.locator("[data-live=restore]").click()
    assert page.locator("#e1-pname").input_value() == second
    _status_is(page, "saved")
    assert _stored_soon(app, {1: second}) == {1: second}
    context.close()


def test_after_submitting_in_another_tab_the_page_changes_nothing(
    app, live_server, browser, invite
):
    first, second = NAMES["sq"]
    context = _open(browser, PHONE)
    page = context.new_page()
    token = invite("sq")
    _consent(page, live_server, token, "sq")
    page.locator("#e1-pname").fill(first)
    _status_is(page, "saved")
    other = context.new_page()
    other.goto(f"{live_server}/sq/r/{token}/p/1")
    other.locator("button[name=action][value=next]").click()
    other.wait_for_url("**/p/2")
    other.locator("button[name=action][value=next]").click()
    other.wait_for_url("**/review")
    other.locator("main form button").last.click()
    other.wait_for_url("**/thanks")
    page.locator("#e1-pname").fill(second)
    _status_is(page, "saving")  # sent, and answered: submitted, nothing kept here
    page.wait_for_function("localStorage.length === 0")
    assert stored(app) == {1: first}
    page.locator("button[name=action][value=next]").click()
    page.wait_for_url("**/thanks")
    assert stored(app) == {1: first}
    context.close()


def test_without_javascript_entries_are_added_and_saved_as_before(
    app, live_server, browser, invite
):
    first, second = NAMES["mk"]
    context = _open(browser, PHONE, java_script_enabled=False)
    page = context.new_page()
    _consent(page, live_server, invite("mk"), "mk")
    assert page.locator("#live-status").count() == 0
    page.locator("#e1-pname").fill(first)
    page.locator("button[name=action][value=add]").click()
    page.wait_for_selector("#e2-pname")
    page.locator("#e2-pname").fill(second)
    page.locator("button[name=action][value=next]").click()
    page.wait_for_url("**/p/2")
    assert stored(app) == {1: first, 2: second}
    context.close()


def test_a_file_chosen_or_removed_waits_for_the_buttons_and_a_stored_one_stays(
    app, live_server, browser, tmp_path
):
    app.config["UPLOAD_FOLDER"] = str(tmp_path / "uploads")
    campaign_id, _version_id = repeat_campaign(
        app, uploads.SURVEY, choices=uploads.CHOICES, settings=uploads.SETTINGS
    )
    token = repeat_invitation(app, campaign_id, "bs")
    photo = tmp_path / "vijece.png"
    photo.write_bytes(files.png((80, 60)))
    context = _open(browser, DESKTOP)
    page = context.new_page()
    _consent(page, live_server, token, "bs")
    page.locator("#e1-pname").fill("Vijeće mladih")
    page.locator("#e1-pphoto").set_input_files(str(photo))
    _status_is(page, "file")  # the other answers saved, the file goes with a button
    assert stored(app) == {1: "Vijeće mladih"} and uploads._stored(app) == {}
    page.locator("button[name=action][value=later]").click()
    page.wait_for_url("**/saved")
    assert uploads._stored(app) == {1: ["vijece.png"]}
    page.goto(f"{live_server}/bs/r/{token}/p/1")
    page.locator("#e1-pname").fill("Vijeće mladih Tuzla")
    _status_is(page, "saved")
    assert stored(app) == {1: "Vijeće mladih Tuzla"}
    assert uploads._stored(app) == {1: ["vijece.png"]}, "the stored file stays"
    page.reload()
    assert "vijece.png" in page.locator("#e1-pphoto-current").inner_text()
    # "Remove the file" ticked: removed with the page's buttons only, so a tick taken
    # back costs nothing.
    page.locator("#e1-pphoto-remove").check()
    _status_is(page, "drop")
    SHOTS.mkdir(parents=True, exist_ok=True)
    page.screenshot(path=SHOTS / "repeat-file-drop-bs-1280.png", full_page=True)
    assert uploads._stored(app) == {1: ["vijece.png"]}
    page.locator("#e1-pphoto-remove").uncheck()
    _status_is(page, "saved")
    assert uploads._stored(app) == {1: ["vijece.png"]}
    page.locator("#e1-pphoto-remove").check()
    page.locator("button[name=action][value=later]").click()
    page.wait_for_url("**/saved")
    assert uploads._stored(app) == {}
    context.close()


def test_on_any_page_a_remove_tick_waits_for_the_buttons(
    app, live_server, new_page, make_invitation, tmp_path
):
    """The same script on an ordinary page: a tick taken back leaves the file stored."""
    app.config["UPLOAD_FOLDER"] = str(tmp_path / "uploads")
    files.add_upload_questions(app)
    token = make_invitation(language="mk")
    page = new_page(PHONE)
    page.goto(f"{live_server}/r/{token}")
    page.locator("button[value=accept]").click()
    page.wait_for_url("**/p/1")
    photo = tmp_path / "lokacija.png"
    photo.write_bytes(files.png((80, 60)))
    page.locator("#site_photo").set_input_files(str(photo))
    page.locator("button[value=later]").click()
    page.wait_for_url("**/saved")
    page.goto(f"{live_server}/mk/r/{token}/p/1")
    page.locator("#site_photo-remove").check()
    _status_is(page, "drop")
    page.locator("#site_photo-remove").uncheck()
    _status_is(page, "saved")
    page.reload()
    assert "lokacija.png" in page.locator("#site_photo-current").inner_text()
    assert upload_pages._stored(app) == ["lokacija.png"]
