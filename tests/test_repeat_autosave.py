"""A repeat page saves in the background as any page does (``live.js``, action "autosave"):
the entries it shows are stored as typed, nothing is added, removed or duplicated by
it, a stored file stays, and the page works as before without the script."""

from __future__ import annotations

import io
import json
import re

import pytest

from tests import upload_files as files
from tests.conftest import Respondent, csrf_token
from tests.repeat_support import repeat_campaign, repeat_invitation
from tests.test_repeat_uploads import SURVEY as UPLOAD_SURVEY
from tests.test_repeat_uploads import answers, stored
from tests.test_repeats import stored as stored_entries

LIVE = re.compile(r'<script type="application/json" id="live-rules">(.*?)</script>', re.S)


@pytest.fixture
def youth(app, client):
    campaign_id, _version_id = repeat_campaign(app)

    def make(lang: str = "en") -> Respondent:
        person = Respondent(client, repeat_invitation(app, campaign_id), lang)
        assert person.consent().status_code == 303
        assert person.answer_page(1, {"staff": "3"}).status_code == 303
        return person

    return make


def autosave(person: Respondent, number: int, fields: dict, token: str | None = None):
    """What the page's script sends: the form as it is, with action "autosave"."""
    html = person.get(f"/p/{number}").get_data(as_text=True)
    data = {"csrf_token": token or csrf_token(html), "action": "autosave", **fields}
    return person.client.post(person.url(f"/p/{number}"), data=data)


def test_a_background_save_stores_the_entry_and_the_page_shows_it_again(app, youth):
    person = youth()
    html = person.get("/p/2").get_data(as_text=True)
    rules = json.loads(LIVE.search(html).group(1))
    assert [q["n"] for q in rules["qs"]][:3] == ["e1-pname", "e1-target", "e1-funding"]
    assert rules["ui"]["saved"] == "Your answers on this page are saved."
    assert "live.js" in html
    reply = autosave(person, 2, {"entries": "1", "e1-pname": "Youth council", "e1-funding": "500"})
    assert reply.status_code == 204
    assert stored_entries(app) == {1: "Youth council"}
    assert stored_entries(app, "funding") == {1: 500.0}
    page = person.get("/p/2").get_data(as_text=True)
    assert 'value="Youth council"' in page and 'value="500"' in page
    assert "Entry 2" not in page, "a background save adds no entry"


def test_a_new_entry_saved_in_the_background_is_kept_once_by_back_and_next(app, youth):
    person = youth()
    reply = person.answer_page(2, {"entries": "1", "e1-pname": "Youth council"}, action="add")
    assert reply.status_code == 303
    fields = {"entries": "2", "e1-pname": "Youth council", "e2-pname": "Sports"}
    assert autosave(person, 2, fields).status_code == 204
    assert stored_entries(app) == {1: "Youth council", 2: "Sports"}
    page = person.get("/p/2").get_data(as_text=True)
    assert 'value="Sports"' in page and "Entry 3" not in page
    # Back sends the same page: the entry is neither lost nor doubled.
    reply = person.answer_page(2, fields, action="back")
    assert reply.location.endswith("/p/1")
    assert stored_entries(app) == {1: "Youth council", 2: "Sports"}
    reply = person.answer_page(2, fields, action="next")
    assert reply.location.endswith("/p/3")
    assert stored_entries(app) == {1: "Youth council", 2: "Sports"}
    page = person.get("/p/2").get_data(as_text=True)
    assert "Entry 2" in page and "Entry 3" not in page


def test_an_entry_not_accepted_yet_is_kept_as_typed(app, youth):
    person = youth()
    fields = {"entries": "1", "e1-pname": "Debate club", "e1-funding": "-5"}
    assert autosave(person, 2, fields).status_code == 204
    page = person.get("/p/2").get_data(as_text=True)
    assert 'value="Debate club"' in page and 'value="-5"' in page
    assert "Entry 2" not in page


def test_an_older_tab_saving_in_the_background_removes_no_entry(app, youth):
    person = youth()
    old_tab = person.get("/p/2").get_data(as_text=True)
    person.answer_page(2, {"entries": "1", "e1-pname": "Council"}, action="add")
    person.answer_page(2, {"entries": "2", "e1-pname": "Council", "e2-pname": "Sports"}, "later")
    fields = {"entries": "1", "e1-pname": "Youth council"}
    reply = autosave(person, 2, fields, token=csrf_token(old_tab))
    assert reply.status_code == 204
    assert stored_entries(app) == {1: "Youth council", 2: "Sports"}
    # Not storable yet: a draft of one entry would hide the second; nothing is kept.
    fields = {"entries": "1", "e1-pname": "Council", "e1-funding": "-5"}
    reply = autosave(person, 2, fields, token=csrf_token(old_tab))
    assert reply.status_code == 409 and reply.get_json()["saved"] is False
    page = person.get("/p/2").get_data(as_text=True)
    assert 'value="Sports"' in page and 'value="-5"' not in page


def test_a_background_save_with_an_old_token_stores_nothing_and_gets_a_new_one(app, youth):
    person = youth()
    reply = autosave(person, 2, {"entries": "1", "e1-pname": "Council"}, token="expired")
    said = reply.get_json()
    assert reply.status_code == 409 and (said["saved"], said["reason"]) == (False, "stale")
    assert stored_entries(app) == {}
    reply = autosave(person, 2, {"entries": "1", "e1-pname": "Council"}, token=said["csrf"])
    assert reply.status_code == 204 and stored_entries(app) == {1: "Council"}


def test_a_background_save_after_submitting_changes_nothing(app, youth):
    person = youth()
    person.answer_page(2, {"entries": "1", "e1-pname": "Council"})
    html = person.get("/p/2").get_data(as_text=True)
    person.answer_page(3, {})
    assert person.submit().location.endswith("/thanks")
    reply = person.client.post(
        person.url("/p/2"),
        data={"csrf_token": csrf_token(html), "action": "autosave", "entries": "1",
              "e1-pname": "Changed"},
    )  # fmt: skip
    assert reply.status_code in (302, 303, 409)
    assert stored_entries(app) == {1: "Council"}


def test_a_background_save_keeps_each_entrys_stored_file(app, client, tmp_path):
    app.config["UPLOAD_FOLDER"] = str(tmp_path / "uploads")
    campaign_id, _version_id = repeat_campaign(app, UPLOAD_SURVEY)
    person = Respondent(client, repeat_invitation(app, campaign_id), "en")
    person.consent()
    person.answer_page(1, {"entries": "1", "e1-pname": "Council"}, action="add")
    html = person.get("/p/1").get_data(as_text=True)
    reply = person.post(
        "/p/1",
        {
            "entries": "2",
            "e1-pname": "Council",
            "e1-pphoto": (io.BytesIO(files.png((10, 10))), "council.png"),
            "e2-pname": "Sports",
            "e2-pphoto": (io.BytesIO(files.png((20, 20))), "sports.png"),
            "action": "later",
        },
        html,
    )
    assert reply.status_code == 303
    before = {k: v.key for k, v in stored(app).items()}
    assert set(before) == {("pphoto", 1), ("pphoto", 2)}
    rules = json.loads(LIVE.search(person.get("/p/1").get_data(as_text=True)).group(1))
    assert "file" in rules["ui"], "a page with a file question says a chosen file waits"
    # The script leaves the file inputs out of a background save.
    fields = {"entries": "2", "e1-pname": "Youth council", "e2-pname": "Sports club"}
    assert autosave(person, 1, fields).status_code == 204
    assert {k: v.key for k, v in stored(app).items()} == before
    assert answers(app, "pname") == {1: "Youth council", 2: "Sports club"}
    assert answers(app, "pphoto") == {1: before[("pphoto", 1)], 2: before[("pphoto", 2)]}
    # An entry whose answers cannot be stored yet: a draft, and the files stay.
    fields = {"entries": "2", "e1-pname": "Council", "e1-funding": "-1", "e2-pname": "Sports"}
    assert autosave(person, 1, fields).status_code == 204
    assert {k: v.key for k, v in stored(app).items()} == before
    page = person.get("/p/1").get_data(as_text=True)
    assert 'value="-1"' in page and "council.png" in page
