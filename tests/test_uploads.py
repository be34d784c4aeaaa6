"""File questions on the respondent's path (#20): a page with one is multipart, a
file is stored only when it passes every check, kept when the page is saved
without a new one, replaced or removed at the respondent's wish, shown to staff
only (as an attachment), linked from the exports, zipped on request and deleted
with its response."""

from __future__ import annotations

import csv
import gc
import io
import zipfile
from pathlib import Path

import pytest
from sqlalchemy import func, select

from surveyapp.extensions import db
from surveyapp.models import Answer, Response, StoredFile, TextEntry
from surveyapp.uploads import links
from tests import upload_files as files
from tests.plans import answer_plan, builtin_version

#: The test client encodes a body past 500 KB into a temporary file it never closes
#: (werkzeug's EnvironBuilder): the garbage collector closes it, with a warning.
LARGE_BODY = pytest.mark.filterwarnings("ignore::pytest.PytestUnraisableExceptionWarning")


@pytest.fixture(autouse=True)
def _collect_test_client_files():
    """The warning above stays with the test whose body it was (not the next one)."""
    yield
    gc.collect()


LABELS = files.LABELS


@pytest.fixture
def folder(app, tmp_path) -> Path:
    """The builtin questionnaire's first page gets an image and a file question."""
    target = tmp_path / "uploads"
    app.config["UPLOAD_FOLDER"] = str(target)
    files.add_upload_questions(app)
    return target


def page_one(app) -> dict:
    with app.app_context():
        form = answer_plan(builtin_version())[0].form
    return {k: v for k, v in form.items() if k not in LABELS}


def stored(app) -> list[StoredFile]:
    with app.app_context():
        rows = db.session.scalars(select(StoredFile).order_by(StoredFile.id)).all()
        db.session.expunge_all()
        return rows


def on_disk(folder: Path) -> list[Path]:
    return [p for p in folder.rglob("*") if p.is_file()] if folder.exists() else []


def send(person, app, number: int = 1, action: str = "next", **chosen):
    html = person.get(f"/p/{number}").get_data(as_text=True)
    data = {**page_one(app), "action": action}
    for name, value in chosen.items():
        data[name] = (io.BytesIO(value[0]), value[1]) if isinstance(value, tuple) else value
    return person.post(f"/p/{number}", data, html)


def test_the_page_with_a_file_question_is_multipart_and_says_what_it_takes(app, folder, respondent):
    person = respondent("mk")
    person.consent()
    page = person.get("/p/1").get_data(as_text=True)
    assert 'enctype="multipart/form-data"' in page
    assert 'type="file"' in page and 'name="site_photo"' in page
    assert "Фотографија од локацијата" in page
    other = person.get("/p/2").get_data(as_text=True)
    assert "multipart" not in other, "only a page with a file question is multipart"


def test_a_good_file_is_stored_outside_the_database_under_a_random_key(app, folder, respondent):
    person = respondent("en")
    person.consent()
    image = files.png()
    reply = send(person, app, site_photo=(image, "Site Čair.png"), action="later")
    assert reply.status_code == 303
    (row,) = stored(app)
    assert row.original_name == "Site Čair.png" and row.content_type == "image/png"
    assert row.size == len(image) and len(row.sha256) == 64
    (path,) = on_disk(folder)
    assert path.name == row.key and "Site" not in str(path) and path.read_bytes() == image
    with app.app_context():
        answer = db.session.scalar(select(Answer).where(Answer.question_id == row.question_id))
        assert answer.text == row.key
    page = person.get("/p/1").get_data(as_text=True)
    assert "Site Čair.png" in page and "Remove the file" in page


@LARGE_BODY
@pytest.mark.parametrize(
    ("name", "data", "message"),
    [
        ("site_photo", (files.HTML, "site.jpg"), "not accepted here"),
        ("action_plan", (files.png(), "plan.pdf"), "does not match its name"),
        ("action_plan", (files.zip_bomb(), "plan.docx"), "too tightly packed"),
        ("action_plan", (files.PDF + b"0" * (1024 * 1024), "plan.pdf"), "larger than 1 MB"),
        ("action_plan", (files.PDF, "../../etc/passwd"), "folder path"),
        ("site_photo", (files.png(), "/etc/passwd.png"), "folder path"),
    ],
)
def test_a_refused_file_leaves_nothing_stored(app, folder, respondent, name, data, message):
    person = respondent("en")
    person.consent()
    reply = send(person, app, **{name: data})
    assert reply.status_code == 303 and reply.location.endswith("/p/1")
    page = person.get("/p/1").get_data(as_text=True)
    assert message in page
    assert stored(app) == [] and on_disk(folder) == []
    with app.app_context():
        assert db.session.scalar(select(func.count()).select_from(Answer)) == 0


@pytest.mark.parametrize(
    ("lang", "expected"),
    [
        ("mk", "Датотеки од овој вид не се прифаќаат тука. Се прифаќаат: HEIC, JPG, PNG, WEBP."),
        ("sq", "Skedarët e këtij lloji nuk pranohen këtu. Pranohen: HEIC, JPG, PNG, WEBP."),
    ],
)
def test_a_refusal_is_in_the_respondents_language(app, folder, respondent, lang, expected):
    person = respondent(lang)
    person.consent()
    send(person, app, site_photo=(files.HTML, "site.jpg"))
    assert expected in person.get("/p/1").get_data(as_text=True)
    assert stored(app) == []


def test_a_page_shown_again_for_a_refused_file_still_shows_the_stored_one(app, folder, respondent):
    person = respondent("en")
    person.consent()
    send(person, app, site_photo=(files.png(), "kept.png"), action="later")
    send(person, app, action_plan=(files.png(), "plan.pdf"))
    page = person.get("/p/1").get_data(as_text=True)
    assert "does not match its name" in page and "kept.png" in page
    assert [r.original_name for r in stored(app)] == ["kept.png"]


def test_a_good_file_on_a_page_shown_again_is_named_and_asked_for_again(app, folder, respondent):
    person = respondent("en")
    person.consent()
    send(person, app, site_photo=(files.png(), "good.png"), action_plan=(files.png(), "plan.pdf"))
    page = person.get("/p/1").get_data(as_text=True)
    assert "does not match its name" in page
    assert "The file “good.png” you chose was not saved" in page
    assert stored(app) == [] and on_disk(folder) == []


def test_a_nul_in_the_file_name_is_refused_before_anything_is_read(app, folder, respondent):
    person = respondent("en")
    person.consent()
    reply = send(person, app, site_photo=(files.png(), "site\x00.png"))
    assert reply.status_code == 400
    assert stored(app) == [] and on_disk(folder) == []


@LARGE_BODY
def test_a_huge_request_gets_the_friendly_page(app, folder, respondent):
    app.config["UPLOAD_MAX_REQUEST"] = 3 * 1024 * 1024
    person = respondent("en")
    person.consent()
    reply = send(person, app, action_plan=(b"%PDF-" + b"0" * (4 * 1024 * 1024), "big.pdf"))
    assert reply.status_code == 413 and "too large" in reply.get_data(as_text=True)
    assert stored(app) == [] and on_disk(folder) == []


def test_saving_without_a_new_file_keeps_it_and_replace_and_remove_work(app, folder, respondent):
    person = respondent("en")
    person.consent()
    send(person, app, site_photo=(files.png(), "first.png"), action="later")
    (first,) = stored(app)
    # Saved again (a background save, or "next") without choosing a file: kept.
    assert send(person, app, action="autosave").status_code == 204
    assert send(person, app).status_code == 303
    assert [r.key for r in stored(app)] == [first.key]
    # Replaced: the new file's row and bytes, the old ones gone.
    send(person, app, site_photo=(files.jpeg(), "second.jpg"), action="later")
    (second,) = stored(app)
    assert second.key != first.key and second.original_name == "second.jpg"
    assert [p.name for p in on_disk(folder)] == [second.key]
    # Removed.
    send(person, app, **{"site_photo-remove": "1"}, action="later")
    assert stored(app) == [] and on_disk(folder) == []


def _submitted_with_files(app, folder, respondent) -> tuple[object, StoredFile]:
    person = respondent("en")
    person.consent()
    send(person, app, site_photo=(files.png(), "site.png"), action="later")
    with app.app_context():
        plans = answer_plan(builtin_version())
    for number, plan in enumerate(plans[1:], start=2):
        person.answer_page(number, plan.form)
    assert person.submit().location.endswith("/thanks")
    (row,) = stored(app)
    return person, row


def test_staff_download_the_file_as_an_attachment_and_nobody_else(
    app, folder, respondent, staff, client
):
    person, row = _submitted_with_files(app, folder, respondent)
    url = links.FILE_PATH.format(key=row.key)
    # The respondent (not signed in) cannot fetch it, with or without the key.
    assert client.get(url).status_code in (302, 303)
    translator = staff("translator")
    assert translator.client.get(url).status_code == 403
    client.get("/en/staff/logout")
    analyst = staff("analyst")
    reply = analyst.client.get(url)
    assert reply.status_code == 200 and reply.data == files.png()
    assert reply.headers["Content-Disposition"].startswith("attachment")
    assert reply.headers["X-Content-Type-Options"] == "nosniff"
    assert reply.mimetype == "image/png"
    assert "sandbox" in reply.headers["Content-Security-Policy"]
    reply.close()
    assert analyst.client.get("/en/staff/files/" + "0" * 32).status_code == 404
    assert analyst.client.get("/en/staff/files/..%2f..%2fetc%2fpasswd").status_code == 404
    # The review page shows the file with its download link.
    with app.app_context():
        response = db.session.scalar(select(Response).where(Response.status == "submitted"))
        campaign_id, response_id = response.campaign_id, response.id
    page = analyst.client.get(f"/en/staff/campaigns/{campaign_id}/responses/{response_id}")
    text = page.get_data(as_text=True)
    assert url in text and "site.png" in text and "image/png" in text


def test_exports_link_the_file_and_the_zip_holds_it(app, folder, respondent, staff):
    person, row = _submitted_with_files(app, folder, respondent)
    analyst = staff("analyst")
    with app.app_context():
        campaign_id = db.session.scalar(select(Response.campaign_id))
    reply = analyst.client.get(f"/en/staff/campaigns/{campaign_id}/responses.csv?labels=codes")
    rows = list(csv.reader(io.StringIO(reply.get_data(as_text=True).lstrip("\ufeff"))))
    column = rows[0].index("site_photo")
    assert rows[1][column] == "http://localhost" + links.FILE_PATH.format(key=row.key)
    assert rows[1][rows[0].index("action_plan")] == ""
    from surveyapp.responses import upload_answers

    target = folder.parent / "files.zip"
    with app.app_context():
        assert upload_answers.write_zip(campaign_id, target) == 1
    with zipfile.ZipFile(target) as archive:
        names = archive.namelist()
        assert f"{row.response_id}/site_photo-site.png" in names
        assert archive.read(f"{row.response_id}/site_photo-site.png") == files.png()
        listing = archive.read("files.csv").decode("utf-8-sig")
    assert row.sha256 in listing


def test_the_export_page_offers_the_zip_as_a_job(app, folder, respondent, staff):
    _submitted_with_files(app, folder, respondent)
    analyst = staff("analyst")
    with app.app_context():
        campaign_id = db.session.scalar(select(Response.campaign_id))
    url = f"/en/staff/campaigns/{campaign_id}/export"
    page = analyst.client.get(url).get_data(as_text=True)
    assert page.count('id="format-zip"') == 1, "the ZIP is offered once"
    reply = analyst.post_form(url, {"format": "zip", "values": "codes", "language": "en"})
    assert reply.status_code == 303 and "/exports/" in reply.location
    from surveyapp.jobs import queue
    from surveyapp.models import ExportFile
    from surveyapp.responses import export_files

    app.config["EXPORT_DIR"] = str(folder.parent / "exports")
    queue.run_pending(app)
    with app.app_context():
        export = db.session.scalar(select(ExportFile))
        assert (export.format, export.status) == ("zip", "ready")
        _export, path = export_files.ready_file(campaign_id, export.id)
        with zipfile.ZipFile(path) as archive:
            assert "files.csv" in archive.namelist() and len(archive.namelist()) == 2


def test_files_go_with_their_response(app, folder, respondent, staff):
    from surveyapp.responses import erasure

    _person, row = _submitted_with_files(app, folder, respondent)
    with app.app_context():
        erasure.delete_response(row.response_id, None)
    assert stored(app) == [] and on_disk(folder) == []


def test_files_go_with_retention_and_with_the_campaign(app, folder, respondent):
    from surveyapp.campaigns import lifecycle
    from surveyapp.responses import retention

    _person, row = _submitted_with_files(app, folder, respondent)
    with app.app_context():
        campaign_id = db.session.scalar(select(Response.campaign_id))
        retention.erase_personal_data(campaign_id)
    assert stored(app) == [] and on_disk(folder) == []
    _person, row = _submitted_with_files(app, folder, respondent)
    with app.app_context():
        campaign = db.session.get(Response, row.response_id).campaign_id
        name = db.session.scalar(
            select(func.min(TextEntry.text)).where(TextEntry.key == "__none__")
        )
        del name
        from surveyapp.models import Campaign

        lifecycle.delete_campaign(campaign, db.session.get(Campaign, campaign).name)
    assert stored(app) == [] and on_disk(folder) == []


def test_a_rolled_back_deletion_keeps_the_file(app, folder, respondent):
    from surveyapp.responses.erasure import delete_response_rows

    _person, row = _submitted_with_files(app, folder, respondent)
    with app.app_context():
        delete_response_rows(db.session.connection(), [row.response_id])
        db.session.rollback()
    assert [r.key for r in stored(app)] == [row.key]
    assert [p.name for p in on_disk(folder)] == [row.key]


def test_the_sweep_deletes_files_no_row_names(app, folder, respondent):
    from surveyapp.uploads import storage

    _person, row = _submitted_with_files(app, folder, respondent)
    with app.app_context():
        orphan = storage.path_of("ab" * 16)
        orphan.parent.mkdir(exist_ok=True)
        orphan.write_bytes(b"left by a rolled-back save")
        assert storage.sweep_orphans(now=10**12) == 1
    assert [p.name for p in on_disk(folder)] == [row.key]


@pytest.mark.parametrize("fmt", ["sav", "dta"])
def test_spss_and_stata_files_carry_the_link(app, folder, respondent, fmt, tmp_path):
    import pyreadstat

    from surveyapp.responses import statistical_files

    app.config["PUBLIC_URL"] = "https://survey.example.org"
    _person, row = _submitted_with_files(app, folder, respondent)
    target = tmp_path / f"responses.{fmt}"
    with app.app_context():
        campaign_id = db.session.scalar(select(Response.campaign_id))
        statistical_files.write_statistical_file(fmt, campaign_id, "en", False, target)
    read = pyreadstat.read_sav if fmt == "sav" else pyreadstat.read_dta
    frame, _meta = read(str(target))
    assert list(frame["site_photo"]) == [
        "https://survey.example.org" + links.FILE_PATH.format(key=row.key)
    ]


def test_a_file_whose_answer_went_goes_too(app, folder, respondent):
    """What submission does for a file question skipped by a later answer."""
    from sqlalchemy import delete

    from surveyapp.responses import upload_answers

    _person, row = _submitted_with_files(app, folder, respondent)
    with app.app_context():
        db.session.execute(delete(Answer).where(Answer.text == row.key))
        upload_answers.drop_unanswered(db.session.connection(), row.response_id)
        db.session.commit()
    assert stored(app) == [] and on_disk(folder) == []
