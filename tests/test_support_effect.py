"""What changed where the hub helped: the change in gap of supported domains beside
unsupported ones and beside municipalities the hub did not support, worked out by
hand on small rounds."""

from __future__ import annotations

import math
import statistics
from datetime import date, datetime

import pytest
from sqlalchemy import select

from surveyapp.core.database import write_transaction
from surveyapp.extensions import db
from surveyapp.models import Campaign, Engagement
from surveyapp.profiles.results import Scope
from surveyapp.rounds.intervals import t_quantile
from surveyapp.rounds.support_effect import RoundsRefused, support_effect
from tests.engagement_support import make_engagement
from tests.test_rounds import Rounds

#: (need, capacity) of youth and schools in each round, per municipality: every
#: municipality has two respondents (mayors) answering alike, so its gap is need - capacity.
ANSWERS = {
    "mk-cair": {"a": ((5, 2), (4, 2)), "b": ((3, 3), (4, 2))},  # youth -3, schools 0
    "mk-bitola": {"a": ((4, 2), (3, 2)), "b": ((3, 3), (4, 2))},  # youth -2, schools +1
    "al-elbasan": {"a": ((5, 2), (3, 3)), "b": ((4, 2), (3, 3))},  # youth -1, schools 0
    "mk-kumanovo": {"a": ((3, 2), (5, 2)), "b": ((3, 2), (4, 3))},  # youth 0, schools -2
    "mk-ohrid": {"a": ((4, 2), (4, 2)), "b": ((4, 2), (5, 2))},  # youth 0, schools +1
    "me-danilovgrad": {"a": ((3, 2), (4, 3)), "b": ((4, 2), (4, 3))},  # youth +1, schools 0
}
#: Done between the rounds (2023-02-06 and 2026-02-02), on these domains.
SUPPORT = {
    "mk-cair": ("youth",),
    "mk-bitola": ("youth",),
    "al-elbasan": ("youth",),
    "mk-kumanovo": ("schools",),
}


def _answer(rounds: Rounds, campaign, town: str, youth, schools, people: int = 2) -> None:
    for _ in range(people):
        rounds.respond(
            campaign,
            town,
            "mayor",
            {
                "youth_engagement_need": str(youth[0]),
                "youth_engagement_capacity": str(youth[1]),
                "schools_hate_need": str(schools[0]),
                "schools_hate_capacity": str(schools[1]),
            },
        )


@pytest.fixture
def helped(app):
    app.config["MIN_GROUP_SIZE"] = 2
    with app.app_context():
        rounds = Rounds()
        with write_transaction():
            db.session.get(Campaign, rounds.first.id).opens_at = datetime(2023, 2, 6)
            db.session.get(Campaign, rounds.second.id).opens_at = datetime(2026, 2, 2)
        for town, answers in ANSWERS.items():
            _answer(rounds, rounds.first, town, *answers["a"])
            _answer(rounds, rounds.second, town, *answers["b"])
        for town, domains in SUPPORT.items():
            make_engagement(town, "training", date(2024, 6, 1), "done", domains, ())
        # None of these count: planned, before round A, after round B opened.
        make_engagement("me-danilovgrad", "workshop", date(2024, 6, 1), "planned", ("youth",), ())
        make_engagement("mk-ohrid", "workshop", date(2022, 12, 1), "done", ("youth",), ())
        make_engagement("mk-ohrid", "workshop", date(2026, 2, 2), "done", ("schools",), ())
        yield rounds


def _interval(values: list[float]) -> tuple[float, float]:
    mean = statistics.mean(values)
    margin = t_quantile(len(values) - 1) * statistics.stdev(values) / math.sqrt(len(values))
    return mean - margin, mean + margin


def _row(area, domain):
    return next(row for row in area.rows if row.domain == domain)


def test_supported_domains_beside_unsupported_ones_and_unsupported_municipalities(helped):
    effect = support_effect(helped.series_id)
    assert (effect.first.id, effect.last.id) == (helped.first.id, helped.second.id)
    assert effect.engagements == 4 and effect.supported_municipalities == 4
    assert effect.region.municipalities == 6

    youth = _row(effect.region, "youth").figures
    assert youth["supported"].municipalities == 3
    assert youth["supported"].change.value == pytest.approx(-2)
    low, high = _interval([-3, -2, -1])
    assert (youth["supported"].change.low, youth["supported"].change.high) == pytest.approx(
        (low, high)
    )
    # Three municipalities: even -2 on average is within the noise (t with 2 df is 4.3).
    assert youth["supported"].change.within_noise
    # Kumanovo alone was helped elsewhere: one municipality, under the minimum of two.
    assert youth["elsewhere"].status == "too_few" and youth["elsewhere"].change is None
    assert youth["elsewhere"].municipalities == 1
    assert youth["unsupported"].change.value == pytest.approx(0.5)  # Ohrid 0, Danilovgrad +1
    assert youth["unsupported"].municipalities == 2

    schools = _row(effect.region, "schools").figures
    assert schools["supported"].status == "too_few"  # Kumanovo only
    assert schools["elsewhere"].change.value == pytest.approx(1 / 3)  # Čair 0, Bitola +1, Elbasan 0
    low, high = _interval([0, 1, 0])
    assert schools["elsewhere"].change.low == pytest.approx(low)
    assert schools["elsewhere"].change.within_noise

    # All domains: one value per municipality and group.
    every = _row(effect.region, None).figures
    assert every["supported"].municipalities == 4
    assert every["supported"].change.value == pytest.approx(statistics.mean([-3, -2, -1, -2]))
    low, high = _interval([-3, -2, -1, -2])
    assert every["supported"].change.high == pytest.approx(high)
    assert every["elsewhere"].change.value == pytest.approx(statistics.mean([0, 1, 0, 0]))
    assert every["unsupported"].change.value == pytest.approx(0.5)  # each 0.5
    assert every["unsupported"].municipalities == 2


def test_per_country_figures_rest_on_that_countrys_municipalities(helped):
    effect = support_effect(helped.series_id)
    assert [a.scope.code for a in effect.countries] == ["AL", "ME", "MK"]
    north_macedonia = effect.area(Scope.country("MK"))
    assert north_macedonia.municipalities == 4
    youth = _row(north_macedonia, "youth").figures
    assert youth["supported"].change.value == pytest.approx(-2.5)  # Čair -3, Bitola -2
    assert youth["supported"].municipalities == 2
    assert youth["unsupported"].status == "too_few"  # Ohrid alone
    albania = effect.area(Scope.country("AL"))
    assert all(f.status != "shown" for row in albania.rows for f in row.figures.values())


def test_a_municipality_hidden_in_a_round_does_not_count(app, helped):
    # Two Serbian towns, supported in youth, answer round B with one respondent each:
    # hidden groups there, so their changes are left out.
    for town in ("rs-ada", "rs-alibunar"):
        _answer(helped, helped.first, town, (5, 1), (3, 3))
        _answer(helped, helped.second, town, (1, 5), (3, 3), people=1)
        make_engagement(town, "training", date(2024, 6, 1), "done", ("youth",), ())
    effect = support_effect(helped.series_id)
    assert effect.hidden_municipalities == 2
    assert effect.region.municipalities == 6
    assert _row(effect.region, "youth").figures["supported"].municipalities == 3
    assert _row(effect.region, "youth").figures["supported"].change.value == pytest.approx(-2)
    assert "RS" not in [a.scope.code for a in effect.countries]


def test_a_higher_minimum_hides_figures_on_too_few_municipalities(app, helped):
    app.config["MIN_GROUP_SIZE"] = 4
    effect = support_effect(helped.series_id)
    # Two respondents a municipality: every group is now hidden; nothing counts.
    assert effect.region.municipalities == 0
    assert all(f.status == "none" for row in effect.region.rows for f in row.figures.values())


def test_a_role_filter_and_the_rounds_asked_for(helped):
    assert support_effect(helped.series_id, role="councillor").region.municipalities == 0
    mayors = support_effect(helped.series_id, role="mayor")
    assert _row(mayors.region, "youth").figures["supported"].change.value == pytest.approx(-2)
    # Everyone is a mayor: all roles (read from the per-domain sums) and mayors (from the
    # per-item counts) give the same figures.
    everyone = support_effect(helped.series_id)
    for mine, theirs in zip(mayors.region.rows, everyone.region.rows, strict=True):
        for group in ("supported", "elsewhere", "unsupported"):
            a, b = mine.figures[group], theirs.figures[group]
            assert (a.status, a.municipalities) == (b.status, b.municipalities)
            assert (a.change and a.change.value) == pytest.approx(b.change and b.change.value)
    # The rounds in either order; a round not in the series, or the same twice, refused.
    flipped = support_effect(helped.series_id, helped.second.id, helped.first.id)
    assert flipped.first.id == helped.first.id
    for first, last in ((helped.first.id, helped.first.id), (helped.first.id, 999_999), (-1, None)):
        with pytest.raises(RoundsRefused):
            support_effect(helped.series_id, first, last)
    with pytest.raises(ValueError):
        support_effect(helped.series_id, role="nobody")


# --- the page -----------------------------------------------------------------------------

FOOTNOTE = "they do not prove that the hub's support caused it"


def test_the_page_sets_the_figures_side_by_side_with_a_chart_and_a_footnote(client, staff, helped):
    staff("analyst")
    html = client.get(f"/en/staff/rounds/{helped.series_id}/support").get_data(as_text=True)
    assert "What changed where the hub helped" in html
    assert "City needs 2023" in html and "City needs 2026" in html
    assert '<svg viewBox="0 0' in html and 'role="img"' in html and "<desc" in html
    assert "4 engagements done between the two rounds count" in html
    # The region's youth row: -2.0 over three municipalities, within the noise.
    youth = html.split('<th scope="row">Youth', 1)[1].split("</tr>", 1)[0]
    assert "-2.0" in youth and "3 municipalities" in youth and "within the noise" in youth
    assert "not shown: 1 municipality, fewer than 2" in youth
    assert "over those changes (one value per municipality)" in html  # the method note
    assert FOOTNOTE in html
    # Per country, each linking to its own view.
    assert f"/en/staff/rounds/{helped.series_id}/support?a=" in html and "area=MK" in html
    north_macedonia = client.get(f"/en/staff/rounds/{helped.series_id}/support?area=MK")
    assert "-2.5" in north_macedonia.get_data(as_text=True)
    printed = client.get(f"/en/staff/rounds/{helped.series_id}/support?print=1")
    assert 'media="all"' in printed.get_data(as_text=True)  # the print version: A4 styles


@pytest.mark.parametrize("lang", ["sq", "bs", "mk", "sr", "cnr", "hr"])
def test_the_footnote_says_it_is_no_proof_in_every_language(client, staff, helped, lang):
    staff("analyst")
    html = client.get(f"/{lang}/staff/rounds/{helped.series_id}/support").get_data(as_text=True)
    footnote = html.split('class="footnote"', 1)[1].split("</p>", 1)[0]
    assert FOOTNOTE not in footnote and len(footnote) > 80


def test_bad_rounds_areas_and_roles_are_said_plainly(client, staff, helped):
    staff("analyst")
    page = f"/en/staff/rounds/{helped.series_id}/support"
    other = Campaign(name="Not a round", version_id=helped.first.version_id)
    with write_transaction():
        db.session.add(other)
    for query, message in (
        (f"?a={helped.first.id}&b={helped.first.id}", "two different rounds of this series"),
        (f"?a={other.id}", "two different rounds of this series"),
        ("?a=99999999999999999999", "two different rounds of this series"),
        ("?b=abc", "two different rounds of this series"),
        ("?role=nobody", "one of the roles in the list"),
        ("?area=XX", "the region or one of the countries"),
    ):
        reply = client.get(page + query)
        assert reply.status_code == 400, query
        assert message in reply.get_data(as_text=True), query
    assert client.get("/en/staff/rounds/999999/support").status_code == 404
    assert client.get("/en/staff/rounds/99999999999999999999/support").status_code == 404


def test_a_series_of_one_round_says_there_is_no_change_yet(app, client, staff):
    from sqlalchemy import select

    from surveyapp.rounds import series

    with app.app_context():
        campaign_id = db.session.scalar(select(Campaign.id))
        series_id = series.create_series("City needs")
        series.add_round(series_id, campaign_id)
    staff("admin")
    reply = client.get(f"/en/staff/rounds/{series_id}/support")
    assert reply.status_code == 200
    assert "fewer than two rounds" in reply.get_data(as_text=True)


def test_the_page_is_linked_from_the_series_the_change_and_the_engagement_log(
    client, staff, helped
):
    staff("analyst")
    link = f"/en/staff/rounds/{helped.series_id}/support"
    for page in (
        f"/en/staff/rounds/{helped.series_id}",
        f"/en/staff/rounds/{helped.series_id}/change",
        "/en/staff/engagements",
    ):
        assert f'href="{link}' in client.get(page).get_data(as_text=True), page


# --- the municipality's timeline, by series -----------------------------------------------


def _around(html: str, engagement_id: int) -> list[list[str]]:
    import re

    table = html.split(f'id="around-{engagement_id}"', 1)[1].split("</table>", 1)[0]
    rows = re.findall(r"<tr>(.*?)</tr>", table, re.S)
    return [
        [
            re.sub(r"<[^>]+>|\s+", " ", cell).strip()
            for cell in re.findall(r"<t[hd][^>]*>(.*?)</t[hd]>", row, re.S)
        ]
        for row in rows
    ]


def test_the_timeline_shows_the_series_rounds_and_gaps_before_and_after_each_engagement(
    client, staff, helped
):
    later = make_engagement("mk-cair", "workshop", date(2026, 5, 1), "done", ("youth",), ())
    staff("analyst")
    html = client.get("/en/staff/municipalities/mk-cair").get_data(as_text=True)
    assert "Rounds of the series City needs" in html
    wide = html.split("<svg", 1)[1].split("</svg>", 1)[0]
    assert wide.count('class="mark round"') == 2
    first = db.session.scalar(
        select(Engagement.id).where(
            Engagement.municipality.has(code="mk-cair"), Engagement.held_on == date(2024, 6, 1)
        )
    )
    rows = _around(html, first)
    assert rows[0] == ["Domain", "Before: City needs 2023", "After: City needs 2026"]
    assert (
        rows[1][0].startswith("Youth")
        and rows[1][1].startswith("+3.0")
        and rows[1][2].startswith("0.0")
    )
    # After the last round: said plainly.
    assert "No round after this engagement yet" in html
    assert _around(html, later)[0][2] == "No round after yet"


def test_a_municipality_with_one_round_of_the_series_says_so_and_hidden_rounds_show_nothing(
    client, staff, helped
):
    _answer(helped, helped.first, "mk-struga", (5, 1), (3, 3))
    _answer(helped, helped.second, "mk-tetovo", (5, 1), (3, 3), people=1)
    _answer(helped, helped.second, "mk-veles", (5, 1), (3, 3), people=1)
    _answer(helped, helped.first, "mk-tetovo", (5, 1), (3, 3))
    engagement = make_engagement("mk-tetovo", "training", date(2024, 6, 1), "done", ("youth",), ())
    staff("analyst")
    html = client.get("/en/staff/municipalities/mk-struga").get_data(as_text=True)
    assert "answered only one round of this series, so there is no change to show yet" in html
    assert "Not answered by this municipality." in html
    assert 'class="mark unanswered"' in html
    tetovo = client.get("/en/staff/municipalities/mk-tetovo").get_data(as_text=True)
    rows = _around(tetovo, engagement)
    assert rows[1][1].startswith("+4.0") and rows[1][2] == "hidden (small group)"


def test_a_series_the_municipality_did_not_answer_is_refused_plainly(client, staff, helped):
    staff("analyst")
    for raw in ("abc", "999999", "99999999999999999999"):
        reply = client.get(f"/en/staff/municipalities/mk-cair?series={raw}")
        assert reply.status_code == 400
        assert "Please choose one of the series" in reply.get_data(as_text=True)
    ok = client.get(f"/en/staff/municipalities/mk-cair?series={helped.series_id}")
    assert ok.status_code == 200


def test_the_demo_rounds_show_supported_domains_improving_more(app):
    from surveyapp.demo.rounds import seed_demo_rounds

    with app.app_context():
        series_id = seed_demo_rounds(500, 2, seed=3)
        effect = support_effect(series_id)
        assert effect.engagements > 10
        every = effect.region.rows[0].figures
        assert all(every[group].status == "shown" for group in ("supported", "elsewhere"))
        # The gap narrows where the hub helped, clearly more than elsewhere.
        assert every["supported"].change.high < every["elsewhere"].change.low
