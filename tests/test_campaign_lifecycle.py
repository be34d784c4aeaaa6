"""Staff change a campaign after making it: edit, close with a confirmation, reopen,
archive, delete (with the campaign's name typed when it has responses)."""

from __future__ import annotations

import pytest
from sqlalchemy import func, select

from surveyapp.extensions import db
from surveyapp.models import AuditEvent, Campaign, Response
from tests.plans import builtin_version


def _demo(app) -> tuple[int, str]:
    with app.app_context():
        campaign = db.session.scalar(select(Campaign).order_by(Campaign.id))
        return campaign.id, campaign.name


def _actions(app, action: str) -> list[AuditEvent]:
    with app.app_context():
        return list(db.session.scalars(select(AuditEvent).where(AuditEvent.action == action)))


def test_edit_name_dates_languages_and_group_size_is_logged(app, staff):
    analyst = staff("analyst")
    campaign_id, _name = _demo(app)
    with app.app_context():
        version_id = builtin_version().id
    url = f"/en/staff/campaigns/{campaign_id}/edit"
    saved = analyst.post_form(
        url,
        {
            "name": "Autumn round",
            "version": str(version_id),
            "opens_on": "2026-01-01",
            "closes_on": "2027-06-30",
            "languages": ["en", "mk"],
            "min_group_size": "7",
        },
    )
    assert saved.status_code == 303
    with app.app_context():
        campaign = db.session.get(Campaign, campaign_id)
        assert campaign.name == "Autumn round"
        assert campaign.languages == ["en", "mk"] and campaign.min_group_size == 7
        assert campaign.closes_at.year == 2027
    (event,) = _actions(app, "campaign_changed")
    assert event.details["changes"]["name"][1] == "Autumn round"
    assert "Autumn round" in analyst.client.get("/en/staff/").get_data(as_text=True)


@pytest.mark.parametrize(
    ("change", "message"),
    [
        ({"closes_on": "2025-01-01"}, "closing date must come after"),
        ({"languages": ["xx"]}, "at least one of the languages"),
        # A campaign may hide more than the app's minimum (5), never less.
        ({"min_group_size": "4"}, "from 5 to 50"),
        ({"version": "999999"}, "published questionnaire"),
        ({"name": ""}, "give the campaign a name"),
        ({"opens_on": "31.12.2026"}, "Please enter a date"),
    ],
)
def test_bad_edits_are_refused_with_a_message_and_change_nothing(app, staff, change, message):
    analyst = staff("analyst")
    campaign_id, name = _demo(app)
    with app.app_context():
        version_id = builtin_version().id
    form = {"name": "Changed", "version": str(version_id), "opens_on": "2026-01-01"}
    refused = analyst.post_form(f"/en/staff/campaigns/{campaign_id}/edit", {**form, **change})
    assert refused.status_code == 200
    assert message in refused.get_data(as_text=True)
    with app.app_context():
        assert db.session.get(Campaign, campaign_id).name == name


def test_the_version_cannot_change_once_someone_answered(app, staff, make_response):
    make_response()
    analyst = staff("analyst")
    campaign_id, _name = _demo(app)
    page = analyst.client.get(f"/en/staff/campaigns/{campaign_id}/edit").get_data(as_text=True)
    assert "can no longer change" in page


def test_close_after_confirming_then_reopen_then_archive(app, staff):
    analyst = staff("analyst")
    campaign_id, name = _demo(app)
    base = f"/en/staff/campaigns/{campaign_id}"
    assert "Close the campaign?" in analyst.client.get(f"{base}/close").get_data(as_text=True)
    assert analyst.post_form(f"{base}/close", {}).status_code == 303
    with app.app_context():
        assert not db.session.get(Campaign, campaign_id).is_open()
    assert analyst.post_form(f"{base}/reopen", {}, form_page=base).status_code == 303
    with app.app_context():
        assert db.session.get(Campaign, campaign_id).is_open()
    assert analyst.post_form(f"{base}/archive", {}, form_page=base).status_code == 303
    listing = analyst.client.get("/en/staff/campaigns").get_data(as_text=True)
    assert name not in listing
    assert name in analyst.client.get("/en/staff/campaigns?archived=1").get_data(as_text=True)
    assert [e.action for e in _actions(app, "campaign_archived")] == ["campaign_archived"]
    assert len(_actions(app, "campaign_closed")) == len(_actions(app, "campaign_reopened")) == 1


def test_deleting_a_campaign_with_responses_needs_its_name(app, staff, make_response):
    from surveyapp.models import SeriesRound
    from surveyapp.responses import erasure
    from surveyapp.rounds import series

    response_id = make_response()
    analyst = staff("analyst")
    campaign_id, name = _demo(app)
    with app.app_context():  # a request to delete it: it goes with the response
        assert erasure.request_deletion(response_id) is not None
    with app.app_context():  # a round of a series: it leaves the series with it
        series_id = series.create_series("City needs")
        series.add_round(series_id, campaign_id)
    url = f"/en/staff/campaigns/{campaign_id}/delete"
    refused = analyst.post_form(url, {"confirm_name": "something else"})
    assert refused.status_code == 200 and "Nothing was deleted" in refused.get_data(as_text=True)
    with app.app_context():
        assert db.session.get(Campaign, campaign_id) is not None
    deleted = analyst.post_form(url, {"confirm_name": name})
    assert deleted.status_code == 303
    with app.app_context():
        assert db.session.get(Campaign, campaign_id) is None
        assert db.session.scalar(select(func.count(Response.id))) == 0
        assert db.session.scalar(select(func.count(SeriesRound.id))) == 0
    (event,) = _actions(app, "campaign_deleted")
    assert event.details == {"name": name, "responses": 1}


def test_the_invite_page_narrows_municipalities_by_country_and_name(app, staff):
    analyst = staff("analyst")
    campaign_id, _name = _demo(app)
    url = f"/en/staff/campaigns/{campaign_id}/invite"
    page = analyst.client.get(f"{url}?country=AL&q=BER").get_data(as_text=True)
    assert 'value="al-berat"' in page and 'value="al-belsh"' not in page
    assert 'value="mk-cair"' not in page
    assert 'value="mk-cair"' in analyst.client.get(url).get_data(as_text=True)


def test_a_campaign_does_not_reopen_without_a_privacy_notice_in_every_language(app, staff):
    from surveyapp.models import TextEntry

    analyst = staff("analyst")
    campaign_id, _name = _demo(app)
    base = f"/en/staff/campaigns/{campaign_id}"
    assert analyst.post_form(f"{base}/close", {}).status_code == 303
    with app.app_context():
        notice = db.session.scalar(
            select(TextEntry).where(
                TextEntry.version_id == builtin_version().id,
                TextEntry.key == "privacy.text",
                TextEntry.lang == "en",
            )
        )
        notice.text = ""
        db.session.commit()
    refused = analyst.post_form(f"{base}/reopen", {}, form_page=base)
    assert refused.status_code == 303
    page = analyst.client.get(base).get_data(as_text=True)
    # (A translation left blank only takes its language offline; the English notice is
    # what every offered language is made from.)
    assert "no privacy notice in" in page and "English" in page
    with app.app_context():
        assert not db.session.get(Campaign, campaign_id).is_open()
    assert not _actions(app, "campaign_reopened")


def test_a_campaigns_own_minimum_group_size_only_ever_raises_the_apps(app):
    from surveyapp.profiles.disclosure import min_group_size

    campaign_id, _name = _demo(app)
    with app.app_context():
        assert min_group_size(campaign_id) == min_group_size() == 5
        campaign = db.session.get(Campaign, campaign_id)
        campaign.min_group_size = 8
        db.session.commit()
        assert min_group_size(campaign_id) == 8
        campaign.min_group_size = 3  # (the form refuses it; a stored one is ignored)
        db.session.commit()
        assert min_group_size(campaign_id) == 5


def test_a_campaign_without_invitations_has_no_empty_municipalities_section(app, staff):
    """A new campaign's page says there are no invitations yet, and shows no
    "Municipalities" heading with nothing under it."""
    analyst = staff("analyst")
    campaign_id, _name = _demo(app)
    with app.app_context():
        assert db.session.scalar(select(func.count()).select_from(Response)) == 0
    html = analyst.client.get(f"/en/staff/campaigns/{campaign_id}").get_data(as_text=True)
    assert "No invitations yet" in html
    assert "<h2>Municipalities" not in html
