"""Every language's respondent page and the staff pages, rendered in Chromium:
screenshots for people to look at, and checks a person would make."""

from __future__ import annotations

import pytest

from surveyapp.languages.registry import LANGUAGES, TRANSLATED_LANGUAGES, VARIANTS
from tests.browser.conftest import DESKTOP, PHONE
from tests.conftest import PASSWORD


def _no_sideways_scrolling(page) -> None:
    overflow = page.evaluate("document.documentElement.scrollWidth - window.innerWidth")
    widest = page.evaluate(
        """[...document.querySelectorAll('main *')]
            .filter(e => e.getBoundingClientRect().right > window.innerWidth + 1)
            .slice(0, 3).map(e => e.tagName + '.' + e.className).join(', ')"""
    )
    assert overflow <= 0, f"{page.url} is {overflow}px wider than the screen: {widest}"


@pytest.mark.parametrize("lang", list(LANGUAGES))
def test_a_questionnaire_page_in_every_language_on_a_phone(
    live_server, new_page, respondent, screenshots, lang
):
    person = respondent(lang, municipality="al-shkoder" if lang == "sq" else "ba-mostar")
    person.consent()
    page = new_page(PHONE)
    # The same session cookie is not needed: the link is the respondent's key.
    page.goto(f"{live_server}/{lang}/r/{person.token}/p/2")
    assert page.locator("html").get_attribute("lang") == lang
    assert page.locator("h1").inner_text().strip()
    _no_sideways_scrolling(page)
    page.screenshot(path=screenshots / f"page2-{lang}-phone.png", full_page=True)


@pytest.mark.parametrize("lang", ["sq", "sr"])
def test_the_translation_status_page(live_server, new_page, make_user, screenshots, lang):
    email = make_user("translator")
    page = new_page(DESKTOP)
    page.goto(f"{live_server}/{lang}/staff/translations")
    assert "/staff/login" in page.url
    page.fill("#email", email)
    page.fill("#password", PASSWORD)
    page.locator("main form button").click()
    page.wait_for_load_state()
    assert page.url.endswith(f"/{lang}/staff/translations")
    # One row per language with a catalog of its own (Serbian Latin is derived), then
    # one per regional variant in a table of their own.
    tables = page.locator("table.matrix")
    assert tables.first.locator("tbody tr").count() == len(TRANSLATED_LANGUAGES)
    assert tables.nth(1).locator("tbody tr").count() == len(VARIANTS)
    _no_sideways_scrolling(page)
    page.screenshot(path=screenshots / f"translations-{lang}-desktop.png", full_page=True)


@pytest.mark.parametrize(("lang", "viewport"), [("sq", DESKTOP), ("sr", PHONE)])
def test_the_questionnaire_editor(
    app, live_server, new_page, make_user, screenshots, lang, viewport
):
    from tests.plans import builtin_version

    with app.app_context():
        version = builtin_version()
        version_id, question_id = version.id, version.pages[1].questions[0].id
    email = make_user("analyst")
    page = new_page(viewport)
    page.goto(f"{live_server}/{lang}/staff/login")
    page.fill("#email", email)
    page.fill("#password", PASSWORD)
    page.locator("main form button").click()
    page.wait_for_load_state()
    for name, path in (
        ("editor", f"/{lang}/staff/questionnaires/{version_id}"),
        ("question", f"/{lang}/staff/questions/{question_id}"),
        ("preview", f"/{lang}/staff/questionnaires/{version_id}/preview/{lang}/2"),
    ):
        page.goto(live_server + path)
        assert page.locator("h1").count() == 1
        _no_sideways_scrolling(page)
        page.screenshot(path=screenshots / f"{name}-{lang}-{viewport['width']}.png", full_page=True)
