"""A flood of open-link registrations from one address against a real gunicorn
server (4 workers), as the script of #13 finding 1 did: the campaign stores at
most its cap, and no request fails. Bounded: 300 attempts, 127.0.0.1 only."""

from __future__ import annotations

import http.cookiejar
import os
import re
import socket
import subprocess
import time
import urllib.error
import urllib.parse
import urllib.request
import uuid
from collections import Counter
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

import pytest
from sqlalchemy import func, select

from surveyapp.extensions import db
from surveyapp.models import Campaign, Invitation
from tests.conftest import CSRF_RE
from tests.test_concurrency import GUNICORN, _free_port

ATTEMPTS = 300
#: The whole flood, from the first GET to the last answer, must fit in this.
TIME_LIMIT = 90
SHOWN_AT_RE = re.compile(r'name="shown_at" type="hidden" value="([^"]+)"')


def _redis_url() -> str | None:
    try:
        socket.create_connection(("127.0.0.1", 6379), timeout=0.5).close()
    except OSError:
        return None
    return "redis://127.0.0.1:6379"


@pytest.fixture
def flood_server(app):
    """gunicorn with the production defaults of the open link (form checks on); its rate
    limits in Redis when Redis is reachable (shared by the workers), else per worker."""
    port = _free_port()
    redis_url = _redis_url()
    prefix = f"surveyapp-flood-{uuid.uuid4().hex}"
    env = {
        **os.environ,
        "DATABASE_URL": app.config["SQLALCHEMY_DATABASE_URI"],
        "SECRET_KEY": "flood-test-" + "k" * 40,
        "PYTHONWARNINGS": "ignore",
        "RATELIMIT_STORAGE_URI": redis_url or "memory://",
        "RATELIMIT_KEY_PREFIX": prefix,
    }
    process = subprocess.Popen(
        [
            str(GUNICORN),
            "--workers",
            "4",
            "--bind",
            f"127.0.0.1:{port}",
            "--log-level",
            "warning",
            "surveyapp:create_app()",
        ],  # fmt: skip
        cwd=Path(__file__).resolve().parent.parent,
        env=env,
        stdout=subprocess.PIPE,
        stderr=subprocess.STDOUT,
    )
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
    yield base, redis_url
    process.terminate()
    output = process.communicate(timeout=10)[0].decode()
    if redis_url:
        import redis

        store = redis.Redis.from_url(redis_url)
        for key in store.scan_iter(f"*{prefix}*"):
            store.delete(key)
        store.close()
    assert "Traceback" not in output, output


class _NoRedirect(urllib.request.HTTPRedirectHandler):
    def redirect_request(self, *args, **kwargs):
        return None


def _opener():
    return urllib.request.build_opener(
        _NoRedirect, urllib.request.HTTPCookieProcessor(http.cookiejar.CookieJar())
    )


def _send(opener, url: str, data: dict | None = None) -> tuple[int, str]:
    body = urllib.parse.urlencode(data).encode() if data is not None else None
    try:
        with opener.open(url, body, timeout=30) as reply:
            return reply.status, reply.read().decode()
    except urllib.error.HTTPError as error:
        return error.code, error.read().decode()


def test_a_flood_from_one_address_stores_at_most_the_cap_and_no_request_fails(app, flood_server):
    base, redis_url = flood_server
    with app.app_context():
        campaign = db.session.scalar(select(Campaign).order_by(Campaign.id))
        campaign.open_link_caps = {"mayor": 1}
        db.session.commit()
        form_url = f"{base}/mk/o/{campaign.open_token}"
    started = time.monotonic()
    statuses: Counter = Counter()

    # A patient script: it fetches a form per attempt (CSRF token and signed time, as a
    # browser would), waits out the minimum age once, then sends them all at once.
    def fetch(_number: int) -> tuple:
        opener = _opener()
        status, html = _send(opener, form_url + "?country=MK")
        statuses[f"GET {status}"] += 1
        return opener, CSRF_RE.search(html).group(1), SHOWN_AT_RE.search(html).group(1)

    def register(form: tuple) -> int:
        opener, csrf, shown_at = form
        data = {"csrf_token": csrf, "shown_at": shown_at, "website": "", "country": "MK"}
        data.update(municipality="mk-aerodrom", role="mayor")
        status, _html = _send(opener, form_url, data)
        return status

    with ThreadPoolExecutor(max_workers=16) as pool:
        forms = list(pool.map(fetch, range(ATTEMPTS)))
        time.sleep(app.config["OPEN_LINK_FORM_MIN_SECONDS"] + 0.5)
        posts = Counter(pool.map(register, forms))
    elapsed = time.monotonic() - started
    with app.app_context():
        stored = db.session.scalar(
            select(func.count()).select_from(Invitation).where(Invitation.self_registered)
        )
    print(
        f"\nflood: {ATTEMPTS} attempts in {elapsed:.1f} s, storage "
        f"{'redis' if redis_url else 'memory (per worker)'}; POST statuses {dict(posts)}; "
        f"stored {stored}"
    )
    assert stored <= 1, "at most the campaign's cap"
    assert stored == 1, "the first registration gets through"
    assert not [s for s in posts if s >= 500] and statuses == Counter({"GET 200": ATTEMPTS})
    assert posts[303] == 1 and posts[429] > 0
    if redis_url:
        # Shared by the 4 workers: 20 per minute from one address, whichever worker answers.
        assert posts[200] + posts[303] == 20
    assert elapsed < TIME_LIMIT
