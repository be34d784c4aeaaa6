"""Needs profiles: every figure checked against small data sets worked out by hand."""

from __future__ import annotations

from datetime import datetime

import pytest
from sqlalchemy import select

from surveyapp.campaigns.overview import campaign_overview
from surveyapp.campaigns.tokens import new_token
from surveyapp.extensions import db
from surveyapp.models import (
    Answer,
    AnswerSelection,
    Campaign,
    Choice,
    Invitation,
    Municipality,
    Question,
    Questionnaire,
    QuestionnaireVersion,
    Response,
)
from surveyapp.profiles import privacy, results
from surveyapp.profiles.figures import compare, domain_profile, needs_profile
from surveyapp.profiles.question_figures import (
    choice_shares,
    free_text_answers,
    scale_distributions,
)
from surveyapp.profiles.results import Scope

DOMAINS = ["social_cohesion", "trust", "youth", "mandate", "crisis", "schools", "online_hate"]
SUPPORT = [
    "peer_exchange",
    "staff_training",
    "action_plan",
    "safety_council",
    "youth_programmes",
    "crisis_planning",
    "coordination",
    "other",
]
REGION = Scope.region()
CAIR = Scope.municipality("mk-cair")


class Survey:
    """Builds invitations, responses and answers for the built-in questionnaire."""

    def __init__(self) -> None:
        questionnaire = db.session.scalar(
            select(Questionnaire).where(Questionnaire.name == "city_needs")
        )
        self.version: QuestionnaireVersion = questionnaire.versions[-1]
        self.questions = {
            q.name: q
            for q in db.session.scalars(
                select(Question).where(Question.version_id == self.version.id)
            )
        }
        self.scores = {
            (c.choice_list_id, c.value): c.score for c in db.session.scalars(select(Choice))
        }
        self.first = db.session.scalar(select(Campaign).order_by(Campaign.id))

    def campaign(self, name: str) -> Campaign:
        campaign = Campaign(name=name, version_id=self.version.id)
        db.session.add(campaign)
        db.session.commit()
        return campaign

    def invite(self, town: str, role: str, campaign: Campaign | None = None) -> Invitation:
        invitation = Invitation(
            token=new_token(),
            campaign_id=(campaign or self.first).id,
            municipality_id=db.session.scalar(
                select(Municipality.id).where(Municipality.code == town)
            ),
            role=role,
        )
        db.session.add(invitation)
        db.session.commit()
        return invitation

    def respond(
        self,
        town: str,
        role: str,
        answers: dict[str, str | list[str]],
        *,
        campaign: Campaign | None = None,
        lang: str = "en",
        day: int = 1,
        submitted: bool = True,
    ) -> Response:
        invitation = self.invite(town, role, campaign)
        response = Response(
            submission_id=new_token()[:36],
            invitation_id=invitation.id,
            campaign_id=invitation.campaign_id,
            version_id=self.version.id,
            municipality_id=invitation.municipality_id,
            role=role,
            status="submitted" if submitted else "in_progress",
            language=lang,
            consent_language=lang,
            privacy_version=self.version.privacy_version,
            submitted_at=datetime(2026, 3, day, 10) if submitted else None,
        )
        for name, value in answers.items():
            question = self.questions[name]
            answer = Answer(question_id=question.id)
            if question.type == "multiple_choice":
                answer.selections = [AnswerSelection(value=v) for v in value]
            elif question.type in ("scale", "single_choice"):
                answer.choice = value
                answer.number = self.scores[(question.choice_list_id, value)]
            else:
                answer.text = value
            response.answers.append(answer)
        db.session.add(response)
        db.session.commit()
        return response


@pytest.fixture
def survey(app):
    with app.app_context():
        yield Survey()


@pytest.fixture
def towns(survey: Survey) -> Survey:
    """Six responses in three municipalities and two campaigns, and one in progress.

    R1 mk-cair mayor: cohesion need 4, 2; capacity dk, 3. Trust need 5, capacity 1.
    R2 mk-cair councillor: cohesion all dk. Trust need 3 (and dk), capacity 3.
    R3 mk-bitola staff: cohesion need 5, capacity 1.
    R4 mk-cair mayor, in progress: everything 1 or 5, must never count.
    R5 rs-nis councillor: cohesion need 1, capacity 5; online hate need 4, capacity dk.
    R6 mk-cair deputy mayor, second campaign: trust need 1, capacity 5.
    Plus an invitation to mk-kumanovo that nobody opened.
    """
    s = survey
    s.second = s.campaign("Second round")
    s.respond(
        "mk-cair",
        "mayor",
        {
            "social_cohesion_tensions_need": "4",
            "social_cohesion_past_need": "2",
            "social_cohesion_tensions_capacity": "dk",
            "social_cohesion_past_capacity": "3",
            "trust_institutions_need": "5",
            "trust_institutions_capacity": "1",
            "support_wanted": ["peer_exchange", "staff_training"],
            "top_priority": "Youth centre",
        },
        lang="mk",
        day=2,
    )
    s.respond(
        "mk-cair",
        "councillor",
        {
            "social_cohesion_tensions_need": "dk",
            "social_cohesion_past_need": "dk",
            "social_cohesion_tensions_capacity": "dk",
            "social_cohesion_past_capacity": "dk",
            "trust_institutions_need": "3",
            "trust_participation_need": "dk",
            "trust_institutions_capacity": "3",
            "support_wanted": ["peer_exchange"],
            "top_priority": "Training for staff",
        },
        lang="sq",
        day=5,
    )
    s.respond(
        "mk-bitola",
        "municipal_staff",
        {"social_cohesion_tensions_need": "5", "social_cohesion_tensions_capacity": "1"},
        lang="mk",
        day=3,
    )
    s.respond(
        "mk-cair",
        "mayor",
        {
            "social_cohesion_tensions_need": "1",
            "social_cohesion_tensions_capacity": "5",
            "trust_institutions_need": "1",
            "trust_institutions_capacity": "5",
            "support_wanted": ["staff_training", "action_plan"],
            "top_priority": "Not sent yet",
        },
        submitted=False,
    )
    s.respond(
        "rs-nis",
        "councillor",
        {
            "social_cohesion_tensions_need": "1",
            "social_cohesion_tensions_capacity": "5",
            "online_hate_hate_speech_need": "4",
            "online_hate_hate_speech_capacity": "dk",
        },
        lang="sr",
        day=4,
    )
    s.respond(
        "mk-cair",
        "deputy_mayor",
        {"trust_institutions_need": "1", "trust_institutions_capacity": "5"},
        campaign=s.second,
        day=6,
    )
    s.invite("mk-kumanovo", "councillor")
    return s


def figures(rows: list[results.DomainRow]) -> list[tuple]:
    return [
        (
            r.domain_code,
            r.respondents,
            None if r.mean_need is None else round(r.mean_need, 4),
            None if r.mean_capacity is None else round(r.mean_capacity, 4),
            None if r.gap is None else round(r.gap, 4),
        )
        for r in rows
    ]


EMPTY_AFTER = [(d, 0, None, None, None) for d in ["youth", "mandate", "crisis", "schools"]]


# --- domain profile -------------------------------------------------------------


def test_municipality_profile_means_leave_dont_know_out_and_rank_by_gap(towns):
    rows = domain_profile(CAIR, campaign_id=towns.first.id)
    assert figures(rows) == [
        ("trust", 2, 4.0, 2.0, 2.0),
        ("social_cohesion", 1, 3.0, 3.0, 0.0),
        *EMPTY_AFTER,
        ("online_hate", 0, None, None, None),
    ]


def test_in_progress_responses_do_not_count(towns):
    # R4 (in progress, all 1s and 5s) would move both means in mk-cair.
    rows = {r.domain_code: r for r in domain_profile(CAIR, towns.first.id)}
    assert rows["social_cohesion"].mean_need == 3.0
    assert rows["trust"].respondents == 2


def test_without_a_campaign_every_campaign_counts(towns):
    rows = domain_profile(CAIR)
    assert figures(rows)[:2] == [
        ("social_cohesion", 1, 3.0, 3.0, 0.0),
        ("trust", 3, 3.0, 3.0, 0.0),
    ]


def test_second_campaign_alone(towns):
    rows = domain_profile(CAIR, campaign_id=towns.second.id)
    assert figures(rows)[0] == ("trust", 1, 1.0, 5.0, -4.0)


def test_country_profile_adds_the_other_municipalities(towns):
    rows = domain_profile(Scope.country("MK"), towns.first.id)
    assert figures(rows)[:2] == [
        ("trust", 2, 4.0, 2.0, 2.0),
        # need (4 + 2 + 5) / 3, capacity (3 + 1) / 2
        ("social_cohesion", 2, 3.6667, 2.0, 1.6667),
    ]


def test_region_profile_puts_domains_without_a_gap_last(towns):
    rows = domain_profile(REGION, towns.first.id)
    assert figures(rows) == [
        ("trust", 2, 4.0, 2.0, 2.0),
        # need (4 + 2 + 5 + 1) / 4, capacity (3 + 1 + 5) / 3
        ("social_cohesion", 3, 3.0, 3.0, 0.0),
        *EMPTY_AFTER,
        # need 4 from R5, capacity only "don't know": a respondent, but no gap
        ("online_hate", 1, 4.0, None, None),
    ]


@pytest.mark.parametrize(
    ("role", "expected"),
    [
        ("mayor", [("trust", 1, 5.0, 1.0, 4.0), ("social_cohesion", 1, 3.0, 3.0, 0.0)]),
        ("councillor", [("trust", 1, 3.0, 3.0, 0.0), ("social_cohesion", 0, None, None, None)]),
    ],
)
def test_role_filter(towns, role, expected):
    rows = domain_profile(CAIR, towns.first.id, role=role)
    assert figures(rows)[:2] == expected


def test_a_scope_with_no_responses_has_empty_rows(towns):
    rows = domain_profile(Scope.country("AL"))
    assert figures(rows) == [(d, 0, None, None, None) for d in DOMAINS]


def test_unknown_scopes_roles_and_campaigns_are_refused(towns):
    with pytest.raises(results.UnknownScope):
        domain_profile(Scope.country("XX"))
    with pytest.raises(results.UnknownScope):
        compare("nowhere")
    with pytest.raises(ValueError):
        domain_profile(REGION, role="president")
    with pytest.raises(LookupError):
        domain_profile(REGION, campaign_id=9999)
    with pytest.raises(LookupError):
        campaign_overview(9999)


@pytest.mark.parametrize(
    ("kind", "code"), [("region", "MK"), ("country", None), ("municipality", None), ("city", "x")]
)
def test_scope_needs_a_code_except_for_the_region(kind, code):
    with pytest.raises(ValueError):
        Scope(kind, code)


# --- comparison --------------------------------------------------------------------


def test_compare_puts_municipality_country_and_region_side_by_side(towns):
    # the arithmetic, on groups below the usual minimum (test_disclosure has the rule)
    comparison = compare("mk-cair", towns.first.id, min_group=1)
    assert (comparison.municipality_code, comparison.country_code) == ("mk-cair", "MK")
    assert [row.domain_code for row in comparison.rows] == [
        "trust",
        "social_cohesion",
        "youth",
        "mandate",
        "crisis",
        "schools",
        "online_hate",
    ]
    cohesion = comparison.rows[1]
    assert figures([cohesion.municipality, cohesion.country, cohesion.region]) == [
        ("social_cohesion", 1, 3.0, 3.0, 0.0),
        ("social_cohesion", 2, 3.6667, 2.0, 1.6667),
        ("social_cohesion", 3, 3.0, 3.0, 0.0),
    ]
    hate = comparison.rows[-1]
    assert figures([hate.municipality, hate.region]) == [
        ("online_hate", 0, None, None, None),
        ("online_hate", 1, 4.0, None, None),
    ]


def test_compare_by_role_suppresses_small_groups(towns):
    hidden = compare("mk-cair", towns.first.id, role="mayor")
    assert all(
        cell.suppressed and cell.respondents is None and cell.mean_need is None
        for row in hidden.rows
        for cell in (row.municipality, row.country, row.region)
    )
    shown = compare("mk-cair", towns.first.id, role="mayor", min_group=1)
    assert figures([shown.rows[0].municipality, shown.rows[0].region]) == [
        ("trust", 1, 5.0, 1.0, 4.0),
        ("trust", 1, 5.0, 1.0, 4.0),
    ]


# --- choices and scales -----------------------------------------------------------


def test_choice_shares_are_over_those_who_answered(towns):
    [support] = choice_shares(CAIR, towns.first.id)
    assert (support.question_name, support.respondents) == ("support_wanted", 2)
    assert [(c.value, c.count, c.share) for c in support.choices] == [
        ("peer_exchange", 2, 1.0),
        ("staff_training", 1, 0.5),
        *[(value, 0, 0.0) for value in SUPPORT[2:]],
    ]


def test_choice_shares_follow_the_filters(towns):
    [mayors] = choice_shares(REGION, towns.first.id, role="mayor")
    assert mayors.respondents == 1
    assert [c.count for c in mayors.choices][:2] == [1, 1]
    [nobody] = choice_shares(Scope.country("RS"))
    assert nobody.respondents == 0
    assert {(c.count, c.share) for c in nobody.choices} == {(0, None)}


def test_scale_distributions_count_every_choice_dont_know_included(towns):
    scales = scale_distributions(CAIR, towns.first.id)
    assert len(scales) == 28
    first = scales[0]
    assert (first.question_name, first.domain_code, first.measure, first.respondents) == (
        "social_cohesion_tensions_need",
        "social_cohesion",
        "need",
        2,
    )
    assert [(c.value, c.count, c.share) for c in first.choices] == [
        ("1", 0, 0.0),
        ("2", 0, 0.0),
        ("3", 0, 0.0),
        ("4", 1, 0.5),
        ("5", 0, 0.0),
        ("dk", 1, 0.5),
    ]
    by_name = {s.question_name: s for s in scales}
    assert [c.count for c in by_name["trust_participation_need"].choices] == [0, 0, 0, 0, 0, 1]
    assert by_name["youth_engagement_need"].respondents == 0


def test_scale_distributions_by_role(towns):
    scales = scale_distributions(CAIR, towns.first.id, role="councillor")
    assert [c.count for c in scales[0].choices] == [0, 0, 0, 0, 0, 1]


# --- free text ---------------------------------------------------------------------


def test_free_text_newest_first_with_language_and_municipality(towns):
    answers = free_text_answers(CAIR, towns.first.id)
    assert [(a.question_name, a.text, a.language, a.municipality_code) for a in answers] == [
        ("top_priority", "Training for staff", "sq", "mk-cair"),
        ("top_priority", "Youth centre", "mk", "mk-cair"),
    ]
    assert answers[0].submitted_at == datetime(2026, 3, 5, 10)


def test_free_text_filters_and_limit(towns):
    assert [a.text for a in free_text_answers(CAIR, limit=1)] == ["Training for staff"]
    assert free_text_answers(CAIR, question_name="comments") == []
    assert [a.text for a in free_text_answers(REGION, role="mayor")] == ["Youth centre"]
    assert free_text_answers(Scope.country("RS")) == []


# --- role breakdown and suppression ------------------------------------------------


def test_default_minimum_group_is_five(app):
    from surveyapp.profiles.disclosure import min_group_size

    with app.app_context():
        assert min_group_size() == 5
    app.config["MIN_GROUP_SIZE"] = 3
    with app.app_context():
        assert min_group_size() == 3


@pytest.fixture
def groups(survey: Survey) -> Survey:
    """Trust answers: 4 mayors (need 4, capacity 2), 6 councillors (2, 4), 5 staff (3, 3),
    and one more councillor who only said "don't know"."""
    for role, need, capacity, count in [
        ("mayor", "4", "2", 4),
        ("councillor", "2", "4", 6),
        ("municipal_staff", "3", "3", 5),
        ("councillor", "dk", "dk", 1),
    ]:
        for _ in range(count):
            survey.respond(
                "rs-novi-sad",
                role,
                {
                    "trust_institutions_need": need,
                    "trust_institutions_capacity": capacity,
                    "support_wanted": ["coordination"],
                },
            )
    return survey


def cells(row: results.RoleRow) -> list[tuple]:
    return [(c.role, c.status, c.respondents, c.mean_need, c.mean_capacity) for c in row.cells]


def test_role_breakdown_hides_a_group_of_four_and_its_complement(groups):
    rows = {row.domain_code: row for row in privacy.role_breakdown(REGION)}
    assert list(rows) == DOMAINS
    assert rows["trust"].respondents == 15
    assert cells(rows["trust"]) == [
        ("mayor", "suppressed", None, None, None),
        ("deputy_mayor", "empty", None, None, None),
        ("councillor", "shown", 6, 2.0, 4.0),
        ("municipal_staff", "suppressed", None, None, None),
    ]
    # a hidden group stays hidden in every row, even where nobody answered
    assert rows["youth"].respondents == 0
    assert [c.status for c in rows["youth"].cells] == [
        "suppressed",
        "empty",
        "empty",
        "suppressed",
    ]


@pytest.mark.parametrize(
    ("min_group", "statuses"),
    [
        (4, ["shown", "empty", "shown", "shown"]),
        (6, ["suppressed", "empty", "shown", "suppressed"]),
        # 7 councillors answered (one only "don't know"): the group is shown
        (7, ["suppressed", "empty", "shown", "suppressed"]),
    ],
)
def test_role_breakdown_minimum_is_configurable(groups, min_group, statuses):
    trust = privacy.role_breakdown(REGION, min_group=min_group)[1]
    assert [c.status for c in trust.cells] == statuses
    if min_group == 4:
        assert cells(trust)[0] == ("mayor", "shown", 4, 4.0, 2.0)


def test_role_breakdown_follows_scope_and_campaign(groups):
    other = groups.campaign("Other")
    trust = privacy.role_breakdown(REGION, campaign_id=other.id)[1]
    assert trust.respondents == 0
    assert {c.status for c in trust.cells} == {"empty"}
    assert privacy.role_breakdown(Scope.country("MK"))[1].respondents == 0


# --- the whole profile -------------------------------------------------------------


def test_needs_profile_brings_everything_together(towns):
    # the arithmetic, on groups below the usual minimum (test_disclosure has the rule)
    profile = needs_profile(CAIR, towns.first.id, min_group=1)
    assert profile.respondents == 2
    assert figures(profile.domains)[0] == ("trust", 2, 4.0, 2.0, 2.0)
    assert profile.choice_shares[0].respondents == 2
    assert profile.scale_distributions[0].respondents == 2
    assert [(g.question_name, g.total, len(g.answers)) for g in profile.free_text] == [
        ("top_priority", 2, 2),
        ("good_practice", 0, 0),
        ("comments", 0, 0),
    ]
    assert [row.domain_code for row in profile.role_breakdown] == DOMAINS
    assert not profile.details_suppressed


def test_needs_profile_limits_free_text(towns):
    profile = needs_profile(CAIR, towns.first.id, min_group=1, free_text_limit=1)
    assert [(g.total, [a.text for a in g.answers]) for g in profile.free_text][0] == (
        2,
        ["Training for staff"],
    )


def test_needs_profile_of_everyone(groups):
    profile = needs_profile(REGION)
    assert profile.respondents == 16
    # need (4x4 + 6x2 + 5x3) / 15 = 43/15, capacity (4x2 + 6x4 + 5x3) / 15 = 47/15
    assert figures(profile.domains)[0] == ("trust", 15, 2.8667, 3.1333, -0.2667)


def test_needs_profile_by_a_role_that_is_shown(groups):
    profile = needs_profile(REGION, role="councillor")
    assert profile.respondents == 7
    assert figures(profile.domains)[0] == ("trust", 6, 2.0, 4.0, -2.0)
    assert profile.choice_shares[0].respondents == 7
    assert not profile.details_suppressed


@pytest.mark.parametrize("role", ["mayor", "municipal_staff"])
def test_needs_profile_by_a_hidden_role_shows_no_figures(groups, role):
    profile = needs_profile(REGION, role=role)
    trust = next(row for row in profile.domains if row.domain_code == "trust")
    assert trust.suppressed and trust.respondents is None and trust.mean_need is None
    assert profile.respondents is None
    assert profile.details_suppressed
    assert profile.choice_shares == [] and profile.scale_distributions == []


def test_needs_profile_by_role_with_a_lower_minimum(groups):
    profile = needs_profile(REGION, role="mayor", min_group=4)
    assert profile.respondents == 4
    assert figures(profile.domains)[0] == ("trust", 4, 4.0, 2.0, 2.0)


def test_profile_reads_answers_saved_on_the_respondent_path(app, make_response):
    trust = {
        "trust_institutions_need": "4",
        "trust_participation_need": "dk",
        "trust_institutions_capacity": "2",
        "trust_participation_capacity": "1",
    }
    make_response("al-tirane", "mayor", **trust)
    make_response("al-tirane", "mayor", submit=False, **{**trust, "trust_institutions_need": "1"})
    with app.app_context():
        rows = {r.domain_code: r for r in domain_profile(Scope.municipality("al-tirane"))}
    # need 4 (dk left out); capacity (2 + 1) / 2
    assert figures([rows["trust"]]) == [("trust", 1, 4.0, 1.5, 2.5)]


# --- campaign overview --------------------------------------------------------------


def test_campaign_overview_counts_invited_started_submitted(towns):
    overview = campaign_overview(towns.first.id)
    total = overview.total
    assert (total.invited, total.started, total.submitted) == (6, 5, 4)
    assert (round(total.start_rate, 4), round(total.response_rate, 4)) == (0.8333, 0.6667)
    assert [
        (c.code, c.invited, c.started, c.submitted, c.start_rate, c.response_rate)
        for c in overview.countries
    ] == [("MK", 5, 4, 3, 0.8, 0.6), ("RS", 1, 1, 1, 1.0, 1.0)]
    assert [
        (t.code, t.country_code, t.invited, t.started, t.submitted) for t in overview.municipalities
    ] == [
        ("mk-bitola", "MK", 1, 1, 1),
        ("mk-cair", "MK", 3, 3, 2),
        ("mk-kumanovo", "MK", 1, 0, 0),
        ("rs-nis", "RS", 1, 1, 1),
    ]
    assert overview.silent_municipalities == ["mk-kumanovo"]


def test_campaign_overview_of_another_campaign(towns):
    overview = campaign_overview(towns.second.id)
    assert [(t.code, t.invited, t.submitted) for t in overview.municipalities] == [
        ("mk-cair", 1, 1)
    ]
    assert overview.silent_municipalities == []
    empty = campaign_overview(towns.campaign("Nobody invited").id)
    assert (empty.total.invited, empty.total.response_rate, empty.countries) == (0, None, [])
