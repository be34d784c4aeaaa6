"""Defences of a campaign's open link against floods (#13 finding 1): a cap per
municipality and role, rate limits per address and per link, a signed form time
and a trap field, open-link responses marked and left out on request, and a
review queue that holds them until staff accept them."""

from __future__ import annotations

import csv
import io
import re
import socket
import uuid

import pytest
from sqlalchemy import func, select

from surveyapp.extensions import db, limiter
from surveyapp.models import AuditEvent, Campaign, Invitation, ProfileCount, Response
from surveyapp.web.survey import forms as registration_forms
from tests.conftest import _make_app, csrf_token
from tests.plans import answer_plan, builtin_version

pytestmark = pytest.mark.filterwarnings("ignore::ResourceWarning")


@pytest.fixture
def extra_app():
    """Factory: another app on the test's database (other settings); its engine is
    closed at the end, so no connection outlives the test (PostgreSQL warns)."""
    made = []

    def make(url: str, **settings):
        made.append(_make_app(url, **settings))
        return made[-1]

    yield make
    for other in made:
        with other.app_context():
            db.engine.dispose()


def _campaign(app, caps=None, review=False) -> str:
    """The demo campaign with these open-link settings; returns its open token."""
    with app.app_context():
        campaign = db.session.scalar(select(Campaign).order_by(Campaign.id))
        campaign.open_link_caps = caps
        campaign.review_open_link = review
        db.session.commit()
        return campaign.open_token


def _register(client, open_token, municipality="mk-aerodrom", role="mayor", lang="mk", **extra):
    """Register through the open link; by default as a new person (``new_person``), as
    the test client stands for many people's browsers."""
    extra.setdefault("new_person", "y")
    html = client.get(f"/{lang}/o/{open_token}?country=MK").get_data(as_text=True)
    data = {"csrf_token": csrf_token(html), "country": "MK", "municipality": municipality}
    shown = re.search(r'name="shown_at" type="hidden" value="([^"]*)"', html)
    data.update(role=role, shown_at=shown.group(1) if shown else "", website="")
    data.update(extra)
    return client.post(f"/{lang}/o/{open_token}", data=data)


def _invitations(app) -> int:
    with app.app_context():
        return db.session.scalar(select(func.count()).select_from(Invitation))


# --- cap per municipality and role ---------------------------------------------------


def test_registration_beyond_the_cap_is_refused_with_a_translated_message(app, client):
    open_token = _campaign(app, caps={"mayor": 1, "councillor": 2})
    assert _register(client, open_token).status_code == 303
    refused = _register(client, open_token)
    assert refused.status_code == 200
    assert "отворената врска веќе е искористена" in refused.get_data(as_text=True)
    assert _invitations(app) == 1
    # Other roles and other municipalities have places of their own.
    assert _register(client, open_token, role="councillor").status_code == 303
    assert _register(client, open_token, municipality="mk-cair").status_code == 303
    assert _invitations(app) == 3


def test_a_campaign_without_caps_takes_every_registration(app, client):
    open_token = _campaign(app, caps=None)
    for _ in range(3):
        assert _register(client, open_token).status_code == 303
    assert _invitations(app) == 3


def test_new_campaigns_get_the_default_caps_and_staff_can_change_them(app, staff):
    analyst = staff("analyst")
    with app.app_context():
        version_id = builtin_version().id
    page = "/en/staff/campaigns"
    form = analyst.client.get(page).get_data(as_text=True)
    assert 'name="cap_mayor"' in form and 'value="1"' in form
    reply = analyst.post_form(
        page,
        {
            "name": "Open 2027",
            "version": str(version_id),
            "open_link": "y",
            "cap_mayor": "1",
            "cap_deputy_mayor": "2",
            "cap_councillor": "",
            "cap_municipal_staff": "0",
            "review_open_link": "y",
        },
    )
    assert reply.status_code == 303
    with app.app_context():
        campaign = db.session.scalar(select(Campaign).where(Campaign.name == "Open 2027"))
        assert campaign.open_link_caps == {"mayor": 1, "deputy_mayor": 2}
        assert campaign.open_link_cap("councillor") is None and campaign.review_open_link


# --- rate limits ---------------------------------------------------------------------


def test_registrations_from_one_address_are_rate_limited(app, client):
    open_token = _campaign(app, caps=None)
    app.config["OPEN_LINK_LIMITS_PER_ADDRESS"] = "3 per minute"
    codes = [_register(client, open_token).status_code for _ in range(5)]
    assert codes == [303, 303, 303, 429, 429]
    page = _register(client, open_token, lang="mk")
    assert page.status_code == 429 and "Премногу обиди" in page.get_data(as_text=True)
    assert _invitations(app) == 3
    # Another address is not held up by this one.
    other = app.test_client()
    other.environ_base["REMOTE_ADDR"] = "192.0.2.7"
    assert _register(other, open_token).status_code == 303


def test_registrations_through_one_link_are_rate_limited_across_addresses(app):
    open_token = _campaign(app, caps=None)
    app.config["OPEN_LINK_LIMITS_PER_LINK"] = "4 per minute"
    codes = []
    for number in range(6):
        visitor = app.test_client()
        visitor.environ_base["REMOTE_ADDR"] = f"192.0.2.{number + 1}"
        codes.append(_register(visitor, open_token).status_code)
    assert codes == [303, 303, 303, 303, 429, 429]


def test_reading_the_registration_page_is_not_limited(app, client):
    open_token = _campaign(app, caps=None)
    app.config["OPEN_LINK_LIMITS_PER_ADDRESS"] = "2 per minute"
    assert all(client.get(f"/en/o/{open_token}?country=MK").status_code == 200 for _ in range(5))


def _redis_or_skip() -> str:
    try:
        socket.create_connection(("127.0.0.1", 6379), timeout=0.5).close()
    except OSError as problem:
        pytest.skip(f"no Redis at 127.0.0.1:6379 ({problem})")
    return "redis://127.0.0.1:6379"


def test_rate_limits_are_shared_by_workers_through_redis(app, monkeypatch, extra_app):
    """A worker started after the first three registrations (a new app: a new storage
    connection, nothing counted in the process) still sees them, because they are
    counted in Redis; with memory:// it would count from zero."""
    import redis

    url = _redis_or_skip()
    prefix = f"surveyapp-test-{uuid.uuid4().hex}"
    settings = {
        "RATELIMIT_STORAGE_URI": url,
        "RATELIMIT_KEY_PREFIX": prefix,
        "OPEN_LINK_LIMITS_PER_ADDRESS": "3 per minute",
    }
    database = app.config["SQLALCHEMY_DATABASE_URI"]
    open_token = _campaign(app, caps=None)
    # The limiter object outlives apps and keeps the key prefix of the first one it
    # served (a worker process has one app); this test's keys get a prefix of their own.
    monkeypatch.setattr(limiter, "_key_prefix", prefix)
    try:
        first = extra_app(database, **settings).test_client()
        codes = [_register(first, open_token).status_code for _ in range(3)]
        assert list(redis.Redis.from_url(url).scan_iter(f"*{prefix}*")), "counted in Redis"
        second = extra_app(database, **settings).test_client()
        codes += [_register(second, open_token).status_code for _ in range(2)]
        assert codes == [303, 303, 303, 429, 429]
    finally:
        store = redis.Redis.from_url(url)
        for key in store.scan_iter(f"*{prefix}*"):
            store.delete(key)
        store.close()
        # The limiter object is shared: give it back its memory storage for other tests.
        extra_app(database)


# --- signed form time and trap field ---------------------------------------------------


@pytest.fixture
def checked(app, monkeypatch):
    """The time and trap checks on, and a clock the test moves."""
    app.config["OPEN_LINK_FORM_CHECKS"] = True
    clock = {"now": registration_forms.time.time()}
    monkeypatch.setattr(registration_forms.time, "time", lambda: clock["now"])
    return clock


def _shown_at(app, when: float) -> str:
    from itsdangerous import TimestampSigner

    class Signer(TimestampSigner):
        def get_timestamp(self) -> int:
            return int(when)

    return Signer(app.secret_key, salt="open-link-registration").sign("open-link").decode()


def test_a_form_sent_back_at_once_is_not_registered_but_can_be_sent_again(app, client, checked):
    open_token = _campaign(app, caps=None)
    now = checked["now"]
    hasty = _register(client, open_token, shown_at=_shown_at(app, now))
    html = hasty.get_data(as_text=True)
    assert hasty.status_code == 200 and "Ве молиме, проверете го изборот" in html
    assert re.search(r'<option selected value="mk-aerodrom">', html), "the choice is kept"
    assert _invitations(app) == 0
    patient = _register(client, open_token, shown_at=_shown_at(app, now - 10))
    assert patient.status_code == 303 and _invitations(app) == 1


@pytest.mark.parametrize(
    "tampering",
    ["unsigned", "forged", "too old", "trap filled"],
)
def test_automated_looking_registrations_are_not_stored(app, client, checked, tampering):
    open_token = _campaign(app, caps=None)
    now = checked["now"]
    extra = {
        "unsigned": {"shown_at": ""},
        "forged": {"shown_at": _shown_at(app, now - 10)[:-3] + "AAA"},
        "too old": {"shown_at": _shown_at(app, now - 13 * 3600)},
        "trap filled": {"shown_at": _shown_at(app, now - 10), "website": "http://spam.example"},
    }[tampering]
    reply = _register(client, open_token, **extra)
    assert reply.status_code == 200 and _invitations(app) == 0


def test_the_trap_field_is_hidden_by_the_stylesheet_and_labelled_for_screen_readers(app, client):
    open_token = _campaign(app, caps=None)
    html = client.get(f"/mk/o/{open_token}?country=MK").get_data(as_text=True)
    trap = re.search(r'<div class="trap">(.*?)</div>', html, re.S).group(1)
    assert '<label for="website">' in trap and 'tabindex="-1"' in trap
    assert 'autocomplete="off"' in trap and "style=" not in html
    css = client.get("/static/app.css").get_data(as_text=True)
    assert re.search(r"\.trap \{[^}]*left: -10000px", css)


# --- open-link responses marked, left out on request ----------------------------------


def _answer_through_open_link(app, client, open_token, municipality="mk-aerodrom", role="mayor"):
    """Register, consent, answer every page and submit as a person would."""
    from tests.conftest import Respondent

    made = _register(client, open_token, municipality=municipality, role=role, lang="en")
    assert made.status_code == 303, made.get_data(as_text=True)
    token = made.location.rsplit("/", 1)[-1]
    person = Respondent(client, token, "en")
    person.consent()
    with app.app_context():
        plans = answer_plan(builtin_version(), 0)
    person.answer_every_page(plans)
    assert person.submit().status_code == 303
    with app.app_context():
        return db.session.scalar(
            select(Response.id).join(Invitation).where(Invitation.token == token)
        )


def test_open_link_responses_are_marked_as_self_registered(app, client, make_response):
    open_token = _campaign(app, caps=None)
    opened = _answer_through_open_link(app, client, open_token)
    invited = make_response(municipality="mk-aerodrom")
    with app.app_context():
        assert db.session.get(Response, opened).self_registered
        assert not db.session.get(Response, invited).self_registered


def _open_link_responses(app, count: int, municipality: str = "mk-aerodrom") -> None:
    """Submitted open-link responses, made directly (faster than the pages)."""
    from surveyapp.responses import respondent as responses
    from surveyapp.responses import starting

    with app.app_context():
        campaign = db.session.scalar(select(Campaign).order_by(Campaign.id))
        version = builtin_version()
        for n in range(count):
            invitation = starting.register_through_open_link(
                campaign, municipality, "councillor", "en"
            )
            response = starting.start_response(invitation, "en")
            for page, plan in zip(version.pages, answer_plan(version, n % 2), strict=True):
                responses.save_page(response, page, plan.expected)
            responses.submit(response)


def test_profiles_count_and_can_leave_out_self_registered_responses(app, staff, make_response):
    _campaign(app, caps=None)
    for n in range(5):
        make_response(municipality="mk-cair", role="councillor", variant=n % 2)
    _open_link_responses(app, 5)
    analyst = staff("analyst")
    with app.app_context():
        campaign_id = db.session.scalar(select(Campaign.id).order_by(Campaign.id))
    url = f"/en/staff/campaigns/{campaign_id}/profile?area=MK"
    everyone = analyst.client.get(url).get_data(as_text=True)
    assert "10 respondents" in everyone and "5 of them came through the open link" in everyone
    without = analyst.client.get(url + "&leave_out_self_registered=1").get_data(as_text=True)
    assert "5 respondents" in without and "without open-link responses" in without
    assert 'name="leave_out_self_registered" value="1" checked' in without


def test_a_small_open_link_group_cannot_be_left_out_of_a_profile(app, staff, make_response):
    """Both views side by side would give the small group's answers away."""
    _campaign(app, caps=None)
    for n in range(5):
        make_response(municipality="mk-cair", role="councillor", variant=n % 2)
    _open_link_responses(app, 2)
    analyst = staff("analyst")
    with app.app_context():
        campaign_id = db.session.scalar(select(Campaign.id).order_by(Campaign.id))
    url = f"/en/staff/campaigns/{campaign_id}/profile?area=MK&leave_out_self_registered=1"
    page = analyst.client.get(url).get_data(as_text=True)
    assert "could not be left out" in page and "7 respondents" in page


def _csv_rows(reply) -> list[dict]:
    return list(csv.DictReader(io.StringIO(reply.get_data(as_text=True).lstrip("\ufeff"))))


def test_exports_mark_and_can_leave_out_self_registered_responses(app, staff, make_response):
    _campaign(app, caps=None)
    make_response(municipality="mk-cair")
    _open_link_responses(app, 2)
    analyst = staff("analyst")
    with app.app_context():
        campaign_id = db.session.scalar(select(Campaign.id).order_by(Campaign.id))
    url = f"/en/staff/campaigns/{campaign_id}/responses.csv"
    rows = _csv_rows(analyst.client.get(url))
    assert sorted(row["self_registered"] for row in rows) == ["0", "1", "1"]
    rows = _csv_rows(analyst.client.get(url + "?leave_out_self_registered=1"))
    assert [row["self_registered"] for row in rows] == ["0"]
    xlsx = analyst.client.get(
        f"/en/staff/campaigns/{campaign_id}/responses.xlsx?leave_out_self_registered=1"
    )
    import openpyxl

    sheet = openpyxl.load_workbook(io.BytesIO(xlsx.data), read_only=True).active
    values = list(sheet.iter_rows(values_only=True))
    assert len(values) == 2 and values[1][values[0].index("self_registered")] == 0


# --- review queue -----------------------------------------------------------------------


def _counted(app) -> int:
    """Responses in the count tables (each answers the first multiple-choice question once)."""
    with app.app_context():
        return db.session.scalar(
            select(func.coalesce(func.sum(ProfileCount.responses), 0)).where(
                ProfileCount.choice == ""
            )
        )


def test_held_open_link_responses_count_only_once_staff_accept_them(app, client, staff):
    open_token = _campaign(app, caps=None, review=True)
    base = _counted(app)
    response_id = _answer_through_open_link(app, client, open_token)
    with app.app_context():
        campaign_id = db.session.scalar(select(Campaign.id).order_by(Campaign.id))
        assert db.session.get(Response, response_id).review == "pending"
    assert _counted(app) == base, "held: not in the count tables"
    analyst = staff("analyst")
    export = f"/en/staff/campaigns/{campaign_id}/responses.csv"
    assert _csv_rows(analyst.client.get(export)) == []
    queue = f"/en/staff/campaigns/{campaign_id}/open-link-responses"
    page = analyst.client.get(queue).get_data(as_text=True)
    assert "Aerodrom" in page and "Mayor" in page and "Waiting for review" in page
    assert "English" in page and "Answers submitted" in page
    decide = f"{queue}/{response_id}"

    assert analyst.post_form(decide, {"decision": "accepted"}, queue).status_code == 303
    assert _counted(app) > base
    assert len(_csv_rows(analyst.client.get(export))) == 1

    assert analyst.post_form(decide, {"decision": "rejected"}, queue).status_code == 303
    assert _counted(app) == base, "rejecting an accepted response takes it out again"
    assert _csv_rows(analyst.client.get(export)) == []

    assert analyst.post_form(decide, {"decision": "accepted"}, queue).status_code == 303
    assert _counted(app) > base, "reversible"
    with app.app_context():
        actions = db.session.scalars(
            select(AuditEvent.action)
            .where(AuditEvent.target == f"response:{response_id}")
            .order_by(AuditEvent.id)
        ).all()
    assert actions == [
        "open_link_response_accepted",
        "open_link_response_rejected",
        "open_link_response_accepted",
    ]


def test_a_rejected_registration_frees_its_place_under_the_cap(app, client, staff):
    open_token = _campaign(app, caps={"mayor": 1}, review=True)
    response_id = _answer_through_open_link(app, client, open_token)
    assert _register(client, open_token).status_code == 200, "the cap is reached"
    analyst = staff("analyst")
    with app.app_context():
        campaign_id = db.session.scalar(select(Campaign.id).order_by(Campaign.id))
    queue = f"/en/staff/campaigns/{campaign_id}/open-link-responses"
    analyst.post_form(f"{queue}/{response_id}", {"decision": "rejected"}, queue)
    assert _register(client, open_token).status_code == 303


def test_invited_responses_are_never_held(app, make_response):
    _campaign(app, caps=None, review=True)
    response_id = make_response()
    with app.app_context():
        assert db.session.get(Response, response_id).review is None


def test_behind_a_trusted_proxy_each_respondent_has_an_address_of_their_own(app, extra_app):
    database = app.config["SQLALCHEMY_DATABASE_URI"]
    open_token = _campaign(app, caps=None)
    proxied = extra_app(database, TRUSTED_PROXIES=1, OPEN_LINK_LIMITS_PER_ADDRESS="1 per minute")
    codes = []
    for address in ("198.51.100.1", "198.51.100.2", "198.51.100.2"):
        visitor = proxied.test_client()
        visitor.environ_base["HTTP_X_FORWARDED_FOR"] = address
        codes.append(_register(visitor, open_token).status_code)
    assert codes == [303, 303, 429]


def test_only_views_with_limits_pay_for_the_limiter(app, respondent, monkeypatch):
    """Flask-Limiter's per-request hooks are dropped (they cost every respondent page
    about 5 %); the open link's decorated limits check themselves."""
    from surveyapp.extensions import limiter

    calls = []
    original = limiter._check_request_limit
    monkeypatch.setattr(
        limiter, "_check_request_limit", lambda *a, **k: calls.append(1) or original(*a, **k)
    )
    person = respondent("en")
    person.consent()
    assert person.get("/p/1").status_code == 200
    assert calls == []
    assert original not in app.before_request_funcs[None]
