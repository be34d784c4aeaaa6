"""Staff reach the forms of a repeat's number of entries, an upload question's limits,
a hidden question's value and a date's or time's default by clicking from the staff
home, in Albanian and Macedonian, on a phone and a desktop: a refused value is shown
beside its field, a good one is saved."""

from __future__ import annotations

import pytest

from surveyapp.extensions import db
from surveyapp.models import QuestionnaireVersion
from surveyapp.questionnaires.xlsform.importer import import_xlsform
from tests.browser.conftest import DESKTOP, PHONE
from tests.conftest import PASSWORD
from tests.repeat_support import repeat_workbook, settings_draft
from tests.test_editor_moment_defaults import SURVEY as MOMENT_SURVEY


@pytest.mark.parametrize("viewport", [PHONE, DESKTOP], ids=["390", "1280"])
@pytest.mark.parametrize("lang", ["sq", "mk"])
def test_the_settings_forms_by_clicking(
    app, live_server, new_page, make_user, screenshots, lang, viewport
):
    version_id = settings_draft(app)
    page = new_page(viewport)
    shot = f"editor-settings-{lang}-{viewport['width']}"

    def save(step: str) -> None:
        page.screenshot(path=str(screenshots / f"{shot}-{step}.png"), full_page=True)
        assert page.evaluate("document.documentElement.scrollWidth") <= viewport["width"]

    page.goto(f"{live_server}/{lang}/staff/login")
    page.fill("#email", make_user("analyst"))
    page.fill("#password", PASSWORD)
    page.locator("main form button").click()
    page.wait_for_load_state()
    page.locator(f"main a[href='/{lang}/staff/questionnaires']").click()
    page.locator(f"main a[href='/{lang}/staff/questionnaires/{version_id}']").click()
    page.wait_for_load_state()
    save("editor")

    page.locator("a[href$='/entries']").click()
    page.check("#mode-1")
    page.fill("#number", "99")
    page.locator("main form button.primary").click()
    page.wait_for_load_state()
    assert page.locator(".field-error").count() == 1
    save("entries-refused")
    page.fill("#number", "3")
    page.locator("main form button.primary").click()
    page.wait_for_url(f"**/staff/questionnaires/{version_id}")
    assert page.locator(".flash").count() == 1

    page.locator("a[href$='/file-limits']").click()
    save("file-limits")
    for box in page.locator("input[name=accepted]").all():
        box.uncheck()
    page.fill("#max_size", "80")
    page.locator("main form button.primary").click()
    page.wait_for_load_state()
    assert page.locator(".field-error").count() == 2  # no kind ticked, a size past 50 MB
    save("file-limits-refused")
    page.check("input[name=accepted][value=png]")
    page.fill("#max_size", "5")
    page.locator("main form button.primary").click()
    page.wait_for_url(f"**/staff/questionnaires/{version_id}")

    page.locator("a[href$='/hidden-value']").click()
    page.fill("#value", "2027")
    page.locator("main form button.primary").click()
    page.wait_for_url(f"**/staff/questionnaires/{version_id}")
    save("saved")
    with app.app_context():
        version = db.session.get(QuestionnaireVersion, version_id)
        assert version.pages[1].repeat == {"kind": "repeat", "count": "3"}
        questions = {q.name: q for q in version.pages[0].questions}
        assert questions["round"].default == "2027"
        assert questions["site_photo"].extra == {
            "body::accept": ".png",
            "parameters": "max-size=5MB",
        }


@pytest.mark.parametrize("viewport", [PHONE, DESKTOP], ids=["390", "1280"])
@pytest.mark.parametrize("lang", ["sq", "mk"])
def test_the_default_answer_form_by_clicking(
    app, live_server, new_page, make_user, screenshots, lang, viewport
):
    with app.app_context():
        result = import_xlsform(repeat_workbook(MOMENT_SURVEY), "visits.xlsx")
        assert result.ok
        version_id = result.version.id
    page = new_page(viewport)
    shot = f"editor-default-{lang}-{viewport['width']}"
    page.goto(f"{live_server}/{lang}/staff/login")
    page.fill("#email", make_user("analyst"))
    page.fill("#password", PASSWORD)
    page.locator("main form button").click()
    page.wait_for_load_state()
    page.locator(f"main a[href='/{lang}/staff/questionnaires']").click()
    page.locator(f"main a[href='/{lang}/staff/questionnaires/{version_id}']").click()
    page.locator("a[href$='/default']").nth(1).click()  # the time question's
    page.check("#mode-2")
    page.fill("#value", "25:70")
    page.locator("main form button.primary").click()
    page.wait_for_load_state()
    assert page.locator(".field-error").count() == 1
    page.screenshot(path=str(screenshots / f"{shot}-refused.png"), full_page=True)
    assert page.evaluate("document.documentElement.scrollWidth") <= viewport["width"]
    page.check("#mode-1")
    page.locator("main form button.primary").click()
    page.wait_for_url(f"**/staff/questionnaires/{version_id}")
    with app.app_context():
        version = db.session.get(QuestionnaireVersion, version_id)
        assert version.pages[0].questions[1].default == "now()"
