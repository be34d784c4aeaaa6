"""A file question inside a repeat (#20): the importer and the editor take it; each
entry's file is checked and stored like any page's, tied to its entry (it moves up when
an entry before it is removed, goes with its own entry, stays when the entry is saved
without a new one), shown and linked to staff only, and exported per entry."""

from __future__ import annotations

import csv
import gc
import io
import re
import zipfile
from pathlib import Path

import pytest
from sqlalchemy import select

from surveyapp.extensions import db
from surveyapp.models import QuestionnaireVersion, Response, StoredFile
from surveyapp.questionnaires.editing import text_edits
from surveyapp.questionnaires.xlsform.importer import import_xlsform
from surveyapp.uploads import links
from tests import upload_files as files
from tests.conftest import Respondent
from tests.repeat_support import repeat_campaign, repeat_invitation, repeat_workbook
from tests.test_editor import _new_pilot, _page_id

SURVEY = [
    ["type", "name", "label::English (en)", "label::Македонски (mk)", "required",
     "constraint", "parameters"],
    ["begin repeat", "programme", "Youth programmes", "Програми за млади"],
    ["text", "pname", "Name of the programme", "Име на програмата", "yes"],
    ["integer", "funding", "Yearly funding (EUR)", "Годишно финансирање (EUR)", "",
     ". >= 0"],
    ["image", "pphoto", "A photo of the programme", "Фотографија од програмата"],
    ["file", "pplan", "The programme's plan", "План на програмата", "", "",
     "max-size=1MB"],
    ["end repeat"],
    ["text", "comment", "Anything else?", "Нешто друго?"],
]  # fmt: skip


@pytest.fixture(autouse=True)
def _collect_test_client_files():
    """A body past 500 KB leaves the test client's temporary file to the garbage
    collector, which warns as it closes it (see tests/test_uploads.py): collected here,
    the warning stays with the test whose body it was, not whichever test runs next."""
    yield
    gc.collect()


@pytest.fixture
def folder(app, tmp_path) -> Path:
    target = tmp_path / "uploads"
    app.config["UPLOAD_FOLDER"] = str(target)
    return target


@pytest.fixture
def youth(app, client, folder):
    campaign_id, _version_id = repeat_campaign(app, SURVEY)

    def make(lang: str = "en") -> Respondent:
        person = Respondent(client, repeat_invitation(app, campaign_id), lang)
        assert person.consent().status_code == 303
        return person

    make.campaign_id = campaign_id  # type: ignore[attr-defined]
    return make


def send(person: Respondent, action: str = "later", **fields):
    """Page 1 (the repeat) sent with ``fields``: text, or (bytes, file name) for a file."""
    html = person.get("/p/1").get_data(as_text=True)
    data = {"action": action}
    for name, value in fields.items():
        name = name.replace("_", "-", 1)  # e1_pname -> e1-pname
        data[name] = (io.BytesIO(value[0]), value[1]) if isinstance(value, tuple) else value
    return person.post("/p/1", data, html)


def stored(app) -> dict[tuple[str, int], StoredFile]:
    """The stored files by (question name, entry)."""
    from surveyapp.models import Question

    with app.app_context():
        rows = db.session.execute(
            select(StoredFile, Question.name).join(Question, Question.id == StoredFile.question_id)
        ).all()
        db.session.expunge_all()
        return {(name, row.entry_index): row for row, name in rows}


def answers(app, name: str) -> dict[int, str]:
    from surveyapp.models import Answer, Question

    with app.app_context():
        rows = db.session.execute(
            select(Answer.entry, Answer.text)
            .join(Question, Question.id == Answer.question_id)
            .where(Question.name == name)
        ).all()
        return dict(rows)


def on_disk(folder: Path) -> set[str]:
    return {p.name for p in folder.rglob("*") if p.is_file()} if folder.exists() else set()


def three_entries(person: Respondent) -> None:
    """Three entries, each with its own photo; the second also with a plan (PDF)."""
    send(person, entries="1", e1_pname="Council", action="add")
    send(person, entries="2", e1_pname="Council", e2_pname="Sports", action="add")
    reply = send(
        person,
        entries="3",
        e1_pname="Council",
        e1_pphoto=(files.png((10, 10)), "council.png"),
        e2_pname="Sports",
        e2_pphoto=(files.png((20, 20)), "sports.png"),
        e2_pplan=(files.PDF, "sports-plan.pdf"),
        e3_pname="Debate",
        e3_pphoto=(files.jpeg(), "debate.jpg"),
    )
    assert reply.status_code == 303


def test_the_importer_and_the_editor_take_a_file_question_inside_a_repeat(app, staff):
    with app.app_context():
        result = import_xlsform(repeat_workbook(SURVEY), "youth.xlsx")
        assert result.ok, [str(e) for e in result.errors]
    analyst = staff("analyst")
    version_id = _new_pilot(analyst)
    editor = f"/en/staff/questionnaires/{version_id}"
    page_id = _page_id(app, version_id)
    analyst.post_form(
        f"/en/staff/pages/{page_id}/questions/new",
        {"name": "site_photo", "type": "image", "label": "A photo of the site"},
    )
    analyst.post_form(f"/en/staff/pages/{page_id}/repeat", {}, form_page=editor)
    html = analyst.client.get(editor).get_data(as_text=True)
    assert "cannot be inside a repeat" not in html
    with app.app_context():
        text_edits.set_source_text(version_id, "privacy.text", "Your answers stay with us.")
        text_edits.set_source_text(version_id, "privacy.consent", "I agree.")
    analyst.post_form(f"{editor}/publish", {}, form_page=editor)
    with app.app_context():
        version = db.session.get(QuestionnaireVersion, version_id)
        assert version.pages[0].repeat and version.status == "published"


def test_the_repeat_page_is_multipart_and_each_entry_has_its_file_input(app, youth):
    person = youth("mk")
    page = person.get("/p/1").get_data(as_text=True)
    assert 'enctype="multipart/form-data"' in page
    assert 'name="e1-pphoto"' in page and 'type="file"' in page
    assert "Фотографија од програмата" in page


def test_each_entry_keeps_its_own_file_and_removing_one_moves_the_rest_up(app, youth, folder):
    person = youth()
    three_entries(person)
    files_now = stored(app)
    assert {k: f.original_name for k, f in files_now.items()} == {
        ("pphoto", 1): "council.png",
        ("pphoto", 2): "sports.png",
        ("pplan", 2): "sports-plan.pdf",
        ("pphoto", 3): "debate.jpg",
    }
    assert on_disk(folder) == {f.key for f in files_now.values()}
    assert answers(app, "pphoto") == {n: files_now[("pphoto", n)].key for n in (1, 2, 3)}
    page = person.get("/p/1").get_data(as_text=True)
    for name in ("council.png", "sports.png", "sports-plan.pdf", "debate.jpg"):
        assert name in page
    assert 'name="e2-pphoto-remove"' in page
    # Entry 2 removed, no file chosen again: entry 1 keeps its photo, Debate's moves up.
    send(person, entries="3", e1_pname="Council", e2_pname="Sports", e3_pname="Debate",
         action="remove:2")  # fmt: skip
    after = stored(app)
    assert {k: f.original_name for k, f in after.items()} == {
        ("pphoto", 1): "council.png",
        ("pphoto", 2): "debate.jpg",
    }
    assert after[("pphoto", 1)].key == files_now[("pphoto", 1)].key
    assert after[("pphoto", 2)].key == files_now[("pphoto", 3)].key
    assert answers(app, "pname") == {1: "Council", 2: "Debate"}
    assert answers(app, "pphoto") == {1: after[("pphoto", 1)].key, 2: after[("pphoto", 2)].key}
    assert on_disk(folder) == {f.key for f in after.values()}, "the removed entry's files go"


def test_an_entry_saved_again_keeps_its_file_and_replace_and_remove_work(app, youth, folder):
    person = youth()
    send(person, entries="1", e1_pname="Council", e1_pphoto=(files.png(), "first.png"))
    first = stored(app)[("pphoto", 1)]
    send(person, entries="1", e1_pname="Council renamed", action="next")
    assert stored(app)[("pphoto", 1)].key == first.key
    assert answers(app, "pname") == {1: "Council renamed"}
    send(person, entries="1", e1_pname="Council", e1_pphoto=(files.jpeg(), "second.jpg"))
    second = stored(app)[("pphoto", 1)]
    assert second.key != first.key and on_disk(folder) == {second.key}
    send(person, entries="1", e1_pname="Council", **{"e1_pphoto-remove": "1"})
    assert stored(app) == {} and on_disk(folder) == set()


@pytest.mark.parametrize(
    ("lang", "field", "upload", "message"),
    [
        ("en", "e2_pplan", (files.PDF + b"0" * (1024 * 1024), "plan.pdf"), "larger than 1 MB"),
        ("en", "e2_pphoto", (files.HTML, "photo.jpg"), "not accepted here"),
        (
            "mk",
            "e2_pphoto",
            (files.HTML, "photo.jpg"),
            "Датотеки од овој вид не се прифаќаат тука. Се прифаќаат: HEIC, JPG, PNG, WEBP.",
        ),
    ],
)
@pytest.mark.filterwarnings("ignore::pytest.PytestUnraisableExceptionWarning")
def test_a_refused_file_in_an_entry_saves_nothing_and_keeps_what_was_typed(
    app, youth, folder, lang, field, upload, message
):
    person = youth(lang)
    send(person, entries="1", e1_pname="Council", e1_pphoto=(files.png(), "kept.png"))
    kept = stored(app)
    reply = send(
        person,
        entries="2",
        e1_pname="Council changed",
        e2_pname="Sports",
        e2_funding="300",
        **{field: upload},
        action="next",
    )
    assert reply.status_code == 303 and reply.location.endswith("/p/1")
    page = person.get("/p/1").get_data(as_text=True)
    assert message in page
    assert 'value="Council changed"' in page and 'value="Sports"' in page
    assert 'value="300"' in page
    assert "kept.png" in page, "entry 1's stored file is still shown"
    assert stored(app).keys() == kept.keys() and on_disk(folder) == {f.key for f in kept.values()}
    assert answers(app, "pname") == {1: "Council"}


def test_a_good_file_on_a_page_with_an_error_is_asked_for_again(app, youth, folder):
    person = youth()
    send(person, entries="1", e1_pname="Council", e1_pphoto=(files.png(), "kept.png"))
    send(
        person,
        entries="2",
        e1_pname="Council",
        e2_pname="Sports",
        e2_funding="-5",
        e2_pphoto=(files.png(), "chosen.png"),
        action="next",
    )
    page = person.get("/p/1").get_data(as_text=True)
    assert "This answer is not accepted" in page and 'value="-5"' in page
    assert "“chosen.png” you chose was not saved" in page
    assert re.search(r'aria-describedby="[^"]*e2-pphoto-again"', page), "the input names it"
    assert page.count("was not saved") == 1, "entry 1's file was kept: nothing to ask again"
    assert "kept.png" in page
    assert [f.original_name for f in stored(app).values()] == ["kept.png"]
    # Sent again with the file: stored, and the question is asked no more.
    send(person, entries="2", e1_pname="Council", e2_pname="Sports", e2_funding="5",
         e2_pphoto=(files.png(), "chosen.png"), action="next")  # fmt: skip
    page = person.get("/p/1").get_data(as_text=True)
    assert "was not saved" not in page
    assert stored(app)[("pphoto", 2)].original_name == "chosen.png"


def test_a_save_that_fails_leaves_no_file_behind_and_the_old_ones_in_place(
    app, youth, folder, monkeypatch
):
    person = youth()
    send(person, entries="1", e1_pname="Council", e1_pphoto=(files.png(), "old.png"))
    before = stored(app)
    from surveyapp.responses import upload_answers

    def broken(*args, **kwargs):
        raise RuntimeError("the database went away mid-save")

    monkeypatch.setattr(upload_answers, "store_page_files", broken)
    app.config["PROPAGATE_EXCEPTIONS"] = False
    reply = send(person, entries="1", e1_pname="Council", e1_pphoto=(files.jpeg(), "new.jpg"))
    assert reply.status_code == 500
    assert stored(app).keys() == before.keys()
    assert on_disk(folder) == {f.key for f in before.values()}, "no orphan, the old file kept"


def _submitted(app, youth) -> tuple[Respondent, dict]:
    person = youth()
    three_entries(person)
    send(person, entries="3", e1_pname="Council", e2_pname="Sports", e3_pname="Debate",
         action="next")  # fmt: skip
    html = person.get("/p/2").get_data(as_text=True)
    person.post("/p/2", {"comment": "", "action": "next"}, html)
    review = person.get("/review").get_data(as_text=True)
    assert "sports-plan.pdf" in review and "debate.jpg" in review
    assert person.submit().location.endswith("/thanks")
    return person, stored(app)


def test_staff_see_and_download_each_entrys_file_and_nobody_else(app, youth, staff, client):
    _person, rows = _submitted(app, youth)
    url = links.FILE_PATH.format(key=rows[("pplan", 2)].key)
    assert client.get(url).status_code in (302, 303), "the respondent cannot fetch it"
    translator = staff("translator")
    assert translator.client.get(url).status_code == 403
    client.get("/en/staff/logout")
    analyst = staff("analyst")
    reply = analyst.client.get(url)
    assert reply.status_code == 200 and reply.data == files.PDF
    assert reply.headers["Content-Disposition"].startswith("attachment")
    reply.close()
    with app.app_context():
        response_id = db.session.scalar(select(Response.id).where(Response.status == "submitted"))
    page = analyst.client.get(
        f"/en/staff/campaigns/{youth.campaign_id}/responses/{response_id}"
    ).get_data(as_text=True)
    for key in ("pphoto", 1), ("pphoto", 2), ("pplan", 2), ("pphoto", 3):
        assert links.FILE_PATH.format(key=rows[key].key) in page
    assert page.index("council.png") < page.index("sports.png") < page.index("debate.jpg")


def test_the_repeat_export_links_each_entrys_file_and_the_zip_holds_them(app, youth, staff):
    _person, rows = _submitted(app, youth)
    analyst = staff("analyst")
    reply = analyst.client.get(
        f"/en/staff/campaigns/{youth.campaign_id}/responses.csv?labels=codes"
    )
    assert reply.status_code == 200
    with zipfile.ZipFile(io.BytesIO(reply.data)) as archive:
        name = next(n for n in archive.namelist() if "programme" in n)
        text = archive.read(name).decode("utf-8-sig")
    table = list(csv.reader(io.StringIO(text)))
    header, body = table[0], table[1:]
    photo, plan, entry = header.index("pphoto"), header.index("pplan"), header.index("entry")
    base = "http://localhost" + links.FILE_PATH
    assert [(r[entry], r[photo], r[plan]) for r in body] == [
        ("1", base.format(key=rows[("pphoto", 1)].key), ""),
        ("2", base.format(key=rows[("pphoto", 2)].key), base.format(key=rows[("pplan", 2)].key)),
        ("3", base.format(key=rows[("pphoto", 3)].key), ""),
    ]
    from openpyxl import load_workbook

    got = analyst.client.get(f"/en/staff/campaigns/{youth.campaign_id}/responses.xlsx?labels=en")
    sheet = load_workbook(io.BytesIO(got.data))["programme"]
    cells = [[c.value for c in row] for row in sheet.iter_rows()]
    column = cells[0].index("pplan")
    assert [row[column] for row in cells[1:]] == [
        None,
        base.format(key=rows[("pplan", 2)].key),
        None,
    ]
    from surveyapp.responses import upload_answers

    target = Path(app.config["UPLOAD_FOLDER"]).parent / "files.zip"
    with app.app_context():
        assert upload_answers.write_zip(youth.campaign_id, target) == 4
    response_id = rows[("pphoto", 1)].response_id
    with zipfile.ZipFile(target) as archive:
        assert archive.read(f"{response_id}/pplan-2-sports-plan.pdf") == files.PDF
        assert f"{response_id}/pphoto-3-debate.jpg" in archive.namelist()
        listing = list(csv.reader(io.StringIO(archive.read("files.csv").decode("utf-8-sig"))))
    assert listing[0][3] == "entry" and sorted(r[3] for r in listing[1:]) == ["1", "2", "2", "3"]


def test_a_page_sent_with_an_expired_token_is_shown_again_asking_for_the_file(app, youth, folder):
    person = youth()
    send(person, entries="1", e1_pname="Council", e1_pphoto=(files.png(), "kept.png"))
    reply = person.client.post(
        person.url("/p/1"),
        data={
            "csrf_token": "expired",
            "entries": "1",
            "e1-pname": "Council renamed",
            "e1-pplan": (io.BytesIO(files.PDF), "plan.pdf"),
            "action": "next",
        },
    )
    page = reply.get_data(as_text=True)
    assert reply.status_code == 200 and 'value="Council renamed"' in page
    assert "“plan.pdf” you chose was not saved" in page and "kept.png" in page
    assert [f.original_name for f in stored(app).values()] == ["kept.png"]
    assert answers(app, "pname") == {1: "Council"}


def test_every_entrys_file_goes_with_its_response(app, youth, folder):
    from surveyapp.responses import erasure

    _person, rows = _submitted(app, youth)
    assert len(on_disk(folder)) == 4
    with app.app_context():
        erasure.delete_response(rows[("pphoto", 1)].response_id, None)
    assert stored(app) == {} and on_disk(folder) == set()
