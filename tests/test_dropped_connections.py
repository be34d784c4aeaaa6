"""PostgreSQL backends terminated again and again while people use the site.

A real gunicorn (the `make serve` settings: gevent workers) serves respondents
who walk their whole path (consent, every page, review, submit; some through
the open link) and staff who sign in and read their pages, while another thread
keeps terminating every other backend of the database (what a restart or a
failover does to the app's connections, but mid-request too). Every request must
succeed, or, where repeating it could apply a change twice, end on the "please
try again" page; no answer may be lost or stored twice.
"""

from __future__ import annotations

import http.cookiejar
import os
import random
import re
import subprocess
import threading
import time
import urllib.error
import urllib.parse
import urllib.request
from collections import Counter
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

import psycopg
import pytest
from sqlalchemy import func, select

from config import normalise_database_url
from surveyapp.extensions import db
from surveyapp.models import Campaign, Invitation, Response
from tests.conftest import CSRF_RE, PASSWORD, PG_URL
from tests.plans import answer_plan, builtin_version
from tests.test_concurrency import GUNICORN, _free_port

pytestmark = pytest.mark.skipif(not PG_URL, reason="needs PostgreSQL (TEST_DATABASE_URL)")

#: How long respondents keep coming (a new one as soon as one has submitted).
DURATION = 25
INVITED = 60
OPEN_LINK_TOWNS = ["mk-aerodrom", "mk-bitola", "mk-cair"]
SHOWN_AT_RE = re.compile(r'name="shown_at" type="hidden" value="([^"]+)"')
TRY_AGAIN = "please try again"


def _driver_url() -> str:
    return normalise_database_url(PG_URL).replace("postgresql+psycopg://", "postgresql://", 1)


@pytest.fixture
def server(app, tmp_path):
    port = _free_port()
    env = {
        **os.environ,
        "DATABASE_URL": app.config["SQLALCHEMY_DATABASE_URI"],
        "SECRET_KEY": "dropped-connections-" + "k" * 40,
        "PYTHONWARNINGS": "ignore",
        "HOST": "127.0.0.1",
        "PORT": str(port),
        "WORKERS": "2",
        "ACCESS_LOG": str(tmp_path / "access.log"),
    }
    output = tmp_path / "server.log"
    log_file = output.open("w")
    process = subprocess.Popen(
        [str(GUNICORN), "-c", "deploy/gunicorn.conf.py", "--log-level", "warning",
         "surveyapp:create_app()"],
        cwd=Path(__file__).resolve().parent.parent,
        env=env,
        stdout=log_file,
        stderr=subprocess.STDOUT,
    )  # fmt: skip
    base = f"http://127.0.0.1:{port}"
    for _ in range(150):
        try:
            urllib.request.urlopen(base + "/en/", timeout=2).close()
            break
        except OSError:
            time.sleep(0.1)
    else:
        process.kill()
        log_file.close()
        pytest.fail("gunicorn did not start: " + output.read_text())
    yield base, output
    process.terminate()
    process.wait(timeout=20)
    log_file.close()


class _Terminator(threading.Thread):
    """Terminates every other backend of the database every 1 to 2 s."""

    def __init__(self) -> None:
        super().__init__(daemon=True)
        self.stop = threading.Event()
        self.terminated = 0
        self.rounds = 0

    def run(self) -> None:
        rng = random.Random(13)
        with psycopg.connect(_driver_url(), autocommit=True) as conn:
            while not self.stop.is_set():
                rows = conn.execute(
                    "SELECT pg_terminate_backend(pid) FROM pg_stat_activity "
                    "WHERE datname = current_database() AND pid <> pg_backend_pid()"
                ).fetchall()
                self.terminated += sum(1 for (done,) in rows if done)
                self.rounds += 1
                self.stop.wait(rng.uniform(1.0, 2.0))


class _NoRedirect(urllib.request.HTTPRedirectHandler):
    def redirect_request(self, *args, **kwargs):
        return None


class Visitor:
    """A browser: cookies, no automatic redirects, every answer counted."""

    def __init__(self, base: str, log: list, times: list) -> None:
        self.base, self.log, self.times = base, log, times
        self.opener = urllib.request.build_opener(
            _NoRedirect, urllib.request.HTTPCookieProcessor(http.cookiejar.CookieJar())
        )

    def send(self, path: str, data: dict | list | None = None) -> tuple[int, str, str]:
        """(status, body, location); a person presses reload after an error, up to 4 times."""
        body = urllib.parse.urlencode(data, doseq=True).encode() if data is not None else None
        for _attempt in range(4):
            started = time.monotonic()
            try:
                with self.opener.open(self.base + path, body, timeout=30) as reply:
                    status, text, location = reply.status, reply.read().decode(), ""
            except urllib.error.HTTPError as error:
                status, text = error.code, error.read().decode()
                location = error.headers.get("Location", "")
            except OSError as error:  # no answer at all (a timeout, a reset)
                status, text, location = 599, repr(error), ""
            self.log.append(
                (("POST" if body else "GET"), _route(path), status, TRY_AGAIN in text.lower())
            )
            self.times.append((_route(path), time.monotonic() - started))
            if status < 500:
                return status, text, location
        return status, text, location

    def form(self, path: str) -> tuple[str, str]:
        status, html, _ = self.send(path)
        assert status == 200, (path, status)
        return html, CSRF_RE.search(html).group(1)


def _route(path: str) -> str:
    path = re.sub(r"/(r|o)/[A-Za-z0-9_-]+", r"/\1/<token>", path.split("?")[0])
    return re.sub(r"/\d+", "/<n>", path)


def _walk(visitor: Visitor, token: str, plans) -> None:
    """Consent, every page, review, submit: the whole path of one respondent."""
    start, csrf = visitor.form(f"/en/r/{token}")
    status, _, _ = visitor.send(f"/en/r/{token}/consent", {"csrf_token": csrf, "action": "accept"})
    assert status == 303
    for number, plan in enumerate(plans, start=1):
        _html, csrf = visitor.form(f"/en/r/{token}/p/{number}")
        data = [("csrf_token", csrf), ("action", "next")]
        for name, value in plan.form.items():
            data += [(name, v) for v in value] if isinstance(value, list) else [(name, value)]
        status, _, location = visitor.send(f"/en/r/{token}/p/{number}", data)
        assert status == 303, (number, status)
    _html, csrf = visitor.form(f"/en/r/{token}/review")
    status, _, location = visitor.send(f"/en/r/{token}/submit", {"csrf_token": csrf})
    assert status == 303 and location.endswith("/thanks"), (status, location)
    assert visitor.send(f"/en/r/{token}/thanks")[0] == 200


def _through_open_link(visitor: Visitor, open_token: str, municipality: str, plans) -> None:
    html, csrf = visitor.form(f"/en/o/{open_token}?country=MK")
    shown_at = SHOWN_AT_RE.search(html).group(1)
    time.sleep(3.2)  # the form's minimum age (a person reads and chooses)
    status, _, location = visitor.send(
        f"/en/o/{open_token}",
        {"csrf_token": csrf, "shown_at": shown_at, "website": "", "country": "MK",
         "municipality": municipality, "role": "councillor"},
    )  # fmt: skip
    assert status == 303, status
    token = re.search(r"/r/([A-Za-z0-9_-]+)", location).group(1)
    _walk(visitor, token, plans)


def _staff_rounds(visitor: Visitor, campaign_id: int, deadline: float) -> None:
    _html, csrf = visitor.form("/en/staff/login")
    status, _, _ = visitor.send(
        "/en/staff/login", {"csrf_token": csrf, "email": "analyst@example.org",
                            "password": PASSWORD},
    )  # fmt: skip
    assert status == 303, status
    while time.monotonic() < deadline:
        for path in ("/en/staff/", f"/en/staff/campaigns/{campaign_id}",
                     f"/en/staff/campaigns/{campaign_id}/profile",
                     f"/en/staff/campaigns/{campaign_id}/responses",
                     "/en/staff/questionnaires", "/en/staff/deletions"):  # fmt: skip
            visitor.send(path)


def _invitations(app, campaign_id: int, count: int) -> list[str]:
    """Invitations for mayors of ``count`` Macedonian municipalities; their tokens."""
    from surveyapp.campaigns.tokens import new_token
    from surveyapp.models import Municipality

    with app.app_context():
        towns = db.session.scalars(
            select(Municipality).where(Municipality.code.like("mk-%")).order_by(Municipality.code)
        ).all()[:count]
        tokens = [new_token() for _ in towns]
        db.session.add_all(
            Invitation(token=token, campaign_id=campaign_id, municipality=town, role="mayor",
                       language="en")
            for token, town in zip(tokens, towns, strict=True)
        )  # fmt: skip
        db.session.commit()
    return tokens


def test_requests_survive_backends_terminated_again_and_again(app, server, make_user):
    from surveyapp.responses.reads import saved_answers

    base, output = server
    make_user("analyst")
    with app.app_context():
        version = builtin_version()
        plans = answer_plan(version)
        campaign = db.session.scalar(select(Campaign).order_by(Campaign.id))
        campaign_id, open_token = campaign.id, campaign.open_token
    tokens = _invitations(app, campaign_id, INVITED)
    log: list = []
    times: list[tuple[str, float]] = []
    stuck: list[str] = []
    walked: list[str] = []
    deadline = time.monotonic() + DURATION

    def run(walk, *args) -> None:
        try:
            walk(Visitor(base, log, times), *args)
        except AssertionError as error:  # the walk could not go on: reported below
            stuck.append(f"{walk.__name__}: {error}")

    def respondents() -> None:
        """One respondent after another, until the time is up."""
        while time.monotonic() < deadline and tokens:
            token = tokens.pop()
            walked.append(token)
            run(_walk, token, plans)

    terminator = _Terminator()
    terminator.start()
    try:
        with ThreadPoolExecutor(max_workers=6) as pool:
            jobs = [pool.submit(respondents) for _ in range(4)]
            jobs += [
                pool.submit(run, _through_open_link, open_token, code, plans)
                for code in OPEN_LINK_TOWNS
            ]
            jobs.append(pool.submit(run, _staff_rounds, campaign_id, deadline))
            for job in jobs:
                job.result()
    finally:
        terminator.stop.set()
        terminator.join()
    errors = Counter((m, r, s, again) for m, r, s, again in log if s >= 500)
    durations = sorted(t for _r, t in times)
    print(
        f"\n{len(log)} requests ({len(walked)} respondents, {len(OPEN_LINK_TOWNS)} through "
        f"the open link), median {durations[len(durations) // 2]:.2f} s, slowest "
        f"{durations[-1]:.2f} s; {terminator.terminated} backends terminated in "
        f"{terminator.rounds} rounds; server errors: {dict(errors)}"
    )
    if errors:
        print(output.read_text()[-20000:])
    assert terminator.rounds >= 8 and terminator.terminated >= 30
    assert not stuck, stuck
    assert not errors, errors
    with app.app_context():
        responses = db.session.scalars(select(Response).order_by(Response.id)).all()
        # Exactly one response per respondent: none lost, none twice.
        assert len(responses) == len(walked) + len(OPEN_LINK_TOWNS)
        assert all(r.status == "submitted" for r in responses)
        assert {r.invitation.token for r in responses if not r.self_registered} == set(walked)
        registered = db.session.scalar(
            select(func.count()).select_from(Invitation).where(Invitation.self_registered)
        )
        assert registered == len(OPEN_LINK_TOWNS)
        for response in responses:
            answers = saved_answers(response, version)
            by_name = {q.name: answers.get(q.id) for p in version.pages for q in p.questions}
            for plan in plans:
                for name, expected in plan.expected.items():
                    assert by_name[name] == expected, (response.id, name)
