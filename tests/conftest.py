"""Fixtures: a migrated, seeded database per test (SQLite always; PostgreSQL
when TEST_DATABASE_URL is set), a test client, and a respondent helper that
walks the questionnaire the way a person would."""

from __future__ import annotations

import os
import re
import shutil
from collections.abc import Iterator
from pathlib import Path

import pytest
from flask import Flask
from flask.testing import FlaskClient
from flask_migrate import upgrade
from sqlalchemy import select, text

from config import TestConfig
from surveyapp import create_app
from surveyapp.campaigns.tokens import new_token
from surveyapp.demo import open_campaign
from surveyapp.extensions import db
from surveyapp.languages.catalog_files import compile_catalogs
from surveyapp.models import Campaign, Invitation, Municipality
from surveyapp.places import reference_data
from surveyapp.questionnaires import definition_file

#: The ``smtp_server`` fixture: a real SMTP server on 127.0.0.1 (tests/smtp_server.py).
pytest_plugins = ["tests.smtp_server"]

PG_URL = os.environ.get("TEST_DATABASE_URL")
CSRF_RE = re.compile(r'name="csrf_token"[^>]*value="([^"]+)"')


def _make_app(url: str, **overrides) -> Flask:
    return create_app({**_test_config(), "SQLALCHEMY_DATABASE_URI": url, **overrides})


def _test_config() -> dict:
    return {k: getattr(TestConfig, k) for k in dir(TestConfig) if k.isupper()}


def _seed() -> None:
    reference_data.load_reference_data()
    version = definition_file.load_questionnaire()
    open_campaign.ensure_demo_campaign(version)


def _reset_postgres() -> None:
    tables = ", ".join(f'"{t.name}"' for t in db.metadata.sorted_tables)
    db.session.execute(text(f"TRUNCATE {tables} RESTART IDENTITY CASCADE"))
    db.session.commit()


@pytest.fixture(scope="session", autouse=True)
def compiled_catalogs() -> None:
    compile_catalogs()


@pytest.fixture(autouse=True)
def fresh_rate_limits() -> Iterator[None]:
    """Every test starts and ends with empty rate-limit counters.

    create_app binds the one shared limiter to each test's app (memory storage unless a
    test asks for Redis with its own key prefix and removes its keys itself).
    """
    from limits.storage import MemoryStorage

    from surveyapp.extensions import limiter

    yield
    if isinstance(getattr(limiter, "_storage", None), MemoryStorage):
        limiter.reset()


@pytest.fixture(scope="session")
def template_database(tmp_path_factory) -> str:
    """A database migrated by Alembic (so every test proves the migrations) and seeded."""
    if PG_URL:
        app = _make_app(PG_URL)
        with app.app_context():
            db.session.execute(text("DROP SCHEMA public CASCADE; CREATE SCHEMA public"))
            db.session.commit()
            upgrade()
            _seed()
            db.engine.dispose()
        return PG_URL
    path = tmp_path_factory.mktemp("template") / "template.sqlite3"
    app = _make_app(f"sqlite:///{path}")
    with app.app_context():
        upgrade()
        _seed()
        db.engine.dispose()
    return str(path)


@pytest.fixture
def app(template_database: str, tmp_path: Path) -> Iterator[Flask]:
    if PG_URL:
        app = _make_app(PG_URL)
        yield app
        with app.app_context():
            db.session.remove()
            _reset_postgres()
            _seed()
            db.engine.dispose()
        return
    path = tmp_path / "test.sqlite3"
    shutil.copy(template_database, path)
    app = _make_app(f"sqlite:///{path}")
    yield app
    with app.app_context():
        db.engine.dispose()


@pytest.fixture
def app_with(template_database: str, tmp_path: Path):
    """Factory: an app with configuration overrides, on this test's own database
    (a copy of the template on SQLite, the reset test database on PostgreSQL)."""
    made: list[Flask] = []

    def make(**overrides) -> Flask:
        if PG_URL:
            url = PG_URL
        else:
            path = tmp_path / f"test-{len(made)}.sqlite3"
            shutil.copy(template_database, path)
            url = f"sqlite:///{path}"
        made.append(_make_app(url, **overrides))
        return made[-1]

    yield make
    for app in made:
        with app.app_context():
            db.session.remove()
            if PG_URL:
                _reset_postgres()
                _seed()
            db.engine.dispose()


@pytest.fixture
def client(app: Flask) -> FlaskClient:
    return app.test_client()


@pytest.fixture
def runner(app: Flask):
    return app.test_cli_runner()


@pytest.fixture
def make_invitation(app: Flask):
    """Factory: an invitation to the demo campaign; returns its token."""

    def make(
        municipality: str = "mk-cair", role: str = "mayor", language: str | None = None
    ) -> str:
        with app.app_context():
            campaign = db.session.scalar(select(Campaign).order_by(Campaign.id))
            town = db.session.scalar(select(Municipality).where(Municipality.code == municipality))
            token = new_token()
            db.session.add(
                Invitation(
                    token=token, campaign=campaign, municipality=town, role=role, language=language
                )
            )
            db.session.commit()
            return token

    return make


def csrf_token(html: str) -> str:
    match = CSRF_RE.search(html)
    assert match, "the page has no CSRF token"
    return match.group(1)


class Respondent:
    """A person with an invitation link and a browser (the test client)."""

    def __init__(self, client: FlaskClient, token: str, lang: str) -> None:
        self.client, self.token, self.lang = client, token, lang

    def url(self, suffix: str = "", lang: str | None = None) -> str:
        return f"/{lang or self.lang}/r/{self.token}{suffix}"

    def get(self, suffix: str = "", **kwargs):
        return self.client.get(self.url(suffix), **kwargs)

    def post(self, suffix: str, data: dict, page_html: str | None = None):
        html = (
            page_html
            if page_html is not None
            else self.get(suffix if not suffix.endswith(("/consent", "/submit")) else "").get_data(
                as_text=True
            )
        )
        return self.client.post(self.url(suffix), data={"csrf_token": csrf_token(html), **data})

    def consent(self):
        start = self.get().get_data(as_text=True)
        return self.post("/consent", {"action": "accept"}, start)

    def answer_page(self, number: int, answers: dict, action: str = "next"):
        html = self.get(f"/p/{number}").get_data(as_text=True)
        return self.post(f"/p/{number}", {**answers, "action": action}, html)

    def answer_every_page(self, plans) -> None:
        """Each page saved with its plan's answers (``tests.plans.answer_plan``), in order."""
        for number, plan in enumerate(plans, start=1):
            self.answer_page(number, plan.form)

    def submit(self):
        html = self.get("/review").get_data(as_text=True)
        return self.post("/submit", {}, html)


@pytest.fixture
def respondent(client: FlaskClient, make_invitation):
    def make(lang: str = "en", **invitation) -> Respondent:
        return Respondent(client, make_invitation(**invitation), lang)

    return make


PASSWORD = "correct horse battery"


@pytest.fixture
def make_user(app: Flask):
    """Factory: a staff account; returns its e-mail address."""
    from surveyapp.accounts import users

    def make(role: str = "admin", email: str | None = None) -> str:
        email = email or f"{role}@example.org"
        with app.app_context():
            users.create_user(email, PASSWORD, role, name=role.title())
        return email

    return make


class Staff:
    """A staff member at the test client: signs in through the login form."""

    def __init__(self, client: FlaskClient, email: str, totp_secret: str | None = None) -> None:
        self.client, self.email, self.totp_secret = client, email, totp_secret

    def login(self, password: str = PASSWORD, lang: str = "en", next_url: str | None = None):
        """Sign in; with ``totp_secret`` set (an enrolled account), the code step too."""
        url = f"/{lang}/staff/login" + (f"?next={next_url}" if next_url else "")
        token = csrf_token(self.client.get(url).get_data(as_text=True))
        reply = self.client.post(
            url, data={"email": self.email, "password": password, "csrf_token": token}
        )
        if self.totp_secret and reply.status_code == 303 and "/login/code" in reply.location:
            import pyotp

            code = pyotp.TOTP(self.totp_secret).now()
            return self.post_form(f"/{lang}/staff/login/code", {"code": code})
        return reply

    def post_form(self, url: str, data: dict, form_page: str | None = None, **kwargs):
        html = self.client.get(form_page or url).get_data(as_text=True)
        return self.client.post(url, data={"csrf_token": csrf_token(html), **data}, **kwargs)


@pytest.fixture
def staff(client: FlaskClient, make_user):
    """Factory: a signed-in staff member of a role."""

    def make(role: str = "admin") -> Staff:
        member = Staff(client, make_user(role))
        assert member.login().status_code == 303
        return member

    return make


@pytest.fixture
def make_response(app: Flask, make_invitation):
    """Factory: a submitted response to the demo campaign, answered by plan.

    ``overrides`` replace answers by question name (Python values, as
    save_page takes them). Returns the response id.
    """
    from surveyapp.responses import respondent as responses
    from surveyapp.responses import starting
    from tests.plans import answer_plan, builtin_version

    def make(
        municipality: str = "mk-cair",
        role: str = "mayor",
        lang: str = "en",
        variant: int = 0,
        submit: bool = True,
        **overrides,
    ) -> int:
        token = make_invitation(municipality=municipality, role=role, language=lang)
        with app.app_context():
            version = builtin_version()
            invitation = starting.find_invitation(token)
            response = starting.start_response(invitation, lang)
            for page, plan in zip(version.pages, answer_plan(version, variant), strict=True):
                values = {
                    **plan.expected,
                    **{k: v for k, v in overrides.items() if k in plan.expected},
                }
                responses.save_page(response, page, values)
            if submit:
                responses.submit(response)
            return response.id

    return make
