"""The session cookie, signed by a serializer kept per process (core.cookie_signing):
Flask's format and key rotation unchanged, a forged or re-keyed cookie refused."""

from __future__ import annotations

from flask.sessions import SecureCookieSessionInterface

from surveyapp.core.cookie_signing import KeptSerializerSessionInterface


def _cookie(app, data: dict) -> str:
    return app.session_interface.get_signing_serializer(app).dumps(data)


def test_cookies_read_and_written_as_flask_does(app):
    assert isinstance(app.session_interface, KeptSerializerSessionInterface)
    flask_made = SecureCookieSessionInterface().get_signing_serializer(app).dumps({"a": 1})
    assert app.session_interface.get_signing_serializer(app).loads(flask_made) == {"a": 1}
    ours = _cookie(app, {"b": 2})
    assert SecureCookieSessionInterface().get_signing_serializer(app).loads(ours) == {"b": 2}


def test_a_rotated_key_keeps_old_sessions_and_a_new_key_ends_them(app):
    old = _cookie(app, {"csrf_token": "x"})
    serializer = app.session_interface.get_signing_serializer(app)
    previous = app.secret_key
    app.config["SECRET_KEY"] = "a-new-secret-key-for-this-test"
    try:
        assert app.session_interface.get_signing_serializer(app) is not serializer
        app.config["SECRET_KEY_FALLBACKS"] = [previous]
        assert app.session_interface.get_signing_serializer(app).loads(old) == {"csrf_token": "x"}
        app.config["SECRET_KEY_FALLBACKS"] = []
        client = app.test_client()
        client.set_cookie("session", old)
        with client.session_transaction() as session:
            assert "csrf_token" not in session  # signed with a key no longer trusted
    finally:
        app.config["SECRET_KEY"] = previous
        app.config["SECRET_KEY_FALLBACKS"] = []


def test_a_tampered_cookie_starts_an_empty_session(app):
    cookie = _cookie(app, {"csrf_token": "x"})
    payload, _, signature = cookie.rpartition(".")
    forged = payload + "." + ("A" if signature[0] != "A" else "B") + signature[1:]
    client = app.test_client()
    client.set_cookie("session", forged)
    with client.session_transaction() as session:
        assert dict(session) == {}
