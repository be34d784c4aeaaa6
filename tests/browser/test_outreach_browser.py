"""Outreach as staff and recipients use it in Chromium: import contacts, check and
send invitations, preview a mail, and opt out from the link in the mail; in a
Cyrillic and a Latin language, on a desktop and a phone, with nothing wider than
the screen."""

from __future__ import annotations

import re

import pytest

from surveyapp.models import OutboundMail
from tests.browser.conftest import DESKTOP, PHONE
from tests.browser.test_profile_pages import _sign_in
from tests.outreach_support import demo_campaign, with_public_url

CONTACTS = (
    "Ime i prezime;E-mail;Uloga;Općina;Jezik\n"
    "Ана Петровска;ana@example.org;Градоначалник;Чаир;mk\n"
    "Arben Krasniqi;arben@example.org;Këshilltar;Çair;sq\n"
    "Besa Hoxha;besa@example.org;Kryetar;Tiranë;sq\n"
).encode()


def _fits(page) -> bool:
    return page.evaluate("() => document.documentElement.scrollWidth <= window.innerWidth")


@pytest.mark.parametrize(("lang", "viewport"), [("mk", DESKTOP), ("sq", PHONE)])
def test_staff_import_check_and_send_and_a_recipient_opts_out(
    app, live_server, new_page, make_user, screenshots, lang, viewport
):
    with_public_url(app).config["PUBLIC_URL"] = live_server
    with app.app_context():
        campaign_id = demo_campaign().id
    make_user("admin")
    page = new_page(viewport)
    _sign_in(page, live_server, "admin@example.org", lang)

    page.goto(f"{live_server}/{lang}/staff/contacts/import")
    page.set_input_files(
        "input[type=file]", {"name": "kontakti.csv", "mimeType": "text/csv", "buffer": CONTACTS}
    )
    page.locator("main form button.primary").click()
    page.wait_for_load_state()
    assert page.locator(".flash").count() == 1
    assert page.locator("table.data tbody tr").count() == 3

    page.goto(f"{live_server}/{lang}/staff/campaigns/{campaign_id}")
    page.locator(f"a[href$='/campaigns/{campaign_id}/outreach']").click()
    page.wait_for_load_state()
    page.select_option("#invite-country", "MK")
    page.locator("section[aria-labelledby=send-invitations] form button").first.click()
    page.wait_for_load_state()
    plan = page.locator(".plan")
    assert plan.count() == 1 and "2" in plan.locator(".lead").inner_text()
    assert _fits(page)
    page.screenshot(
        path=screenshots / f"outreach-plan-{lang}-{viewport['width']}.png", full_page=True
    )
    plan.locator("button").click()
    page.wait_for_load_state()
    assert page.locator(".flash").count() == 1 and page.locator(".plan").count() == 0

    page.goto(
        f"{live_server}/{lang}/staff/campaigns/{campaign_id}/outreach/preview?kind=invitation&language={lang}"
    )
    assert page.locator(".mail-body a").count() == 2
    assert _fits(page)
    page.screenshot(
        path=screenshots / f"outreach-mail-{lang}-{viewport['width']}.png", full_page=True
    )

    with app.app_context():
        from surveyapp.extensions import db

        mail = db.session.scalar(
            db.select(OutboundMail).where(OutboundMail.to_address == "ana@example.org")
        )
        opt_out = re.search(r"(http://127\.0\.0\.1:\d+/mk/u/[\w-]+)", mail.text_body).group(1)
    recipient = new_page(PHONE)
    recipient.goto(opt_out)
    assert recipient.locator("html").get_attribute("lang") == "mk"
    recipient.locator("main form button").click()
    recipient.wait_for_load_state()
    assert recipient.locator("main form").count() == 0
    assert _fits(recipient)
    with app.app_context():
        from surveyapp.mail.outbox import suppression_of

        assert suppression_of("ana@example.org").reason == "opted_out"
