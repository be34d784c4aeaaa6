"""A repeat page with a file question in the browser (#20), in Bosnian and Serbian
(Cyrillic), on a phone and a desktop: each entry takes its own file with the page's
button, the page shown again names each entry's kept file, removing the first entry
leaves the second's file with it, and a good file chosen on a page with an error is
asked for again. Screenshots go to /work/shots/repfile/ when
that folder's parent exists."""

from __future__ import annotations

import os
from pathlib import Path

import pytest
from sqlalchemy import select

from surveyapp.extensions import db
from surveyapp.models import StoredFile
from tests import upload_files as files
from tests.browser.conftest import AXE, DESKTOP, PHONE, _local_only, need_tool
from tests.repeat_support import repeat_campaign, repeat_invitation

SHOTS = Path(os.environ.get("REPEAT_UPLOAD_SHOTS", "/work/shots/repfile"))
SURVEY = [
    ["type", "name", "label::English (en)", "label::Bosanski (bs)", "label::Српски (sr)",
     "required", "parameters", "constraint"],
    ["begin repeat", "programme", "Youth programmes", "Programi za mlade", "Програми за младе"],
    ["text", "pname", "Name of the programme", "Naziv programa", "Назив програма", "yes"],
    ["integer", "funding", "Yearly funding (EUR)", "Godišnje finansiranje (EUR)",
     "Годишње финансирање (EUR)", "", "", ". >= 0"],
    ["image", "pphoto", "A photo of the programme", "Fotografija programa",
     "Фотографија програма"],
    ["file", "pplan", "The programme's plan", "Plan programa", "План програма", "",
     "max-size=1MB"],
    ["end repeat"],
    ["text", "comment", "Anything else?", "Još nešto?", "Још нешто?"],
]  # fmt: skip
CHOICES = [["list_name", "name", "label::English (en)", "label::Bosanski (bs)",
            "label::Српски (sr)"], ["yes_no", "yes", "Yes", "Da", "Да"]]  # fmt: skip
SETTINGS = [
    ["title::English (en)", "title::Bosanski (bs)", "title::Српски (sr)", "form_id"],
    ["Youth programmes", "Programi za mlade", "Програми за младе", "youth_files"],
]
WORDS = {
    "bs": {"add": "Dodajte još jedan unos", "names": ("Vijeće mladih", "Sportski kamp")},
    "sr": {"add": "Додајте још један унос", "names": ("Савет младих", "Спортски камп")},
}


def _shot(page, name: str) -> None:
    if SHOTS.parent.exists():
        SHOTS.mkdir(exist_ok=True)
        page.screenshot(path=SHOTS / f"{name}.png", full_page=True)


def _stored(app) -> dict[int, list[str]]:
    """Stored file names by entry."""
    with app.app_context():
        rows = db.session.execute(
            select(StoredFile.entry_index, StoredFile.original_name).order_by(StoredFile.id)
        ).all()
        db.session.remove()
    found: dict[int, list[str]] = {}
    for entry, name in rows:
        found.setdefault(entry, []).append(name)
    return found


@pytest.mark.parametrize(
    ("lang", "viewport"),
    [("bs", PHONE), ("bs", DESKTOP), ("sr", PHONE), ("sr", DESKTOP)],
    ids=["bs-390", "bs-1280", "sr-390", "sr-1280"],
)
def test_each_entry_sends_its_file_and_keeps_it(
    app, live_server, new_page, tmp_path, lang, viewport
):
    app.config["UPLOAD_FOLDER"] = str(tmp_path / "uploads")
    campaign_id, _version_id = repeat_campaign(app, SURVEY, choices=CHOICES, settings=SETTINGS)
    token = repeat_invitation(app, campaign_id, lang)
    words, width = WORDS[lang], viewport["width"]
    page = new_page(viewport)
    page.goto(f"{live_server}/{lang}/r/{token}")
    page.locator("button[name=action][value=accept]").click()
    page.wait_for_url("**/p/1")
    assert page.locator("#page-form").get_attribute("enctype") == "multipart/form-data"
    photo = tmp_path / "vijece.png"
    photo.write_bytes(files.png((800, 600)))
    page.fill("#e1-pname", words["names"][0])
    page.locator("#e1-pphoto").set_input_files(str(photo))
    with page.expect_navigation():
        page.get_by_role("button", name=words["add"]).click()
    assert _stored(app) == {1: ["vijece.png"]}
    assert "vijece.png" in page.locator("#e1-pphoto-current").inner_text()
    plan = tmp_path / "plan-kampa.pdf"
    plan.write_bytes(files.PDF)
    page.fill("#e2-pname", words["names"][1])
    page.locator("#e2-pplan").set_input_files(str(plan))
    overflow = page.evaluate("document.documentElement.scrollWidth - window.innerWidth")
    assert overflow <= 0, f"the repeat page is {overflow}px too wide"
    _shot(page, f"repeat-file-{lang}-{width}-chosen")
    with page.expect_navigation():
        page.locator("button[name=action][value=next]").click()
    assert "/p/2" in page.url
    assert _stored(app) == {1: ["vijece.png"], 2: ["plan-kampa.pdf"]}
    page.goto(f"{live_server}/{lang}/r/{token}/p/1")
    assert "plan-kampa.pdf" in page.locator("#e2-pplan-current").inner_text()
    assert page.locator("#e1-pphoto-remove").is_visible()
    _shot(page, f"repeat-file-{lang}-{width}-kept")
    # The first entry removed: the second (its plan with it) becomes entry 1.
    with page.expect_navigation():
        page.locator("button[name=action][value='remove:1']").click()
    assert _stored(app) == {1: ["plan-kampa.pdf"]}
    assert page.locator("#e1-pname").input_value() == words["names"][1]
    assert "plan-kampa.pdf" in page.locator("#e1-pplan-current").inner_text()
    # An error elsewhere: nothing stored, the chosen photo is to be chosen again.
    page.fill("#e1-funding", "-5")
    page.locator("#e1-pphoto").set_input_files(str(photo))
    with page.expect_navigation():
        page.locator("button[name=action][value=next]").click()
    assert "/p/1" in page.url
    assert "vijece.png" in page.locator("#e1-pphoto-again").inner_text()
    assert page.locator("#e1-funding").input_value() == "-5"
    assert _stored(app) == {1: ["plan-kampa.pdf"]}
    page.locator("#e1-pphoto-again").scroll_into_view_if_needed()
    _shot(page, f"repeat-file-{lang}-{width}-again")


def test_axe_finds_no_serious_violation_on_a_repeat_page_asking_for_a_file_again(
    app, live_server, browser, tmp_path
):
    need_tool(AXE, "axe-core")
    app.config["UPLOAD_FOLDER"] = str(tmp_path / "uploads")
    campaign_id, _version_id = repeat_campaign(app, SURVEY, choices=CHOICES, settings=SETTINGS)
    token = repeat_invitation(app, campaign_id, "sr")
    # axe is injected as a script; the pages' CSP rightly forbids that.
    context = browser.new_context(viewport=PHONE, bypass_csp=True)
    context.route("**/*", _local_only)
    page = context.new_page()
    page.goto(f"{live_server}/sr/r/{token}")
    page.locator("button[name=action][value=accept]").click()
    page.wait_for_url("**/p/1")
    photo = tmp_path / "savet.png"
    photo.write_bytes(files.png())
    page.fill("#e1-pname", "Савет младих")
    page.fill("#e1-funding", "-5")
    page.locator("#e1-pphoto").set_input_files(str(photo))
    with page.expect_navigation():
        page.locator("button[name=action][value=next]").click()
    assert page.locator("#e1-pphoto-again").is_visible()
    page.add_script_tag(path=str(AXE))
    result = page.evaluate("axe.run(document, {resultTypes: ['violations']})")
    context.close()
    serious = [
        (v["id"], [n["target"] for n in v["nodes"]][:3])
        for v in result["violations"]
        if v["impact"] in ("serious", "critical")
    ]
    assert not serious, serious
