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
    #: After this many requests a process freezes its long-lived objects out of the
    #: garbage collector's walks (surveyapp.core.memory); 0: never.
    GC_FREEZE_AFTER_REQUESTS = int(os.environ.get("GC_FREEZE_AFTER_REQUESTS", "200"))
    #: Flask-WTF's default: a CSRF token lives one hour. Respondent pages
    #: survive an expired token (see responses.navigation); staff pages do not.
    WTF_CSRF_TIME_LIMIT = 3600
    #: Requests larger than this are refused (413) before they are read.
    MAX_CONTENT_LENGTH = 2 * 1024 * 1024
    #: A questionnaire page with a file question, sent with its files, may be this large
    #: (each question's own limit, 10 MB for an image by default, is checked after).
    UPLOAD_MAX_REQUEST = int(os.environ.get("UPLOAD_MAX_REQUEST", str(60 * 1024 * 1024)))
    #: Where uploaded files are kept (default: the instance folder's uploads/).
    UPLOAD_FOLDER = os.environ.get("UPLOAD_FOLDER") or None
    #: Lists campaigns that have an open link on the home page.
    SHOW_OPEN_CAMPAIGNS = os.environ.get("SHOW_OPEN_CAMPAIGNS", "1") == "1"
    #: A staff session ends after this long without a request (renewed by each request).
    PERMANENT_SESSION_LIFETIME = 2 * 3600
    SESSION_COOKIE_SAMESITE = "Lax"
    SESSION_COOKIE_HTTPONLY = True
    #: Proxies in front of the app (nginx: 1) whose X-Forwarded-For/-Proto/-Host it
    #: believes; 0 when clients reach the app directly (then the headers are ignored).
    TRUSTED_PROXIES = int(os.environ.get("TRUSTED_PROXIES", "0"))
    #: A staff session ends this long after sign-in however busy it is (checked on the
    #: server from the sign-in time kept in the signed session, not from the cookie's expiry).
    STAFF_SESSION_MAX_AGE = 12 * 3600
    #: Raw responses and account changes ask for the password again when the last
    #: password entry is older than this.
    STAFF_REAUTH_MAX_AGE = 10 * 60
    #: Admins must set up two-factor sign-in before they can do anything else.
    REQUIRE_TWO_FACTOR_FOR_ADMINS = os.environ.get("REQUIRE_TWO_FACTOR_FOR_ADMINS", "0") == "1"
    #: Flask-Limiter's counters (sign-in throttling, open links). ``memory://`` keeps them in
    #: the process, so a fresh clone needs no server; with several app processes set
    #: ``redis://127.0.0.1:6379`` so that they all count together.
    RATELIMIT_STORAGE_URI = os.environ.get("RATELIMIT_STORAGE_URI", "memory://")
    RATELIMIT_KEY_PREFIX = os.environ.get("RATELIMIT_KEY_PREFIX", "surveyapp")
    #: Always set: the limiter object is shared, and would keep another app's setting.
    RATELIMIT_ENABLED = os.environ.get("RATELIMIT_ENABLED", "1") == "1"
    RATELIMIT_HEADERS_ENABLED = False
    #: Sign-in attempts from one client address (every attempt counts).
    LOGIN_ADDRESS_LIMITS = "10 per minute; 50 per hour"
    #: Failed sign-ins for one e-mail address, from any address, before the next attempt
    #: waits: growing steps, and none longer than 15 minutes, so nobody can keep an account
    #: shut for long; attempts refused while waiting do not prolong the wait.
    LOGIN_ACCOUNT_LIMITS = "5 per minute; 10 per 5 minutes; 20 per 15 minutes"
    #: Requests of one personal access token to the read-only API (/api/v1): room for a
    #: Power BI refresh of 100,000 responses (200 pages of 500) several times an hour.
    API_TOKEN_LIMITS = os.environ.get("API_TOKEN_LIMITS", "120 per minute; 3000 per hour")
    #: API requests with a missing or unknown token, per client address.
    API_REFUSED_LIMITS = "30 per minute; 300 per hour"
    #: Open-link registrations (POST) per client address. A municipality's office or a
    #: workshop room shares one address, so this leaves room for a room of people.
    OPEN_LINK_LIMITS_PER_ADDRESS = "20 per minute;100 per hour"
    #: Open-link registrations (POST) per link, from all addresses together.
    OPEN_LINK_LIMITS_PER_LINK = "120 per minute;2000 per day"
    #: The registration form must have been shown at least this long before it is sent
    #: back (a person reads and chooses), and at most this long (seconds).
    OPEN_LINK_FORM_CHECKS = True
    OPEN_LINK_FORM_MIN_SECONDS = 3
    OPEN_LINK_FORM_MAX_AGE = 12 * 3600
    #: The address respondents open, e.g. https://survey.example.org: links in mails
    #: start with it (a periodic job writing reminders has no request to take it from).
    #: Unset: mails written during a request use the request's address.
    PUBLIC_URL = os.environ.get("PUBLIC_URL")
    #: The smallest group of respondents any report, printout or export of aggregates
    #: shows (read through ``surveyapp.profiles.disclosure.min_group_size``). The privacy
    #: notice of the built-in questionnaire promises 5.
    MIN_GROUP_SIZE = int(os.environ.get("MIN_GROUP_SIZE", "5"))

    # --- the job queue (surveyapp.jobs) ---------------------------------------------------
    #: Where jobs wait for a worker: empty for a SQLite file in the instance folder (no
    #: server; ``make run`` starts a worker beside the web server), ``redis://host:6379/0``
    #: for several workers on several machines, ``sqlite:////path/jobs.sqlite3``, or
    #: ``memory://`` (jobs kept in the process: tests).
    JOB_QUEUE_URL = os.environ.get("JOB_QUEUE_URL") or None
    #: The queue's name (the Redis key prefix): apps sharing a Redis give each its own.
    JOB_QUEUE_NAME = os.environ.get("JOB_QUEUE_NAME", "surveyapp")
    #: Run each job at once in the process that queues it (unit tests only).
    JOB_QUEUE_IMMEDIATE = os.environ.get("JOB_QUEUE_IMMEDIATE", "0") == "1"
    #: Threads of ``flask worker`` when -w is not given.
    JOB_WORKERS = int(os.environ.get("JOB_WORKERS", "2"))

    # --- exports written by workers (surveyapp.responses.export_files) -------------------
    #: Where finished export files are kept (default: the instance folder's exports/).
    EXPORT_DIR = os.environ.get("EXPORT_DIR") or None
    #: A finished export file is deleted this many hours after it was written.
    EXPORT_KEEP_HOURS = float(os.environ.get("EXPORT_KEEP_HOURS", "24"))
    #: CSV and XLSX exports of at most this many responses are sent at once, in the
    #: request; larger ones, and every .sav and .dta, are written by a worker.
    EXPORT_DIRECT_MAX_ROWS = int(os.environ.get("EXPORT_DIRECT_MAX_ROWS", "2000"))
    #: A worker's claim on an export holds this long (renewed with every progress report);
    #: an export whose worker died is run again after it.
    EXPORT_CLAIM_SECONDS = int(os.environ.get("EXPORT_CLAIM_SECONDS", "60"))
    #: How often a worker writes an export's progress (seconds).
    EXPORT_PROGRESS_SECONDS = float(os.environ.get("EXPORT_PROGRESS_SECONDS", "1"))
    #: Attempts before an export that fails with an error is marked failed.
    EXPORT_MAX_ATTEMPTS = int(os.environ.get("EXPORT_MAX_ATTEMPTS", "3"))

    # --- outgoing mail (surveyapp.mail) -------------------------------------------------
    #: The SMTP server; empty: mails are written as .eml files under MAIL_FILE_DIR.
    MAIL_SERVER = os.environ.get("MAIL_SERVER") or None
    MAIL_PORT = int(os.environ.get("MAIL_PORT") or "0") or None
    #: STARTTLS after connecting (port 587), or TLS from the start (port 465).
    MAIL_USE_TLS = os.environ.get("MAIL_USE_TLS", os.environ.get("MAIL_STARTTLS", "0")) == "1"
    MAIL_USE_SSL = os.environ.get("MAIL_USE_SSL", "0") == "1"
    MAIL_USERNAME = os.environ.get("MAIL_USERNAME") or None
    MAIL_PASSWORD = os.environ.get("MAIL_PASSWORD") or None
    #: From: of every mail, e.g. "Western Balkans Hub <hub@example.org>".
    MAIL_SENDER = os.environ.get("MAIL_SENDER", "surveyapp <surveyapp@localhost>")
    #: Seconds to wait for the SMTP server.
    MAIL_TIMEOUT = float(os.environ.get("MAIL_TIMEOUT", "30"))
    #: Where mails go without MAIL_SERVER (default: the instance folder's mail/).
    MAIL_FILE_DIR = os.environ.get("MAIL_FILE_DIR") or None
    #: Mails handed to the SMTP server per minute, by all workers together; 0: no limit.
    MAIL_RATE_PER_MINUTE = int(os.environ.get("MAIL_RATE_PER_MINUTE", "600"))
    #: Mails a worker claims at once (and sends over one SMTP connection).
    MAIL_BATCH_SIZE = int(os.environ.get("MAIL_BATCH_SIZE", "50"))
    #: A claim holds this long (renewed while the batch goes on); a mail whose worker died
    #: is sent again after it.
    MAIL_CLAIM_SECONDS = int(os.environ.get("MAIL_CLAIM_SECONDS", "120"))
    #: Attempts before a temporary failure (4xx, no connection) counts as failed; the
    #: wait doubles from MAIL_RETRY_SECONDS after each (at most MAIL_RETRY_MAX_SECONDS).
    MAIL_MAX_ATTEMPTS = int(os.environ.get("MAIL_MAX_ATTEMPTS", "8"))
    MAIL_RETRY_SECONDS = int(os.environ.get("MAIL_RETRY_SECONDS", "60"))
    MAIL_RETRY_MAX_SECONDS = int(os.environ.get("MAIL_RETRY_MAX_SECONDS", str(6 * 3600)))
    #: A mailbox that receives bounces (delivery status notifications), read every ten
    #: minutes by the workers when MAIL_BOUNCE_IMAP_HOST is set.
    MAIL_BOUNCE_IMAP_HOST = os.environ.get("MAIL_BOUNCE_IMAP_HOST") or None
    MAIL_BOUNCE_IMAP_PORT = int(os.environ.get("MAIL_BOUNCE_IMAP_PORT", "993"))
    MAIL_BOUNCE_IMAP_SSL = os.environ.get("MAIL_BOUNCE_IMAP_SSL", "1") == "1"
    MAIL_BOUNCE_IMAP_USERNAME = os.environ.get("MAIL_BOUNCE_IMAP_USERNAME") or None
    MAIL_BOUNCE_IMAP_PASSWORD = os.environ.get("MAIL_BOUNCE_IMAP_PASSWORD") or None
    MAIL_BOUNCE_IMAP_FOLDER = os.environ.get("MAIL_BOUNCE_IMAP_FOLDER", "INBOX")

    # --- password reset for staff -------------------------------------------------------
    #: A reset link works once, for this long (seconds).
    PASSWORD_RESET_MAX_AGE = 3600
    #: "Forgot password?" requests per client address, and per e-mail address typed.
    RESET_LINK_ADDRESS_LIMITS = "5 per minute; 20 per hour"
    RESET_LINK_ACCOUNT_LIMITS = "3 per hour"


class ProductionConfig(Config):
    """For a server on the internet: a real secret, secure cookies, https links."""

    SESSION_COOKIE_SECURE = True
    REMEMBER_COOKIE_SECURE = True
    PREFERRED_URL_SCHEME = "https"

    @staticmethod
    def check(config: dict) -> None:
        key = os.environ.get("SECRET_KEY", "")
        if not secret_key_is_strong(key):
            raise RuntimeError(
                "SECRET_KEY must be set to a random value of at least 32 bytes in production, "
                "not a word or a repeated pattern "
                '(e.g. python -c "import secrets; print(secrets.token_hex(32))").'
            )
        config["SECRET_KEY"] = key


#: A random key of 32 bytes or more (token_hex: 64 characters of 16 kinds; token_urlsafe:
#: about 43 of up to 64 kinds) easily clears these; a phrase, a repeated word or a run of
#: one character does not.
MIN_SECRET_KEY_BYTES = 32
MIN_SECRET_KEY_DISTINCT = 12


def secret_key_is_strong(key: str) -> bool:
    """A length and variety check, not a proof of randomness.

    It catches the usual mistakes (a short key, "change-me" repeated, a run of one
    character, a short pattern typed again and again) that would let someone who
    guesses the key forge a staff session cookie.
    """
    if len(key.encode()) < MIN_SECRET_KEY_BYTES or len(set(key)) < MIN_SECRET_KEY_DISTINCT:
        return False
    # A pattern repeated over and over: few distinct 4-character pieces for its length.
    pieces = {key[i : i + 4] for i in range(len(key) - 3)}
    return len(pieces) >= (len(key) - 3) * 3 // 4


class TestConfig(Config):
    TESTING = True
    #: One process makes an application per test: nothing is long-lived enough to freeze.
    GC_FREEZE_AFTER_REQUESTS = 0
    # bandit: a fixed key in the test configuration only.
    SECRET_KEY = "test-secret-key"  # nosec B105
    SQLALCHEMY_DATABASE_URI = os.environ.get("TEST_DATABASE_URL") or "sqlite://"
    RATELIMIT_STORAGE_URI = "memory://"
    RATELIMIT_ENABLED = True
    #: Tests post the registration form at once; tests/test_open_link_defences.py turns
    #: the time and trap checks on.
    OPEN_LINK_FORM_CHECKS = False
    #: Jobs wait in the test's app (nothing runs them unless a test does); mails to
    #: files under the test's instance folder unless a test starts an SMTP server.
    JOB_QUEUE_URL = "memory://"
    JOB_QUEUE_IMMEDIATE = False
    MAIL_SERVER = None
    MAIL_SENDER = "Western Balkans Hub <hub@example.org>"
    MAIL_RATE_PER_MINUTE = 0


def normalise_database_url(url: str) -> str:
    """Let people paste a plain ``postgres://`` URL; we use psycopg 3."""
    for prefix in ("postgres://", "postgresql://"):
        if url.startswith(prefix):
            return "postgresql+psycopg://" + url[len(prefix) :]
    return url
