"""Every staff route × every kind of visitor: who gets in, who is sent to sign
in, who is refused. A new staff route fails here until it is placed in the matrix."""

from __future__ import annotations

import pytest
from sqlalchemy import select

from surveyapp.extensions import db
from surveyapp.models import (
    Campaign,
    Contact,
    Engagement,
    ExportFile,
    QuestionnaireVersion,
    RoundSeries,
    StoredFile,
    User,
)
from surveyapp.rounds import series
from tests.conftest import Staff, csrf_token
from tests.engagement_support import make_engagement
from tests.outreach_support import make_contact
from tests.plans import builtin_version
from tests.repeat_support import settings_draft

ANYONE_STAFF = {"admin", "analyst", "translator"}
#: endpoint -> roles allowed (GET); None: public (sign-in page).
MATRIX = {
    "auth.login": None,
    "auth.login_code": None,  # without a password step first: back to sign in
    "auth.confirm_password": ANYONE_STAFF,
    "auth.change_password": ANYONE_STAFF,
    "auth.two_factor": ANYONE_STAFF,
    "auth.api_tokens": ANYONE_STAFF,
    "review.dashboard": ANYONE_STAFF,
    "auth.users": {"admin"},
    "auth.audit_log": {"admin"},
    "mailbox.outbox": {"admin"},
    "mailbox.upload_bounces": {"admin"},  # GET: to the form on the page above
    "auth.forgot_password": None,
    "auth.reset_password": None,
    "auth.reset_password_link": None,  # an unknown token: the page says the link is not valid
    "authoring.translation_status": {"admin", "translator"},
    "authoring.download_catalog": {"admin", "translator"},
    "authoring.upload_catalog": {"admin", "translator"},
    "authoring.edit_translation": {"admin", "translator"},
    "review.campaigns_page": {"admin", "analyst"},
    "review.invite": {"admin", "analyst"},
    "review.invitations_csv": {"admin", "analyst"},
    "review.export_csv": {"admin", "analyst"},
    "review.export_xlsx": {"admin", "analyst"},
    "review.export_page": {"admin", "analyst"},
    "review.codebook_csv": {"admin", "analyst"},
    "review.version_codebook_page": {"admin", "analyst"},
    "review.version_codebook_xlsx": {"admin", "analyst"},
    "review.export_job": {"admin", "analyst"},
    "review.export_job_status": {"admin", "analyst"},
    "review.download_export": {"admin", "analyst"},
    "authoring.questionnaires": {"admin", "analyst"},
    "authoring.editor": {"admin", "analyst"},
    "authoring.new_question": {"admin", "analyst"},
    "authoring.repeat_count": {"admin", "analyst"},
    "authoring.upload_limits": {"admin", "analyst"},
    "authoring.hidden_value": {"admin", "analyst"},
    "authoring.moment_default": {"admin", "analyst"},
    "authoring.edit_question": {"admin", "analyst"},
    "authoring.edit_texts": {"admin", "analyst"},
    "authoring.preview": {"admin", "analyst"},
    "authoring.import_xlsform": {"admin", "analyst"},
    "authoring.export_xlsform": {"admin", "analyst"},
    "review.campaign": {"admin", "analyst"},
    "review.open_link_queue": {"admin", "analyst"},
    "review.profile": {"admin", "analyst"},
    "review.profile_csv": {"admin", "analyst"},
    "review.peer_cities": {"admin", "analyst"},
    "review.exchange_planner": {"admin", "analyst"},
    "review.exchange_planner_csv": {"admin", "analyst"},
    "review.peer_cities_csv": {"admin", "analyst"},
    "rounds.series_list": {"admin", "analyst"},
    "rounds.series_page": {"admin", "analyst"},
    "rounds.items_page": {"admin", "analyst"},
    "rounds.left_out_page": {"admin", "analyst"},
    "rounds.change_page": {"admin", "analyst"},
    "rounds.support_page": {"admin", "analyst"},
    "review.edit_campaign": {"admin", "analyst"},
    "review.close_campaign": {"admin", "analyst"},
    "review.delete_campaign": {"admin", "analyst"},
    "review.responses_table": {"admin", "analyst"},
    "review.response_page": {"admin", "analyst"},
    # A file a respondent uploaded (#20): as the responses themselves.
    "review.stored_file": {"admin", "analyst"},
    "review.deletions": {"admin", "analyst"},
    "review.delete_response": {"admin", "analyst"},
    "review.delete_test_responses": {"admin", "analyst"},
    "outreach.contact_list": {"admin", "analyst"},
    "outreach.new_contact": {"admin", "analyst"},
    "outreach.edit_contact": {"admin", "analyst"},
    "outreach.delete_contact": {"admin", "analyst"},
    "outreach.import_contacts": {"admin", "analyst"},
    "outreach.outreach_page": {"admin", "analyst"},
    "outreach.campaign_contacts": {"admin", "analyst"},
    "outreach.campaign_contacts_csv": {"admin", "analyst"},
    "outreach.mail_texts_page": {"admin", "analyst"},
    "outreach.edit_mail_text": {"admin", "analyst"},
    "outreach.preview_mail": {"admin", "analyst"},
    "outreach.mail_text_translations": ANYONE_STAFF,
    "outreach.download_mail_catalog": ANYONE_STAFF,
    "outreach.upload_mail_catalog": ANYONE_STAFF,
    "engagements.engagement_log": ANYONE_STAFF,
    "engagements.municipality": ANYONE_STAFF,
    "engagements.new_engagement": {"admin", "analyst"},
    "engagements.edit_engagement": {"admin", "analyst"},
    "engagements.delete_engagement": {"admin", "analyst"},
    "engagements.import_engagements": {"admin", "analyst"},
    # a theme the planner does not have (no answers): back to the planner (303)
    "engagements.plan_exchange": {"admin", "analyst"},
}
#: POST-only endpoints: roles allowed (checked with a POST without a form).
POST_ONLY = {
    "rounds.create_series": {"admin", "analyst"},
    "rounds.add_round": {"admin", "analyst"},
    "rounds.save_match": {"admin", "analyst"},
    "auth.revoke_api_token": ANYONE_STAFF,  # someone else's or no token: back to the page
    "auth.edit_user": {"admin"},
    "review.reopen_campaign": {"admin", "analyst"},
    "review.start_export": {"admin", "analyst"},
    "review.archive_campaign": {"admin", "analyst"},
    "review.decide_open_link_response": {"admin", "analyst"},
    "review.decline_deletion": {"admin", "analyst"},
    "authoring.add_page": {"admin", "analyst"},
    "authoring.change_page": {"admin", "analyst"},
    "authoring.change_question": {"admin", "analyst"},
    "authoring.publish": {"admin", "analyst"},
    "authoring.duplicate": {"admin", "analyst"},
    "authoring.import_xlsform_rest": {"admin", "analyst"},
    "authoring.withdraw_or_offer_language": {"admin", "translator"},
    "outreach.send_invitations": {"admin", "analyst"},
    "outreach.send_reminders": {"admin", "analyst"},
    "outreach.reminder_settings": {"admin", "analyst"},
    "outreach.use_builtin_text": {"admin", "analyst"},
    "engagements.mark_engagement_done": {"admin", "analyst"},
    "auth.logout": None,  # last: signing out ends the session (and its CSRF secret)
}
#: Query strings some routes need to find something.
#: The settings forms open on a question of their kind (``settings_draft``): endpoint ->
#: the question (or repeat page) they are opened on.
SETTINGS_OF = {
    "authoring.repeat_count": "programme",
    "authoring.upload_limits": "site_photo",
    "authoring.hidden_value": "round",
    "authoring.moment_default": "visited",
}
QUERIES = {
    "authoring.edit_translation": "?key=questionnaire.title",
    "review.peer_cities_csv": "?area=mk-cair",
}
VISITORS = ["anonymous", "respondent", "translator", "analyst", "admin"]


def _staff_rules(app):
    return [rule for rule in app.url_map.iter_rules() if "/staff" in rule.rule]


def test_every_staff_route_is_in_the_matrix(app):
    endpoints = {rule.endpoint for rule in _staff_rules(app)}
    assert endpoints == set(MATRIX) | set(POST_ONLY)


def _path(app, endpoint: str) -> str:
    with app.app_context():
        ids = {
            "campaign_id": db.session.scalar(select(Campaign.id)),
            "version_id": builtin_version().id,
            "user_id": db.session.scalar(select(User.id)),
            "target": "mk",
            "page_id": builtin_version().pages[0].id,
            "question_id": builtin_version().pages[0].questions[0].id,
            "number": 1,
            "action": "up",
            "response_id": 1,
            "request_id": 1,
            "contact_id": db.session.scalar(select(Contact.id)),
            "kind": "invitation",
            "text_lang": "mk",
            "token": "not-a-real-token",
            "engagement_id": db.session.scalar(select(Engagement.id)),
            "municipality_code": "me-danilovgrad",
            "domain_code": "youth",
            "series_id": db.session.scalar(select(RoundSeries.id)),
            "token_id": 1,
            "export_id": db.session.scalar(select(ExportFile.id)),
            "key": db.session.scalar(select(StoredFile.key)),
        }
    if endpoint in SETTINGS_OF:
        with app.app_context():
            version = db.session.scalar(
                select(QuestionnaireVersion).order_by(QuestionnaireVersion.id.desc())
            )
            named = {p.name: p.id for p in version.pages}
            named |= {q.name: q.id for p in version.pages for q in p.questions}
            ids["page_id"] = ids["question_id"] = named[SETTINGS_OF[endpoint]]
    rule = next(r for r in app.url_map.iter_rules() if r.endpoint == endpoint)
    with app.test_request_context():
        from flask import url_for

        args = {name: ids[name] for name in rule.arguments if name != "lang"}
        return url_for(endpoint, lang="en", **args)


def _ready_export(app) -> None:
    import tempfile

    from surveyapp.jobs import queue
    from surveyapp.responses import export_files

    app.config["EXPORT_DIR"] = tempfile.mkdtemp(prefix="access-matrix-")
    campaign_id = db.session.scalar(select(Campaign.id))
    export_files.start_export(campaign_id, "csv", None, "en", False, None)
    queue.run_pending(app)


def _stored_file(app) -> None:
    """A file as if uploaded to response 1."""
    import io
    import tempfile

    from surveyapp.uploads import storage

    app.config["UPLOAD_FOLDER"] = tempfile.mkdtemp(prefix="access-matrix-uploads-")
    key, digest = storage.write(io.BytesIO(b"%PDF-1.4 a plan"))
    question_id = builtin_version().pages[0].questions[0].id
    db.session.add(
        StoredFile(
            key=key,
            response_id=1,
            question_id=question_id,
            original_name="plan.pdf",
            content_type="application/pdf",
            size=15,
            sha256=digest,
        )
    )
    db.session.commit()


def _visitor(kind: str, client, make_user, respondent) -> None:
    if kind == "respondent":
        person = respondent("en")
        person.consent()
    elif kind != "anonymous":
        assert Staff(client, make_user(kind)).login().status_code == 303


@pytest.mark.parametrize("visitor", VISITORS)
def test_access_matrix(app, client, make_user, respondent, visitor):
    make_user("admin", email="owner@example.org")  # so user_id exists for every visitor
    with app.app_context():
        make_contact("contact@example.org")  # so contact_id exists
        make_engagement()  # so engagement_id exists
        series.add_round(series.create_series("City needs"), db.session.scalar(select(Campaign.id)))
        _ready_export(app)  # so export_id exists, its file ready
    settings_draft(app)  # so each settings form has a question of its kind
    if visitor != "respondent":
        respondent("en").consent()  # so response_id 1 exists for every visitor
    _visitor(visitor, client, make_user, respondent)
    with app.app_context():
        _stored_file(app)  # so key names a file of response 1 on disk
    token = csrf_token(client.get("/en/staff/login").get_data(as_text=True))
    problems = []
    for endpoint, allowed in {**MATRIX, **POST_ONLY}.items():
        path = _path(app, endpoint) + QUERIES.get(endpoint, "")
        method = "POST" if endpoint in POST_ONLY else "GET"
        data = {"csrf_token": token} if method == "POST" else None
        with client.open(path, method=method, data=data) as reply:
            status = reply.status_code
        if allowed is None:
            ok = status in (200, 303, 400)
        elif visitor in allowed:
            ok = status in (200, 303)  # 303: e.g. nothing to fix, or a POST without its form
        elif visitor in ("anonymous", "respondent"):
            ok = status == 302  # sent to sign in
        else:
            ok = status == 403
        if not ok:
            problems.append(f"{visitor} {method} {path}: {status}")
    assert not problems, "\n".join(problems)
