"""Free-text answers of a needs profile: paged, filtered, and never from a hidden group.

Was: the profile listed the newest 50 answers of each question at once (2,000 with
the demo data's three questions), no filter, and the answers of a municipality
whose group is hidden were listed in its country's and the region's profile
without its name, where a filter by country would narrow them down (issue #14).
"""

from __future__ import annotations

import itertools
import re
from datetime import datetime, timedelta

import pytest
from sqlalchemy import select

from surveyapp.campaigns.tokens import new_token
from surveyapp.extensions import db
from surveyapp.models import (
    ROLES,
    Answer,
    AuditEvent,
    Campaign,
    Domain,
    Invitation,
    Municipality,
    Question,
    Questionnaire,
    Response,
)
from surveyapp.profiles.disclosure import disclosure_for
from surveyapp.profiles.free_text import TextFilter, free_text_page, parse_text_filter
from surveyapp.profiles.results import Scope
from surveyapp.questionnaires.question_types import TYPES

#: (municipality, role, respondents). North Macedonia: Bitola's two mayors are a
#: small group, and Ohrid is hidden with it (rule 2); Čair and Kumanovo are shown.
#: Albania is Tirana alone.
GROUPS = [
    ("mk-cair", "councillor", 6),
    ("mk-bitola", "mayor", 2),
    ("mk-ohrid", "municipal_staff", 5),
    ("mk-kumanovo", "councillor", 7),
    ("al-tirane", "councillor", 8),
]
SHOWN = {"mk-cair": 6, "mk-kumanovo": 7, "al-tirane": 8}


class Answers:
    """Submitted responses of the demo campaign, answers written as the types store them."""

    def __init__(self) -> None:
        questionnaire = db.session.scalar(
            select(Questionnaire).where(Questionnaire.name == "city_needs")
        )
        self.version = questionnaire.versions[-1]
        self.questions = {
            q.name: q
            for q in db.session.scalars(
                select(Question).where(Question.version_id == self.version.id)
            )
        }
        self.campaign = db.session.scalar(select(Campaign).order_by(Campaign.id))
        self.count = 0

    def respond(self, town: str, role: str, lang: str = "en", **answers) -> Response:
        self.count += 1
        town_id = db.session.scalar(select(Municipality.id).where(Municipality.code == town))
        invitation = Invitation(
            token=new_token(), campaign_id=self.campaign.id, municipality_id=town_id, role=role
        )
        response = Response(
            submission_id=new_token()[:36],
            invitation=invitation,
            campaign_id=self.campaign.id,
            version_id=self.version.id,
            municipality_id=town_id,
            role=role,
            status="submitted",
            language=lang,
            consent_language=lang,
            privacy_version=self.version.privacy_version,
            # Later responses are newer: the lists show the newest first.
            submitted_at=datetime(2026, 3, 1, 8) + timedelta(minutes=self.count),
        )
        for name, value in answers.items():
            question = self.questions[name]
            kind = TYPES[question.type]
            choice, number, text = kind.columns(question, value, {})
            response.answers.append(
                Answer(question_id=question.id, choice=choice, number=number, text=text)
            )
        db.session.add(response)
        db.session.commit()
        return response


@pytest.fixture
def answers(app):
    with app.app_context():
        made = Answers()
        for town, role, count in GROUPS:
            for n in range(count):
                made.respond(town, role, top_priority=f"TXT {town} {role} {n}")
        yield made


REGION = Scope.region()


def _page(answers: Answers, scope=REGION, profile_role=None, per_page=5, **chosen):
    """A page of the profile of ``scope`` and ``profile_role``; ``chosen``: the filters."""
    return free_text_page(
        scope,
        answers.campaign.id,
        profile_role,
        TextFilter(**chosen),
        disclosure_for(answers.campaign.id),
        per_page=per_page,
    )


def test_the_answers_come_a_page_at_a_time_with_their_position(answers):
    first = _page(answers)
    assert first.total == sum(SHOWN.values()) == 21
    assert (first.page, first.pages, first.first, first.last) == (1, 5, 1, 5)
    # Newest first: Tirana answered last.
    assert [a.text for a in first.answers[:2]] == [
        "TXT al-tirane councillor 7",
        "TXT al-tirane councillor 6",
    ]
    last = _page(answers, page=5)
    assert (last.page, last.first, last.last, len(last.answers)) == (5, 21, 21, 1)
    # A page past the last shows the last.
    assert _page(answers, page=99).page == 5
    every = [a.text for n in range(1, 6) for a in _page(answers, page=n).answers]
    assert len(every) == len(set(every)) == 21


def test_no_answer_of_a_hidden_municipality_is_listed_anywhere(answers):
    disclosure = disclosure_for(answers.campaign.id)
    for town in ("mk-bitola", "mk-ohrid"):
        assert disclosure.status(Scope.municipality(town)) == "suppressed"
    assert disclosure.shown(Scope.country("MK"))
    profiles = [
        (scope, role) for scope in (Scope.region(), Scope.country("MK")) for role in (None, *ROLES)
    ]
    filters = [{}, {"country": "MK"}, {"municipality": "mk-cair"}, {"municipality": "mk-ohrid"}]
    filters += [{"role": role} for role in ROLES]
    for (scope, role), chosen in itertools.product(profiles, filters):
        page = _page(answers, scope, role, per_page=100, **chosen)
        who = role or chosen.get("role")
        for answer in page.answers:
            assert "bitola" not in answer.text and "ohrid" not in answer.text, (scope, chosen)
            assert disclosure.shown(Scope.municipality(answer.municipality_code), who)
    # North Macedonia's list is Čair's and Kumanovo's: filtering by country adds nothing.
    mk = _page(answers, Scope.country("MK"), per_page=100)
    assert mk.total == 13
    assert {a.municipality_code for a in mk.answers} == {"mk-cair", "mk-kumanovo"}
    assert _page(answers, country="MK", per_page=100).total == 13


def test_a_filter_to_a_hidden_group_lists_nothing_and_says_why(answers):
    assert _page(answers, municipality="mk-bitola").hidden == "filter"
    assert _page(answers, role="mayor").hidden == "filter"  # Bitola's two mayors
    assert _page(answers, Scope.municipality("mk-ohrid")).hidden == "group"
    shown = _page(answers, municipality="mk-cair")
    assert shown.hidden is None and shown.total == 6
    # Bosnia and Herzegovina's six councillors are shown as a country, but each of
    # its two municipalities is too small: none of their answers can be listed.
    for town in ("ba-banja-luka", "ba-banovici"):
        for n in range(3):
            answers.respond(town, "councillor", top_priority=f"TXT {town} {n}")
    assert disclosure_for(answers.campaign.id).shown(Scope.country("BA"))
    assert _page(answers, country="BA").hidden == "towns"
    assert _page(answers, Scope.country("BA")).hidden == "towns"
    assert all("ba-" not in a.text for a in _page(answers, per_page=100).answers)


def test_filters_narrow_by_question_country_municipality_and_role(answers):
    with_comment = answers.respond("mk-cair", "councillor", comments="A comment")
    assert with_comment.id
    assert _page(answers, question="comments").total == 1
    assert _page(answers, question="top_priority").total == 21
    assert _page(answers).total == 22
    assert _page(answers, country="AL").total == 8
    assert _page(answers, municipality="mk-kumanovo").total == 7
    assert _page(answers, role="councillor").total == 22
    # Counts per question, under the other filters, for the question list.
    assert dict(_page(answers, country="AL").choices.questions) == {
        "top_priority": 8,
        "good_practice": 0,
        "comments": 0,
    }


def test_the_filters_offer_what_the_profile_allows(answers):
    region = _page(answers)
    assert region.choices.countries == ["AL", "MK"]  # in display order
    assert region.choices.municipalities == {
        "AL": ["al-tirane"],
        "MK": ["mk-cair", "mk-kumanovo"],
    }
    assert region.choices.roles
    assert region.choices.domains == []  # no text question of the built-in form has one
    country = _page(answers, Scope.country("MK"))
    assert country.choices.countries == [] and list(country.choices.municipalities) == ["MK"]
    town = _page(answers, Scope.municipality("mk-cair"), "councillor")
    assert town.choices.municipalities == {} and not town.choices.roles


def test_a_domain_filter_lists_the_text_questions_of_the_domain(app, answers):
    youth = db.session.scalar(select(Domain).where(Domain.code == "youth"))
    answers.questions["good_practice"].domain_id = youth.id
    db.session.commit()
    answers.respond("al-tirane", "councillor", good_practice="Youth council")
    page = _page(answers, domain="youth")
    assert page.choices.domains == ["youth"]
    assert [name for name, _count in page.choices.questions] == ["good_practice"]
    assert [a.text for a in page.answers] == ["Youth council"]
    # A question outside the domain chosen is left out, and said so.
    mixed = _page(answers, domain="youth", question="top_priority")
    assert mixed.chosen.ignored == ["question"] and mixed.total == 1


def test_filters_that_do_not_fit_are_left_out_and_named(answers):
    page = _page(
        answers,
        Scope.country("MK"),
        "councillor",
        role="mayor",
        question="nope",
        domain="nope",
        country="AL",
        municipality="al-tirane",
    )
    assert sorted(page.chosen.ignored) == ["country", "domain", "municipality", "question", "role"]
    assert page.total == 13  # North Macedonia's councillors: Čair and Kumanovo
    parsed = parse_text_filter(
        {"text_page": "-3", "text_question": "x" * 500, "text_role": "a\x00"}
    )
    assert parsed.page == 1 and sorted(parsed.ignored) == ["page", "question", "role"]


# --- the page ---------------------------------------------------------------------


def _text(html: str) -> str:
    return re.sub(r"\s+", " ", re.sub(r"<[^>]+>", " ", html))


def test_the_profile_pages_its_free_text_and_the_links_keep_the_filters(app, staff, answers):
    analyst = staff("analyst")
    base = f"/bs/staff/campaigns/{answers.campaign.id}/profile"
    html = analyst.client.get(f"{base}?role=councillor").get_data(as_text=True)
    assert "1–20 od 21" in _text(html)
    links = re.findall(r'href="([^"]*text_page=2[^"]*)"', html)
    assert links and all("role=councillor" in link for link in links)
    assert all(link.endswith("#free-text") for link in links)
    second = analyst.client.get(links[0].replace("&amp;", "&")).get_data(as_text=True)
    assert "21–21 od 21" in _text(second)
    assert "TXT mk-cair councillor 0" in second  # the oldest, on the last page
    filtered = analyst.client.get(f"{base}?text_country=AL&text_page=1").get_data(as_text=True)
    assert "TXT al-tirane" in filtered and "TXT mk-" not in filtered
    assert 'value="AL" selected' in filtered


def test_a_hidden_filter_and_unknown_filters_are_explained_in_the_readers_language(
    app, staff, answers
):
    analyst = staff("analyst")
    base = f"/mk/staff/campaigns/{answers.campaign.id}/profile"
    hidden = analyst.client.get(f"{base}?text_municipality=mk-bitola")
    assert hidden.status_code == 200
    assert "TXT" not in hidden.get_data(as_text=True)
    odd = analyst.client.get(f"{base}?text_country=ZZ&text_page=abc")
    assert odd.status_code == 200
    page = odd.get_data(as_text=True)
    assert "TXT al-tirane" in page  # the rest of the page as without them


def test_reading_free_text_is_recorded_with_the_filters_and_page(app, staff, answers):
    analyst = staff("analyst")
    base = f"/en/staff/campaigns/{answers.campaign.id}/profile"
    analyst.client.get(f"{base}?text_country=AL")
    analyst.client.get(f"{base}?text_municipality=mk-bitola")  # nothing listed: no record
    analyst.client.get(f"{base}?text_page=2")
    events = db.session.scalars(
        select(AuditEvent).where(AuditEvent.action == "profile_viewed").order_by(AuditEvent.id)
    )
    assert [{k: v for k, v in e.details.items() if k.startswith("text_")} for e in events] == [
        {"text_country": "AL"},
        {"text_page": "2"},
    ]


@pytest.mark.parametrize(("per_page", "pages"), [(1, 21), (7, 3), (21, 1), (50, 1)])
def test_pages_cover_every_answer_once(answers, per_page, pages):
    seen = list(
        itertools.chain.from_iterable(
            [a.text for a in _page(answers, per_page=per_page, page=n).answers]
            for n in range(1, pages + 1)
        )
    )
    assert _page(answers, per_page=per_page).pages == pages
    assert len(seen) == len(set(seen)) == 21
