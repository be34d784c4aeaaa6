"""What the live page gets from the server: its rules as JSON trees with the earlier answers
they read and the messages in the respondent's language, a background save that keeps
the answers without moving on, and a budget for the script and the page."""

from __future__ import annotations

import gzip
import json
import re
from datetime import date
from pathlib import Path

from sqlalchemy import select

from surveyapp.extensions import db
from surveyapp.models import Invitation, Response
from surveyapp.questionnaires import live_rules
from surveyapp.questionnaires.editing import text_edits
from surveyapp.questionnaires.texts import latest_version
from tests.conftest import Respondent, csrf_token
from tests.test_skip_logic import _build, _stored

SCRIPT = Path(__file__).resolve().parents[1] / "surveyapp" / "static" / "live.js"
LIVE = re.compile(r'<script type="application/json" id="live-rules">(.*?)</script>', re.S)


def _rules(html: str) -> dict:
    """The page's rules, each question's messages written out (the page numbers them)."""
    match = LIVE.search(html)
    assert match, "the page carries its rules"
    rules = json.loads(match.group(1))
    for question in rules["qs"]:
        question["m"] = {key: rules["t"][i] for key, i in question.get("m", {}).items()}
    return rules


def _autosave(person: Respondent, number: int, answers: dict, token: str | None = None):
    html = person.get(f"/p/{number}").get_data(as_text=True)
    data = {"csrf_token": token or csrf_token(html), "action": "autosave", **answers}
    return person.client.post(person.url(f"/p/{number}"), data=data)


def test_the_page_carries_its_rules_as_trees_and_the_answers_they_read(app, client):
    person = Respondent(client, _build(app), "en")
    person.consent()
    page1 = _rules(person.get("/p/1").get_data(as_text=True))
    questions = {q["n"]: q for q in page1["qs"]}
    assert questions["plan_year"]["r"] == ["c", ["$", "has_plan"], "=", "yes"]
    assert questions["plan_year"]["c"] == [
        "c",
        ["c", ["."], ">=", 2000.0],
        "and",
        ["c", ["."], "<=", 2030.0],
    ]
    assert questions["plan_year"]["m"]["c"] == "A year from 2000 to 2030, please."
    assert questions["plan_year"]["m"]["w"] == "Please enter a whole number."
    assert questions["has_plan"]["q"] is True and questions["has_plan"]["k"] == "one"
    assert "v" not in page1, "page 1's rules read only page 1"
    assert "script" not in str(page1), "no code, only data"
    person.answer_page(1, {"has_plan": "yes", "plan_year": "2021"})
    page2_html = person.get("/p/2").get_data(as_text=True)
    page2 = _rules(page2_html)
    assert page2["p"] == ["c", ["$", "has_plan"], "=", "yes"]
    assert page2["v"] == {"has_plan": "yes"}, "the earlier answer the page's rule reads"
    assert page2["scope"] not in (person.token, "") and person.token not in LIVE.search(
        page2_html
    ).group(1), "the link itself is not written into the browser's storage names"


def test_messages_come_in_the_respondents_language_and_cannot_end_the_script(app, client):
    token = _build(app)
    with app.app_context():
        from surveyapp.questionnaires.texts import translation_gaps

        version_id = latest_version("skip_test").id
        gaps = translation_gaps(version_id, "mk")
        edits = {(gap.key, "mk"): f"[мк] {gap.source}" for gap in gaps}
        text_edits.save_texts(version_id, edits, {gap.key for gap in gaps})
    person = Respondent(client, token, "mk")
    person.consent()
    html = person.get("/p/1").get_data(as_text=True)
    questions = {q["n"]: q for q in _rules(html)["qs"]}
    assert questions["plan_year"]["m"]["c"] == "Година од 2000 до 2030."
    # Whatever a text holds, it cannot end the <script> block it travels in.
    made = {
        "p": None,
        "qs": [{"n": "x", "k": "text", "m": {"c": 0}}],
        "t": ["a </script><!-- b"],
        "ui": {},
        "today": False,
    }
    payload = live_rules.page_payload(
        {**made, "calc": [], "reads": []}, {}, scope="s", number=1, today=date(2026, 1, 1)
    )
    assert "<" not in payload and json.loads(payload)["t"][0] == "a </script><!-- b"
    assert questions["has_plan"]["m"]["q"] == "Ве молиме одговорете на ова прашање."
    ui = _rules(html)["ui"]
    assert ui["saved"] == "Вашите одговори на оваа страница се зачувани."
    assert ui["appeared"] == "Ново прашање: {label}", "the script fills in the label"


def test_a_background_save_keeps_the_answers_and_stays_on_the_page(app, client):
    person = Respondent(client, _build(app), "en")
    person.consent()
    reply = _autosave(person, 1, {"has_plan": "yes", "plan_year": "2021"})
    assert reply.status_code == 204
    assert _stored(app, person.token) == {"has_plan": "yes", "plan_year": 2021.0}
    # A half-filled page is kept as it is: nothing required is asked for yet.
    assert _autosave(person, 1, {"has_plan": "yes"}).status_code == 204
    assert _stored(app, person.token) == {"has_plan": "yes"}
    # What is not accepted yet is kept as typed (a draft), as when the page is left.
    assert _autosave(person, 1, {"has_plan": "yes", "plan_year": "1990"}).status_code == 204
    page = person.get("/p/1").get_data(as_text=True)
    assert 'value="1990"' in page and "A year from 2000 to 2030, please." in page
    assert person.get("/review").status_code == 200


def test_a_background_save_with_an_old_token_stores_nothing(app, client):
    person = Respondent(client, _build(app), "en")
    person.consent()
    reply = _autosave(person, 1, {"has_plan": "yes"}, token="expired")
    said = reply.get_json()
    assert reply.status_code == 409 and (said["saved"], said["reason"]) == (False, "stale")
    assert _stored(app, person.token) == {}
    # The reply carries a fresh token for the page's script: with it, the save goes in.
    assert _autosave(person, 1, {"has_plan": "yes"}, token=said["csrf"]).status_code == 204
    assert _stored(app, person.token) == {"has_plan": "yes"}


def test_a_background_save_after_submitting_changes_nothing(app, client):
    person = Respondent(client, _build(app), "en")
    person.consent()
    person.answer_page(1, {"has_plan": "no"})
    person.answer_page(3, {"priority": "Trust"})
    html = person.get("/p/1").get_data(as_text=True)
    assert person.submit().location.endswith("/thanks")
    reply = person.client.post(
        person.url("/p/1"),
        data={"csrf_token": csrf_token(html), "action": "autosave", "has_plan": "yes"},
    )
    assert reply.status_code in (302, 303, 409)
    assert _stored(app, person.token) == {"has_plan": "no", "priority": "Trust"}
    thanks = person.get("/thanks").get_data(as_text=True)
    assert 'id="live-clear"' in thanks, "the thanks page clears what the browser kept"
    with app.app_context():
        invitation = db.session.scalar(select(Invitation).where(Invitation.token == person.token))
        status = db.session.scalar(
            select(Response.status).where(Response.invitation_id == invitation.id)
        )
    assert status == "submitted"


def test_the_script_and_the_trees_stay_small(app, client, respondent):
    script = SCRIPT.read_bytes()
    assert len(gzip.compress(script, 9)) < 15 * 1024, "the script is under 15 KB compressed"
    assert b"eval(" not in script and b"new Function" not in script
    for lang in ("sq", "mk"):
        person = respondent(lang)
        person.consent()
        for number in range(1, 7):
            reply = person.get(f"/p/{number}")
            html = reply.get_data()
            rules = LIVE.search(html.decode())
            script_tag = re.search(rb'\s*<script src="[^"]*live.js" defer></script>', html)
            without = len(html) - len(rules.group(0).encode()) - len(script_tag.group(0))
            assert len(html) <= 1.2 * without, (
                f"page {number} in {lang}: the trees add under a fifth"
            )
