"""Rounds of the assessment: items matched across rounds, change per domain with its
interval, privacy in every round, worked out on small hand-made rounds."""

from __future__ import annotations

import math
import statistics
from datetime import datetime

import pytest
from sqlalchemy import select, update

from surveyapp.campaigns.tokens import new_token
from surveyapp.extensions import db
from surveyapp.models import (
    Answer,
    Campaign,
    Choice,
    Invitation,
    Municipality,
    Question,
    Questionnaire,
    Response,
)
from surveyapp.profiles.results import Scope
from surveyapp.questionnaires.editing.version_edits import duplicate
from surveyapp.rounds import matching, series
from surveyapp.rounds.change import series_change
from surveyapp.rounds.intervals import t_quantile

CAIR = Scope.municipality("mk-cair")
REGION = Scope.region()
RENAMED = "trust_in_institutions_need"


class Rounds:
    """Two rounds: the built-in version, then a copy where one trust item is renamed."""

    def __init__(self) -> None:
        questionnaire = db.session.scalar(
            select(Questionnaire).where(Questionnaire.name == "city_needs")
        )
        first_version = questionnaire.versions[-1]
        second_version = duplicate(first_version.id, "city_needs_2026")
        db.session.execute(
            update(Question)
            .where(
                Question.version_id == second_version.id,
                Question.name == "trust_institutions_need",
            )
            .values(name=RENAMED)
        )
        db.session.commit()
        self.first = Campaign(name="City needs 2023", version_id=first_version.id)
        self.second = Campaign(name="City needs 2026", version_id=second_version.id)
        db.session.add_all([self.first, self.second])
        db.session.commit()
        self.series_id = series.create_series("City needs")
        series.add_round(self.series_id, self.first.id)
        series.add_round(self.series_id, self.second.id)
        self.scores = {
            (c.choice_list_id, c.value): c.score for c in db.session.scalars(select(Choice))
        }

    def respond(self, campaign: Campaign, town: str, role: str, answers: dict[str, str]) -> None:
        town_id = db.session.scalar(select(Municipality.id).where(Municipality.code == town))
        invitation = Invitation(
            token=new_token(), campaign_id=campaign.id, municipality_id=town_id, role=role
        )
        db.session.add(invitation)
        db.session.flush()
        response = Response(
            submission_id=new_token()[:36],
            invitation_id=invitation.id,
            campaign_id=campaign.id,
            version_id=campaign.version_id,
            municipality_id=town_id,
            role=role,
            status="submitted",
            language="en",
            consent_language="en",
            privacy_version="1",
            submitted_at=datetime(2026, 3, 1, 10),
        )
        questions = {
            q.name: q
            for q in db.session.scalars(
                select(Question).where(Question.version_id == campaign.version_id)
            )
        }
        for name, value in answers.items():
            question = questions[name]
            response.answers.append(
                Answer(
                    question_id=question.id,
                    choice=value,
                    number=self.scores[(question.choice_list_id, value)],
                )
            )
        db.session.add(response)
        db.session.commit()


def _domain(change, code):
    return next(row for row in change.domains if row.domain == code)


@pytest.fixture
def rounds(app):
    with app.app_context():
        yield Rounds()


def _answer_trust(rounds: Rounds, campaign, need_name: str, needs, capacities, town="mk-cair"):
    roles = ["mayor", "councillor", "municipal_staff", "deputy_mayor"]
    for i, (need, capacity) in enumerate(zip(needs, capacities, strict=True)):
        rounds.respond(
            campaign,
            town,
            roles[i % len(roles)],
            {need_name: str(need), "trust_institutions_capacity": str(capacity)},
        )


def test_a_renamed_item_counts_once_staff_match_it(rounds):
    _answer_trust(rounds, rounds.first, "trust_institutions_need", [5, 5, 4, 4, 5], [1, 2, 1, 2, 1])
    _answer_trust(rounds, rounds.second, RENAMED, [2, 3, 2, 3, 2], [3, 3, 4, 3, 3])

    before = matching.matching_for(rounds.series_id)
    assert "trust_institutions_need" not in before.compared
    left = {(item.key, item.why) for item in before.left_out}
    assert ("trust_institutions_need", matching.MISSING) in left
    trust = _domain(series_change(rounds.series_id, REGION), "trust")
    assert trust.rounds[0].need is None  # no need item compared: no need figure

    matching.set_match(
        rounds.series_id, rounds.second.id, RENAMED, "trust_institutions_need", True, ""
    )
    after = matching.matching_for(rounds.series_id)
    assert "trust_institutions_need" in after.compared
    assert not [item for item in after.left_out if item.key == "trust_institutions_need"]
    trust = _domain(series_change(rounds.series_id, REGION), "trust")
    assert trust.rounds[0].need.value == pytest.approx(statistics.mean([5, 5, 4, 4, 5]))
    assert trust.rounds[1].need.value == pytest.approx(statistics.mean([2, 3, 2, 3, 2]))
    assert trust.need.value == pytest.approx(2.4 - 4.6)


def test_a_mapped_item_counts_and_one_marked_not_comparable_does_not(rounds):
    for campaign, scores in ((rounds.first, [4, 4, 5, 3, 4]), (rounds.second, [2, 2, 1, 3, 2])):
        for i, score in enumerate(scores):
            rounds.respond(
                campaign,
                "mk-cair",
                ["mayor", "councillor", "municipal_staff", "deputy_mayor", "mayor"][i],
                {
                    "youth_engagement_need": str(score),
                    "youth_radicalisation_need": "5",
                },
            )
    youth = _domain(series_change(rounds.series_id, CAIR), "youth")
    assert youth.items == 4  # two need and two capacity items, same names: all count
    assert youth.rounds[0].need.value == pytest.approx(
        statistics.mean([4, 4, 5, 3, 4, 5, 5, 5, 5, 5])
    )

    matching.set_match(
        rounds.series_id, rounds.second.id, "youth_radicalisation_need", None, False, "New scale"
    )
    youth = _domain(series_change(rounds.series_id, CAIR), "youth")
    assert youth.items == 3
    assert youth.rounds[0].need.value == pytest.approx(4.0)
    assert youth.rounds[1].need.value == pytest.approx(2.0)
    left = matching.matching_for(rounds.series_id).left_out
    assert [(i.key, i.why, i.reason) for i in left if i.domain == "youth"] == [
        ("youth_radicalisation_need", matching.NOT_COMPARABLE, "New scale")
    ]
    statuses = {d.domain: d.status for d in matching.matching_for(rounds.series_id).domains()}
    assert statuses["youth"] == "partly"


def test_not_comparable_needs_a_reason_and_nothing_changes(rounds):
    with pytest.raises(matching.MatchRefused) as refused:
        matching.set_match(
            rounds.series_id, rounds.second.id, "youth_engagement_need", None, False, " "
        )
    assert refused.value.code == "reason_required"
    assert matching.matching_for(rounds.series_id).left_out == [
        item
        for item in matching.matching_for(rounds.series_id).left_out
        if item.why != "not_comparable"
    ]


def test_intervals_are_t_intervals_over_respondents(rounds):
    first = [5, 4, 4, 5, 3, 4, 5]
    second = [3, 2, 4, 2, 3, 2, 3]
    _answer_trust(rounds, rounds.first, "trust_institutions_need", first, [2] * 7)
    _answer_trust(rounds, rounds.second, RENAMED, second, [2] * 7)
    matching.set_match(
        rounds.series_id, rounds.second.id, RENAMED, "trust_institutions_need", True, ""
    )
    trust = _domain(series_change(rounds.series_id, CAIR), "trust")

    t6 = 2.4469  # Student's t, 97.5 %, 6 degrees of freedom
    for figures, scores in ((trust.rounds[0], first), (trust.rounds[1], second)):
        margin = t6 * statistics.stdev(scores) / math.sqrt(len(scores))
        assert figures.respondents == 7
        assert figures.need.low == pytest.approx(statistics.mean(scores) - margin)
        assert figures.need.high == pytest.approx(statistics.mean(scores) + margin)
    se = math.hypot(statistics.stdev(first) / math.sqrt(7), statistics.stdev(second) / math.sqrt(7))
    change = statistics.mean(second) - statistics.mean(first)
    assert trust.need.value == pytest.approx(change)
    assert trust.need.low == pytest.approx(change - t6 * se)
    assert not trust.need.within_noise  # clearly lower
    assert trust.capacity.value == pytest.approx(0)
    assert trust.capacity.within_noise  # the same capacity: no change claimed


def test_a_change_within_the_noise_is_said_so(rounds):
    _answer_trust(rounds, rounds.first, "trust_institutions_need", [5, 1, 4, 2, 3], [3] * 5)
    _answer_trust(rounds, rounds.second, RENAMED, [4, 2, 5, 1, 4], [3] * 5)
    matching.set_match(
        rounds.series_id, rounds.second.id, RENAMED, "trust_institutions_need", True, ""
    )
    trust = _domain(series_change(rounds.series_id, CAIR), "trust")
    assert trust.need.value == pytest.approx(0.2)
    assert trust.need.within_noise


def test_a_hidden_group_hides_its_change(rounds):
    # Round 1: five respondents in mk-cair. Round 2: three, under the minimum of five.
    _answer_trust(rounds, rounds.first, "trust_institutions_need", [5, 5, 4, 4, 5], [1] * 5)
    _answer_trust(rounds, rounds.second, "trust_institutions_capacity", [2, 3, 2], [3, 3, 3])
    change = series_change(rounds.series_id, CAIR)
    assert [head.status for head in change.rounds] == ["shown", "suppressed"]
    assert change.rounds[1].respondents is None
    trust = _domain(change, "trust")
    assert trust.rounds[1].status == "suppressed" and trust.rounds[1].capacity is None
    assert trust.change_status == "suppressed"
    assert trust.capacity is None and trust.gap is None
    # A role filter follows the same rule: one mayor is a hidden group in both rounds.
    by_role = series_change(rounds.series_id, CAIR, "mayor")
    assert all(head.status == "suppressed" for head in by_role.rounds)
    assert all(row.change_status == "suppressed" for row in by_role.domains)


def test_a_municipality_with_one_round_shows_no_change(rounds):
    _answer_trust(rounds, rounds.first, "trust_institutions_need", [5, 5, 4, 4, 5], [1] * 5)
    _answer_trust(
        rounds, rounds.second, "trust_institutions_capacity", [3] * 5, [3] * 5, town="mk-bitola"
    )
    change = series_change(rounds.series_id, CAIR)
    assert change.answered_rounds == 1
    assert change.between is None
    assert all(row.change_status == "none" and row.gap is None for row in change.domains)


def test_t_quantiles():
    assert t_quantile(1) == pytest.approx(12.706, abs=1e-3)
    assert t_quantile(30) == pytest.approx(2.042, abs=1e-3)
    assert t_quantile(40) == pytest.approx(2.0211, abs=1e-4)
    assert t_quantile(120) == pytest.approx(1.9799, abs=1e-4)


def test_demo_rounds_make_a_series_whose_change_can_be_read(app):
    from surveyapp.demo.rounds import seed_demo_rounds

    with app.app_context():
        series_id = seed_demo_rounds(80, 2, seed=3)
        campaigns = series.round_campaigns(series_id)
        assert [c.name for c in campaigns] == ["City needs 2023", "City needs 2026"]
        change = series_change(series_id, REGION)
        assert [head.respondents for head in change.rounds] == [80, 80]
        assert change.between == (0, 1)
        assert all(row.items == 4 for row in change.domains)
        assert all(row.change_status == "shown" and row.gap for row in change.domains)
