"""A file question's field reads in the page's language (static/upload.js): the browser
draws its own "Choose File" / "No file chosen" in the browser's language, so the page
shows its own button and the chosen file's name instead, while the real input keeps
the focus, opens the chooser from the keyboard and is named by the question's label.
In Albanian and Macedonian on a phone and a desktop, on the repeat page in Serbian,
and without JavaScript (the browser's own input). Screenshots go to /work/shots/ui/
when that folder's parent exists."""

from __future__ import annotations

import os
from pathlib import Path

import pytest
from sqlalchemy import select

from surveyapp.extensions import db
from surveyapp.models import StoredFile
from tests import upload_files as files
from tests.browser.conftest import DESKTOP, PHONE, _local_only
from tests.browser.test_repeat_upload_page import CHOICES, SETTINGS, SURVEY
from tests.repeat_support import repeat_campaign, repeat_invitation

SHOTS = Path(os.environ.get("UI_SHOTS", "/work/shots/ui"))
WORDS = {
    "sq": ("Zgjidhni një skedar", "Nuk është zgjedhur asnjë skedar"),
    "mk": ("Изберете датотека", "Не е избрана датотека"),
    "sr": ("Изаберите датотеку", "Није изабрана ниједна датотека"),
}


def _shot(page, name: str) -> None:
    if SHOTS.parent.exists():
        SHOTS.mkdir(exist_ok=True)
        page.screenshot(path=SHOTS / f"{name}.png", full_page=True)


def _stored(app) -> list[str]:
    with app.app_context():
        names = list(db.session.scalars(select(StoredFile.original_name)))
        db.session.remove()
        return names


def _accessible(page, selector: str) -> dict[str, str]:
    """The element's name and description as Chromium gives them to a screen reader."""
    cdp = page.context.new_cdp_session(page)
    root = cdp.send("DOM.getDocument")["root"]["nodeId"]
    node = cdp.send("DOM.querySelector", {"nodeId": root, "selector": selector})["nodeId"]
    ax = cdp.send("Accessibility.getPartialAXTree", {"nodeId": node, "fetchRelatives": False})
    found = ax["nodes"][0]
    return {k: (found.get(k) or {}).get("value", "") for k in ("name", "description")}


def _chooser(page, key: str):
    """The file chooser the key opens on the focused input."""
    opened: list = []

    def keep(chooser) -> None:
        opened.append(chooser)

    page.on("filechooser", keep)
    page.wait_for_timeout(200)  # the browser intercepts file choosers from here on
    page.keyboard.press(key)
    for _ in range(50):
        if opened:
            break
        page.wait_for_timeout(100)
    page.remove_listener("filechooser", keep)
    assert opened, f"{key!r} opens the file chooser"
    return opened[0]


def _open_page_one(app, live_server, new_page, make_invitation, lang, viewport):
    files.add_upload_questions(app)
    token = make_invitation(language=lang)
    page = new_page(viewport)
    page.goto(f"{live_server}/r/{token}")
    page.locator("button[value=accept]").click()
    page.wait_for_url("**/p/1")
    return page


@pytest.mark.parametrize(
    ("lang", "viewport"),
    [("sq", PHONE), ("sq", DESKTOP), ("mk", PHONE), ("mk", DESKTOP)],
    ids=["sq-390", "sq-1280", "mk-390", "mk-1280"],
)
def test_the_file_field_speaks_the_page_language_and_works_from_the_keyboard(
    app, live_server, new_page, make_invitation, tmp_path, lang, viewport
):
    app.config["UPLOAD_FOLDER"] = str(tmp_path / "uploads")
    page = _open_page_one(app, live_server, new_page, make_invitation, lang, viewport)
    choose, nothing = WORDS[lang]
    block = page.locator("#site_photo-block")
    assert block.locator(".upload-button").inner_text().strip() == choose
    assert block.locator(".upload-button").is_visible()
    assert block.locator(".upload-name").inner_text().strip() == nothing
    # The browser's own input is out of sight, yet in the page and focusable.
    box = page.locator("#site_photo").bounding_box()
    assert box is not None and box["width"] <= 1 and box["height"] <= 1
    said = _accessible(page, "#site_photo")
    # The question's label (with "optional"), not the button's words.
    assert said["name"].startswith(files.LABELS["site_photo"][lang]), said
    assert choose not in said["name"], said
    assert nothing in said["description"], said
    overflow = page.evaluate("document.documentElement.scrollWidth - window.innerWidth")
    assert overflow <= 0, f"the page is {overflow}px too wide"
    block.scroll_into_view_if_needed()
    _shot(page, f"upload-{lang}-{viewport['width']}-empty")

    # Tab reaches the input; Enter opens the chooser; the name shows.
    photo = tmp_path / "lokacija.png"
    photo.write_bytes(files.png((800, 600)))
    page.evaluate("document.getElementById('site_photo').blur()")
    previous = page.evaluate(
        "() => { const all = [...document.querySelectorAll('#page-form input, #page-form"
        " button, #page-form select, #page-form textarea, #page-form a')]"
        ".filter(e => !e.disabled && e.type !== 'hidden' && e.getClientRects().length);"
        " const i = all.indexOf(document.getElementById('site_photo'));"
        " all[i - 1].focus(); return all[i - 1].id || all[i - 1].name; }"
    )
    assert previous
    page.keyboard.press("Tab")
    assert page.evaluate("document.activeElement.id") == "site_photo"
    ring = page.evaluate(
        "getComputedStyle(document.querySelector('#site_photo-block .upload-button')).outlineStyle"
    )
    assert ring == "solid", "the focus shows on the button"
    _chooser(page, "Enter").set_files(str(photo))
    assert block.locator(".upload-name").inner_text().strip() == "lokacija.png"
    assert "lokacija.png" in _accessible(page, "#site_photo")["description"]
    # Space opens the second question's chooser; a file set on the input shows too.
    plan = tmp_path / "plan.pdf"
    plan.write_bytes(files.PDF)
    page.locator("#action_plan").focus()
    _chooser(page, " ").set_files(str(plan))
    assert page.locator("#action_plan-name").inner_text().strip() == "plan.pdf"
    other = tmp_path / "akciski-plan.pdf"
    other.write_bytes(files.PDF)
    page.locator("#action_plan").set_input_files(str(other))
    assert page.locator("#action_plan-name").inner_text().strip() == "akciski-plan.pdf"
    _shot(page, f"upload-{lang}-{viewport['width']}-chosen")

    page.locator("button[value=later]").click()
    page.wait_for_url("**/saved")
    assert sorted(_stored(app)) == ["akciski-plan.pdf", "lokacija.png"]


def test_without_javascript_the_browser_input_shows_and_sends_the_file(
    app, live_server, browser, make_invitation, tmp_path
):
    app.config["UPLOAD_FOLDER"] = str(tmp_path / "uploads")
    files.add_upload_questions(app)
    token = make_invitation(language="mk")
    context = browser.new_context(viewport=PHONE, java_script_enabled=False)
    context.route("**/*", _local_only)
    try:
        page = context.new_page()
        page.goto(f"{live_server}/r/{token}")
        page.locator("button[value=accept]").click()
        page.wait_for_url("**/p/1")
        assert page.locator("#site_photo").is_visible()
        assert not page.locator("#site_photo-block .upload-button").is_visible()
        assert not page.locator("#site_photo-name").is_visible()
        photo = tmp_path / "lokacija.png"
        photo.write_bytes(files.png((800, 600)))
        page.locator("#site_photo").set_input_files(str(photo))
        page.locator("#site_photo-block").scroll_into_view_if_needed()
        _shot(page, "upload-mk-390-no-script")
        page.locator("button[value=later]").click()
        page.wait_for_url("**/saved")
        assert _stored(app) == ["lokacija.png"]
    finally:
        context.close()


@pytest.mark.parametrize("viewport", [PHONE, DESKTOP], ids=["390", "1280"])
def test_the_repeat_page_file_fields_speak_the_page_language(
    app, live_server, new_page, tmp_path, viewport
):
    app.config["UPLOAD_FOLDER"] = str(tmp_path / "uploads")
    campaign_id, _version_id = repeat_campaign(app, SURVEY, choices=CHOICES, settings=SETTINGS)
    token = repeat_invitation(app, campaign_id, "sr")
    page = new_page(viewport)
    page.goto(f"{live_server}/sr/r/{token}")
    page.locator("button[name=action][value=accept]").click()
    page.wait_for_url("**/p/1")
    choose, nothing = WORDS["sr"]
    for field in ("e1-pphoto", "e1-pplan"):
        block = page.locator(f"#{field}-block")
        assert block.locator(".upload-button").inner_text().strip() == choose
        assert page.locator(f"#{field}-name").inner_text().strip() == nothing
    assert _accessible(page, "#e1-pphoto")["name"].startswith("Фотографија програма")
    plan = tmp_path / "plan-kampa.pdf"
    plan.write_bytes(files.PDF)
    page.fill("#e1-pname", "Савет младих")
    page.locator("#e1-pplan").set_input_files(str(plan))
    assert page.locator("#e1-pplan-name").inner_text().strip() == "plan-kampa.pdf"
    page.locator("#e1-pplan-block").scroll_into_view_if_needed()
    _shot(page, f"repeat-sr-{viewport['width']}-chosen")
    with page.expect_navigation():
        page.locator("button[name=action][value=next]").click()
    assert "/p/2" in page.url
    assert _stored(app) == ["plan-kampa.pdf"]
