"""The export page with a job in progress, the job's page (its bar moves live with the
script, and the page refreshes itself without it), and the codebook, in a Latin and a
Cyrillic language, on a desktop and a phone: nothing wider than the screen."""

from __future__ import annotations

import os
import shutil
import time
from pathlib import Path

import pytest
from sqlalchemy import select, update

from surveyapp.core.database import write_transaction
from surveyapp.extensions import db
from surveyapp.models import Campaign, ExportFile
from surveyapp.responses import export_files
from tests.browser.conftest import DESKTOP, PHONE
from tests.conftest import PASSWORD

#: Screenshots are also copied here when set (a reviewer's folder).
SHOTS = os.environ.get("EXPORT_SHOTS_DIR")


def _sign_in(page, base, email, lang):
    page.goto(f"{base}/{lang}/staff/login")
    page.fill("#email", email)
    page.fill("#password", PASSWORD)
    page.locator("main form button").click()
    page.wait_for_load_state()


def _progress(app, export_id: int, done: int) -> None:
    with app.app_context(), write_transaction():
        db.session.execute(
            update(ExportFile)
            .where(ExportFile.id == export_id)
            .values(status="running", rows_done=done, rows_total=1000)
        )


def _shoot(page, screenshots: Path, name: str) -> None:
    path = screenshots / f"{name}.png"
    page.screenshot(path=str(path), full_page=True)
    if SHOTS:
        Path(SHOTS).mkdir(parents=True, exist_ok=True)
        shutil.copy(path, Path(SHOTS) / path.name)


@pytest.mark.parametrize("viewport", [DESKTOP, PHONE], ids=["desktop", "phone"])
@pytest.mark.parametrize("lang", ["sq", "mk"])
def test_export_job_and_codebook_pages(
    app, live_server, new_page, make_user, screenshots, tmp_path, lang, viewport
):
    app.config.update(EXPORT_DIR=str(tmp_path / "exports"))
    with app.app_context():
        campaign = db.session.scalar(select(Campaign))
        campaign_id, version_id = campaign.id, campaign.version_id
        export_id = export_files.start_export(campaign_id, "sav", None, lang, False, None).id
    _progress(app, export_id, 400)
    page = new_page(viewport)
    _sign_in(page, live_server, make_user("analyst"), lang)
    width = viewport["width"]
    size = "phone" if viewport is PHONE else "desktop"
    base = f"{live_server}/{lang}/staff"
    # the codebook first: the job page below reloads itself, which would cut a later visit
    page.goto(f"{base}/questionnaires/{version_id}/codebook")
    assert page.locator(".codebook-entry").count() > 40
    assert page.evaluate("document.documentElement.scrollWidth") <= width
    _shoot(page, screenshots, f"codebook-{lang}-{size}")

    page.goto(f"{base}/campaigns/{campaign_id}/export")
    assert page.locator(".export-files progress").get_attribute("value") == "40"
    assert page.evaluate("document.documentElement.scrollWidth") <= width
    _shoot(page, screenshots, f"export-page-job-{lang}-{size}")

    page.goto(f"{base}/campaigns/{campaign_id}/exports/{export_id}")
    bar = page.locator("#export-progress-bar")
    assert bar.get_attribute("value") == "40"
    assert page.evaluate("document.documentElement.scrollWidth") <= width
    _shoot(page, screenshots, f"export-job-{lang}-{size}")
    _progress(app, export_id, 750)
    with page.expect_response(lambda reply: reply.url.endswith("/status.json")) as asked:
        pass  # the script asks for the status every second
    assert asked.value.json()["percent"] == 75
    deadline = time.monotonic() + 10
    while page.locator("#export-progress-bar").get_attribute("value") != "75":
        assert time.monotonic() < deadline, "the bar did not move"
        page.wait_for_timeout(100)


def test_the_job_page_refreshes_itself_without_javascript(
    app, live_server, browser, make_user, tmp_path
):
    app.config.update(EXPORT_DIR=str(tmp_path / "exports"))
    with app.app_context():
        campaign_id = db.session.scalar(select(Campaign.id))
        export_id = export_files.start_export(campaign_id, "dta", None, "en", False, None).id
    context = browser.new_context(java_script_enabled=False)
    page = context.new_page()
    _sign_in(page, live_server, make_user("analyst"), "en")
    page.goto(f"{live_server}/en/staff/campaigns/{campaign_id}/exports/{export_id}")
    assert "Waiting for a worker." in page.content()
    _progress(app, export_id, 300)
    deadline = time.monotonic() + 10  # the meta refresh: every 3 seconds
    while page.locator("#export-progress-bar").get_attribute("value") != "30":
        assert time.monotonic() < deadline, "the page did not refresh itself"
        page.wait_for_timeout(200)
    context.close()


@pytest.mark.parametrize("viewport", [PHONE, DESKTOP], ids=["phone", "desktop"])
@pytest.mark.parametrize("lang", ["sq", "mk"])
def test_every_column_of_the_export_files_is_in_sight(
    app, live_server, new_page, make_user, screenshots, tmp_path, lang, viewport
):
    """On a phone each export file is a card of labelled lines (the table's columns cut
    "kept until" off the screen): the progress bar and the download link on it."""
    app.config.update(EXPORT_DIR=str(tmp_path / "exports"))
    with app.app_context():
        campaign_id = db.session.scalar(select(Campaign.id))
        running = export_files.start_export(campaign_id, "sav", None, lang, False, None).id
        ready = export_files.start_export(campaign_id, "csv", lang, lang, False, None).id
    _progress(app, running, 400)
    with app.app_context(), write_transaction():
        db.session.execute(
            update(ExportFile)
            .where(ExportFile.id == ready)
            .values(status="ready", rows_done=1000, rows_total=1000, size=2_500_000)
        )
    page = new_page(viewport)
    _sign_in(page, live_server, make_user("analyst"), lang)
    page.goto(f"{live_server}/{lang}/staff/campaigns/{campaign_id}/export")
    width = viewport["width"]
    table = page.locator("table.export-files")
    headers = table.locator("thead th").all_inner_texts()
    assert len(headers) == 5
    cells = table.locator("tbody td")
    assert cells.count() == 10
    for index in range(cells.count()):
        # Where it is without scrolling the table sideways.
        left, right = cells.nth(index).evaluate(
            "td => [td.getBoundingClientRect().left, td.getBoundingClientRect().right]"
        )
        assert left >= 0 and right <= width, f"{headers[index % 5]!r} is out of sight"
    bar = table.locator("progress")
    assert bar.get_attribute("value") == "40"
    assert bar.is_visible()
    assert table.locator("a[href$='/download']").is_visible()
    if viewport is PHONE:
        # Each line says which column it is, in the page's language.
        labels = page.evaluate(
            "[...document.querySelectorAll('table.export-files tbody tr:first-child td')]"
            ".map(td => getComputedStyle(td, '::before').content)"
        )
        assert [label.strip("\"': ") for label in labels] == headers
    page.locator("#files").scroll_into_view_if_needed()
    size = "phone" if viewport is PHONE else "desktop"
    _shoot(page, screenshots, f"export-files-{lang}-{size}")
