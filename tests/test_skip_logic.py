"""Skip logic and constraints on the respondent's path, without JavaScript."""

from __future__ import annotations

from sqlalchemy import select

from surveyapp.campaigns import lifecycle
from surveyapp.campaigns.tokens import new_token
from surveyapp.extensions import db
from surveyapp.models import Invitation, Municipality, Question, Response
from surveyapp.questionnaires.editing import structure, text_edits, version_edits
from surveyapp.responses.reads import saved_answers
from tests.conftest import Respondent

YES_NO = [("yes", None, "Yes"), ("no", None, "No")]


def _build(app) -> str:
    """A small published questionnaire with skip rules and a constraint; returns a token."""
    with app.app_context():
        version = version_edits.create_questionnaire("skip_test", "Skip test")
        first = version.pages[0].id
        spec = structure.QuestionSpec
        has_plan = spec("has_plan", "single_choice", required=True, choices=YES_NO)
        structure.add_question(first, has_plan, "Does the municipality have an action plan?")
        plan_year = spec(
            "plan_year",
            "number",
            required=True,
            relevant="${has_plan} = 'yes'",
            constraint=". >= 2000 and . <= 2030",
            integer_only=True,
        )
        structure.add_question(first, plan_year, "In which year was it adopted?")
        second = structure.add_page(version.id, "The plan").id
        budget = spec("plan_budget", "short_text", required=True)
        structure.add_question(second, budget, "What is its budget?")
        db.session.get(type(version.pages[1]), second).relevant = "${has_plan} = 'yes'"
        third = structure.add_page(version.id, "Priorities").id
        structure.add_question(third, spec("priority", "long_text"), "Your priority?")
        db.session.commit()
        message_key = "q.plan_year.constraint_message"
        text_edits.set_source_text(version.id, message_key, "A year from 2000 to 2030, please.")
        text_edits.save_texts(
            version.id, {(message_key, "mk"): "Година од 2000 до 2030."}, {message_key}
        )
        text_edits.set_source_text(version.id, "privacy.text", "Your answers stay with us.")
        text_edits.set_source_text(version.id, "privacy.consent", "I agree.")
        # Macedonian has only the constraint message: it is left out until complete.
        version_edits.publish(version.id, leave_out_incomplete=True)
        campaign = lifecycle.create_campaign("Skip campaign", version.id)
        town = db.session.scalar(select(Municipality).where(Municipality.code == "mk-struga"))
        token = new_token()
        db.session.add(Invitation(token=token, campaign=campaign, municipality=town, role="mayor"))
        db.session.commit()
        return token


def _stored(app, token: str) -> dict[str, object]:
    with app.app_context():
        invitation = db.session.scalar(select(Invitation).where(Invitation.token == token))
        response = db.session.scalar(
            select(Response).where(Response.invitation_id == invitation.id)
        )
        names = dict(db.session.execute(select(Question.id, Question.name)).all())
        return {names[qid]: value for qid, value in saved_answers(response).items()}


def test_answering_yes_asks_the_follow_up_and_its_page(app, client):
    person = Respondent(client, _build(app), "en")
    person.consent()
    page1 = person.get("/p/1").get_data(as_text=True)
    assert "In which year was it adopted?" in page1, (
        "same-page follow-up is shown without JavaScript"
    )
    missing = person.answer_page(1, {"has_plan": "yes"})
    assert missing.location.endswith("/p/1?check=1"), "the follow-up is required once relevant"
    out_of_range = person.answer_page(1, {"has_plan": "yes", "plan_year": "1990"})
    assert out_of_range.location.endswith("/p/1")
    assert "A year from 2000 to 2030, please." in person.get("/p/1").get_data(as_text=True)
    moved = person.answer_page(1, {"has_plan": "yes", "plan_year": "2021"})
    assert moved.location.endswith("/p/2")
    assert person.answer_page(2, {"plan_budget": "50 000 EUR"}).location.endswith("/p/3")
    assert person.answer_page(3, {"priority": "Youth"}).location.endswith("/review")
    assert person.submit().location.endswith("/thanks")
    assert _stored(app, person.token) == {
        "has_plan": "yes",
        "plan_year": 2021.0,
        "plan_budget": "50 000 EUR",
        "priority": "Youth",
    }


def test_answering_no_skips_the_follow_up_and_its_page_and_drops_their_answers(app, client):
    person = Respondent(client, _build(app), "en")
    person.consent()
    # First yes (answers given), then the respondent changes their mind.
    person.answer_page(1, {"has_plan": "yes", "plan_year": "2021"})
    person.answer_page(2, {"plan_budget": "50 000 EUR"})
    moved = person.answer_page(1, {"has_plan": "no", "plan_year": "2021"})
    assert moved.location.endswith("/p/3"), "page 2 is skipped"
    assert person.get("/p/2").location.endswith("/p/3")
    person.answer_page(3, {"priority": "Trust"})
    review = person.get("/review").get_data(as_text=True)
    assert "In which year" not in review and "budget" not in review
    back = person.answer_page(3, {"priority": "Trust"}, action="back")
    assert back.location.endswith("/p/1")
    person.submit()
    assert _stored(app, person.token) == {"has_plan": "no", "priority": "Trust"}


def test_constraint_messages_speak_the_respondents_language(app, client):
    token = _build(app)
    with app.app_context():
        from surveyapp.questionnaires.texts import latest_version, translation_gaps

        version_id = latest_version("skip_test").id
        gaps = translation_gaps(version_id, "mk")
        text_edits.save_texts(
            version_id,
            {(gap.key, "mk"): f"[мк] {gap.source}" for gap in gaps},
            {g.key for g in gaps},
        )
    person = Respondent(client, token, "mk")
    person.consent()
    person.answer_page(1, {"has_plan": "yes", "plan_year": "2050"})
    assert "Година од 2000 до 2030." in person.get("/p/1").get_data(as_text=True)


def test_whole_numbers_only(app, client):
    person = Respondent(client, _build(app), "en")
    person.consent()
    person.answer_page(1, {"has_plan": "yes", "plan_year": "2021.5"})
    assert "Please enter a whole number." in person.get("/p/1").get_data(as_text=True)


def test_going_back_skips_the_pages_that_earlier_answers_left_out(app, client):
    """Saving page 3 reads page 1's answer to find the way back (page 2 depends on it)."""
    first_token = _build(app)
    for token, page1, previous in (
        (first_token, {"has_plan": "yes", "plan_year": "2021"}, "/p/2"),
        (_another_invitation(app, first_token), {"has_plan": "no"}, "/p/1"),
    ):
        person = Respondent(client, token, "en")
        person.consent()
        person.answer_page(1, page1)
        if previous == "/p/2":
            person.answer_page(2, {"plan_budget": "50 000 EUR"})
        back = person.answer_page(3, {"priority": "Youth"}, action="back")
        assert back.location.endswith(previous), page1


def _another_invitation(app, token: str) -> str:
    with app.app_context():
        first = db.session.scalar(select(Invitation).where(Invitation.token == token))
        other = new_token()
        db.session.add(
            Invitation(
                token=other,
                campaign_id=first.campaign_id,
                municipality_id=first.municipality_id,
                role="councillor",
            )
        )
        db.session.commit()
        return other
