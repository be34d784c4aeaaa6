"""A respondent completes the questionnaire in a real browser, with one
validation error on the way, in Macedonian (Cyrillic), Montenegrin (Latin) and Croatian
(a Mostar mayor, on a phone)."""

from __future__ import annotations

import pytest
from sqlalchemy import select

from surveyapp.extensions import db
from surveyapp.models import Invitation, Response
from tests.browser.conftest import DESKTOP, PHONE


def _fill_page(page) -> None:
    """Answer every question on the current page the way a person would."""
    for group in page.locator("ul.options").all():
        radios = group.locator("input[type=radio]")
        if radios.count():
            radios.nth(min(2, radios.count() - 1)).check()
        boxes = group.locator("input[type=checkbox]")
        for i in range(min(2, boxes.count())):
            boxes.nth(i).check()
    for field in page.locator("input[inputmode=decimal]").all():
        field.fill("12")
    for field in page.locator("input[type=date]").all():
        field.fill("2024-03-15")
    for field in page.locator("main input[type=text]:not([inputmode])").all():
        field.fill("Sport i kultura za mlade")
    for field in page.locator("main textarea").all():
        field.fill("Мир и доверба · Mir i povjerenje · Śnijeg")


@pytest.mark.parametrize(
    ("lang", "viewport", "municipality"),
    [("mk", PHONE, "mk-kumanovo"), ("cnr", DESKTOP, "me-niksic"), ("hr", PHONE, "ba-mostar")],
    ids=["mk-phone", "cnr-desktop", "hr-phone"],
)
def test_complete_the_questionnaire_in_the_browser(
    app, live_server, new_page, make_invitation, screenshots, lang, viewport, municipality
):
    token = make_invitation(municipality=municipality, role="mayor", language=lang)
    page = new_page(viewport)
    shot = 0

    def snap(name: str) -> None:
        nonlocal shot
        shot += 1
        page.screenshot(path=screenshots / f"{lang}-{shot:02d}-{name}.png", full_page=True)

    page.goto(f"{live_server}/r/{token}")
    assert page.url.endswith(f"/{lang}/r/{token}")
    assert page.locator("html").get_attribute("lang") == lang
    snap("consent")
    page.locator("button[value=accept]").click()
    page.wait_for_load_state()
    assert page.url.endswith("/p/1")

    # One validation error: a number that is not a number, then the fix.
    _fill_page(page)
    number = page.locator("input[inputmode=decimal]").first
    number.fill("dvanaest")
    page.locator("button[value=next]").click()
    page.wait_for_load_state()
    assert page.url.endswith("/p/1")
    summary = page.locator(".error-summary")
    assert summary.is_visible()
    error = page.locator(".field-error").first.inner_text()
    assert error and "Please enter a number" not in error, (
        "the error must be in the page's language"
    )
    assert number.get_attribute("aria-invalid") == "true"
    assert number.input_value() == "dvanaest", "what was typed is kept"
    snap("validation-error")
    number.fill("12")
    page.locator("button[value=next]").click()
    page.wait_for_load_state()

    pages = int(page.locator("progress").get_attribute("max"))
    for current in range(2, pages + 1):
        assert page.url.endswith(f"/p/{current}")
        _fill_page(page)
        if current == 2:
            snap("page-2")
        page.locator("button[value=next]").click()
        page.wait_for_load_state()

    assert page.url.endswith("/review")
    snap("review")
    page.locator("main form button").click()
    page.wait_for_load_state()
    assert page.url.endswith("/thanks")
    snap("thanks")

    with app.app_context():
        invitation = db.session.scalar(select(Invitation).where(Invitation.token == token))
        response = db.session.scalar(
            select(Response).where(Response.invitation_id == invitation.id)
        )
        assert response.status == "submitted" and response.language == lang
        assert len(response.answers) >= 30
