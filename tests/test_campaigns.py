"""Staff create and close campaigns."""

from __future__ import annotations

from sqlalchemy import select

from surveyapp.extensions import db
from surveyapp.models import Campaign
from tests.plans import builtin_version


def test_create_a_campaign_with_an_open_link_then_close_it(app, staff, respondent):
    analyst = staff("analyst")
    with app.app_context():
        version_id = builtin_version().id
    made = analyst.post_form(
        "/en/staff/campaigns",
        {
            "name": "Spring 2027",
            "version": str(version_id),
            "closes_on": "2027-06-30",
            "open_link": "y",
        },
    )
    assert made.status_code == 303 and "/invite" in made.location
    with app.app_context():
        campaign = db.session.scalar(select(Campaign).where(Campaign.name == "Spring 2027"))
        assert campaign.open_token and campaign.closes_at.year == 2027
        campaign_id, open_token = campaign.id, campaign.open_token
    listing = analyst.client.get("/en/staff/campaigns").get_data(as_text=True)
    assert "Spring 2027" in listing and f"/en/o/{open_token}" in listing
    closed = analyst.post_form(
        f"/en/staff/campaigns/{campaign_id}/close", {}, form_page="/en/staff/campaigns"
    )
    assert closed.status_code == 303
    assert analyst.client.get(f"/en/o/{open_token}").status_code == 410


def test_a_campaign_must_close_after_it_opens(app, staff):
    analyst = staff("analyst")
    with app.app_context():
        version_id = builtin_version().id
    refused = analyst.post_form(
        "/en/staff/campaigns",
        {
            "name": "Backwards",
            "version": str(version_id),
            "opens_on": "2027-06-30",
            "closes_on": "2027-01-01",
        },
    )
    assert refused.status_code == 200
    assert "closing date must come after" in refused.get_data(as_text=True)
    bad_date = analyst.post_form(
        "/en/staff/campaigns", {"name": "X", "version": str(version_id), "opens_on": "30.06.2027."}
    )
    assert "Please enter a date" in bad_date.get_data(as_text=True)
    with app.app_context():
        assert (
            db.session.scalar(select(Campaign).where(Campaign.name.in_(["Backwards", "X"]))) is None
        )
