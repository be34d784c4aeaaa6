"""Settings an XLSForm carries, edited in the questionnaire editor: a repeat's number of
entries, an upload question's limits and a hidden question's value. Each reaches the
respondent's page once published; a bad value is refused with a message and changes
nothing; a published version stays as it was (the change goes to a new draft)."""

from __future__ import annotations

import io
import os
import re

import pytest
from PIL import Image
from sqlalchemy import select

from surveyapp.extensions import db
from surveyapp.models import Answer, AuditEvent, Question, QuestionnaireVersion, StoredFile
from surveyapp.questionnaires.xlsform.exporter import export_xlsform
from surveyapp.questionnaires.xlsform.importer import import_xlsform
from surveyapp.uploads import kinds
from tests import upload_files as files
from tests.conftest import Respondent
from tests.repeat_support import invitation_to, settings_draft


@pytest.fixture
def draft(app) -> int:
    """The id of a draft version with one of each setting (``SETTINGS_SURVEY``)."""
    return settings_draft(app)


@pytest.fixture
def folder(app, tmp_path):
    app.config["UPLOAD_FOLDER"] = str(tmp_path / "uploads")


def _ids(app, version_id: int) -> dict[str, int]:
    """Page and question ids of a version by name."""
    with app.app_context():
        version = db.session.get(QuestionnaireVersion, version_id)
        found = {p.name: p.id for p in version.pages}
        found |= {q.name: q.id for p in version.pages for q in p.questions}
        return found


def _repeat(app, version_id: int) -> dict:
    with app.app_context():
        version = db.session.get(QuestionnaireVersion, version_id)
        return next(p.repeat for p in version.pages if p.name == "programme")


def _question(app, version_id: int, name: str) -> tuple:
    with app.app_context():
        question = db.session.scalar(
            select(Question).where(Question.version_id == version_id, Question.name == name)
        )
        return question.default, question.extra


def _changes(app) -> list[dict]:
    with app.app_context():
        events = db.session.scalars(
            select(AuditEvent).where(AuditEvent.action == "questionnaire_changed")
        )
        return [e.details for e in events]


def _publish_and_invite(app, client, version_id: int, lang: str = "en") -> Respondent:
    """Publish the version, open a campaign on it, and a respondent who consented."""
    with app.app_context():
        from surveyapp.models import Campaign

        version = db.session.get(QuestionnaireVersion, version_id)
        version.status = "published"
        demo = db.session.scalar(select(Campaign).order_by(Campaign.id))
        campaign = Campaign(name="Youth", version=version, opens_at=demo.opens_at)
        db.session.add(campaign)
        db.session.commit()
        campaign_id = campaign.id
    person = Respondent(client, invitation_to(app, campaign_id), lang)
    assert person.consent().status_code == 303
    return person


def _link_on_editor(analyst, version_id: int, href: str) -> None:
    """The editor page links to the form (the staff member clicks it)."""
    editor = analyst.client.get(f"/en/staff/questionnaires/{version_id}").get_data(as_text=True)
    assert f'href="{href}"' in editor


# --- a repeat's number of entries -------------------------------------------------------


def test_a_fixed_number_of_entries_is_what_the_repeat_page_offers(app, client, staff, draft):
    analyst = staff("analyst")
    url = f"/en/staff/pages/{_ids(app, draft)['programme']}/entries"
    _link_on_editor(analyst, draft, url)
    form = analyst.client.get(url).get_data(as_text=True)
    assert "As many as the respondent adds" in form and 'value="staff"' in form
    saved = analyst.post_form(url, {"mode": "fixed", "number": "3"})
    assert saved.status_code == 303 and saved.location.endswith(f"/questionnaires/{draft}")
    assert _repeat(app, draft) == {"kind": "repeat", "count": "3"}
    assert _changes(app)[-1]["change"] == "repeat_count"
    editor = analyst.client.get(saved.location).get_data(as_text=True)
    assert "The number of entries was saved." in editor
    person = _publish_and_invite(app, client, draft)
    person.answer_page(1, {"staff": "2"})
    page = person.get("/p/2").get_data(as_text=True)
    assert "Entry 3" in page and "Entry 4" not in page
    assert "Add another entry" not in page and "Remove entry" not in page


def test_the_number_of_entries_can_be_an_earlier_answer(app, client, staff, draft):
    analyst = staff("analyst")
    url = f"/en/staff/pages/{_ids(app, draft)['programme']}/entries"
    assert analyst.post_form(url, {"mode": "answer", "source": "staff"}).status_code == 303
    assert _repeat(app, draft) == {"kind": "repeat", "count": "${staff}"}
    person = _publish_and_invite(app, client, draft)
    person.answer_page(1, {"staff": "2"})
    page = person.get("/p/2").get_data(as_text=True)
    assert "Entry 2" in page and "Entry 3" not in page and "Add another entry" not in page


@pytest.mark.parametrize(
    ("data", "message"),
    [
        ({"mode": "fixed", "number": "0"}, "a whole number from 1 to 50"),
        ({"mode": "fixed", "number": "51"}, "a whole number from 1 to 50"),
        ({"mode": "fixed", "number": "2,5"}, "a whole number from 1 to 50"),
        ({"mode": "fixed", "number": ""}, "a whole number from 1 to 50"),
        ({"mode": "fixed", "number": "many"}, "Please enter a number"),
        ({"mode": "answer", "source": "pname"}, "a number question from an earlier page"),
        ({"mode": "answer", "source": "round"}, "a number question from an earlier page"),
        ({"mode": "answer", "source": ""}, "a number question from an earlier page"),
        ({"mode": "sometimes"}, "Please choose how many entries there are."),
    ],
)
def test_a_bad_number_of_entries_is_refused_and_changes_nothing(app, staff, draft, data, message):
    analyst = staff("analyst")
    url = f"/en/staff/pages/{_ids(app, draft)['programme']}/entries"
    refused = analyst.post_form(url, data)
    assert refused.status_code == 200
    html = refused.get_data(as_text=True)
    assert message in html and 'class="field-error"' in html
    assert _repeat(app, draft) == {"kind": "repeat"}
    assert _changes(app) == []


def test_the_message_is_in_the_staff_members_language(app, staff, draft):
    analyst = staff("analyst")
    url = f"/mk/staff/pages/{_ids(app, draft)['programme']}/entries"
    html = analyst.post_form(url, {"mode": "fixed", "number": "99"}).get_data(as_text=True)
    assert "цел број од 1 до 50" in html
    assert _repeat(app, draft) == {"kind": "repeat"}


def test_a_published_version_keeps_its_number_of_entries(app, client, staff, draft):
    analyst = staff("analyst")
    person = _publish_and_invite(app, client, draft)
    url = f"/en/staff/pages/{_ids(app, draft)['programme']}/entries"
    saved = analyst.post_form(url, {"mode": "fixed", "number": "4"})
    assert saved.status_code == 303
    new_id = int(saved.location.rsplit("/", 1)[1])
    assert new_id != draft
    assert _repeat(app, draft) == {"kind": "repeat"}
    assert _repeat(app, new_id) == {"kind": "repeat", "count": "4"}
    person.answer_page(1, {"staff": "2"})
    assert "Add another entry" in person.get("/p/2").get_data(as_text=True)


def test_a_plain_page_has_no_number_of_entries_form(app, staff, draft):
    analyst = staff("analyst")
    assert (
        analyst.client.get(f"/en/staff/pages/{_ids(app, draft)['about']}/entries").status_code
        == 404
    )


# --- an upload question's limits ----------------------------------------------------


def _noise_png(side: int = 300) -> bytes:
    """A PNG that does not compress: about side² × 3 bytes."""
    image = Image.frombytes("RGB", (side, side), os.urandom(side * side * 3))
    buffer = io.BytesIO()
    image.save(buffer, "PNG")
    return buffer.getvalue()


def _send_photo(person: Respondent, content: bytes, name: str):
    html = person.get("/p/1").get_data(as_text=True)
    return person.post(
        "/p/1", {"staff": "2", "site_photo": (io.BytesIO(content), name), "action": "next"}, html
    )


def _stored_files(app) -> list[str]:
    with app.app_context():
        return list(db.session.scalars(select(StoredFile.original_name)))


def test_upload_limits_refuse_other_kinds_and_larger_files(app, client, staff, draft, folder):
    analyst = staff("analyst")
    url = f"/en/staff/questions/{_ids(app, draft)['site_photo']}/file-limits"
    _link_on_editor(analyst, draft, url)
    form = analyst.client.get(url).get_data(as_text=True)
    assert re.search(r'value="png"[^>]*checked|checked[^>]*value="png"', form)
    saved = analyst.post_form(url, {"accepted": ["png", "webp"], "max_size": "0,1"})
    assert saved.status_code == 303
    assert _question(app, draft, "site_photo")[1] == {
        "body::accept": ".png,.webp",
        "parameters": "max-size=0.1MB",
    }
    assert _changes(app)[-1]["change"] == "upload_limits"
    person = _publish_and_invite(app, client, draft)
    page = person.get("/p/1").get_data(as_text=True)
    assert "Accepted: PNG, WEBP, at most 102 KB." in page
    refused = _send_photo(person, files.jpeg(), "centre.jpg")
    assert refused.status_code == 303 and refused.location.endswith("/p/1")
    page = person.get("/p/1").get_data(as_text=True)
    assert "Files of this kind are not accepted here. Accepted: PNG, WEBP." in page
    too_large = _send_photo(person, _noise_png(), "centre.png")
    assert too_large.location.endswith("/p/1")
    assert "The file is larger than 102 KB" in person.get("/p/1").get_data(as_text=True)
    assert _stored_files(app) == []
    accepted = _send_photo(person, files.png(), "centre.png")
    assert accepted.location.endswith("/p/2")
    assert len(_stored_files(app)) == 1


@pytest.mark.parametrize(
    ("data", "message"),
    [
        ({"max_size": "5"}, "Please choose at least one kind of file."),
        ({"accepted": ["png", "pdf"]}, "Please choose only among the kinds of file listed."),
        ({"accepted": ["png"], "max_size": "51"}, "The largest file must be from 0.1 to 50 MB."),
        ({"accepted": ["png"], "max_size": "0"}, "The largest file must be from 0.1 to 50 MB."),
        ({"accepted": ["png"], "max_size": "-3"}, "The largest file must be from 0.1 to 50 MB."),
        ({"accepted": ["png"], "max_size": "big"}, "Please enter a number"),
    ],
)
def test_bad_upload_limits_are_refused_and_change_nothing(app, staff, draft, data, message):
    analyst = staff("analyst")
    url = f"/en/staff/questions/{_ids(app, draft)['site_photo']}/file-limits"
    refused = analyst.post_form(url, data)
    assert refused.status_code == 200
    assert message in refused.get_data(as_text=True)
    assert _question(app, draft, "site_photo")[1] is None
    assert _changes(app) == []


def test_every_problem_of_the_upload_limits_is_said_at_once(app, staff, draft):
    analyst = staff("analyst")
    url = f"/en/staff/questions/{_ids(app, draft)['site_photo']}/file-limits"
    page = analyst.post_form(url, {"max_size": "80"}).get_data(as_text=True)
    assert "Please choose at least one kind of file." in page
    assert "The largest file must be from 0.1 to 50 MB." in page
    assert _question(app, draft, "site_photo")[1] is None and _changes(app) == []


def test_the_usual_limits_come_back_when_every_kind_is_ticked(app, staff, draft):
    analyst = staff("analyst")
    url = f"/en/staff/questions/{_ids(app, draft)['site_photo']}/file-limits"
    analyst.post_form(url, {"accepted": ["png"], "max_size": "2"})
    every = ["heic", "jpeg", "png", "webp"]
    assert analyst.post_form(url, {"accepted": every, "max_size": ""}).status_code == 303
    assert _question(app, draft, "site_photo")[1] is None


def test_a_published_version_keeps_its_upload_limits(app, client, staff, draft):
    analyst = staff("analyst")
    _publish_and_invite(app, client, draft)
    url = f"/en/staff/questions/{_ids(app, draft)['site_photo']}/file-limits"
    saved = analyst.post_form(url, {"accepted": ["png"], "max_size": "1"})
    new_id = int(saved.location.rsplit("/", 1)[1])
    assert new_id != draft
    assert _question(app, draft, "site_photo")[1] is None
    assert _question(app, new_id, "site_photo")[1] == {
        "body::accept": ".png",
        "parameters": "max-size=1MB",
    }


# --- a hidden question's value ------------------------------------------------------


def _stored_round(app) -> list[str | None]:
    with app.app_context():
        return list(
            db.session.scalars(
                select(Answer.text)
                .join(Question, Question.id == Answer.question_id)
                .where(Question.name == "round")
            )
        )


def test_the_hidden_value_is_kept_with_the_response(app, client, staff, draft):
    analyst = staff("analyst")
    url = f"/en/staff/questions/{_ids(app, draft)['round']}/hidden-value"
    _link_on_editor(analyst, draft, url)
    assert 'value="pilot"' in analyst.client.get(url).get_data(as_text=True)
    assert analyst.post_form(url, {"value": "  spring-2027 "}).status_code == 303
    assert _question(app, draft, "round")[0] == "spring-2027"
    assert _changes(app)[-1]["change"] == "hidden_value"
    person = _publish_and_invite(app, client, draft)
    person.answer_page(1, {"staff": "2"})
    person.answer_page(2, {"entries": "1", "e1-pname": "Sport"})
    assert person.submit().status_code == 303
    assert _stored_round(app) == ["spring-2027"]


def test_a_too_long_hidden_value_is_refused_and_changes_nothing(app, staff, draft):
    analyst = staff("analyst")
    url = f"/en/staff/questions/{_ids(app, draft)['round']}/hidden-value"
    refused = analyst.post_form(url, {"value": "x" * 201})
    assert refused.status_code == 200
    assert "Please use at most 200 characters." in refused.get_data(as_text=True)
    assert _question(app, draft, "round")[0] == "pilot"
    assert _changes(app) == []


def test_a_published_version_keeps_its_hidden_value(app, client, staff, draft):
    analyst = staff("analyst")
    _publish_and_invite(app, client, draft)
    url = f"/en/staff/questions/{_ids(app, draft)['round']}/hidden-value"
    saved = analyst.post_form(url, {"value": "autumn"})
    new_id = int(saved.location.rsplit("/", 1)[1])
    assert new_id != draft
    assert _question(app, draft, "round")[0] == "pilot"
    assert _question(app, new_id, "round")[0] == "autumn"


def test_other_questions_have_no_limits_or_hidden_value_form(app, staff, draft):
    analyst = staff("analyst")
    staff_id = _ids(app, draft)["staff"]
    assert analyst.client.get(f"/en/staff/questions/{staff_id}/file-limits").status_code == 404
    assert analyst.client.get(f"/en/staff/questions/{staff_id}/hidden-value").status_code == 404


# --- kept through an XLSForm export -------------------------------------------------


@pytest.mark.parametrize("type_code", sorted(kinds.ACCEPTED))
def test_each_kind_ticked_alone_is_read_back_alone(app, type_code):
    """What the form writes in ``body::accept`` narrows the type to exactly those kinds."""
    with app.app_context():
        for code in kinds.ACCEPTED[type_code]:
            extra = {"body::accept": kinds.KINDS[code].extensions[0]}
            assert kinds.limits_for(type_code, extra).accepted == {code}


def test_edited_settings_are_kept_through_an_xlsform_export(app, staff, draft):
    analyst = staff("analyst")
    ids = _ids(app, draft)
    analyst.post_form(
        f"/en/staff/pages/{ids['programme']}/entries", {"mode": "answer", "source": "staff"}
    )
    analyst.post_form(
        f"/en/staff/questions/{ids['site_photo']}/file-limits",
        {"accepted": ["png"], "max_size": "2,5"},
    )
    analyst.post_form(f"/en/staff/questions/{ids['round']}/hidden-value", {"value": "2027"})
    with app.app_context():
        again = import_xlsform(export_xlsform(draft), "again.xlsx", name="again")
        assert again.ok, [str(e) for e in again.errors]
        version = again.version
        repeat = next(p.repeat for p in version.pages if p.name == "programme")
        questions = {q.name: q for p in version.pages for q in p.questions}
        limits = kinds.limits_for("image", questions["site_photo"].extra)
        assert repeat == {"kind": "repeat", "count": "${staff}"}
        assert questions["round"].default == "2027"
        assert limits.accepted == {"png"} and limits.max_bytes == int(2.5 * kinds.MB)
