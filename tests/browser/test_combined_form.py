"""Issue #20 end to end: a form imported from an XLSForm with "Other, specify", a time,
a location, a photo and a repeat, filled in Macedonian (Cyrillic) in a real browser —
three entries added with the button, the location from "Use my location" then typed
over, a real PNG sent — and the XLSX and CSV exports hold exactly what was typed, the
photo's link giving back the very bytes sent. Screenshots at 390 and 1280 px go to
/work/shots/combo/ when /work/shots exists."""

from __future__ import annotations

import csv
import io
import zipfile
from pathlib import Path

import openpyxl
import pytest
from sqlalchemy import select

from surveyapp.extensions import db
from surveyapp.models import Response
from tests import upload_files as files
from tests.browser.conftest import DESKTOP, PHONE, _local_only
from tests.repeat_support import repeat_campaign, repeat_invitation

SHOTS = Path("/work/shots/combo")
SURVEY = [
    ["type", "name", "label::English (en)", "label::Македонски (mk)", "relevant",
     "calculation", "required"],
    ["begin group", "office", "The youth office", "Канцеларијата за млади"],
    ["select_one target or_other", "audience", "Who does the office serve most?",
     "Кому најмногу му служи канцеларијата?"],
    ["time", "opens", "When does it open?", "Кога се отвора?"],
    ["geopoint", "place", "Where is it?", "Каде се наоѓа?"],
    ["image", "photo", "A photo of the office", "Фотографија од канцеларијата"],
    ["end group"],
    ["begin repeat", "programme", "Youth programmes", "Програми за млади"],
    ["text", "pname", "Name of the programme", "Име на програмата", "", "", "yes"],
    ["integer", "year", "Year it began", "Година на почеток"],
    ["end repeat"],
]  # fmt: skip
OTHER = "Невладини организации „Џ-Ѕ“"
TIME = "08:30"
GEOLOCATION = {"latitude": 41.1786, "longitude": 20.6783}
LATITUDE, LONGITUDE = "41.9981", "21.4254"
ENTRIES = [("Младински совет", "2019"), ("Спорт за сите", "2021"), ("Ѓубре-акција Шуто", "2024")]


def _shot(page, name: str) -> None:
    if SHOTS.parent.exists():
        SHOTS.mkdir(exist_ok=True)
        page.screenshot(path=SHOTS / f"{name}.png", full_page=True)


def _fill_in_the_browser(browser, live_server, token, viewport, photo: Path) -> None:
    context = browser.new_context(
        viewport=viewport, locale="mk-MK", geolocation=GEOLOCATION, permissions=["geolocation"]
    )
    context.route("**/*", _local_only)
    page = context.new_page()
    width = viewport["width"]
    page.goto(f"{live_server}/mk/r/{token}")
    page.locator("button[name=action][value=accept]").click()
    page.wait_for_url("**/p/1")
    assert page.locator("#page-form").get_attribute("enctype") == "multipart/form-data"
    page.locator("#audience-2").check()  # "Other", after the list's two choices
    page.locator("#audience-other").fill(OTHER)
    page.locator("#opens").fill(TIME)
    page.locator("button[data-geopoint]").click()
    page.wait_for_function("document.getElementById('place-lat').value !== ''")
    assert page.locator("#place-lat").input_value() == str(GEOLOCATION["latitude"])
    assert page.locator("#place-lon").input_value() == str(GEOLOCATION["longitude"])
    page.locator("#place-lat").fill(LATITUDE)
    page.locator("#place-lon").fill(LONGITUDE)
    page.locator("#photo").set_input_files(str(photo))
    _shot(page, f"other-time-place-photo-mk-{width}")
    page.locator("button[name=action][value=next]").click()
    page.wait_for_url("**/p/2")
    for number, (name, year) in enumerate(ENTRIES, start=1):
        if number > 1:
            page.get_by_role("button", name="Додајте уште еден запис").click()
            page.wait_for_url("**/p/2")
        assert page.get_by_role("heading", name=f"Запис {number}").is_visible()
        page.fill(f"#e{number}-pname", name)
        page.fill(f"#e{number}-year", year)
    assert page.locator("section.repeat-entry").count() == 3
    overflow = page.evaluate("document.documentElement.scrollWidth - window.innerWidth")
    assert overflow <= 0, f"the repeat page is {overflow}px too wide"
    _shot(page, f"repeat-three-entries-mk-{width}")
    page.locator("button[name=action][value=next]").click()
    page.wait_for_url("**/review")
    review = page.locator("main").inner_text()
    for expected in (OTHER, TIME, *(name for name, _year in ENTRIES)):
        assert expected in review, f"the review page lacks {expected!r}"
    _shot(page, f"review-mk-{width}")
    page.get_by_role("button", name="Испратете ги одговорите").click()
    page.wait_for_url("**/thanks")
    context.close()


def _rows(sheet) -> list[dict]:
    rows = [list(row) for row in sheet.iter_rows(values_only=True)]
    return [dict(zip(rows[0], row, strict=True)) for row in rows[1:]]


@pytest.mark.parametrize("viewport", [PHONE, DESKTOP], ids=["390", "1280"])
def test_a_cyrillic_form_with_every_new_part_exports_exactly_what_was_typed(
    app, browser, live_server, staff, tmp_path, viewport
):
    app.config["UPLOAD_FOLDER"] = str(tmp_path / "uploads")
    campaign_id, _version_id = repeat_campaign(app, SURVEY)
    token = repeat_invitation(app, campaign_id, "mk")
    photo = tmp_path / "канцеларија.png"
    photo.write_bytes(files.png((64, 48)))
    _fill_in_the_browser(browser, live_server, token, viewport, photo)
    with app.app_context():
        (response_id,) = db.session.scalars(
            select(Response.id).where(
                Response.campaign_id == campaign_id, Response.status == "submitted"
            )
        ).all()
        db.session.remove()

    analyst = staff("analyst")
    base = f"/en/staff/campaigns/{campaign_id}"
    got = analyst.client.get(f"{base}/responses.xlsx?labels=codes")
    assert got.status_code == 200
    book = openpyxl.load_workbook(io.BytesIO(got.data))
    assert book.sheetnames[:2] == ["responses", "programme"]
    (main,) = _rows(book["responses"])
    assert main["response_id"] == response_id
    assert (main["audience"], main["audience_other"]) == ("other", OTHER)
    assert main["opens"] == TIME
    assert (main["place_latitude"], main["place_longitude"]) == (
        float(LATITUDE),
        float(LONGITUDE),
    )
    link = main["photo"]
    assert link.startswith("http://localhost/") and "/staff/files/" in link
    entries = _rows(book["programme"])
    assert [(r["response_id"], r["entry"], r["pname"], r["year"]) for r in entries] == [
        (response_id, number, name, int(year))
        for number, (name, year) in enumerate(ENTRIES, start=1)
    ]

    got = analyst.client.get(f"{base}/responses.csv?labels=codes")
    assert got.status_code == 200 and got.mimetype == "application/zip"
    archive = zipfile.ZipFile(io.BytesIO(got.data))
    stem = f"responses-{campaign_id}"
    assert archive.namelist() == [f"{stem}.csv", f"{stem}-programme.csv"]

    def read(name: str) -> list[dict]:
        text = archive.read(name).decode("utf-8-sig")
        return list(csv.DictReader(io.StringIO(text)))

    (row,) = read(f"{stem}.csv")
    assert (row["audience"], row["audience_other"], row["opens"]) == ("other", OTHER, TIME)
    assert (row["place_latitude"], row["place_longitude"]) == (LATITUDE, LONGITUDE)
    assert row["photo"] == link
    assert [(r["response_id"], r["entry"], r["pname"], r["year"]) for r in read(
        f"{stem}-programme.csv"
    )] == [
        (str(response_id), str(number), name, year)
        for number, (name, year) in enumerate(ENTRIES, start=1)
    ]  # fmt: skip

    reply = analyst.client.get(link.removeprefix("http://localhost"))
    assert reply.status_code == 200 and reply.data == photo.read_bytes()
    assert reply.mimetype == "image/png"
    reply.close()
