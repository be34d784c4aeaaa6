"""Cascading selects (XLSForm ``choice_filter``) in Chromium, in Bosnian and in
Macedonian (Cyrillic), on a phone and a desktop: the municipality page lists only the
municipalities of the country chosen on the page before, and on a page that asks both
the municipalities follow the country as it is changed, before anything is sent (a
municipality that no longer fits is unticked). Screenshots go to /work/shots/filter/
when /work/shots exists."""

from __future__ import annotations

from pathlib import Path

import pytest

from tests.browser.conftest import DESKTOP, PHONE, _local_only
from tests.cascade_support import cascade_campaign, cascade_invitation

SHOTS = Path("/work/shots/filter")
#: What the review page says for the partner chosen last (Kisela Voda).
KISELA_VODA = {"bs": "Kisela Voda", "mk": "Кисела Вода"}
#: The message beside a municipality that no longer fits the country.
REFUSED = {
    "bs": "Ova opcija nije u skladu s Vašim ranijim odgovorima.",
    "mk": "Оваа опција не одговара на Вашите претходни одговори.",
}


def _shot(page, name: str) -> None:
    if SHOTS.parent.exists():
        SHOTS.mkdir(exist_ok=True)
        page.screenshot(path=SHOTS / f"{name}.png", full_page=True)


def _shown(page, name: str) -> list[str]:
    """The values of the options of ``name`` the respondent sees."""
    return page.eval_on_selector_all(
        f"input[name={name}]",
        "els => els.filter(el => el.offsetParent !== null).map(el => el.value)",
    )


@pytest.mark.parametrize("viewport", [DESKTOP, PHONE], ids=["desktop", "phone"])
@pytest.mark.parametrize("lang", ["bs", "mk"])
def test_municipalities_follow_the_country(app, live_server, new_page, lang, viewport):
    campaign_id, _version_id = cascade_campaign(app)
    token = cascade_invitation(app, campaign_id, lang)
    width = viewport["width"]
    page = new_page(viewport, locale="mk-MK" if lang == "mk" else "bs-BA")
    page.goto(f"{live_server}/{lang}/r/{token}")
    page.locator("button[name=action][value=accept]").click()
    page.wait_for_url("**/p/1")
    page.locator("#country-1").check()  # North Macedonia
    page.locator("button[name=action][value=next]").click()
    page.wait_for_url("**/p/2")
    assert _shown(page, "municipality") == ["centar", "cair", "kisela_voda"]
    _shot(page, f"cascade-next-page-{lang}-{width}")
    page.locator("label[for=municipality-1]").click()  # Čair
    page.locator("button[name=action][value=next]").click()
    page.wait_for_url("**/p/3")
    # Both on one page: nothing to choose from before the country.
    assert _shown(page, "partner") == []
    # The script takes out what the page showed for a page sent without it.
    assert page.locator("[data-drawn]").count() == 0
    page.locator("label[for=partner_country-0]").click()  # Bosnia and Herzegovina
    assert _shown(page, "partner") == ["centar", "novi_grad", "ilidza"]
    page.locator("label[for=partner-4]").click()  # Ilidža
    assert page.locator("#partner-4").is_checked()
    page.locator("label[for=partner_country-1]").click()  # North Macedonia
    assert _shown(page, "partner") == ["centar", "cair", "kisela_voda"]
    assert not page.locator("#partner-4").is_checked(), "Ilidža no longer fits: unticked"
    page.locator("label[for=partner-2]").click()  # Kisela Voda
    overflow = page.evaluate("document.documentElement.scrollWidth - window.innerWidth")
    assert overflow <= 0, f"the page is {overflow}px too wide"
    _shot(page, f"cascade-same-page-{lang}-{width}")
    page.locator("button[name=action][value=next]").click()
    page.wait_for_url("**/p/4")  # study visits: a repeat, left empty
    page.locator("button[name=action][value=next]").click()
    page.wait_for_url("**/review")
    assert KISELA_VODA[lang] in page.content()


@pytest.mark.parametrize("viewport", [DESKTOP, PHONE], ids=["desktop", "phone"])
@pytest.mark.parametrize("lang", ["bs", "mk"])
def test_without_javascript_a_changed_country_is_caught_before_submitting(
    app, browser, live_server, lang, viewport
):
    campaign_id, _version_id = cascade_campaign(app)
    token = cascade_invitation(app, campaign_id, lang)
    width = viewport["width"]
    context = browser.new_context(viewport=viewport, java_script_enabled=False)
    context.route("**/*", _local_only)
    page = context.new_page()
    page.goto(f"{live_server}/{lang}/r/{token}")
    page.locator("button[name=action][value=accept]").click()
    page.wait_for_url("**/p/1")
    page.locator("#country-1").check()  # North Macedonia
    page.locator("button[name=action][value=next]").click()
    page.wait_for_url("**/p/2")
    page.locator("#municipality-1").check()  # Čair
    page.locator("button[name=action][value=next]").click()
    page.wait_for_url("**/p/3")
    # The partner's country chosen: without the script the page comes back with its list.
    page.locator("#partner_country-0").check()  # Bosnia and Herzegovina
    page.locator("button[name=action][value=next]").click()
    page.wait_for_url("**/p/3")
    assert _shown(page, "partner") == ["centar", "novi_grad", "ilidza"]
    page.locator("button[name=action][value=next]").click()
    page.wait_for_url("**/p/4")
    page.goto(f"{live_server}/{lang}/r/{token}/p/1")
    page.locator("#country-0").check()  # Bosnia and Herzegovina, after all
    page.locator("button[name=action][value=next]").click()
    page.wait_for_url("**/p/2")
    page.goto(f"{live_server}/{lang}/r/{token}/review")
    page.locator("a[href*='/p/2?check=1']").click()
    page.wait_for_url("**/p/2?check=1")
    assert REFUSED[lang] in page.locator("#municipality-block").inner_text()
    assert _shown(page, "municipality") == ["novi_grad", "centar", "ilidza"]
    _shot(page, f"cascade-changed-country-{lang}-{width}")
    context.close()
