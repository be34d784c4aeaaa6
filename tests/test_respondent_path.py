"""The whole path of a respondent, through the test client, in every language."""

from __future__ import annotations

import re

import pytest
from sqlalchemy import func, select

from surveyapp.extensions import db
from surveyapp.languages.registry import LANGUAGES
from surveyapp.models import AnswerSelection, Invitation, Question, Response
from surveyapp.responses.reads import saved_answers
from tests.conftest import Respondent
from tests.plans import answer_plan, builtin_version

ALL_LANGUAGES = list(LANGUAGES)


def _stored(app, token: str) -> tuple[Response, dict[str, object]]:
    with app.app_context():
        invitation = db.session.scalar(select(Invitation).where(Invitation.token == token))
        response = db.session.scalar(
            select(Response).where(Response.invitation_id == invitation.id)
        )
        names = dict(db.session.execute(select(Question.id, Question.name)).all())
        answers = {names[qid]: value for qid, value in saved_answers(response).items()}
        db.session.expunge(response)
        return response, answers


def _other_language(lang: str) -> str:
    return "mk" if lang != "mk" else "cnr"


@pytest.mark.parametrize("lang", ALL_LANGUAGES)
def test_a_respondent_answers_switches_language_resumes_and_submits(
    app, client, make_invitation, lang
):
    token = make_invitation(municipality="me-podgorica", role="councillor", language=lang)
    with app.app_context():
        plans = answer_plan(builtin_version(), variant=ALL_LANGUAGES.index(lang))
    person = Respondent(client, token, lang)

    # The invitation link opens in the invitation's language.
    opened = client.get(f"/r/{token}")
    assert opened.status_code == 302
    assert opened.location.endswith(f"/{lang}/r/{token}")
    start = person.get()
    assert f'<html lang="{lang}"' in start.get_data(as_text=True)

    consent = person.consent()
    assert consent.status_code == 303
    assert consent.location.endswith(f"/{lang}/r/{token}/p/1")

    # Page 1 in the first language.
    moved = person.answer_page(1, plans[0].form)
    assert moved.status_code == 303 and moved.location.endswith("/p/2")

    # Page 2: switch language with the answers just typed; nothing is lost.
    other = _other_language(lang)
    switched = person.answer_page(2, plans[1].form, action=f"lang:{other}")
    assert switched.status_code == 303
    assert switched.location.endswith(f"/{other}/r/{token}/p/2")
    page2 = client.get(switched.location).get_data(as_text=True)
    assert f'<html lang="{other}"' in page2

    # Leave, and resume later on another device: the chosen language sticks.
    phone = app.test_client()
    resumed = phone.get(f"/r/{token}")
    assert resumed.location.endswith(f"/{other}/r/{token}")
    landing = phone.get(resumed.location)
    assert landing.status_code == 302 and landing.location.endswith("/p/3")

    person = Respondent(phone, token, other)
    for number, plan in enumerate(plans[2:], start=3):
        moved = person.answer_page(number, plan.form)
        assert moved.status_code == 303, plan.name
    assert moved.location.endswith("/review")

    review = person.get("/review").get_data(as_text=True)
    assert "Not answered" not in review
    submitted = person.submit()
    assert submitted.status_code == 303 and submitted.location.endswith("/thanks")
    assert person.get("/thanks").status_code == 200

    response, answers = _stored(app, token)
    assert response.status == "submitted"
    assert response.language == other and response.consent_language == lang
    expected = {k: v for plan in plans for k, v in plan.expected.items()}
    assert answers == expected

    # The link now shows that the response was received.
    again = phone.get(f"/{other}/r/{token}")
    assert again.status_code == 303 and again.location.endswith("/thanks")


def test_submitting_twice_stores_one_response(app, respondent):
    person = respondent("en")
    person.consent()
    with app.app_context():
        plans = answer_plan(builtin_version())
    person.answer_every_page(plans)
    review = person.get("/review").get_data(as_text=True)
    first = person.post("/submit", {}, review)
    second = person.post("/submit", {}, review)
    assert first.status_code == second.status_code == 303
    assert first.location == second.location
    with app.app_context():
        assert db.session.scalar(select(func.count()).select_from(Response)) == 1
        response = db.session.scalar(select(Response))
        assert response.status == "submitted" and response.submission_id


def test_declining_consent_stores_nothing(app, respondent):
    person = respondent("sq")
    start = person.get().get_data(as_text=True)
    declined = person.post("/consent", {"action": "decline"}, start)
    assert declined.status_code == 303 and declined.location.endswith("/declined")
    assert person.get("/declined").status_code == 200
    with app.app_context():
        assert db.session.scalar(select(func.count()).select_from(Response)) == 0


def test_consent_records_time_notice_version_and_language(app, respondent):
    person = respondent("cnr")
    person.consent()
    with app.app_context():
        response = db.session.scalar(select(Response))
        assert response.consent_language == "cnr"
        assert response.privacy_version == builtin_version().privacy_version
        assert response.consented_at is not None


def test_pages_need_consent_first(respondent):
    person = respondent("bs")
    page = person.get("/p/1")
    assert page.status_code == 302 and page.location.endswith(person.url())


def test_invalid_input_is_kept_and_explained_next_to_the_field(app, respondent):
    person = respondent("en")
    person.consent()
    with app.app_context():
        version = builtin_version()
        plans = answer_plan(version)
        number_q = next(
            (n, q)
            for n, p in enumerate(version.pages, 1)
            for q in p.questions
            if q.type == "number"
        )
    page_number, question = number_q
    form = dict(plans[page_number - 1].form, **{question.name: "twelve"})
    moved = person.answer_page(page_number, form)
    assert moved.status_code == 303 and moved.location.endswith(f"/p/{page_number}")

    # Another device resumes: the page still holds what was typed, with the error.
    html = person.get(f"/p/{page_number}").get_data(as_text=True)
    assert 'value="twelve"' in html
    assert 'class="error-summary"' in html
    assert f'id="{question.name}-error"' in html
    assert f'aria-describedby="{question.name}-error"' in html or f'{question.name}-error"' in html
    # The review page refuses to submit until it is corrected.
    review = person.get("/review").get_data(as_text=True)
    assert "disabled" in review
    assert person.submit().location.endswith(f"/p/{page_number}?check=1")


def test_required_questions_are_flagged_when_moving_on(respondent):
    person = respondent("en")
    person.consent()
    moved = person.answer_page(2, {})
    assert moved.status_code == 303 and moved.location.endswith("/p/2?check=1")
    html = person.get("/p/2?check=1").get_data(as_text=True)
    assert "Please answer this question." in html
    assert 'aria-invalid="true"' in html


def test_going_back_or_saving_for_later_keeps_a_half_filled_page(app, respondent):
    person = respondent("en")
    person.consent()
    with app.app_context():
        plans = answer_plan(builtin_version())
    first_name, first_value = next(iter(plans[1].form.items()))
    back = person.answer_page(2, {first_name: first_value}, action="back")
    assert back.status_code == 303 and back.location.endswith("/p/1")
    later = person.answer_page(2, {first_name: first_value}, action="later")
    assert later.status_code == 303 and later.location.endswith("/saved")
    saved_page = person.get("/saved").get_data(as_text=True)
    assert f"/r/{person.token}" in saved_page
    _response, answers = _stored(app, person.token)
    assert answers[first_name] == plans[1].expected[first_name]


def test_an_expired_form_token_returns_the_filled_in_page(app, respondent):
    person = respondent("mk")
    person.consent()
    with app.app_context():
        plans = answer_plan(builtin_version())
    stale = person.client.post(
        person.url("/p/1"), data={**plans[0].form, "action": "next", "csrf_token": "expired"}
    )
    assert stale.status_code == 200
    html = stale.get_data(as_text=True)
    assert 'class="notice"' in html
    # What was typed is on the page, with a fresh token to send it again.
    typed = [v for v in plans[0].form.values() if isinstance(v, str) and v[:1].isdigit()]
    assert typed
    for value in typed:
        assert f'value="{value}"' in html
    retry = person.post("/p/1", {**plans[0].form, "action": "next"}, html)
    assert retry.status_code == 303 and retry.location.endswith("/p/2")


def test_a_tampered_choice_gets_a_clear_message(respondent):
    person = respondent("en")
    person.consent()
    html = person.get("/p/2").get_data(as_text=True)
    radio = re.search(r'type="radio" name="(\w+)"|name="(\w+)" type="radio"', html)
    name = radio.group(1) or radio.group(2)
    moved = person.post("/p/2", {name: "<script>x</script>", "action": "next"}, html)
    assert moved.status_code == 303
    page = person.get("/p/2").get_data(as_text=True)
    assert "Please choose one of the options shown." in page
    assert "<script>x</script>" not in page


@pytest.mark.parametrize(
    ("path", "status"),
    [("/en/r/not-a-real-token", 404), ("/xx/r/whatever", 404), ("/en/r/x/p/999", 404)],
)
def test_bad_links_get_a_clear_page(client, path, status):
    page = client.get(path)
    assert page.status_code == status
    assert "Traceback" not in page.get_data(as_text=True)
    assert "<h1>" in page.get_data(as_text=True)


def test_a_closed_campaign_says_so(app, respondent):
    from surveyapp.models import Campaign
    from surveyapp.models.base import utcnow

    person = respondent("en")
    with app.app_context():
        campaign = db.session.scalar(select(Campaign))
        campaign.closes_at = utcnow()
        db.session.commit()
    page = person.get()
    assert page.status_code == 410
    assert "closed" in page.get_data(as_text=True)


def test_the_open_link_asks_country_municipality_and_role(app, client):
    from surveyapp.models import Campaign

    with app.app_context():
        open_token = db.session.scalar(select(Campaign.open_token))
    first = client.get(f"/sr/o/{open_token}")
    assert "Северна Македонија" in first.get_data(as_text=True)
    second = client.get(f"/sr/o/{open_token}?country=MK")
    html = second.get_data(as_text=True)
    assert "Чаир" in html
    token = re.search(r'name="csrf_token" type="hidden" value="([^"]+)"', html).group(1)
    bad = client.post(
        f"/sr/o/{open_token}",
        data={"csrf_token": token, "country": "MK", "municipality": "nowhere", "role": "mayor"},
    )
    assert bad.status_code == 200
    with app.app_context():
        assert db.session.scalar(select(func.count()).select_from(Invitation)) == 0
    made = client.post(
        f"/sr/o/{open_token}",
        data={"csrf_token": token, "country": "MK", "municipality": "mk-cair", "role": "mayor"},
    )
    assert made.status_code == 303 and "/sr/r/" in made.location
    with app.app_context():
        invitation = db.session.scalar(select(Invitation))
        assert invitation.municipality.code == "mk-cair" and invitation.language == "sr"
        assert invitation.self_registered


def test_home_redirects_by_accept_language_and_lists_the_demo(client):
    home = client.get("/", headers={"Accept-Language": "sr-Latn-RS,sr;q=0.9,en;q=0.5"})
    assert home.location.endswith("/sr-Latn/")
    page = client.get("/sr-Latn/").get_data(as_text=True)
    assert '<html lang="sr-Latn"' in page
    assert "/sr-Latn/o/" in page


def test_changing_a_page_stores_exactly_the_last_answers(app, respondent):
    """Other choices, other boxes ticked, optional answers cleared: nothing old is left."""
    person = respondent("bs")
    person.consent()
    with app.app_context():
        version = builtin_version()
        first, second = answer_plan(version, variant=0), answer_plan(version, variant=1)
        optional = {q.name for page in version.pages for q in page.questions if not q.required}
    for number, plan in enumerate(first, start=1):
        assert person.answer_page(number, plan.form).status_code == 303
    expected = {}
    for number, plan in enumerate(second, start=1):
        form = {name: "" if name in optional else value for name, value in plan.form.items()}
        assert person.answer_page(number, form, action="later").status_code == 303
        expected.update({k: v for k, v in plan.expected.items() if k not in optional})

    _response, answers = _stored(app, person.token)
    assert answers == expected
    assert any(isinstance(value, list) for value in answers.values())
    with app.app_context():
        ticked = db.session.scalar(select(func.count()).select_from(AnswerSelection))
    assert ticked == sum(len(v) for v in answers.values() if isinstance(v, list))


def test_a_submitted_response_never_changes_even_from_a_page_left_open(app, respondent):
    """Another tab submitted meanwhile: a late save (or draft) changes nothing."""
    from sqlalchemy.orm.attributes import set_committed_value

    from surveyapp.models import Page
    from surveyapp.responses import respondent as responses

    with app.app_context():
        plans = answer_plan(builtin_version())
    person = respondent("mk")
    person.consent()
    person.answer_every_page(plans)
    open_tab = person.get("/p/6").get_data(as_text=True)
    assert person.submit().status_code == 303
    _response, before = _stored(app, person.token)

    late = person.post("/p/6", {**plans[5].form, "good_practice": "changed"}, open_tab)
    assert late.status_code in (302, 303) and late.location.endswith("/thanks")
    with app.app_context():
        # A request that read the response just before the submit still sees it open.
        stale = db.session.scalar(select(Response).where(Response.id == _response.id))
        set_committed_value(stale, "status", "in_progress")
        page = db.session.scalar(select(Page).where(Page.name == "support"))
        assert responses.save_page(stale, page, {"good_practice": "changed"}) is False
        assert responses.save_draft(stale, page, {"good_practice": ["x"]}) is False
    response, after = _stored(app, person.token)
    assert after == before and response.status == "submitted" and response.draft is None


@pytest.mark.parametrize("variant", [0, 1])
def test_a_page_reads_its_answers_with_its_link(app, make_response, variant):
    """The page's one-query read (link and answers) gives what ``saved_answers`` gives."""
    from surveyapp.questionnaires.versions import load_version
    from surveyapp.responses.reads import find_link, link_answers

    response_id = make_response(variant=variant, submit=False)
    with app.test_request_context():
        response = db.session.get(Response, response_id)
        version = load_version(response.version_id)
        link = find_link(response.invitation.token, with_answers=True)
        read_with_link = link_answers(link, version)
        assert read_with_link == saved_answers(response, version)
        ticked = [v for v in read_with_link.values() if isinstance(v, list)]
        assert any(len(v) > 1 for v in ticked), "the plan ticks several boxes somewhere"
        assert find_link(response.invitation.token).answer_rows is None


@pytest.mark.parametrize("lang", ["sq", "sr"])
def test_each_question_is_written_as_html_once_an_error_shows_too(respondent, lang):
    """Every choice question of a page is a fieldset with its legend; "(optional)" is in
    the page's language; no markup shows as text, with or without an error."""
    person = respondent(lang)
    person.consent()
    html = person.get("/p/2").get_data(as_text=True)
    questions = html.count('<div class="question ')
    assert questions >= 8
    assert html.count("<fieldset") == html.count('<legend class="question-label">') == questions
    assert "&lt;" not in html and "&#34;" not in html
    first = person.get("/p/1").get_data(as_text=True)
    error = person.post("/p/1", {"action": "next", "staff_count": "many"}, first)
    assert error.status_code == 303
    checked = person.get("/p/1?check=1").get_data(as_text=True)
    assert 'class="question has-error' in checked and 'aria-invalid="true"' in checked
    assert "&lt;" not in checked
    english = respondent("en")
    english.consent()
    optional_en = english.get("/p/1").get_data(as_text=True).count("(optional)")
    assert optional_en >= 1 and checked.count("(optional)") == 0


def test_a_pages_own_reads_give_what_sqlalchemy_gives(app, make_response):
    """The respondent's reads on the request's own connection (on PostgreSQL straight
    through psycopg) give the rows and Python values SQLAlchemy's execution gives:
    timestamps, a draft's JSON, scores and every answer."""
    from surveyapp.core.database import read_rows
    from surveyapp.responses.reads import _LINK, _LINK_AND_ANSWERS
    from surveyapp.responses.respondent import save_draft

    submitted = make_response(variant=0, submit=True)
    drafting = make_response(variant=1, submit=False, municipality="rs-novi-sad")
    with app.app_context():
        page = builtin_version().pages[1]
        save_draft(db.session.get(Response, drafting), page, {"x": ["<typed>", "ü"]})
        tokens = [db.session.get(Response, rid).invitation.token for rid in (submitted, drafting)]
        db.session.remove()
    with app.test_request_context():
        for token in tokens:
            for statement in (_LINK, _LINK_AND_ANSWERS):
                own = read_rows(statement, {"token": token})
                assert not db.session.registry.has(), "read without the ORM session"
                with db.engine.connect() as conn:
                    expected = conn.execute(statement, {"token": token}).all()
                assert sorted(map(tuple, own), key=repr) == sorted(map(tuple, expected), key=repr)
                assert len(own) > (1 if statement is _LINK_AND_ANSWERS else 0)
        link = read_rows(_LINK, {"token": tokens[1]})[0]
        # The response's draft and submission time are the link's last two columns.
        assert link[-2] == {"page": page.name, "values": {"x": ["<typed>", "ü"]}}
        assert read_rows(_LINK, {"token": tokens[0]})[0][-1] is not None  # submitted_at
