"""Repeats on the respondent's path: entries added and removed without JavaScript, each
checked with the rules reading its own answers, stored with their entry number."""

from __future__ import annotations

import pytest
from sqlalchemy import select

from surveyapp.extensions import db
from surveyapp.models import Answer, Question, Response
from tests.conftest import Respondent
from tests.repeat_support import repeat_campaign, repeat_invitation


@pytest.fixture
def youth(app, client):
    campaign_id, version_id = repeat_campaign(app)

    def make(lang: str = "en") -> Respondent:
        person = Respondent(client, repeat_invitation(app, campaign_id), lang)
        assert person.consent().status_code == 303
        return person

    return make


def stored(app, response_name: str = "pname") -> dict[int, object]:
    with app.app_context():
        rows = db.session.execute(
            select(Answer.entry, Answer.text, Answer.number)
            .join(Question, Question.id == Answer.question_id)
            .where(Question.name == response_name)
            .order_by(Answer.entry)
        ).all()
        return {entry: text if text is not None else number for entry, text, number in rows}


def test_entries_are_added_saved_and_removed_without_javascript(app, youth):
    person = youth()
    assert person.answer_page(1, {"staff": "3"}).status_code == 303
    page = person.get("/p/2").get_data(as_text=True)
    assert "Entry 1" in page and "Add another entry" in page
    reply = person.answer_page(2, {"entries": "1", "e1-pname": "Youth council"}, action="add")
    assert reply.status_code == 303 and reply.location.endswith("/p/2")
    page = person.get("/p/2").get_data(as_text=True)
    assert "Entry 2" in page and 'value="Youth council"' in page
    reply = person.post(
        "/p/2",
        {"entries": "2", "e1-pname": "Youth council", "e2-pname": "Sports", "action": "add"},
        page,
    )
    page = person.get("/p/2").get_data(as_text=True)
    person.post(
        "/p/2",
        {
            "entries": "3",
            "e1-pname": "Youth council",
            "e2-pname": "Sports",
            "e3-pname": "Debate club",
            "e3-funding": "500",
            "action": "later",
        },
        page,
    )
    assert stored(app) == {1: "Youth council", 2: "Sports", 3: "Debate club"}
    assert stored(app, "funding") == {3: 500.0}
    page = person.get("/p/2").get_data(as_text=True)
    assert "Remove entry 2" in page
    person.post(
        "/p/2",
        {
            "entries": "3",
            "e1-pname": "Youth council",
            "e2-pname": "Sports",
            "e3-pname": "Debate club",
            "e3-funding": "500",
            "action": "remove:2",
        },
        page,
    )
    assert stored(app) == {1: "Youth council", 2: "Debate club"}
    assert stored(app, "funding") == {2: 500.0}
    with app.app_context():
        assert db.session.scalar(select(Response.repeat_entries)) == {"programme": 2}


def test_each_entry_is_checked_on_its_own(app, youth):
    person = youth()
    person.answer_page(1, {"staff": "3"})
    page = person.get("/p/2").get_data(as_text=True)
    reply = person.post(
        "/p/2",
        {"entries": "2", "e1-pname": "A", "e2-pname": "", "e2-funding": "-5", "action": "next"},
        page,
    )
    assert reply.status_code == 303 and reply.location.endswith("/p/2")
    page = person.get("/p/2").get_data(as_text=True)
    # The bad number is kept (a draft), with its error; nothing of the page was lost.
    assert 'value="-5"' in page and 'value="A"' in page
    assert "This answer is not accepted" in page
    assert stored(app) == {}
    reply = person.post(
        "/p/2",
        {"entries": "2", "e1-pname": "A", "e2-pname": "B", "e2-funding": "10",
         "e2-funder": "EU", "e1-funder": "nobody", "action": "next"},
        page,
    )  # fmt: skip
    assert reply.location.endswith("/p/3")
    # Relevance inside an entry reads that entry: entry 1 has no funding, so no funder.
    assert stored(app, "funder") == {2: "EU"}


def test_a_loop_has_one_entry_per_choice_and_a_count_fixes_the_entries(app, youth):
    person = youth()
    person.answer_page(1, {"staff": "1"})
    person.answer_page(2, {"entries": "1", "e1-pname": "A"})
    person.answer_page(3, {})
    page = person.get("/p/4").get_data(as_text=True)
    assert "How many young people did you reach?" in page
    assert "How many schools did you reach?" in page
    assert "Add another entry" not in page and "Remove entry" not in page
    person.answer_page(4, {"e1-reached": "10", "e2-reached": "4"})
    assert stored(app, "reached") == {1: 10.0, 2: 4.0}
    page = person.get("/p/5").get_data(as_text=True)
    assert "Entry 2" in page and "Entry 3" not in page and "Add another entry" not in page


def test_a_required_question_in_an_entry_holds_the_submission(app, youth):
    person = youth()
    person.answer_page(1, {"staff": "1"})
    person.answer_page(2, {"entries": "1", "e1-pname": "A"}, action="add")
    reply = person.submit()
    assert "/p/2" in reply.location


def test_the_review_page_lists_every_entry(app, youth):
    person = youth()
    person.answer_page(1, {"staff": "1"})
    person.answer_page(2, {"entries": "1", "e1-pname": "Youth council"}, action="add")
    person.answer_page(2, {"entries": "2", "e1-pname": "Youth council", "e2-pname": "Sports"})
    person.answer_page(3, {})
    person.answer_page(4, {"e1-reached": "10", "e2-reached": "4"})
    review = person.get("/review").get_data(as_text=True)
    assert review.index("Entry 1") < review.index("Youth council") < review.index("Entry 2")
    assert review.index("Entry 2") < review.index("Sports")
    assert "How many schools did you reach?" in review


def _filled(app, youth) -> int:
    """A submitted response with two programmes and the loop answered; its id."""
    person = youth()
    person.answer_page(1, {"staff": "2"})
    person.answer_page(2, {"entries": "1", "e1-pname": "Youth council"}, action="add")
    person.answer_page(
        2,
        {"entries": "2", "e1-pname": "Youth council", "e1-target": "youth",
         "e2-pname": "Стипендии", "e2-funding": "1200", "e2-funder": "EU"},
    )  # fmt: skip
    person.answer_page(3, {"comment": "ok"})
    person.answer_page(4, {"e1-reached": "10", "e2-reached": "4"})
    person.answer_page(5, {"entries": "2", "e1-cname": "Ana"})
    assert person.submit().location.endswith("/thanks")
    with app.app_context():
        return db.session.scalar(select(Response.id).where(Response.status == "submitted"))


def test_xlsx_export_has_a_sheet_per_repeat_with_the_exact_entries(app, youth, staff):
    import io

    from openpyxl import load_workbook

    response_id = _filled(app, youth)
    campaign_id = _campaign_of(app, response_id)
    analyst = staff("analyst")
    got = analyst.client.get(f"/en/staff/campaigns/{campaign_id}/responses.xlsx?labels=en")
    assert got.status_code == 200
    book = load_workbook(io.BytesIO(got.data))
    assert book.sheetnames == ["responses", "programme", "per_target", "contact", "codebook"]
    main = [list(row) for row in book["responses"].iter_rows(values_only=True)]
    assert "pname" not in main[0] and "staff" in main[0] and "comment" in main[0]
    rows = [list(row) for row in book["programme"].iter_rows(values_only=True)]
    header = rows[0]
    assert header[:3] == ["response_id", "submission_id", "entry"]
    records = [dict(zip(header, row, strict=True)) for row in rows[1:]]
    assert [(r["response_id"], r["entry"], r["pname"], r["target"], r["funding"], r["funder"])
            for r in records] == [
        (response_id, 1, "Youth council", "young people", None, None),
        (response_id, 2, "Стипендии", None, 1200, "EU"),
    ]  # fmt: skip
    loop = [list(row) for row in book["per_target"].iter_rows(values_only=True)]
    assert loop[1][2:] == [1, "young people", 10] and loop[2][2:] == [2, "schools", 4]
    contacts = [list(row) for row in book["contact"].iter_rows(values_only=True)]
    assert [row[2:] for row in contacts[1:]] == [[1, "Ana"], [2, None]]
    codebook = {row[0]: row for row in book["codebook"].iter_rows(values_only=True)}
    assert "not in SPSS or Stata files" in codebook["programme/pname"][2]


def _campaign_of(app, response_id: int) -> int:
    with app.app_context():
        return db.session.scalar(select(Response.campaign_id).where(Response.id == response_id))


def test_csv_export_of_a_form_with_repeats_is_a_zip_of_csvs(app, youth, staff):
    import csv
    import io
    import zipfile

    response_id = _filled(app, youth)
    campaign_id = _campaign_of(app, response_id)
    analyst = staff("analyst")
    got = analyst.client.get(f"/en/staff/campaigns/{campaign_id}/responses.csv?labels=codes")
    assert got.status_code == 200 and got.mimetype == "application/zip"
    archive = zipfile.ZipFile(io.BytesIO(got.data))
    stem = f"responses-{campaign_id}"
    assert archive.namelist() == [
        f"{stem}.csv", f"{stem}-programme.csv", f"{stem}-per_target.csv", f"{stem}-contact.csv"
    ]  # fmt: skip
    text = archive.read(f"{stem}-programme.csv").decode("utf-8-sig")
    rows = list(csv.reader(io.StringIO(text)))
    assert rows[0][:4] == ["response_id", "submission_id", "entry", "pname"]
    assert [row[2:4] for row in rows[1:]] == [["1", "Youth council"], ["2", "Стипендии"]]
    assert rows[1][0] == str(response_id)


SCALE_SURVEY = [
    ["type", "name", "label::English (en)", "label::Македонски (mk)", "domain", "measure"],
    ["begin group", "intro", "About", "За"],
    ["integer", "staff", "Staff?", "Вработени?"],
    ["end group"],
    ["begin repeat", "programme", "Programmes", "Програми"],
    ["text", "pname", "Name", "Име"],
    ["select_one need", "urgency", "How pressing?", "Колку итно?", "youth", "need"],
    ["end repeat"],
]


def test_a_scale_question_in_a_repeat_counts_once_per_response_with_its_mean(app, client):
    from surveyapp.models import ProfileCount
    from surveyapp.profiles import count_rebuild
    from tests import repeat_support

    original = repeat_support.CHOICES
    repeat_support.CHOICES = [
        ["list_name", "name", "label::English (en)", "label::Македонски (mk)", "score"],
        ["need", "1", "Low", "Ниско", 1],
        ["need", "5", "High", "Високо", 5],
    ]
    try:
        campaign_id, _version_id = repeat_campaign(app, SCALE_SURVEY)
    finally:
        repeat_support.CHOICES = original
    for entries in (["1", "5", "5"], ["1"]):
        person = Respondent(client, repeat_invitation(app, campaign_id), "en")
        person.consent()
        person.answer_page(1, {"staff": "1"})
        data = {"entries": str(len(entries))}
        for number, value in enumerate(entries, start=1):
            data |= {f"e{number}-pname": f"P{number}", f"e{number}-urgency": value}
        person.answer_page(2, data)
        assert person.submit().location.endswith("/thanks")

    def counts(name: str = "urgency"):
        rows = db.session.execute(
            select(ProfileCount.choice, ProfileCount.score, ProfileCount.responses)
            .join(Question, Question.id == ProfileCount.question_id)
            .where(Question.name == name, ProfileCount.campaign_id == campaign_id)
        ).all()
        return sorted((choice, score, n) for choice, score, n in rows if n)

    with app.app_context():
        # (1 + 5 + 5) / 3 and 1: each response once, weighing the same.
        expected = [("mean:1", 1.0, 1), ("mean:3.66667", 3.666667, 1)]
        assert counts() == expected
        # The free text of three entries: still one response that answered.
        texts = counts("pname")
        assert sum(n for _choice, _score, n in texts) == 2
        count_rebuild.rebuild(campaign_id)
        db.session.commit()
        assert counts() == expected
        assert counts("pname") == texts


def test_a_later_page_reads_the_entries_on_the_server_and_in_its_script(app, youth):
    import json
    import re

    person = youth()
    person.answer_page(1, {"staff": "1"})
    person.answer_page(
        2, {"entries": "2", "e1-pname": "A", "e1-funding": "100", "e2-pname": "B",
            "e2-funding": "250"},
    )  # fmt: skip
    page = person.get("/p/3").get_data(as_text=True)
    live = json.loads(re.search(r'id="live-rules">(.*?)</script>', page, re.S).group(1))
    assert [entry["funding"] for entry in live["r"]["programme"]] == [100.0, 250.0]
    with app.app_context():
        from surveyapp.questionnaires import rules
        from surveyapp.questionnaires.versions import load_version
        from surveyapp.responses.reads import answers_by_name

        response = db.session.scalar(select(Response))
        version = load_version(response.version_id)
        values = rules.all_values(version, answers_by_name(response, version))
        assert values["programmes"] == 2.0 and values["total_funding"] == 350.0


def test_a_forged_number_of_entries_or_entry_to_remove_changes_nothing_else(app, youth):
    person = youth()
    person.answer_page(1, {"staff": "1"})
    page = person.get("/p/2").get_data(as_text=True)
    reply = person.post("/p/2", {"entries": "99999", "e1-pname": "A", "action": "remove:77"}, page)
    assert reply.status_code == 303
    with app.app_context():
        assert db.session.scalar(select(Response.repeat_entries)) == {"programme": 50}
    assert stored(app) == {1: "A"}
    page = person.get("/p/2").get_data(as_text=True)
    reply = person.post("/p/2", {"entries": "x", "e1-pname": "A", "action": "remove:x"}, page)
    assert reply.status_code == 303
    assert stored(app) == {1: "A"}


def test_a_csv_export_job_of_a_form_with_repeats_is_a_zip_too(app, youth, monkeypatch, tmp_path):
    import zipfile

    from surveyapp.responses import export_files

    app.config["EXPORT_DIR"] = str(tmp_path)
    monkeypatch.setattr(export_files, "_queue", lambda export_id: None)
    response_id = _filled(app, youth)
    campaign_id = _campaign_of(app, response_id)
    with app.app_context():
        export = export_files.start_export(campaign_id, "csv", None, "en", False, None)
        export_files.write_export(export.id)
        from surveyapp.models import ExportFile

        db.session.refresh(db.session.get(ExportFile, export.id))
        found = export_files.ready_file(campaign_id, export.id)
        assert found is not None and found[1].suffix == ".zip"
        names = zipfile.ZipFile(found[1]).namelist()
    assert f"responses-{campaign_id}-programme.csv" in names


def test_staff_see_each_entry_of_a_response(app, youth, staff):
    response_id = _filled(app, youth)
    campaign_id = _campaign_of(app, response_id)
    analyst = staff("analyst")
    page = analyst.client.get(f"/en/staff/campaigns/{campaign_id}/responses/{response_id}")
    html = page.get_data(as_text=True)
    assert html.index("Entry 1") < html.index("Youth council") < html.index("Entry 2")
    assert html.index("Entry 2") < html.index("Стипендии")
    assert "How many schools did you reach?" in html
