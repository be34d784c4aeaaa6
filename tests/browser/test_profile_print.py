"""The printed needs profile, in a Cyrillic and a Latin language: every chart label
inside its chart, and no heading left at the foot of a page without what it heads.

Was: the Serbian label "Реаговање у кризним ситуацијама" ran 15 units out of the
chart's left edge and was cut, and every language printed "Support wanted" and
its question at the foot of a page with their chart on the next (issue #14).
"""

from __future__ import annotations

import json
import os
import re
import shutil
import subprocess
from pathlib import Path

import pytest

from tests.browser.conftest import AXE, DESKTOP, PHONE, VNU, need_java, need_tool
from tests.browser.test_profile_pages import _sign_in

#: Every text of every chart whose box leaves the chart's viewBox (or is cut short).
CLIPPED_LABELS = """() => {
  const out = [];
  for (const svg of document.querySelectorAll('svg.chart-svg')) {
    const box = svg.viewBox.baseVal;
    for (const text of svg.querySelectorAll('text')) {
      const b = text.getBBox();
      if (b.x < box.x - 0.5 || b.y < box.y - 0.5 || b.x + b.width > box.x + box.width + 0.5
          || b.y + b.height > box.y + box.height + 0.5)
        out.push(`${text.textContent} [${Math.round(b.x)}, ${Math.round(b.x + b.width)}]`);
    }
  }
  return out;
}"""

#: The headings a printout shows, as one line of text each.
HEADINGS = """() => [...document.querySelectorAll('main h1, main h2, main h3')]
  .filter(h => h.offsetParent !== null)
  .map(h => h.innerText.replace(/\\s+/g, ' ').trim())"""


def _words(text: str) -> str:
    return re.sub(r"\s+", " ", text).strip()


def _page_endings(pdf: Path) -> list[str]:
    """The last few lines of text of every page, as one line each."""
    info = subprocess.run(["pdfinfo", str(pdf)], capture_output=True, text=True, check=True)
    pages = int(re.search(r"Pages:\s+(\d+)", info.stdout).group(1))
    endings = []
    for number in range(1, pages + 1):
        text = subprocess.run(
            ["pdftotext", "-f", str(number), "-l", str(number), str(pdf), "-"],
            capture_output=True,
            text=True,
            check=True,
        ).stdout
        lines = [line for line in text.splitlines() if line.strip()]
        endings.append(_words(" ".join(lines[-3:])))
    return endings


@pytest.mark.parametrize("lang", ["sr", "cnr"])
def test_a_printed_profile_keeps_headings_with_their_content_and_labels_inside_charts(
    live_server, new_page, make_user, demo_campaign, screenshots, lang
):
    campaign_id, town = demo_campaign
    page = new_page(DESKTOP)
    _sign_in(page, live_server, make_user("analyst"), lang)
    page.emulate_media(media="print")
    for name, area in (("region", ""), ("municipality", town)):
        page.goto(f"{live_server}/{lang}/staff/campaigns/{campaign_id}/profile?area={area}&print=1")
        assert page.locator("svg.chart-svg text.label").count() >= 7
        assert page.evaluate(CLIPPED_LABELS) == [], f"{name} profile in {lang}"
        pdf = screenshots / f"profile-print-{name}-{lang}.pdf"
        page.pdf(path=str(pdf), format="A4", print_background=True)
        if shutil.which("pdftotext") is None or shutil.which("pdfinfo") is None:
            # poppler-utils reads the pages' text; make browser installs it, CI must have it
            assert not os.environ.get("CI"), "poppler-utils (pdftotext) is not installed"
            continue
        headings = [h for h in page.evaluate(HEADINGS) if h]
        assert len(headings) >= 5, headings
        endings = _page_endings(pdf)
        assert len(endings) >= 2, f"the {name} profile prints on {len(endings)} page"
        for number, ending in enumerate(endings[:-1], start=1):
            for heading in headings:
                assert not ending.endswith(heading), (
                    f"{name} profile in {lang}: page {number} ends with the heading {heading!r}"
                )


def test_free_text_indicators_and_the_exchange_planner_pass_axe_and_the_html_checker(
    live_server, browser, new_page, make_user, demo_campaign, tmp_path, screenshots
):
    """The new parts, with enough answers to page and fold: no serious or critical
    accessibility violation, no HTML error, nothing wider than a phone."""
    need_tool(AXE, "axe-core")
    campaign_id, town = demo_campaign
    email = make_user("analyst")
    base = f"/{{lang}}/staff/campaigns/{campaign_id}"
    paths = {
        "free-text": base + "/profile?text_page=2&text_country=RS#free-text",
        "free-text-hidden": base + "/profile?text_role=mayor#free-text",
        "indicators": base + f"/profile?area={town}",
        "exchange": base + "/exchange",
    }
    problems, files = [], []
    for lang, viewport in (("mk", PHONE), ("bs", DESKTOP)):
        context = browser.new_context(viewport=viewport, bypass_csp=True)  # axe is a script
        page = context.new_page()
        _sign_in(page, live_server, email, lang)
        for name, path in paths.items():
            response = page.goto(live_server + path.format(lang=lang))
            html = tmp_path / f"{name}-{lang}.html"
            html.write_text(response.text(), "utf-8")  # as served, for the HTML checker
            files.append(html)
            for details in page.locator("details").all()[:3]:
                details.evaluate("d => d.open = true")
            overflow = page.evaluate("document.documentElement.scrollWidth - window.innerWidth")
            assert overflow <= 0, f"{name} in {lang} is {overflow}px too wide"
            page.add_script_tag(path=str(AXE))
            result = page.evaluate("axe.run(document, {resultTypes: ['violations']})")
            problems += [
                f"{name} {lang}: {v['id']} {[n['target'] for n in v['nodes']][:3]}"
                for v in result["violations"]
                if v["impact"] in ("serious", "critical")
            ]
        context.close()
    assert not problems, "\n".join(problems)
    need_tool(VNU, "vnu-jar")
    need_java()
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
