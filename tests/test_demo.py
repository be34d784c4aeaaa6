"""Synthetic demo data: counts, spread, and patterns that differ by country."""

from __future__ import annotations

import re

import pytest
from sqlalchemy import func, select

from surveyapp.demo.seed import seed_demo
from surveyapp.extensions import db
from surveyapp.models import (
    ROLES,
    Answer,
    AnswerSelection,
    Country,
    Invitation,
    Municipality,
    Question,
    Questionnaire,
    Response,
)
from surveyapp.profiles.figures import domain_profile
from surveyapp.profiles.results import Scope

CYRILLIC = re.compile("[\u0400-\u04ff]")


@pytest.fixture
def demo(app):
    with app.app_context():
        yield seed_demo(300, seed=7)


def count(query) -> int:
    return db.session.scalar(select(func.count()).select_from(query.subquery()))


def submitted(campaign_id: int):
    return select(Response).where(
        Response.campaign_id == campaign_id, Response.status == "submitted"
    )


def test_demo_campaign_has_the_requested_submitted_responses(demo):
    assert demo.name == "Demo campaign"
    questionnaire = db.session.scalar(
        select(Questionnaire).where(Questionnaire.name == "city_needs")
    )
    assert demo.version_id == questionnaire.versions[-1].id
    assert count(submitted(demo.id)) == 300
    # Like a real campaign: some never opened their link, some are still answering.
    invitations = count(select(Invitation).where(Invitation.campaign_id == demo.id))
    in_progress = count(
        select(Response).where(Response.campaign_id == demo.id, Response.status == "in_progress")
    )
    assert (invitations, in_progress) == (300 + 60 + 18, 18)
    # Every submitted response answers every scale question and wants some support.
    scale = select(Answer).join(Response).join(Question).where(Question.type == "scale")
    assert count(scale.where(Response.status == "submitted")) == 300 * 28
    wanted = (
        select(Answer.response_id)
        .join(AnswerSelection)
        .join(Response)
        .where(Response.status == "submitted")
        .distinct()
    )
    assert count(wanted) == 300
    assert count(scale.where(Answer.choice == "dk")) > 0


def test_demo_respondents_spread_over_countries_roles_and_languages(demo):
    rows = db.session.execute(
        select(Country.code, Country.languages, Response.role, Response.language)
        .join(Municipality, Municipality.country_id == Country.id)
        .join(Response, Response.municipality_id == Municipality.id)
        .where(Response.campaign_id == demo.id, Response.status == "submitted")
    ).all()
    assert {code for code, *_ in rows} == {"AL", "BA", "XK", "ME", "MK", "RS"}
    assert {role for _, _, role, _ in rows} == set(ROLES)
    assert all(language in languages for _, languages, _, language in rows)
    assert {language for code, _, _, language in rows if code == "BA"} == {
        "bs",
        "sr",
        "sr-Latn",
        "hr",
    }
    towns = {
        town
        for (town,) in db.session.execute(
            select(Response.municipality_id).where(Response.campaign_id == demo.id)
        )
    }
    assert len(towns) > 100
    first, last = db.session.execute(
        select(func.min(Response.submitted_at), func.max(Response.submitted_at)).where(
            Response.campaign_id == demo.id
        )
    ).one()
    assert (last - first).days >= 14


def test_demo_respondents_in_croat_majority_towns_mostly_answer_in_croatian(demo):
    from surveyapp.places.town_languages import CROATIAN_MAJORITY

    rows = db.session.execute(
        select(Municipality.code, Response.language)
        .join(Response, Response.municipality_id == Municipality.id)
        .where(Response.campaign_id == demo.id)
        .where(Municipality.code.like("ba-%"))
    ).all()
    croat = [language for code, language in rows if code in CROATIAN_MAJORITY]
    other = [language for code, language in rows if code not in CROATIAN_MAJORITY]
    assert croat and croat.count("hr") > len(croat) / 3
    assert other and other.count("bs") > other.count("hr")


def test_demo_free_text_is_in_the_respondents_language(demo):
    rows = db.session.execute(
        select(Response.language, Answer.text)
        .join(Answer, Answer.response_id == Response.id)
        .join(Question, Question.id == Answer.question_id)
        .where(Question.name == "top_priority", Response.status == "submitted")
    ).all()
    assert len(rows) == 300
    for language, text in rows:
        assert bool(CYRILLIC.search(text)) == (language in ("mk", "sr")), (language, text)


def test_demo_countries_differ_in_their_profiles(demo):
    def gaps(code: str) -> dict[str, float]:
        rows = domain_profile(Scope.country(code), campaign_id=demo.id)
        return {row.domain_code: row.gap for row in rows}

    bosnia, albania = gaps("BA"), gaps("AL")
    # Patterns: cohesion need 4.4 / capacity 2.2 in BA, 2.6 / 3.1 in AL.
    assert bosnia["social_cohesion"] - albania["social_cohesion"] > 1.5
    assert domain_profile(Scope.country("BA"), demo.id)[0].domain_code in (
        "schools",
        "social_cohesion",
    )
    assert domain_profile(Scope.country("AL"), demo.id)[0].domain_code in (
        "online_hate",
        "youth",
    )


def test_the_same_seed_gives_the_same_answers(demo):
    again = seed_demo(300, seed=7)
    other = seed_demo(300, seed=8)

    def figures(campaign_id: int) -> list:
        return [
            (r.domain_code, r.respondents, r.mean_need, r.mean_capacity)
            for r in domain_profile(Scope.region(), campaign_id)
        ]

    assert figures(again.id) == figures(demo.id)
    assert figures(other.id) != figures(demo.id)


def test_seed_demo_from_the_command_line(app, runner):
    from sqlalchemy import func, select

    from surveyapp.extensions import db
    from surveyapp.models import Response

    result = runner.invoke(args=["seed-demo", "--responses", "120", "--seed", "3"])
    assert result.exit_code == 0, result.output
    assert "120 responses" in result.output
    with app.app_context():
        submitted = db.session.scalar(
            select(func.count()).select_from(Response).where(Response.status == "submitted")
        )
        assert submitted >= 100


def test_seed_demo_records_the_hubs_engagements_on_the_cities_gaps(app, runner):
    from surveyapp.models import Engagement

    result = runner.invoke(args=["seed-demo", "--responses", "400", "--seed", "3"])
    assert result.exit_code == 0, result.output
    with app.app_context():
        engagements = list(db.session.scalars(select(Engagement)))
        stories = {(e.municipality.code, e.kind) for e in engagements}
        assert {
            ("me-danilovgrad", "roundtable"),
            ("al-elbasan", "peer_exchange"),
            ("mk-kumanovo", "training"),
            ("ba-brcko", "action_plan"),
        } <= stories
        assert len(engagements) > 20
        assert {e.status for e in engagements} == {"planned", "done"}
        assert all(e.domains for e in engagements)
        # Beyond the stories, municipalities that answered get engagements too.
        towns = {e.municipality_id for e in engagements}
        answered = set(
            db.session.scalars(
                select(Response.municipality_id).where(Response.status == "submitted")
            )
        )
        assert len(towns & answered) >= 10
