"""The questionnaire's page-1 indicators in the needs profile, and the charts' labels.

Was: the profile showed nothing of the first page (a Local Safety Council in
place, staff working on prevention ...); chart labels were cut at 34 characters
or ran out of the chart (issue #14).
"""

from __future__ import annotations

from datetime import date

import pytest
from sqlalchemy import select

from surveyapp.extensions import db
from surveyapp.models import Campaign
from surveyapp.profiles import charts
from surveyapp.profiles.indicators import indicator_figures, indicator_questions, quantile
from surveyapp.profiles.report import build_report
from surveyapp.profiles.results import Scope
from surveyapp.profiles.selection import Catalog, ProfileQuestion, load_catalog, selection_for
from tests.test_profile_free_text import GROUPS, Answers

PAGE_ONE = ["staff_prevention", "safety_council", "strategy_date", "years_experience"]


def test_the_indicators_are_the_summable_questions_of_the_first_page(app):
    with app.app_context():
        campaign_id = db.session.scalar(select(Campaign.id))
        assert indicator_questions(load_catalog(campaign_id)) == PAGE_ONE


def test_the_rule_reads_the_questionnaire_not_question_names():
    def question(id_, name, type_, domain=None, measure=None, first=True):
        return ProfileQuestion(id_, name, type_, domain, measure, None, first)

    catalog = Catalog(
        {
            1: question(1, "body", "single_choice"),
            2: question(2, "youth_need", "scale", "youth", "need"),
            3: question(3, "budget", "number"),
            4: question(4, "tools", "multiple_choice"),
            5: question(5, "remark", "long_text"),
            6: question(6, "since", "date"),
            7: question(7, "scored", "single_choice", domain="youth"),
            8: question(8, "later", "single_choice", first=False),
            9: question(9, "intro", "note"),
        },
        ["intro", "body", "youth_need", "budget", "tools", "remark", "since", "scored", "later"],
        {"youth": 1},
        {},
    )
    # No scale (domains), multiple choice (its shares section), text, note, a question
    # with a domain or one on a later page.
    assert indicator_questions(catalog) == ["body", "budget", "since"]


def test_quantiles_lie_between_the_nearest_answers():
    values = [(1.0, 1), (2.0, 1), (3.0, 1), (10.0, 1)]
    assert quantile(values, 0.5) == 2.5
    assert quantile(values, 0.25) == 1.75
    assert quantile(values, 0.75) == 4.75
    assert quantile([(4.0, 3)], 0.5) == 4.0
    assert quantile([], 0.5) is None


@pytest.fixture
def answers(app):
    with app.app_context():
        made = Answers()
        for staff, council, adopted in [
            (0, "yes_active", "2019-05-01"),
            (1, "yes_active", "2021-01-01"),
            (2, "yes_active", "2023-06-30"),
            (3, "no", None),
            (10, None, None),
        ]:
            given = {"staff_prevention": staff, "safety_council": council}
            if adopted:
                given["strategy_date"] = date.fromisoformat(adopted)
            made.respond(
                "mk-cair", "councillor", **{k: v for k, v in given.items() if v is not None}
            )
        yield made


def test_indicator_figures_are_shares_and_medians(answers):
    selection = selection_for(Scope.municipality("mk-cair"), answers.campaign.id)
    figures = {f.question_name: f for f in indicator_figures(selection)}
    assert list(figures) == PAGE_ONE
    council = figures["safety_council"]
    assert council.summary == "shares" and council.respondents == 4
    assert [(c.value, c.count, c.share) for c in council.choices] == [
        ("yes_active", 3, 0.75),
        ("yes_inactive", 0, 0.0),
        ("no", 1, 0.25),
        ("dk", 0, 0.0),
    ]
    staff = figures["staff_prevention"]
    assert (staff.respondents, staff.median, staff.lower, staff.upper) == (5, 2.0, 1.0, 3.0)
    adopted = figures["strategy_date"]
    assert (adopted.summary, adopted.respondents, adopted.median) == ("years", 3, 2021.0)
    assert (adopted.lower, adopted.upper) == (2020.0, 2022.0)
    nobody = figures["years_experience"]
    assert (nobody.respondents, nobody.median) == (0, None)


def test_a_municipality_is_compared_with_its_country_and_the_region_unless_hidden(answers):
    for town, role, count in GROUPS:
        for _ in range(count):
            answers.respond(town, role, safety_council="no")
    campaign = db.session.get(Campaign, answers.campaign.id)
    report = build_report(campaign, Scope.municipality("mk-cair"), None, "en")
    assert report.indicator_areas == [
        Scope.municipality("mk-cair"),
        Scope.country("MK"),
        Scope.region(),
    ]
    council = next(r for r in report.indicators if r.question_name == "safety_council")
    assert [c.respondents for c in council.columns] == [10, 24, 32]
    # Bitola's two mayors are the only mayors: the country's and the region's are hidden.
    mayors = build_report(campaign, Scope.municipality("mk-cair"), "mayor", "en")
    assert [c is None for c in mayors.indicators[0].columns] == [False, True, True]
    hidden = build_report(campaign, Scope.municipality("mk-bitola"), None, "en")
    assert hidden.profile.details_suppressed and hidden.indicators == []


def test_the_profile_page_shows_the_indicators(app, staff, answers):
    analyst = staff("analyst")
    html = analyst.client.get(
        f"/sr/staff/campaigns/{answers.campaign.id}/profile?area=mk-cair"
    ).get_data(as_text=True)
    assert "Показатељи" in html
    assert "Да ли Ваша општина има" in html  # the question, in the reader's language
    assert "75 % (3)" in html and "2 (1–3)" in html and "2021 (2020–2022)" in html


# --- chart labels -------------------------------------------------------------------


def test_a_long_label_wraps_onto_two_lines_that_fit():
    label = "Реаговање у кризним ситуацијама"
    lines = charts.wrap_label(label, 216)
    assert lines == ["Реаговање у кризним", "ситуацијама"]
    assert all(charts.text_width(line) <= 216 for line in lines)
    too_long = charts.wrap_label("word " * 40, 216)
    assert len(too_long) == 2 and too_long[-1].endswith("…")


def test_need_chart_labels_and_values_stay_inside_the_chart():
    chart = charts.need_capacity_chart(
        [("Реаговање у кризним ситуацијама", 5.0, 5.0, ""), ("Youth", 1.0, None, "")]
    )
    for group in chart.groups:
        assert all(charts.text_width(line) <= chart.label_width - 8 for line in group.lines)
        for bar in group.bars:
            # the value ("5,0") is drawn 4 units right of the bar
            assert chart.label_width + bar.width + 4 + charts.text_width("5,0", 12) <= chart.width
    assert chart.groups[0].lines == ["Реаговање у кризним", "ситуацијама"]


def test_share_chart_makes_room_for_labels_on_two_lines():
    long = "Formiranje lokalnog savjeta za bezbjednost ili tima za djelovanje u zajednici " * 2
    chart = charts.share_chart([(long, 0.5), ("Other", 1.0)])
    first, second = chart.groups
    assert len(first.lines) == 2
    assert first.bars[0].y == first.y + 18 + charts.LINE_HEIGHT
    assert second.y >= first.bars[0].y + 16 + 10
    assert chart.height > second.bars[0].y + 16
