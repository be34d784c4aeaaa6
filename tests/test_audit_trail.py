"""What the audit log records: invitations made, editor changes, profile views
that show free text, sign-in and sign-out; never a typed password."""

from __future__ import annotations

import pytest
from sqlalchemy import select

from surveyapp.extensions import db
from surveyapp.models import AuditEvent, Campaign
from tests.conftest import Staff


def _events(app, action: str) -> list[AuditEvent]:
    with app.app_context():
        return list(db.session.scalars(select(AuditEvent).where(AuditEvent.action == action)))


def _campaign_id(app) -> int:
    with app.app_context():
        return db.session.scalar(select(Campaign.id))


def test_creating_invitations_is_recorded(app, staff):
    analyst = staff("analyst")
    campaign_id = _campaign_id(app)
    made = analyst.post_form(
        f"/en/staff/campaigns/{campaign_id}/invite",
        {"municipalities": ["mk-cair", "rs-nis"], "roles": ["mayor"]},
    )
    assert made.status_code == 303
    (event,) = _events(app, "invitations_created")
    assert event.target == f"campaign:{campaign_id}" and event.details["count"] == 2


def test_editor_changes_are_recorded(app, staff):
    analyst = staff("analyst")
    made = analyst.post_form("/en/staff/questionnaires", {"name": "pilot", "title": "Pilot"})
    version_id = int(made.location.rstrip("/").rsplit("/", 1)[1])
    editor = f"/en/staff/questionnaires/{version_id}"
    analyst.post_form(f"{editor}/pages", {"title": "Second page"}, form_page=editor)
    with app.app_context():
        from surveyapp.models import QuestionnaireVersion

        page_id = db.session.get(QuestionnaireVersion, version_id).pages[1].id
    moved = analyst.post_form(f"/en/staff/pages/{page_id}/up", {}, form_page=editor)
    assert moved.status_code == 303, moved.get_data(as_text=True)[:3000]
    analyst.post_form(
        f"/en/staff/pages/{page_id}/questions/new",
        {
            "name": "has_council",
            "type": "single_choice",
            "label": "Does your municipality have a youth council?",
            "choices": "yes | | Yes\nno | | No",
        },
    )
    analyst.post_form(f"{editor}/texts", {"text-0-en": "Pilot survey"})
    changes = [e.details["change"] for e in _events(app, "questionnaire_changed")]
    assert changes == ["add_page", "change_page:up", "new_question"]
    assert _events(app, "questionnaire_changed")[1].details["page_id"] == page_id
    assert _events(app, "texts_edited")


def test_a_profile_with_free_text_is_a_recorded_view(app, staff, make_response):
    for variant in range(5):  # fewer would be hidden, free text and all
        make_response(variant=variant)
    analyst = staff("analyst")
    campaign_id = _campaign_id(app)
    assert (
        analyst.client.get(f"/en/staff/campaigns/{campaign_id}/profile?area=mk-cair").status_code
        == 200
    )
    (event,) = _events(app, "profile_viewed")
    assert event.target == f"campaign:{campaign_id}" and event.details["scope"] == "mk-cair"


def test_signing_out_is_recorded(app, staff):
    analyst = staff("analyst")
    analyst.post_form("/en/staff/logout", {}, form_page="/en/staff/")
    (event,) = _events(app, "logout")
    assert event.user_id is not None


@pytest.mark.parametrize(
    ("typed", "recorded"),
    [
        ("Someone@Example.org", "someone@example.org"),
        ("correct horse battery", "(not an e-mail address)"),
        ("hunter2", "(not an e-mail address)"),
    ],
)
def test_a_failed_login_never_records_a_password_typed_as_the_email(app, client, typed, recorded):
    Staff(client, typed).login(password="whatever it was")
    (event,) = _events(app, "login_failed")
    assert event.target == recorded
