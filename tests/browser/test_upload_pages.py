"""A page with an image and a file question in the browser (#20): the page's script
saves the other answers in the background but never marks the page saved while a
chosen file waits; the page's button sends the file; the page shows it with its
size and "remove"; a refused file says why. Screenshots in Albanian and Macedonian,
phone and desktop, go to /work/shots/uploads/ when that folder's parent exists."""

from __future__ import annotations

import os
from pathlib import Path

import pytest
from sqlalchemy import select

from surveyapp.extensions import db
from surveyapp.models import StoredFile
from tests import upload_files as files
from tests.browser.conftest import DESKTOP, PHONE

SHOTS = Path(os.environ.get("UPLOAD_SHOTS", "/work/shots/uploads"))
WAITING = {
    "sq": "Skedari që zgjodhët dërgohet kur vazhdoni",
    "mk": "Датотеката што ја избравте се испраќа",
}
REFUSED = {"sq": "nuk përputhet me emrin e tij", "mk": "не одговара на нејзиното име"}


def _shot(page, name: str) -> None:
    if SHOTS.parent.exists():
        SHOTS.mkdir(exist_ok=True)
        page.screenshot(path=SHOTS / f"{name}.png", full_page=True)


def _stored(app) -> list[str]:
    with app.app_context():
        names = list(db.session.scalars(select(StoredFile.original_name)))
        db.session.remove()
        return names


@pytest.mark.parametrize(
    ("lang", "viewport"),
    [("sq", PHONE), ("sq", DESKTOP), ("mk", PHONE), ("mk", DESKTOP)],
    ids=["sq-390", "sq-1280", "mk-390", "mk-1280"],
)
def test_a_photo_is_sent_with_the_page_not_in_the_background(
    app, live_server, new_page, make_invitation, tmp_path, lang, viewport
):
    app.config["UPLOAD_FOLDER"] = str(tmp_path / "uploads")
    files.add_upload_questions(app)
    token = make_invitation(language=lang)
    page = new_page(viewport)
    page.goto(f"{live_server}/r/{token}")
    page.locator("button[value=accept]").click()
    page.wait_for_url("**/p/1")
    assert page.locator("#page-form").get_attribute("enctype") == "multipart/form-data"
    photo = tmp_path / "lokacija.png"
    photo.write_bytes(files.png((800, 600)))
    page.locator("#site_photo").set_input_files(str(photo))
    # The script saves the page's other answers, and says the file is still to send.
    page.wait_for_function(
        "t => (document.getElementById('live-status') || {}).textContent?.includes(t)",
        arg=WAITING[lang],
    )
    assert _stored(app) == [], "a background save never sends the file"
    _shot(page, f"{lang}-{viewport['width']}-file-chosen")
    page.locator("button[value=later]").click()
    page.wait_for_url("**/saved")
    assert _stored(app) == ["lokacija.png"]
    page.goto(f"{live_server}/{lang}/r/{token}/p/1")
    current = page.locator("#site_photo-current")
    assert "lokacija.png" in current.inner_text()
    assert page.locator("#site_photo-remove").is_visible()
    page.locator("#site_photo-block").scroll_into_view_if_needed()
    _shot(page, f"{lang}-{viewport['width']}-current-file")
    # A PNG named .pdf is refused with the reason beside the question; the photo stays.
    wrong = tmp_path / "plan.pdf"
    wrong.write_bytes(files.png())
    page.locator("#action_plan").set_input_files(str(wrong))
    with page.expect_navigation():
        page.locator("button[value=next]").click()
    assert "/p/1" in page.url
    assert REFUSED[lang] in page.locator("#action_plan-block").inner_text()
    assert "lokacija.png" in page.locator("#site_photo-current").inner_text()
    _shot(page, f"{lang}-{viewport['width']}-refused")
    assert _stored(app) == ["lokacija.png"]
