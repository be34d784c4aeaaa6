"""Withdrawing, asking for deletion and the staff deletion page, in a Cyrillic and
a Latin language: a respondent on a phone, staff on a desktop."""

from __future__ import annotations

import pytest

from tests.browser.conftest import DESKTOP, PHONE
from tests.browser.test_profile_pages import _sign_in
from tests.plans import answer_plan, builtin_version

ARTIFACTS = __import__("pathlib").Path(__file__).resolve().parents[2] / "artifacts"


def _fill_page(page, plan) -> None:
    for name, value in plan.form.items():
        values = value if isinstance(value, list) else [value]
        field = page.locator(f"[name='{name}']")
        kind = field.first.get_attribute("type")
        if kind in ("radio", "checkbox"):
            for v in values:
                page.locator(f"[name='{name}'][value='{v}']").check()
        elif field.first.evaluate("e => e.tagName") == "SELECT":
            field.select_option(values[0])
        else:
            field.fill(values[0].strip())


@pytest.mark.parametrize("lang", ["mk", "cnr"])
def test_erasure_pages(app, live_server, new_page, make_invitation, make_user, lang):
    ARTIFACTS.mkdir(exist_ok=True)
    with app.app_context():
        plans = answer_plan(builtin_version(), 1)
    phone = new_page(PHONE)
    base = f"{live_server}/{lang}/r"

    # Withdrawing, on page 2.
    token = make_invitation(municipality="me-kotor", role="councillor", language=lang)
    phone.goto(f"{base}/{token}")
    phone.locator("button[value=accept]").click()
    _fill_page(phone, plans[0])
    phone.locator("button[value=next]").click()
    phone.locator("p.withdraw a").click()
    assert "/withdraw" in phone.url
    overflow = phone.evaluate("document.documentElement.scrollWidth - window.innerWidth")
    assert overflow <= 0
    phone.screenshot(path=ARTIFACTS / f"withdraw-confirm-{lang}-390.png", full_page=True)
    phone.locator("main form button.danger").click()
    assert phone.url.endswith("/withdrawn")
    phone.screenshot(path=ARTIFACTS / f"withdrawn-{lang}-390.png", full_page=True)

    # Asking for deletion after submitting.
    token = make_invitation(municipality="mk-ohrid", role="mayor", language=lang)
    phone.goto(f"{base}/{token}")
    phone.locator("button[value=accept]").click()
    for plan in plans:
        _fill_page(phone, plan)
        phone.locator("button[value=next]").click()
    phone.locator("main form button.primary").click()
    assert phone.url.endswith("/thanks")
    phone.locator(f"a[href$='/r/{token}/deletion']").click()
    phone.screenshot(path=ARTIFACTS / f"deletion-request-confirm-{lang}-390.png", full_page=True)
    phone.locator("main form button.danger").click()
    assert phone.url.endswith("/thanks")
    phone.screenshot(path=ARTIFACTS / f"deletion-request-received-{lang}-390.png", full_page=True)

    # Staff: the list, then the confirmation of deleting.
    desk = new_page(DESKTOP)
    _sign_in(desk, live_server, make_user("analyst"), lang)
    desk.goto(f"{live_server}/{lang}/staff/deletions")
    assert desk.locator("table.deletion-requests tbody tr").count() == 1
    desk.screenshot(path=ARTIFACTS / f"staff-deletions-{lang}-1280.png", full_page=True)
    desk.locator("table.deletion-requests a.button").click()
    desk.screenshot(path=ARTIFACTS / f"staff-delete-confirm-{lang}-1280.png", full_page=True)
    desk.locator("main form button.danger").click()
    desk.screenshot(path=ARTIFACTS / f"staff-deleted-{lang}-1280.png", full_page=True)
    assert desk.locator("table.deletion-requests").count() == 0
    phone.goto(f"{base}/{token}/thanks")
    phone.screenshot(path=ARTIFACTS / f"deleted-link-{lang}-390.png", full_page=True)
