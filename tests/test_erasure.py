"""Erasure: a respondent withdraws before submitting or asks for deletion after;
staff delete responses (the profiles follow exactly); retention deletes a
campaign's personal data and keeps its profile."""

from __future__ import annotations

import dataclasses
from datetime import timedelta

import pytest
from sqlalchemy import func, select

from surveyapp.extensions import db
from surveyapp.models import (
    Answer,
    AnswerSelection,
    AuditEvent,
    Campaign,
    DeletionRequest,
    Invitation,
    Response,
)
from surveyapp.models.base import utcnow
from surveyapp.profiles.figures import needs_profile
from surveyapp.profiles.results import Scope
from surveyapp.responses import erasure
from tests.conftest import Respondent, csrf_token
from tests.plans import STORED_TEXT, answer_plan, builtin_version
from tests.test_profile_counts import _counts, _rebuilt


def _response_of(token: str) -> Response | None:
    invitation = db.session.scalar(select(Invitation).where(Invitation.token == token))
    return db.session.scalar(select(Response).where(Response.invitation_id == invitation.id))


def _invitation(token: str) -> Invitation:
    return db.session.scalar(select(Invitation).where(Invitation.token == token))


def _rows() -> tuple[int, int, int]:
    return tuple(
        db.session.scalar(select(func.count()).select_from(model))
        for model in (Response, Answer, AnswerSelection)
    )


def _profile(campaign_id: int | None = None):
    """The region's profile (every figure shown: a group of 1 is enough), without free text."""
    campaign_id = campaign_id or db.session.scalar(select(Campaign.id).order_by(Campaign.id))
    profile = needs_profile(Scope.region(), campaign_id, min_group=1)
    return dataclasses.replace(profile, free_text=None)


def _started(app, respondent, lang: str = "en") -> tuple[Respondent, int]:
    """A respondent who consented and saved two pages (one with a draft left behind)."""
    person = respondent(lang)
    person.consent()
    with app.app_context():
        plans = answer_plan(builtin_version(), 1)
    person.answer_page(1, plans[0].form)
    person.answer_page(2, plans[1].form)
    with app.app_context():
        response = _response_of(person.token)
        erasure_id = response.id
    return person, erasure_id


# --- withdrawing before submitting ---------------------------------------------


def test_withdrawing_deletes_that_response_and_nothing_else(app, respondent, make_response):
    kept = make_response("rs-nis", "councillor")
    make_response("mk-bitola", "mayor", submit=False)
    with app.app_context():
        counts_before = _counts()
    person, response_id = _started(app, respondent)
    with app.app_context():
        rows_before = _rows()
        mine = db.session.scalar(
            select(func.count()).select_from(Answer).where(Answer.response_id == response_id)
        )
        assert mine > 0

    page = person.get("/p/2").get_data(as_text=True)
    assert f"/en/r/{person.token}/withdraw" in page
    confirm = person.get("/withdraw")
    text = confirm.get_data(as_text=True)
    assert confirm.status_code == 200
    assert "cannot be recovered" in text and "start from the beginning" in text
    reply = person.post("/withdraw", {}, text)
    assert reply.status_code == 303 and reply.location.endswith("/withdrawn")

    with app.app_context():
        assert db.session.get(Response, response_id) is None
        assert (
            db.session.scalar(
                select(func.count()).select_from(Answer).where(Answer.response_id == response_id)
            )
            == 0
        )
        rows_after = _rows()
        assert rows_after[0] == rows_before[0] - 1
        assert rows_after[1] == rows_before[1] - mine
        assert db.session.get(Response, kept).status == "submitted"
        assert _counts() == counts_before  # in-progress responses were never counted
        assert _invitation(person.token).erasure == erasure.WITHDRAWN

    done = person.get("/withdrawn").get_data(as_text=True)
    assert "Your answers were deleted" in done
    # The link starts anew, and says why.
    assert person.get("/p/1").status_code == 302
    start = person.get().get_data(as_text=True)
    assert "You withdrew earlier" in start
    assert person.consent().status_code == 303
    with app.app_context():
        assert _response_of(person.token) is not None


def test_a_withdrawal_with_an_expired_form_changes_nothing(app, respondent):
    person, response_id = _started(app, respondent)
    reply = person.client.post(person.url("/withdraw"), data={"csrf_token": "stale"})
    assert reply.status_code == 400
    assert "Withdraw my answers" in reply.get_data(as_text=True)
    with app.app_context():
        assert db.session.get(Response, response_id) is not None


def test_withdrawing_a_submitted_response_is_not_possible(app, respondent):
    person, response_id = _started(app, respondent)
    with app.app_context():
        plans = answer_plan(builtin_version(), 1)
    person.answer_every_page(plans)
    person.submit()
    reply = person.get("/withdraw")
    assert reply.status_code == 303 and reply.location.endswith("/thanks")
    with app.app_context():
        assert erasure.withdraw(response_id) is False
        assert db.session.get(Response, response_id).status == "submitted"


# --- asking for deletion after submitting ----------------------------------------


def _submitted(app, respondent, lang: str = "en", **invitation) -> tuple[Respondent, int]:
    person = respondent(lang, **invitation)
    person.consent()
    with app.app_context():
        plans = answer_plan(builtin_version(), 2)
    person.answer_every_page(plans)
    assert person.submit().status_code == 303
    with app.app_context():
        return person, _response_of(person.token).id


def test_a_deletion_request_is_recorded_and_audit_logged(app, respondent):
    person, response_id = _submitted(app, respondent)
    thanks = person.get("/thanks").get_data(as_text=True)
    assert "Ask for my answers to be deleted" in thanks
    confirm = person.get("/deletion").get_data(as_text=True)
    reply = person.post("/deletion", {}, confirm)
    assert reply.status_code == 303 and reply.location.endswith("/thanks")
    assert "We received your request" in person.get("/thanks").get_data(as_text=True)
    # Asking again (a double click, the back button) records nothing more.
    assert person.get("/deletion").status_code == 303
    person.post("/deletion", {}, confirm)
    with app.app_context():
        requests = db.session.scalars(select(DeletionRequest)).all()
        assert len(requests) == 1
        request = requests[0]
        assert (request.response_id, request.status, request.role) == (
            response_id,
            "pending",
            "mayor",
        )
        event = db.session.scalar(
            select(AuditEvent).where(AuditEvent.action == "deletion_requested")
        )
        assert event.target == f"response:{response_id}" and event.ip == ""
        # Nothing is deleted yet: staff decide.
        assert db.session.get(Response, response_id).status == "submitted"


# --- staff ------------------------------------------------------------------------


def test_staff_deletion_updates_the_profiles_exactly(app, respondent, make_response, staff):
    make_response("mk-cair", "mayor", variant=0)
    make_response("mk-cair", "councillor", variant=3)
    make_response("rs-nis", "deputy_mayor", variant=4)
    with app.app_context():
        never_existed = _profile()
        counts_without = _counts()
    person, response_id = _submitted(app, respondent, municipality="mk-cair", role="councillor")
    person.post("/deletion", {}, person.get("/deletion").get_data(as_text=True))
    with app.app_context():
        assert _profile() != never_existed

    admin = staff("admin")
    listing = admin.client.get("/en/staff/deletions").get_data(as_text=True)
    assert "Delete the response" in listing and "Čair" in listing
    confirm_url = f"/en/staff/responses/{response_id}/delete"
    confirm = admin.client.get(confirm_url).get_data(as_text=True)
    assert "cannot be undone" in confirm and "asked for this response to be deleted" in confirm
    reply = admin.post_form(confirm_url, {})
    assert reply.status_code == 303

    with app.app_context():
        assert db.session.get(Response, response_id) is None
        assert not db.session.scalars(
            select(Answer.id).where(Answer.response_id == response_id)
        ).all()
        assert _counts() == counts_without == _rebuilt()
        assert _profile() == never_existed
        request = db.session.scalar(select(DeletionRequest))
        assert request.status == "done" and request.decided_by.email == "admin@example.org"
        event = db.session.scalar(select(AuditEvent).where(AuditEvent.action == "response_deleted"))
        assert event.target == f"response:{response_id}"
        assert STORED_TEXT not in str(event.details)  # the audit keeps no answers
        assert _invitation(person.token).erasure == erasure.DELETED

    gone = person.get("/thanks")
    assert gone.status_code == 410
    assert "Your answers were deleted" in gone.get_data(as_text=True)
    assert person.get("").status_code == 410
    assert person.client.get(f"/r/{person.token}").status_code == 302


def test_declining_needs_a_reason_and_the_respondent_reads_it(app, respondent, staff):
    person, response_id = _submitted(app, respondent, lang="mk")
    person.post("/deletion", {}, person.get("/deletion").get_data(as_text=True))
    with app.app_context():
        request_id = db.session.scalar(select(DeletionRequest.id))
    admin = staff("analyst")
    url = f"/en/staff/deletion-requests/{request_id}/decline"
    reply = admin.post_form(url, {"reason": "  "}, form_page="/en/staff/deletions")
    assert reply.status_code == 303
    page = admin.client.get("/en/staff/deletions").get_data(as_text=True)
    assert "Please give the reason for declining." in page
    with app.app_context():
        assert db.session.get(DeletionRequest, request_id).status == "pending"
    reason = "Већ објављено во извештајот 2026."
    admin.post_form(url, {"reason": reason}, form_page="/en/staff/deletions")
    with app.app_context():
        request = db.session.get(DeletionRequest, request_id)
        assert (request.status, request.reason) == ("declined", reason)
        assert db.session.get(Response, response_id) is not None
        assert db.session.scalar(
            select(AuditEvent.id).where(AuditEvent.action == "deletion_declined")
        )
    thanks = person.get("/thanks").get_data(as_text=True)
    assert reason in thanks
    # Deciding twice changes nothing.
    admin.post_form(url, {"reason": "again"}, form_page="/en/staff/deletions")
    with app.app_context():
        assert db.session.get(DeletionRequest, request_id).reason == reason


def test_staff_find_a_response_by_its_submission_id(app, make_response, staff):
    response_id = make_response("al-tirane", "municipal_staff")
    with app.app_context():
        submission_id = db.session.get(Response, response_id).submission_id
    admin = staff("admin")
    found = admin.client.get(f"/en/staff/deletions?submission={submission_id.upper()}")
    assert found.status_code == 303
    assert found.location.endswith(f"/staff/responses/{response_id}/delete")
    missing = admin.client.get("/en/staff/deletions?submission=nothing-like-it")
    assert "No response has this submission id" in missing.get_data(as_text=True)
    too_long = admin.client.get("/en/staff/deletions?submission=" + "x" * 200)
    assert too_long.status_code == 200
    assert "at most 36 characters" in too_long.get_data(as_text=True)
    gone = admin.client.get("/en/staff/responses/999999/delete")
    assert gone.status_code == 303


def test_translators_cannot_delete(app, make_response, staff, client):
    response_id = make_response()
    translator = staff("translator")
    assert translator.client.get("/en/staff/deletions").status_code == 403
    token = csrf_token(client.get("/en/staff/login").get_data(as_text=True))
    url = f"/en/staff/responses/{response_id}/delete"
    assert client.post(url, data={"csrf_token": token}).status_code == 403
    with app.app_context():
        assert db.session.get(Response, response_id) is not None


def test_deleting_needs_a_recent_password(app, make_response, staff):
    response_id = make_response()
    admin = staff("admin")
    with admin.client.session_transaction() as session:
        session["reauth_at"] = 0
    url = f"/en/staff/responses/{response_id}/delete"
    reply = admin.client.get(url)
    assert reply.status_code == 303 and "/staff/confirm" in reply.location
    with app.app_context():
        assert db.session.get(Response, response_id) is not None


def test_data_attached_to_a_response_is_deleted_with_it(app, make_response):
    response_id = make_response()
    erased: list[list[int]] = []
    eraser = erasure.erases_attached_data(lambda conn, ids: erased.append(list(ids)))
    try:
        with app.app_context():
            assert erasure.delete_response(response_id, None) is not None
    finally:
        erasure._ERASERS.remove(eraser)
    assert erased == [[response_id]]


# --- retention --------------------------------------------------------------------


def _close_long_ago(campaign_id: int, days: int | None) -> None:
    with erasure.write_transaction():
        campaign = db.session.get(Campaign, campaign_id)
        campaign.opens_at = utcnow() - timedelta(days=100)
        campaign.closes_at = utcnow() - timedelta(days=40)
        campaign.retention_days = days


def test_retention_deletes_personal_data_but_the_profile_stays(
    app, make_response, runner, respondent, staff
):
    # A handful of responses: this is about retention, not about hiding small groups.
    app.config["MIN_GROUP_SIZE"] = 1
    make_response("mk-cair", "mayor", variant=0)
    make_response("mk-cair", "councillor", variant=1)
    make_response("me-podgorica", "deputy_mayor", variant=2, lang="cnr")
    make_response("rs-nis", "councillor", submit=False)
    person, _ = _submitted(app, respondent)
    with app.app_context():
        campaign_id = db.session.scalar(select(Campaign.id).order_by(Campaign.id))
        profile = _profile(campaign_id)
        counts = _counts()
        assert any(g.answers for g in needs_profile(Scope.region(), campaign_id).free_text)
        _close_long_ago(campaign_id, 50)
    # 40 days after closing, a 50-day period is not over.
    assert "No campaign is past" in runner.invoke(args=["retention", "apply"]).output
    with app.app_context():
        _close_long_ago(campaign_id, 30)
    dry = runner.invoke(args=["retention", "apply", "--dry-run"])
    assert "Would delete campaign" in dry.output
    with app.app_context():
        assert db.session.scalar(select(func.count()).select_from(Answer)) > 0
    result = runner.invoke(args=["retention", "apply"])
    assert result.exit_code == 0 and "Deleted campaign" in result.output

    with app.app_context():
        assert db.session.scalar(select(func.count()).select_from(Answer)) == 0
        assert db.session.scalar(select(func.count()).select_from(AnswerSelection)) == 0
        responses = db.session.scalars(select(Response)).all()
        assert responses and all(r.status == "submitted" and r.draft is None for r in responses)
        assert _invitation(person.token) is None  # the token is gone
        assert _counts() == counts
        assert _profile(campaign_id) == profile
        assert not any(g.answers for g in needs_profile(Scope.region(), campaign_id).free_text)
        campaign = db.session.get(Campaign, campaign_id)
        assert campaign.personal_data_deleted_at is not None
        event = db.session.scalar(
            select(AuditEvent).where(AuditEvent.action == "retention_applied")
        )
        assert event.details["responses"] == 5
    assert person.get("/thanks").status_code == 404
    # A second run has nothing to do.
    assert "No campaign is past" in runner.invoke(args=["retention", "apply"]).output
    page = staff("admin").client.get(f"/en/staff/campaigns/{campaign_id}").get_data(as_text=True)
    assert "were deleted on" in page


def test_the_campaign_page_says_when_data_will_be_deleted(app, staff):
    admin = staff("admin")
    with app.app_context():
        campaign_id = db.session.scalar(select(Campaign.id).order_by(Campaign.id))
        with erasure.write_transaction():
            campaign = db.session.get(Campaign, campaign_id)
            campaign.closes_at = utcnow() + timedelta(days=10)
            campaign.retention_days = 365
    page = admin.client.get(f"/en/staff/campaigns/{campaign_id}").get_data(as_text=True)
    assert "will be deleted on" in page and "365 days after closing" in page


@pytest.mark.parametrize("value", ["-1", "4000", "ten"])
def test_a_bad_retention_period_is_refused_with_a_message(app, staff, value):
    admin = staff("admin")
    with app.app_context():
        before = db.session.scalar(select(func.count()).select_from(Campaign))
        version_id = builtin_version().id
    reply = admin.post_form(
        "/en/staff/campaigns",
        {"name": "Round 2027", "version": str(version_id), "retention_days": value},
    )
    assert reply.status_code == 200
    assert "whole number of days" in reply.get_data(as_text=True) or value == "ten"
    with app.app_context():
        assert db.session.scalar(select(func.count()).select_from(Campaign)) == before


def test_a_campaign_is_created_with_its_retention_period(app, staff):
    admin = staff("admin")
    with app.app_context():
        version_id = builtin_version().id
    reply = admin.post_form(
        "/en/staff/campaigns",
        {"name": "Round 2027", "version": str(version_id), "retention_days": "730"},
    )
    assert reply.status_code == 303
    with app.app_context():
        campaign = db.session.scalar(select(Campaign).where(Campaign.name == "Round 2027"))
        assert campaign.retention_days == 730


def test_a_deleted_open_link_registration_frees_its_place_under_the_cap(app, client, staff):
    from tests.test_open_link_defences import _answer_through_open_link, _campaign, _register

    open_token = _campaign(app, caps={"mayor": 1})
    response_id = _answer_through_open_link(app, client, open_token)
    assert _register(client, open_token).status_code == 200, "the cap is reached"
    staff("admin").post_form(f"/en/staff/responses/{response_id}/delete", {})
    with app.app_context():
        assert db.session.get(Response, response_id) is None
    assert _register(client, open_token).status_code == 303


def test_retention_deletes_the_campaigns_mails_and_who_each_link_was_for(app, runner):
    """The outbox held each invited person's name, address and link for the campaign,
    and each link its contact: after the retention period neither says who was asked
    (the address book itself stays; it is the hub's, not the campaign's)."""
    from surveyapp.models import Contact, OutboundMail
    from surveyapp.outreach import sending
    from surveyapp.outreach.facts import Selection
    from tests.outreach_support import STAFF, deliver, make_contact, with_public_url

    with_public_url(app)
    with app.app_context():
        campaign_id = db.session.scalar(select(Campaign.id).order_by(Campaign.id))
        make_contact("ana@example.org", "mk-cair", "mayor", "mk")
        make_contact("besa@example.org", "al-tirane", "mayor", "sq", "Besa Hoxha")
        sending.send_invitations(campaign_id, Selection(), STAFF)
        deliver()
        assert db.session.scalar(select(func.count()).select_from(OutboundMail)) == 2
        _close_long_ago(campaign_id, 30)
    assert "Deleted campaign" in runner.invoke(args=["retention", "apply"]).output
    with app.app_context():
        assert db.session.scalar(select(func.count()).select_from(OutboundMail)) == 0
        assert db.session.scalar(select(func.count()).select_from(Contact)) == 2
        linked = select(func.count()).select_from(Invitation)
        assert db.session.scalar(linked.where(Invitation.contact_id.is_not(None))) == 0
