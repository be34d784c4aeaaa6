"""Cascading selects (XLSForm ``choice_filter``) on the respondent's pages: a select
lists only the choices that fit the answers given so far, an answer that does not fit
is refused with a message (a tampered form, or an earlier answer changed since), and a
filter that reads an answer on its own page is applied by the page's script and, without
it, when the page is sent."""

from __future__ import annotations

import json
import re

import pytest
from sqlalchemy import select

from surveyapp.extensions import db
from surveyapp.models import Answer, Question, Response
from surveyapp.questionnaires import choice_filters
from surveyapp.questionnaires.live_rules import page_rules
from surveyapp.questionnaires.texts import load_texts
from surveyapp.questionnaires.versions import load_version
from tests.cascade_support import IN, cascade_campaign, cascade_invitation
from tests.conftest import Respondent

REFUSED = {
    "en": "This option does not fit your earlier answers. Please choose one of the options shown.",
    "bs": "Ova opcija nije u skladu s Vašim ranijim odgovorima. "
    "Odaberite jednu od ponuđenih opcija.",
    "mk": "Оваа опција не одговара на Вашите претходни одговори. "
    "Ве молиме изберете една од понудените опции.",
}


@pytest.fixture
def cascade(app, client):
    campaign_id, version_id = cascade_campaign(app)

    def make(lang: str = "en") -> Respondent:
        person = Respondent(client, cascade_invitation(app, campaign_id, lang), lang)
        person.consent()
        return person

    make.version_id = version_id
    return make


def options(html: str, name: str, *, visible_only: bool = True) -> list[str]:
    """The values of a question's options as the page lists them (hidden ones left out)."""
    found = re.findall(rf'<li( hidden)?><input [^>]*name="{name}" type="\w+" value="([^"]*)"', html)
    return [value for hidden, value in found if not (visible_only and hidden)]


def stored(app, name: str) -> list[str | None]:
    with app.app_context():
        rows = db.session.execute(
            select(Answer.choice)
            .join(Question, Question.id == Answer.question_id)
            .where(Question.name == name)
        )
        return [choice for (choice,) in rows]


@pytest.mark.parametrize("country", sorted(IN))
def test_the_page_lists_only_the_municipalities_of_the_chosen_country(cascade, country):
    person = cascade()
    assert person.answer_page(1, {"country": country}).status_code == 303
    html = person.get("/p/2").get_data(as_text=True)
    # "Centar" is in both countries (two rows of one name): shown once, for either.
    assert options(html, "municipality") == IN[country]


def test_a_municipality_of_another_country_is_refused_and_nothing_is_saved(app, cascade):
    for lang in ("en", "bs", "mk"):
        person = cascade(lang)
        person.answer_page(1, {"country": "mk"})
        sent = person.answer_page(2, {"municipality": "novi_grad"})
        assert sent.status_code == 303 and sent.location.endswith("/p/2")
        html = person.get("/p/2").get_data(as_text=True)
        assert REFUSED[lang] in html
        assert options(html, "municipality") == IN["mk"]
        assert 'checked id="municipality' not in html
    assert stored(app, "municipality") == []


def test_the_same_name_in_two_countries_is_accepted_for_either(app, cascade):
    for country in ("ba", "mk"):
        person = cascade()
        person.answer_page(1, {"country": country})
        sent = person.answer_page(2, {"municipality": "centar"})
        assert sent.status_code == 303 and sent.location.endswith("/p/3")
    assert stored(app, "municipality") == ["centar", "centar"]


def test_every_row_of_a_name_counts_not_only_the_first(app, cascade):
    with app.app_context():
        version = load_version(cascade.version_id)
        municipality = next(q for q in version.pages[1].questions if q.name == "municipality")
        # The first "centar" row is Skopje's; Sarajevo's (the second) lets it in too.
        allowed = choice_filters.allowed_values(municipality, {"country": "ba"})
        assert allowed == {"novi_grad": 3, "centar": 4, "ilidza": 5}
        assert choice_filters.allowed_values(municipality, {"country": None}) == {}
        assert choice_filters.refused(municipality, "cair", {"country": "ba"})
        assert not choice_filters.refused(municipality, None, {"country": "ba"})


def test_changing_the_country_afterwards_sends_the_respondent_back_to_the_municipality(
    app, cascade
):
    person = cascade("bs")
    person.answer_page(1, {"country": "mk"})
    person.answer_page(2, {"municipality": "cair"})
    person.answer_page(3, {})
    person.answer_page(4, {"entries": "1"})
    assert stored(app, "municipality") == ["cair"]
    person.answer_page(1, {"country": "ba"})
    review = person.get("/review").get_data(as_text=True)
    assert "/p/2?check=1" in review and "disabled" in review
    sent = person.submit()
    assert sent.status_code == 303 and "/p/2" in sent.location and "check=1" in sent.location
    with app.app_context():
        assert db.session.scalar(select(Response.status)) == "in_progress"
    html = person.get("/p/2?check=1").get_data(as_text=True)
    assert REFUSED["bs"] in html
    assert options(html, "municipality") == IN["ba"]
    # The answer given before stays stored until it is replaced: nothing typed is lost.
    assert stored(app, "municipality") == ["cair"]
    person.answer_page(2, {"municipality": "ilidza"})
    assert "/thanks" in person.submit().location
    assert stored(app, "municipality") == ["ilidza"]


def test_a_filter_on_the_same_page_without_the_script(app, cascade):
    person = cascade("mk")
    person.answer_page(1, {"country": "mk"})
    person.answer_page(2, {"municipality": "cair"})
    html = person.get("/p/3").get_data(as_text=True)
    # Every option is on the page for the script (each name once, where its first row
    # is); none fits before a country is chosen.
    assert options(html, "partner", visible_only=False) == [
        "centar", "cair", "kisela_voda", "novi_grad", "ilidza"
    ]  # fmt: skip
    assert options(html, "partner") == []
    sent = person.answer_page(3, {"partner_country": "ba", "partner": "cair"})
    assert sent.location.endswith("/p/3")
    html = person.get("/p/3").get_data(as_text=True)
    assert REFUSED["mk"] in html
    assert options(html, "partner") == ["centar", "novi_grad", "ilidza"]
    assert stored(app, "partner") == []
    sent = person.answer_page(3, {"partner_country": "ba", "partner": "centar"})
    assert sent.location.endswith("/p/4")
    assert stored(app, "partner") == ["centar"]
    html = person.get("/p/3").get_data(as_text=True)
    assert options(html, "partner") == ["centar", "novi_grad", "ilidza"]
    assert 'checked id="partner-0"' in html


def test_the_page_script_gets_the_filter_and_the_rows(app, cascade):
    with app.app_context():
        version = load_version(cascade.version_id)
        made = page_rules(version, version.pages[2], load_texts(version.id, "mk"))
        partner = next(q for q in made["qs"] if q["n"] == "partner")
        assert partner["cf"] == ["c", ["@", "country"], "=", ["$", "partner_country"]]
        assert partner["rows"][:2] == [["centar", {"country": "mk"}], ["cair", {"country": "mk"}]]
        assert len(partner["rows"]) == 6
        # A filter that reads an earlier page is applied by the server: nothing to send.
        made = page_rules(version, version.pages[1], load_texts(version.id, "mk"))
        assert "cf" not in made["qs"][0]
    person = cascade("mk")
    person.answer_page(1, {"country": "mk"})
    html = person.get("/p/3").get_data(as_text=True)
    data = re.search(r'id="live-rules">(.*?)</script>', html, re.S)
    assert data and json.loads(data.group(1))["qs"][1]["cf"]


def test_in_a_repeat_each_entry_filters_by_its_own_answers(app, cascade):
    person = cascade("mk")
    person.answer_page(1, {"country": "mk"})
    person.answer_page(2, {"municipality": "cair"})
    person.answer_page(3, {})
    html = person.get("/p/4").get_data(as_text=True)
    assert options(html, "e1-visited") == []
    # Entry 1 in Bosnia and Herzegovina, entry 2 in North Macedonia: each its own list.
    sent = person.answer_page(
        4, {"entries": "1", "e1-visit_country": "ba", "e1-visited": "ilidza"}, action="add"
    )
    assert sent.location.endswith("/p/4")
    sent = person.answer_page(
        4,
        {"entries": "2", "e1-visit_country": "ba", "e1-visited": "ilidza",
         "e2-visit_country": "mk", "e2-visited": "novi_grad"},
    )  # fmt: skip
    assert sent.location.endswith("/p/4"), "Novi Grad is not in North Macedonia"
    html = person.get("/p/4").get_data(as_text=True)
    assert REFUSED["mk"] in html
    assert options(html, "e1-visited") == ["centar", "novi_grad", "ilidza"]
    assert options(html, "e2-visited") == ["centar", "cair", "kisela_voda"]
    assert stored(app, "visited") == ["ilidza"]
    sent = person.answer_page(
        4,
        {"entries": "2", "e1-visit_country": "ba", "e1-visited": "ilidza",
         "e2-visit_country": "mk", "e2-visited": "kisela_voda"},
    )  # fmt: skip
    assert "/review" in sent.location
    assert sorted(stored(app, "visited")) == ["ilidza", "kisela_voda"]
    # The country of an entry changed afterwards (by a form sent again): caught at review.
    with app.app_context():
        answer = db.session.scalar(
            select(Answer)
            .join(Question, Question.id == Answer.question_id)
            .where(Question.name == "visit_country", Answer.choice == "mk")
        )
        answer.choice = "ba"
        db.session.commit()
    sent = person.submit()
    assert "/p/4" in sent.location and "check=1" in sent.location


def test_the_editors_preview_narrows_the_choices_too(app, cascade):
    from werkzeug.datastructures import MultiDict

    from surveyapp.responses import preview

    with app.app_context(), app.test_request_context():
        version = load_version(cascade.version_id)
        state = preview.send(version, "en", 1, MultiDict({"country": "ba", "action": "next"}))
        assert state.number == 2
        shown = [c.value for c in state.form["municipality"].choices]
        assert shown == IN["ba"]


def test_without_the_script_a_changed_country_shows_the_page_again_once(app, cascade):
    person = cascade("bs")
    person.answer_page(1, {"country": "mk"})
    person.answer_page(2, {"municipality": "cair"})
    html = person.get("/p/3").get_data(as_text=True)
    shown = re.search(r'name="partner-shown" value="([^"]*)"', html)
    assert shown and shown.group(1) == ""
    # The country chosen, the partner left for the list to fill: the page comes back.
    sent = person.post("/p/3", {"partner_country": "ba", "partner-shown": "", "action": "next"})
    assert sent.location.endswith("/p/3")
    html = person.get("/p/3").get_data(as_text=True)
    assert options(html, "partner") == ["centar", "novi_grad", "ilidza"]
    assert re.search(r'name="partner-shown" value="centar novi_grad ilidza"', html)
    # Left unanswered with the list in view: on to the review, no loop.
    sent = person.post(
        "/p/3",
        {"partner_country": "ba", "partner-shown": "centar novi_grad ilidza", "action": "next"},
    )
    assert sent.location.endswith("/p/4")
