"""Every page carries headers that keep answers and tokens where they belong."""

from __future__ import annotations

import pytest


@pytest.mark.parametrize("path", ["/en/", "/en/staff/login", "/en/r/unknown-token"])
def test_pages_have_a_strict_content_security_policy(client, path):
    headers = client.get(path).headers
    policy = headers["Content-Security-Policy"]
    assert "unsafe-inline" not in policy and "frame-ancestors 'none'" in policy
    assert headers["X-Content-Type-Options"] == "nosniff"
    assert headers["X-Frame-Options"] == "DENY"
    assert headers["Referrer-Policy"] == "same-origin"


def test_pages_with_answers_are_never_cached(respondent):
    person = respondent("en")
    person.consent()
    assert person.get("/p/1").headers["Cache-Control"] == "no-store"
    assert person.get().headers.get("Cache-Control") == "no-store"


def test_the_home_page_may_be_cached(client):
    assert "no-store" not in client.get("/en/").headers.get("Cache-Control", "")


def test_production_refuses_to_start_without_a_real_secret_key(monkeypatch):
    from config import ProductionConfig
    from surveyapp import create_app

    monkeypatch.setenv("SECRET_KEY", "dev")
    with pytest.raises(RuntimeError, match="SECRET_KEY"):
        create_app(ProductionConfig)
    key = "9f2c7a41e0b86d35c1f4a8e27b09d6c3f5e18a2d4b7c90e6a3f1d8c5b2e0a479"
    monkeypatch.setenv("SECRET_KEY", key)
    monkeypatch.setenv("DATABASE_URL", "sqlite://")
    app = create_app(ProductionConfig)
    assert app.config["SESSION_COOKIE_SECURE"] and app.config["SECRET_KEY"] == key


def test_the_sqlite_database_can_be_backed_up_online(app, runner, tmp_path):
    import sqlite3

    target = tmp_path / "backup.sqlite3"
    result = runner.invoke(args=["backup", str(target)])
    if app.config["SQLALCHEMY_DATABASE_URI"].startswith("sqlite"):
        assert result.exit_code == 0, result.output
        with sqlite3.connect(target) as copy:
            assert copy.execute("select count(*) from municipality").fetchone()[0] == 495
        copy.close()
    else:
        assert result.exit_code != 0 and "pg_dump" in result.output
