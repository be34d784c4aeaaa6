"""Publishing and opening safeguards (#14): a questionnaire is published only when
its English texts and privacy notice are there and no language is half translated;
a campaign opens only with a privacy notice in every language it offers; the home
page tells apart campaigns that look the same."""

from __future__ import annotations

from datetime import timedelta

import pytest
from sqlalchemy import select

from surveyapp.campaigns import lifecycle
from surveyapp.extensions import db
from surveyapp.models import Campaign, QuestionnaireVersion, TextEntry
from surveyapp.models.base import utcnow
from surveyapp.questionnaires import text_keys
from surveyapp.questionnaires.editing import structure, text_edits, version_edits
from surveyapp.questionnaires.editing.errors import EditError
from tests.plans import builtin_version


def _pilot(app, privacy: bool = True) -> int:
    """A draft with one labelled question; with ``privacy``, its English notice."""
    with app.app_context():
        version = version_edits.create_questionnaire("pilot", "Pilot on youth councils")
        spec = structure.QuestionSpec("council_note", "short_text")
        structure.add_question(version.pages[0].id, spec, "What does your youth council do?")
        if privacy:
            text_edits.set_source_text(version.id, text_keys.PRIVACY_TEXT, "We keep it safe.")
            text_edits.set_source_text(version.id, text_keys.PRIVACY_CONSENT, "I agree.")
        return version.id


def _status(app, version_id: int) -> str:
    with app.app_context():
        return db.session.get(QuestionnaireVersion, version_id).status


def test_publishing_without_a_privacy_notice_is_refused_and_the_editor_lists_why(app, staff):
    version_id = _pilot(app, privacy=False)
    analyst = staff("analyst")
    editor = f"/mk/staff/questionnaires/{version_id}"
    refused = analyst.post_form(f"{editor}/publish", {}, form_page=editor)
    assert refused.status_code == 303
    assert _status(app, version_id) == "draft"
    page = analyst.client.get(editor).get_data(as_text=True)
    # Every problem, in the staff member's language, naming the text keys.
    assert "privacy.text" in page and "privacy.consent" in page
    assert "Недостасуваат овие текстови на англиски" in page


def test_publishing_with_a_half_translated_language_is_refused_until_staff_leave_it_out(app, staff):
    version_id = _pilot(app)
    with app.app_context():
        text_edits.save_texts(
            version_id,
            {(text_keys.question_label("council_note"), "sq"): "Çfarë bën këshilli rinor?"},
            {text_keys.question_label("council_note")},
        )
        with pytest.raises(EditError) as refused:
            version_edits.publish(version_id)
        problems = refused.value.problems
        assert [(p.code, p.lang) for p in problems] == [("incomplete_language", "sq")]
        assert text_keys.PRIVACY_TEXT in problems[0].detail
    analyst = staff("analyst")
    page = analyst.client.get(f"/en/staff/questionnaires/{version_id}").get_data(as_text=True)
    assert "Shqip" in page and text_keys.QUESTIONNAIRE_TITLE in page
    published = analyst.post_form(
        f"/en/staff/questionnaires/{version_id}/publish",
        {"leave_out_incomplete": "y"},
        form_page=f"/en/staff/questionnaires/{version_id}",
    )
    assert published.status_code == 303
    assert _status(app, version_id) == "published"


def test_a_campaign_cannot_open_without_a_privacy_notice_in_every_offered_language(app):
    with app.app_context():
        version_id = builtin_version().id
        row = db.session.scalar(
            select(TextEntry).where(
                TextEntry.version_id == version_id,
                TextEntry.key == text_keys.PRIVACY_TEXT,
                TextEntry.lang == "en",
            )
        )
        row.text = ""
        db.session.commit()
        with pytest.raises(lifecycle.CampaignError) as refused:
            lifecycle.create_campaign("No notice", version_id)
        assert refused.value.code == "no_privacy"


def test_the_campaign_form_says_the_privacy_notice_is_missing(app, staff):
    with app.app_context():
        version_id = builtin_version().id
        row = db.session.scalar(
            select(TextEntry).where(
                TextEntry.version_id == version_id,
                TextEntry.key == text_keys.PRIVACY_CONSENT,
                TextEntry.lang == "en",
            )
        )
        row.text = "  "
        db.session.commit()
    analyst = staff("analyst")
    page = analyst.post_form(
        "/en/staff/campaigns", {"name": "Spring", "version": str(version_id)}
    ).get_data(as_text=True)
    assert "no privacy notice" in page
    with app.app_context():
        assert not db.session.scalar(select(Campaign).where(Campaign.name == "Spring"))


def test_the_home_page_tells_apart_campaigns_with_the_same_title(app, client):
    with app.app_context():
        version_id = builtin_version().id
        lifecycle.create_campaign(
            "Round 2027 Kosovo", version_id, utcnow() - timedelta(days=1), open_link=True
        )
        lifecycle.create_campaign(
            "Round 2027 North Macedonia", version_id, utcnow() - timedelta(days=1), open_link=True
        )
    page = client.get("/en/").get_data(as_text=True)
    assert "Round 2027 Kosovo" in page and "Round 2027 North Macedonia" in page
    assert "version 1" in page


def test_the_open_link_offers_only_the_languages_its_questionnaire_offers(app, client):
    from surveyapp.questionnaires.texts import set_language_withdrawn

    with app.app_context():
        campaign = db.session.scalar(select(Campaign).order_by(Campaign.id))
        set_language_withdrawn(campaign.version_id, "mk", True)
        open_token = campaign.open_token
    moved = client.get(f"/mk/o/{open_token}?country=MK")
    assert moved.status_code in (302, 303) and f"/en/o/{open_token}" in moved.location
    page = client.get(f"/en/o/{open_token}").get_data(as_text=True)
    assert 'lang="mk"' not in page and 'lang="sq"' in page
