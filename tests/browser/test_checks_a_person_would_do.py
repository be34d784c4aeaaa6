"""axe-core in Chromium and the Nu HTML Checker on the respondent and staff
pages, in a Cyrillic and a Latin language: no serious or critical
accessibility violation, no HTML error."""

from __future__ import annotations

import json
import re
import subprocess
from pathlib import Path

import pytest

from tests.browser.conftest import AXE, DESKTOP, PHONE, VNU, need_java, need_tool
from tests.conftest import PASSWORD, csrf_token

LANGS = ["mk", "cnr"]


def _respondent_pages(respondent, lang: str) -> dict[str, str]:
    """Paths of the respondent's pages, with one page showing a validation error."""
    person = respondent(lang, municipality="mk-ohrid" if lang == "mk" else "me-kotor")
    start = person.url()
    person.consent()
    person.answer_page(1, {"years_experience": "many"})
    return {
        "start": start,
        "page-with-error": person.url("/p/1"),
        "page-2": person.url("/p/2"),
        "review": person.url("/review"),
    }


def _sign_in(page, base: str, email: str, lang: str) -> None:
    page.goto(f"{base}/{lang}/staff/login")
    page.fill("#email", email)
    page.fill("#password", PASSWORD)
    page.locator("main form button").click()
    page.wait_for_load_state()


@pytest.mark.parametrize("lang", LANGS)
def test_axe_finds_no_serious_violation(
    live_server, browser, respondent, make_user, make_response, lang
):
    need_tool(AXE, "axe-core")
    _some_answers(make_response)
    pages = _respondent_pages(respondent, lang)
    email = make_user("admin")
    problems = []
    for viewport in (PHONE, DESKTOP):
        # axe is injected as a script; the pages' CSP rightly forbids that.
        context = browser.new_context(viewport=viewport, bypass_csp=True)
        context.route(
            "**/*",
            lambda route: route.continue_() if "127.0.0.1" in route.request.url else route.abort(),
        )
        page = context.new_page()
        _sign_in(page, live_server, email, lang)
        staff_pages = {
            "translations": f"/{lang}/staff/translations",
            "accounts": f"/{lang}/staff/users",
            "campaigns": f"/{lang}/staff/campaigns",
            "campaign": f"/{lang}/staff/campaigns/1",
            "profile-region": f"/{lang}/staff/campaigns/1/profile",
            "profile-town": f"/{lang}/staff/campaigns/1/profile?area=mk-ohrid",
            "editor": f"/{lang}/staff/questionnaires/1",
            "export": f"/{lang}/staff/campaigns/1/export",
            "staff-home": f"/{lang}/staff/",
            "audit-log": f"/{lang}/staff/audit",
            "catalog-upload": f"/{lang}/staff/translations/1/upload",
        }
        for name, path in {**pages, **staff_pages, "home": f"/{lang}/"}.items():
            page.goto(live_server + path)
            page.add_script_tag(path=str(AXE))
            result = page.evaluate("axe.run(document, {resultTypes: ['violations']})")
            for violation in result["violations"]:
                if violation["impact"] in ("serious", "critical"):
                    targets = [node["target"] for node in violation["nodes"]][:3]
                    problems.append(f"{name} {viewport['width']}px: {violation['id']} {targets}")
        context.close()
    assert not problems, "\n".join(problems)


def test_the_nu_html_checker_finds_no_error(client, respondent, make_user, make_response, tmp_path):
    need_tool(VNU, "vnu-jar")
    need_java()
    _some_answers(make_response)
    files = []
    for lang in LANGS:
        pages = _respondent_pages(respondent, lang)
        for name, path in pages.items():
            files.append(_save(tmp_path, f"{lang}-{name}", client.get(path).get_data(as_text=True)))
    email = make_user("admin")
    login = client.get("/en/staff/login").get_data(as_text=True)
    client.post(
        "/en/staff/login",
        data={"email": email, "password": PASSWORD, "csrf_token": csrf_token(login)},
    )
    for lang in LANGS:
        for name in (
            "translations",
            "users",
            "campaigns",
            "campaigns/1",
            "campaigns/1/profile",
            "campaigns/1/profile?area=mk-ohrid",
            "campaigns/1/export",
            "campaigns/1/export?format=pdf",
            "questionnaires/1",
            "questions/5",
            "",
            "audit",
            "audit?action=login&since=2000-01-01",
            "translations/1/upload",
        ):
            html = client.get(f"/{lang}/staff/{name}").get_data(as_text=True)
            files.append(_save(tmp_path, f"{lang}-staff-{name}", html))
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


def _some_answers(make_response) -> None:
    for variant, role in enumerate(["mayor", "councillor", "councillor", "municipal_staff"] * 2):
        make_response(municipality="mk-ohrid", role=role, variant=variant, comments="Добро")


def _save(directory: Path, name: str, html: str) -> Path:
    path = directory / (re.sub(r"[^\w-]", "_", name) + ".html")
    path.write_text(html, encoding="utf-8")
    return path
