"""50 respondents at once against a real gunicorn server, double submissions
mixed in: every response is stored exactly once and no request fails."""

from __future__ import annotations

import http.cookiejar
import os
import shutil
import socket
import subprocess
import sys
import threading
import time
import urllib.error
import urllib.parse
import urllib.request
from collections import Counter
from pathlib import Path

import pytest
from sqlalchemy import func, select

from surveyapp.extensions import db
from surveyapp.models import Answer, Response
from tests.conftest import CSRF_RE, PG_URL
from tests.plans import answer_plan, builtin_version

RESPONDENTS = 50
GUNICORN = Path(sys.executable).with_name("gunicorn")


def _free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


#: gunicorn as the test ran it first (4 sync workers), and as `make serve` runs it.
SERVERS = {
    "sync": ["--workers", "4", "--log-level", "warning"],
    "make-serve": ["-c", "deploy/gunicorn.conf.py", "--log-level", "warning"],
}


@pytest.fixture(params=sorted(SERVERS))
def server(app, tmp_path, request):
    url = app.config["SQLALCHEMY_DATABASE_URI"]
    port = _free_port()
    env = {
        **os.environ,
        "DATABASE_URL": url,
        "SECRET_KEY": "concurrency-test-" + "k" * 40,
        "PYTHONWARNINGS": "ignore",
        "HOST": "127.0.0.1",
        "PORT": str(port),
        "WORKERS": "4",
        "ACCESS_LOG": str(tmp_path / "access.log"),
    }
    process = subprocess.Popen(
        [str(GUNICORN), *SERVERS[request.param], "--bind", f"127.0.0.1:{port}",
         "surveyapp:create_app()"],
        cwd=Path(__file__).resolve().parent.parent,
        env=env,
        stdout=subprocess.PIPE,
        stderr=subprocess.STDOUT,
    )  # fmt: skip
    base = f"http://127.0.0.1:{port}"
    for _ in range(100):
        try:
            urllib.request.urlopen(base + "/en/", timeout=2).close()
            break
        except OSError:
            time.sleep(0.1)
    else:
        process.kill()
        pytest.fail("gunicorn did not start: " + process.communicate()[0].decode())
    yield base
    process.terminate()
    output = process.communicate(timeout=10)[0].decode()
    assert "Traceback" not in output, output


class Browser:
    """One respondent's browser: cookies, CSRF tokens from the pages, statuses seen."""

    def __init__(self, base: str, statuses: Counter) -> None:
        self.base, self.statuses = base, statuses
        self.opener = urllib.request.build_opener(
            urllib.request.HTTPCookieProcessor(http.cookiejar.CookieJar())
        )

    def open(self, path: str, data: dict | None = None) -> tuple[str, str]:
        body = urllib.parse.urlencode(data, doseq=True).encode() if data is not None else None
        try:
            with self.opener.open(self.base + path, body, timeout=60) as reply:
                self.statuses[reply.status] += 1
                return reply.url, reply.read().decode()
        except urllib.error.HTTPError as error:
            self.statuses[error.code] += 1
            raise

    def post_form(self, page_path: str, action_path: str, data: dict) -> tuple[str, str]:
        _url, html = self.open(page_path)
        return self.open(action_path, {**data, "csrf_token": CSRF_RE.search(html).group(1)})


def _respondent(base, token, plans, number, statuses, errors):
    try:
        browser = Browser(base, statuses)
        url, html = browser.open(f"/r/{token}")
        prefix = urllib.parse.urlsplit(url).path
        browser.open(
            prefix + "/consent", {"action": "accept", "csrf_token": CSRF_RE.search(html).group(1)}
        )
        for page_number, plan in enumerate(plans, start=1):
            page = f"{prefix}/p/{page_number}"
            browser.post_form(page, page, {**plan.form, "action": "next"})
            if number % 7 == 0:  # a double click on "Next"
                browser.post_form(page, page, {**plan.form, "action": "next"})
        _url, review = browser.open(prefix + "/review")
        token_field = {"csrf_token": CSRF_RE.search(review).group(1)}
        if number % 5 == 0:  # a double submission, both at once
            twins = [
                threading.Thread(target=browser.open, args=(prefix + "/submit", token_field))
                for _ in range(2)
            ]
            for twin in twins:
                twin.start()
            for twin in twins:
                twin.join()
        else:
            final_url, _ = browser.open(prefix + "/submit", token_field)
            assert final_url.endswith("/thanks"), final_url
    except Exception as error:  # noqa: BLE001  (collected and reported by the test)
        errors.append(f"respondent {number}: {error!r}")


def test_fifty_respondents_at_once_every_response_stored_exactly_once(
    app, server, make_invitation, capsys, request
):
    tokens = [
        make_invitation(municipality=code, role="councillor", language=lang)
        for code, lang in zip(
            ["mk-cair", "rs-nis", "al-tirane", "me-bar", "ba-tuzla"] * 10,
            ["mk", "sr", "sq", "cnr", "bs"] * 10,
            strict=True,
        )
    ]
    with app.app_context():
        plans = answer_plan(builtin_version())
        expected_answers = sum(len(plan.expected) for plan in plans)
    statuses: Counter = Counter()
    errors: list[str] = []
    threads = [
        threading.Thread(target=_respondent, args=(server, token, plans, n, statuses, errors))
        for n, token in enumerate(tokens)
    ]
    started = time.perf_counter()
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=300)
    elapsed = time.perf_counter() - started

    with app.app_context():
        submitted = db.session.scalar(
            select(func.count()).select_from(Response).where(Response.status == "submitted")
        )
        total = db.session.scalar(select(func.count()).select_from(Response))
        answers = db.session.scalar(select(func.count()).select_from(Answer))
    database = ("PostgreSQL" if PG_URL else "SQLite") + f", gunicorn {request.node.callspec.id}"
    with capsys.disabled():  # the counts belong in CI's log
        print(
            f"\n[{database}] {RESPONDENTS} respondents in {elapsed:.1f}s: "
            f"{sum(statuses.values())} requests, statuses {dict(sorted(statuses.items()))}; "
            f"responses stored {total}, submitted {submitted}, answers {answers}"
        )
    assert not errors, errors
    assert not [code for code in statuses if code >= 500], statuses
    assert total == submitted == RESPONDENTS
    assert answers == RESPONDENTS * expected_answers


@pytest.fixture(autouse=True)
def _needs_gunicorn():
    if not GUNICORN.exists() or shutil.which(str(GUNICORN)) is None:
        pytest.skip("gunicorn is not installed in this environment")
