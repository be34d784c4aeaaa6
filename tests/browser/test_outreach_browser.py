"""Outreach as staff and recipients use it in Chromium: import contacts, check and
send invitations, preview a mail, and opt out from the link in the mail; in a
Cyrillic and a Latin language, on a desktop and a phone, with nothing wider than
the screen."""

from __future__ import annotations

import json
import re
import subprocess
from pathlib import Path

import pytest

from surveyapp.models import OutboundMail
from surveyapp.outreach import sending
from surveyapp.outreach.facts import Selection
from tests.browser.conftest import AXE, DESKTOP, PHONE, VNU, need_java, need_tool
from tests.browser.test_profile_pages import _sign_in
from tests.conftest import PASSWORD, csrf_token
from tests.outreach_support import STAFF, demo_campaign, mails, make_contact, with_public_url

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


def _outreach_pages(app, lang: str) -> dict[str, str]:
    """The outreach pages with something on them: contacts, a send, a mail."""
    with_public_url(app)
    with app.app_context():
        campaign_id = demo_campaign().id
        ana = make_contact("ana@example.org", "mk-cair", "mayor", "mk")
        make_contact("besa@example.org", "al-tirane", "mayor", "sq", "Besa Hoxha")
        sending.send_invitations(campaign_id, Selection(), STAFF)
        contact_id, token = ana.id, ana.opt_out_token
    staff = f"/{lang}/staff"
    outreach = f"{staff}/campaigns/{campaign_id}/outreach"
    return {
        "contacts": f"{staff}/contacts",
        "contact": f"{staff}/contacts/{contact_id}",
        "import": f"{staff}/contacts/import",
        "outreach": outreach,
        "who": f"{outreach}/contacts?state=not_submitted",
        "texts": f"{outreach}/texts",
        "text": f"{outreach}/texts/invitation/{lang}",
        "preview": f"{outreach}/preview?kind=reminder&language={lang}",
        "mail-translations": f"{staff}/translations/mail-texts",
        "opt-out": f"/{lang}/u/{token}",
    }


def test_axe_finds_no_serious_violation_on_the_outreach_pages(app, live_server, browser, make_user):
    need_tool(AXE, "axe-core")
    pages = _outreach_pages(app, "mk")
    make_user("admin")
    problems = []
    for viewport in (PHONE, DESKTOP):
        context = browser.new_context(viewport=viewport, bypass_csp=True)
        context.route(
            "**/*",
            lambda route: route.continue_() if "127.0.0.1" in route.request.url else route.abort(),
        )
        page = context.new_page()
        _sign_in(page, live_server, "admin@example.org", "mk")
        for name, path in pages.items():
            page.goto(live_server + path)
            assert _fits(page), f"{name} is wider than {viewport['width']}px"
            page.add_script_tag(path=str(AXE))
            result = page.evaluate("axe.run(document, {resultTypes: ['violations']})")
            for violation in result["violations"]:
                if violation["impact"] in ("serious", "critical"):
                    targets = [node["target"] for node in violation["nodes"]][:3]
                    problems.append(f"{name} {viewport['width']}px: {violation['id']} {targets}")
        context.close()
    assert not problems, "\n".join(problems)


def test_the_nu_html_checker_finds_no_error_in_the_pages_or_the_mails(
    app, client, make_user, tmp_path
):
    need_tool(VNU, "vnu-jar")
    need_java()
    pages = _outreach_pages(app, "sq")
    email = make_user("admin")
    login = client.get("/en/staff/login").get_data(as_text=True)
    client.post(
        "/en/staff/login",
        data={"email": email, "password": PASSWORD, "csrf_token": csrf_token(login)},
    )
    files = []
    for name, path in pages.items():
        reply = client.get(path)
        assert reply.status_code == 200, path
        files.append(tmp_path / f"{name}.html")
        files[-1].write_text(reply.get_data(as_text=True), encoding="utf-8")
    with app.app_context():
        for mail in mails():
            files.append(tmp_path / f"mail-{mail.id}-{mail.language}.html")
            files[-1].write_text(mail.html_body, encoding="utf-8")
    checked = subprocess.run(
        ["java", "-jar", str(VNU), "--errors-only", "--format", "json", *map(str, files)],
        capture_output=True,
        text=True,
        timeout=300,
    )
    messages = json.loads(checked.stderr or checked.stdout or '{"messages": []}')["messages"]
    errors = [
        f"{Path(m.get('url', '')).name}:{m.get('lastLine')}: {m['message']}"
        for m in messages
        if m.get("type") == "error"
    ]
    assert not errors, "\n".join(errors)
