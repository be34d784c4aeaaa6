"""Sign-in attempts are limited per client address and per account, the same
way for accounts that exist and those that do not (#13 finding 8)."""

from __future__ import annotations

import os
import re
import socket
import threading
import time
import uuid

import pytest

from tests.conftest import PASSWORD, Staff

REDIS_URL = os.environ.get("TEST_REDIS_URL", "redis://127.0.0.1:6379")


def _answer(reply) -> tuple[int, str]:
    """The status and the message a person reads."""
    html = reply.get_data(as_text=True)
    message = re.search(r'role="alert"><p>(.*?)</p>', html)
    return reply.status_code, message.group(1) if message else ""


def test_known_and_unknown_accounts_are_answered_alike(app, client, make_user):
    known = Staff(client, make_user("analyst"))
    other_client = app.test_client()
    other_client.environ_base["REMOTE_ADDR"] = "192.0.2.44"  # within its address's limit
    unknown = Staff(other_client, "nobody@example.org")
    for _ in range(5):
        assert _answer(known.login(password="wrong password")) == _answer(
            unknown.login(password="wrong password")
        )
    slowed_known, slowed_unknown = _answer(known.login()), _answer(unknown.login())
    assert slowed_known == slowed_unknown
    assert "Too many failed attempts" in slowed_known[1]


def test_one_address_cannot_try_password_after_password(app, client):
    limit = int(app.config["LOGIN_ADDRESS_LIMITS"].split()[0])
    for number in range(limit):
        assert Staff(client, f"guess{number}@example.org").login().status_code == 401
    refused = Staff(client, "one-more@example.org").login()
    assert refused.status_code == 429
    assert "Too many sign-in attempts" in refused.get_data(as_text=True)
    other_address = Staff(client, "guess0@example.org")
    url = "/en/staff/login"
    token = client.get(url).get_data(as_text=True)
    from tests.conftest import csrf_token

    elsewhere = client.post(
        url,
        data={"email": other_address.email, "password": "x", "csrf_token": csrf_token(token)},
        environ_base={"REMOTE_ADDR": "192.0.2.7"},
    )
    assert elsewhere.status_code == 401


def test_the_slow_down_is_short_and_refused_attempts_do_not_extend_it(app_with):
    app = app_with(LOGIN_ACCOUNT_LIMITS="3 per 2 seconds")
    with app.app_context():
        from surveyapp.accounts import users

        users.create_user("quick@example.org", PASSWORD, "analyst")
    member = Staff(app.test_client(), "quick@example.org")
    for _ in range(3):
        assert member.login(password="wrong password").status_code == 401
    for _ in range(3):  # an attacker keeps knocking: the wait does not grow
        assert "Too many failed attempts" in member.login().get_data(as_text=True)
    time.sleep(2.1)
    assert member.login().status_code == 303


def test_parallel_attempts_never_check_more_passwords_than_the_limit(app, make_user):
    from surveyapp.accounts import users

    email = make_user("analyst")
    outcomes: list[str] = []
    barrier = threading.Barrier(12)

    def attempt(number: int) -> None:
        with app.app_context():
            barrier.wait()
            result = users.authenticate(email, "wrong password", address=f"198.51.100.{number}")
            outcomes.append(result.outcome)

    threads = [threading.Thread(target=attempt, args=(n,)) for n in range(12)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert outcomes.count("invalid") == 5
    assert outcomes.count("throttled") == 7


def _redis_reachable() -> bool:
    try:
        with socket.create_connection(("127.0.0.1", 6379), timeout=0.5):
            return True
    except OSError:
        return False


@pytest.mark.skipif(not _redis_reachable(), reason="no Redis server on 127.0.0.1:6379")
def test_the_login_limiter_works_against_redis(app_with):
    import redis

    prefix = f"surveyapp-test-{uuid.uuid4().hex}"
    app = app_with(RATELIMIT_STORAGE_URI=REDIS_URL, RATELIMIT_KEY_PREFIX=prefix)
    server = redis.Redis.from_url(REDIS_URL)
    try:
        with app.app_context():
            from surveyapp.accounts import users

            users.create_user("redis@example.org", PASSWORD, "analyst")
        member = Staff(app.test_client(), "redis@example.org")
        for _ in range(5):
            assert member.login(password="wrong password").status_code == 401
        assert "Too many failed attempts" in member.login().get_data(as_text=True)
        assert list(server.scan_iter(f"*{prefix}*")), "the counters are kept in Redis"
    finally:
        for key in server.scan_iter(f"*{prefix}*"):
            server.delete(key)
        server.close()
    assert not list(redis.Redis.from_url(REDIS_URL).scan_iter(f"*{prefix}*"))
