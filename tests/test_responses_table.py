"""A campaign's responses table: filters, paging, one response (logged), marking a
response as a test or invalid so that it leaves profiles, exports and counts."""

from __future__ import annotations

from sqlalchemy import func, select

from surveyapp.extensions import db
from surveyapp.models import AuditEvent, Campaign, ProfileCount, Response
from surveyapp.responses import exports


def _campaign_id(app) -> int:
    with app.app_context():
        return db.session.scalar(select(Campaign.id).order_by(Campaign.id))


def test_filter_by_country_role_and_status(app, staff, make_response):
    make_response("mk-cair", "mayor")
    make_response("al-tirane", "councillor", submit=False)
    analyst = staff("analyst")
    url = f"/en/staff/campaigns/{_campaign_id(app)}/responses"
    everything = analyst.client.get(url).get_data(as_text=True)
    assert "2 responses" in everything
    only_mk = analyst.client.get(f"{url}?country=MK&role=mayor").get_data(as_text=True)
    assert "1 response<" in only_mk
    in_progress = analyst.client.get(f"{url}?status=in_progress").get_data(as_text=True)
    assert "1 response<" in in_progress and "in progress" in in_progress
    odd = analyst.client.get(f"{url}?status=nonsense&since=yesterday&page=x")
    assert odd.status_code == 200 and "not understood" in odd.get_data(as_text=True)


def test_opening_a_response_is_logged_and_shows_labels_in_the_page_language(
    app, staff, make_response
):
    response_id = make_response("mk-cair", "mayor")
    analyst = staff("analyst")
    page = analyst.client.get(f"/mk/staff/campaigns/{_campaign_id(app)}/responses/{response_id}")
    assert page.status_code == 200
    with app.app_context():
        (event,) = db.session.scalars(
            select(AuditEvent).where(AuditEvent.action == "response_viewed")
        )
        assert event.target == f"response:{response_id}"
    missing = analyst.client.get(f"/en/staff/campaigns/{_campaign_id(app)}/responses/999999")
    assert missing.status_code == 404


def test_marking_a_response_takes_it_out_of_counts_and_exports_and_back(app, staff, make_response):
    response_id = make_response("mk-cair", "mayor")
    campaign_id = _campaign_id(app)
    analyst = staff("analyst")
    url = f"/en/staff/campaigns/{campaign_id}/responses/{response_id}"

    def counted() -> tuple[int, int]:
        with app.app_context():
            counts = db.session.scalar(
                select(func.count()).where(ProfileCount.campaign_id == campaign_id)
            )
            rows = list(exports.response_rows(campaign_id, None, False))
            return counts, len(rows) - 1

    assert counted()[0] > 0 and counted()[1] == 1
    refused = analyst.post_form(url, {"mark": "test", "reason": ""})
    assert refused.status_code == 200 and "give a reason" in refused.get_data(as_text=True)
    assert analyst.post_form(url, {"mark": "test", "reason": "our own trial"}).status_code == 303
    assert counted() == (0, 0)
    with app.app_context():
        assert db.session.get(Response, response_id).marked == "test"
    assert analyst.post_form(url, {"mark": "", "reason": ""}).status_code == 303
    assert counted()[0] > 0 and counted()[1] == 1
    with app.app_context():
        actions = db.session.scalars(
            select(AuditEvent.action).where(AuditEvent.action.like("response_%marked"))
        ).all()
    assert actions == ["response_marked", "response_unmarked"]


def test_test_responses_are_deleted_in_bulk_after_a_confirmation(app, staff, make_response):
    """Staff delete every response marked as a test at once: the table offers it with the
    count, a confirmation page says what will go, the marked ones go (with their answers)
    and the others stay; the bulk deletion and each response's deletion are logged."""
    trial = make_response("mk-cair", "mayor")
    second_trial = make_response("mk-bitola", "mayor")
    real = make_response("mk-ohrid", "mayor")
    campaign_id = _campaign_id(app)
    analyst = staff("analyst")
    table = f"/en/staff/campaigns/{campaign_id}/responses"
    confirm = f"{table}/delete-tests"

    assert "responses/delete-tests" not in analyst.client.get(table).get_data(as_text=True)
    nothing = analyst.client.get(confirm)
    assert nothing.status_code == 303  # nothing to delete: back to the table, with a word
    for response_id in (trial, second_trial):
        marked = analyst.post_form(
            f"{table}/{response_id}", {"mark": "test", "reason": "our own trial"}
        )
        assert marked.status_code == 303
    listing = analyst.client.get(table).get_data(as_text=True)
    assert "Delete the 2 responses marked as a test" in listing
    page = analyst.client.get(confirm).get_data(as_text=True)
    assert "2 responses of this campaign are marked as a test." in page

    done = analyst.post_form(confirm, {})
    assert done.status_code == 303 and done.location.endswith(table)
    with app.app_context():
        left = set(db.session.scalars(select(Response.id)))
        assert trial not in left and second_trial not in left and real in left
        actions = db.session.scalars(select(AuditEvent.action)).all()
    assert actions.count("response_deleted") == 2
    assert actions.count("test_responses_deleted") == 1
    assert "2 responses marked as a test were deleted" in analyst.client.get(table).get_data(
        as_text=True
    )
