"""An author uploads an XLSForm with rows the app cannot take, reads the whole report,
and chooses to import the rest: the new draft's import notes list the rows left out.
Screenshots of the report with the choice, phone and desktop, Latin and Cyrillic."""

from __future__ import annotations

from sqlalchemy import select

from surveyapp.extensions import db
from surveyapp.models import Questionnaire
from tests.browser.conftest import DESKTOP, PHONE
from tests.browser.test_authoring_browser import _sign_in
from tests.test_xlsform_partial_import import FORM


def test_the_author_reads_the_report_then_imports_the_rest(
    app, live_server, new_page, make_user, screenshots, tmp_path
):
    upload = tmp_path / "needs.xlsx"
    upload.write_bytes(FORM)
    email = make_user("analyst")
    for lang, viewport, size in (
        ("hr", PHONE, "phone"),
        ("sr", PHONE, "phone"),
        ("hr", DESKTOP, "desktop"),
        ("sr", DESKTOP, "desktop"),
    ):
        page = new_page(viewport)
        _sign_in(page, live_server, email)
        page.goto(f"{live_server}/{lang}/staff/questionnaires/import")
        page.set_input_files("#form_file", str(upload))
        page.fill("#name", f"needs_{lang}_{size}")
        page.locator("main form button.primary").click()
        page.wait_for_load_state()
        assert page.locator("#import-rest").count() == 1
        assert page.locator("button[value=rest]").is_visible()
        page.screenshot(path=screenshots / f"xlsform-import-rest-{lang}-{size}.png", full_page=True)
    # The last one: import the rest, and find the notes in the editor.
    page.locator("button[value=rest]").click()
    page.wait_for_load_state()
    assert page.locator("#import-notes").count() == 1
    notes = page.locator("section[aria-labelledby=import-notes]").inner_text()
    assert "background-audio" in notes and "${code}" in notes
    page.screenshot(path=screenshots / "xlsform-import-notes-sr-desktop.png", full_page=True)
    with app.app_context():
        assert db.session.scalar(
            select(Questionnaire).where(Questionnaire.name == "needs_sr_desktop")
        )
