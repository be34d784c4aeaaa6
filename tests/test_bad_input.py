"""Hostile input: shown escaped everywhere, refused cleanly, never a server error."""

from __future__ import annotations

import io

from babel.messages.pofile import read_po, write_po
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from sqlalchemy import select

from surveyapp.extensions import db
from surveyapp.models import Campaign
from surveyapp.questionnaires.translation.po_files import export_catalog, import_catalog
from tests.conftest import Respondent, csrf_token
from tests.plans import answer_plan, builtin_version

XSS = '<script>alert("x")</script><img src=x onerror=alert(1)>'


def test_answers_with_markup_are_shown_escaped(app, respondent):
    person = respondent("en")
    person.consent()
    with app.app_context():
        plans = answer_plan(builtin_version())
    last = plans[-1]
    text_field = next(
        name for name, value in last.form.items() if isinstance(value, str) and "Mladi" in value
    )
    for number, plan in enumerate(plans, start=1):
        form = dict(plan.form, **({text_field: XSS} if plan is last else {}))
        person.answer_page(number, form)
    review = person.get("/review").get_data(as_text=True)
    assert XSS not in review
    assert "&lt;script&gt;alert(&#34;x&#34;)&lt;/script&gt;" in review


def test_questionnaire_texts_with_markup_are_shown_escaped(app, respondent):
    with app.app_context():
        version_id = builtin_version().id
        catalog = read_po(io.BytesIO(export_catalog(version_id, "bs")))
        for message in catalog:
            if message.context == "questionnaire.title":
                message.string = XSS
        buffer = io.BytesIO()
        write_po(buffer, catalog)
        assert import_catalog(version_id, buffer.getvalue()).applied
    page = respondent("bs").get().get_data(as_text=True)
    assert XSS not in page and "&lt;script&gt;" in page


def test_oversized_requests_are_refused(respondent):
    person = respondent("en")
    person.consent()
    html = person.get("/p/6").get_data(as_text=True)
    reply = person.client.post(
        person.url("/p/6"),
        data={"csrf_token": csrf_token(html), "comments": "x" * (3 * 1024 * 1024)},
    )
    assert reply.status_code == 413
    assert "too large" in reply.get_data(as_text=True)


def test_unknown_ids_give_404_not_500(staff):
    admin = staff("admin")
    for path in (
        "/en/staff/campaigns/999999/invite",
        "/en/staff/campaigns/999999/responses.csv",
        "/en/staff/translations/999999/mk.po",
        "/en/staff/translations/1/xx.po",
    ):
        assert admin.client.get(path).status_code == 404, path


form_values = st.dictionaries(
    keys=st.one_of(
        st.sampled_from(
            [
                "action",
                "years_experience",
                "staff_prevention",
                "strategy_date",
                "safety_council",
                "country",
                "municipality",
                "role",
                "support_wanted",
            ]
        ),
        st.text(min_size=1, max_size=12),
    ),  # fmt: skip
    values=st.one_of(
        st.text(max_size=60),
        st.sampled_from(
            [
                "next",
                "back",
                "later",
                "lang:mk",
                "lang:xx",
                "accept",
                "decline",
                "1e309",
                "NaN",
                "-0",
                "2024-02-30",
                "9" * 40,
                "\x00",
                "dk",
                "../../etc",
            ]
        ),
        st.lists(st.text(max_size=10), max_size=3),
    ),  # fmt: skip
    max_size=8,
)


@settings(
    max_examples=60,
    deadline=None,
    suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow],
)
@given(
    data=form_values,
    target=st.sampled_from(["/p/1", "/p/3", "/p/6", "/consent", "/submit", "/p/0"]),
)
def test_random_form_posts_never_cause_a_server_error(app, client, make_invitation, data, target):
    person = Respondent(client, _token(app, make_invitation), "sr")
    html = (
        person.get("/p/1").get_data(as_text=True)
        if target != "/consent"
        else person.get().get_data(as_text=True)
    )
    token = csrf_token(html) if 'name="csrf_token"' in html else ""
    reply = client.post(person.url(target), data={**data, "csrf_token": token})
    assert reply.status_code < 500, (target, data)
    with app.app_context():
        open_token = db.session.scalar(select(Campaign.open_token))
    reply = client.post(f"/mk/o/{open_token}", data={**data, "csrf_token": token})
    assert reply.status_code < 500, data


_TOKENS: dict[int, str] = {}


def _token(app, make_invitation) -> str:
    """One consented respondent per app, reused across examples."""
    key = id(app)
    if key not in _TOKENS:
        from surveyapp.responses import starting

        token = make_invitation(language="sr")
        with app.app_context():
            starting.start_response(starting.find_invitation(token), "sr")
        _TOKENS[key] = token
    return _TOKENS[key]
