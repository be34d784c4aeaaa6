"""Configuration classes.

Secrets and the database address come from the environment; the defaults are
safe for a laptop: SQLite in the instance folder and a random secret key.
"""

from __future__ import annotations

import os
import secrets
from pathlib import Path

BASE_DIR = Path(__file__).resolve().parent


class Config:
    #: Signs session cookies and CSRF tokens. Set it in production.
    SECRET_KEY = os.environ.get("SECRET_KEY") or secrets.token_hex(32)
    #: None means: SQLite in the instance folder (filled in by create_app).
    SQLALCHEMY_DATABASE_URI = os.environ.get("DATABASE_URL")
    #: Pooled connections are checked before use by surveyapp.core.database (not pool_pre_ping,
    #: which would also ping for every respondent page).
    SQLALCHEMY_ENGINE_OPTIONS: dict = {}
    #: Flask-Babel resolves relative directories against the package folder,
    #: so point it at the top-level catalogs with an absolute path.
    BABEL_TRANSLATION_DIRECTORIES = str(BASE_DIR / "translations")
    BABEL_DEFAULT_LOCALE = "en"
    BABEL_DEFAULT_TIMEZONE = "Europe/Belgrade"
    #: Flask-WTF's default: a CSRF token lives one hour. Respondent pages
    #: survive an expired token (see responses.navigation); staff pages do not.
    WTF_CSRF_TIME_LIMIT = 3600
    #: Requests larger than this are refused (413) before they are read.
    MAX_CONTENT_LENGTH = 2 * 1024 * 1024
    #: Lists campaigns that have an open link on the home page.
    SHOW_OPEN_CAMPAIGNS = os.environ.get("SHOW_OPEN_CAMPAIGNS", "1") == "1"
    #: A staff session ends after this long without a request (renewed by each request).
    PERMANENT_SESSION_LIFETIME = 2 * 3600
    SESSION_COOKIE_SAMESITE = "Lax"
    SESSION_COOKIE_HTTPONLY = True
    #: Proxies in front of the app (nginx: 1) whose X-Forwarded-For/-Proto/-Host it
    #: believes; 0 when clients reach the app directly (then the headers are ignored).
    TRUSTED_PROXIES = int(os.environ.get("TRUSTED_PROXIES", "0"))


class ProductionConfig(Config):
    """For a server on the internet: a real secret, secure cookies, https links."""

    SESSION_COOKIE_SECURE = True
    REMEMBER_COOKIE_SECURE = True
    PREFERRED_URL_SCHEME = "https"

    @staticmethod
    def check(config: dict) -> None:
        key = os.environ.get("SECRET_KEY", "")
        if len(key) < 32 or key in {"change-me", "secret", "dev"}:
            raise RuntimeError(
                "SECRET_KEY must be set to a random value of at least 32 characters in production "
                '(e.g. python -c "import secrets; print(secrets.token_hex(32))").'
            )
        config["SECRET_KEY"] = key


class TestConfig(Config):
    TESTING = True
    # bandit: a fixed key in the test configuration only.
    SECRET_KEY = "test-secret-key"  # nosec B105
    SQLALCHEMY_DATABASE_URI = os.environ.get("TEST_DATABASE_URL") or "sqlite://"


def normalise_database_url(url: str) -> str:
    """Let people paste a plain ``postgres://`` URL; we use psycopg 3."""
    for prefix in ("postgres://", "postgresql://"):
        if url.startswith(prefix):
            return "postgresql+psycopg://" + url[len(prefix) :]
    return url
