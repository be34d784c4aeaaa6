"""The outgoing-mail page as an administrator reads it in Chromium: each mail that needs
a look says what went wrong in the page's language, with the server's own reply
beneath; in a Cyrillic and a Latin language, on a desktop and a phone, nothing wider
than the screen."""

from __future__ import annotations

import pytest
from sqlalchemy import update

from surveyapp.core.database import write_transaction
from surveyapp.extensions import db
from surveyapp.mail.outbox import queue_mail, suppress
from surveyapp.models import OutboundMail
from tests.browser.conftest import DESKTOP, PHONE
from tests.browser.test_profile_pages import _sign_in

PROBLEMS = [
    (
        "ana.petrovska@opstina-cair.gov.mk",
        "failed",
        "550 5.1.1 <ana.petrovska@opstina-cair.gov.mk>: Recipient address rejected: "
        "User unknown in virtual mailbox table",
    ),
    ("arben@example.org", "queued", "451 4.7.1 Greylisted, please try again in 300 seconds"),
    ("besa@example.org", "queued", "ConnectionRefusedError: [Errno 111] Connection refused"),
]
SUMMARIES = {
    "mk": ("Серверот на примачот ја одби адресата", "Серверот за пошта не е достапен"),
    "sq": ("Serveri i marrësit e refuzoi adresën", "Nuk u arrit lidhja me serverin e postës"),
}


def _problems(app) -> None:
    with app.app_context(), write_transaction():
        for address, status, reply in PROBLEMS:
            mail = queue_mail(
                kind="invitation", to_address=address, language="mk",
                subject="Покана: Локални потреби и приоритети", text_body="...",
            )  # fmt: skip
            db.session.flush()
            db.session.execute(
                update(OutboundMail)
                .where(OutboundMail.id == mail.id)
                .values(status=status, last_error=reply, attempts=1)
            )
            if status == "failed":
                suppress(address, "bounced", reply)


@pytest.mark.parametrize(("lang", "viewport"), [("mk", DESKTOP), ("sq", PHONE), ("mk", PHONE)])
def test_the_outbox_explains_each_problem_in_the_page_language(
    app, live_server, new_page, make_user, screenshots, lang, viewport
):
    _problems(app)
    page = new_page(viewport)
    _sign_in(page, live_server, make_user("admin"), lang)
    page.goto(f"{live_server}/{lang}/staff")
    page.locator(f"a[href='/{lang}/staff/mail']").first.click()
    page.wait_for_load_state()
    refused, unreachable = SUMMARIES[lang]
    text = page.locator("main").inner_text()
    assert refused in text and unreachable in text
    assert page.locator(".server-reply").count() == 3
    assert "Greylisted" in page.locator(".server-reply").nth(1).inner_text()
    assert page.evaluate("document.documentElement.scrollWidth") <= viewport["width"]
    page.screenshot(
        path=str(screenshots / f"outbox-{lang}-{viewport['width']}.png"), full_page=True
    )
