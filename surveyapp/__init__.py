"""surveyapp: multilingual needs-assessment questionnaires for local governments."""

from __future__ import annotations

import os
import secrets
from pathlib import Path
from typing import Any

from flask import Flask, current_app, g, render_template, request
from flask_babel import Babel
from flask_wtf.csrf import CSRFError
from werkzeug.exceptions import HTTPException
from werkzeug.middleware.proxy_fix import ProxyFix

from config import Config, ProductionConfig, normalise_database_url
from surveyapp.core.access_log import redact
from surveyapp.extensions import csrf, db, limiter, login_manager, migrate
from surveyapp.languages.catalogs import CatalogCache
from surveyapp.languages.current import CATALOGS_KEY, CatalogDomain, current_locale
from surveyapp.languages.registry import SOURCE_LANGUAGE

babel = Babel()


def create_app(config: type[Config] | dict[str, Any] | None = None) -> Flask:
    """Build the application. ``config`` is a config class or a dict of overrides."""
    app = Flask(__name__, instance_relative_config=True)
    app.config.from_object(Config)
    if config is None and os.environ.get("SURVEYAPP_ENV") == "production":
        config = ProductionConfig
    if isinstance(config, dict):
        app.config.update(config)
    elif config is not None:
        app.config.from_object(config)
        if config is ProductionConfig:
            ProductionConfig.check(app.config)
    _configure_proxies(app)
    _configure_database(app)
    _configure_secret_key(app)

    db.init_app(app)
    migrate.init_app(app, db, directory=str(Path(app.root_path).parent / "migrations"))
    csrf.init_app(app)
    limiter.init_app(app)
    _drop_limiter_request_hooks(app)
    # Templates get ``current_user`` from web.template_globals, not from Flask-Login's
    # context processor (which would load the user for every page).
    login_manager.init_app(app, add_context_processor=False)
    babel.init_app(app, locale_selector=current_locale)
    babel.domain_instance = CatalogDomain()
    app.extensions[CATALOGS_KEY] = CatalogCache(app.config["BABEL_TRANSLATION_DIRECTORIES"])

    from surveyapp.cli import register_cli
    from surveyapp.core import (
        cookie_signing,
        database,
        lost_connections,
        memory,
        request_guards,
        security_headers,
        url_converters,
    )
    from surveyapp.demo.cli import register_demo_cli
    from surveyapp.jobs import queue as job_queue
    from surveyapp.jobs.cli import register_jobs_cli
    from surveyapp.languages import current as languages_current
    from surveyapp.mail import delivery
    from surveyapp.mail.cli import register_mail_cli
    from surveyapp.profiles import count_tables
    from surveyapp.questionnaires import version_cache
    from surveyapp.uploads import storage as upload_storage
    from surveyapp.web import (
        api,
        auth,
        authoring,
        engagements,
        mailbox,
        main,
        outreach,
        review,
        rounds,
        survey,
        template_globals,
    )
    from surveyapp.web.survey import uploads as survey_uploads

    url_converters.init_app(app)
    cookie_signing.init_app(app)
    database.init_app(app)
    lost_connections.init_app(app)
    languages_current.init_app(app)
    template_globals.init_app(app)
    security_headers.init_app(app)
    memory.init_app(app)
    # Before the request guards read a page's form: pages with files may be larger.
    survey_uploads.init_app(app)
    request_guards.init_app(app)
    upload_storage.init_app(app)
    version_cache.init_app(app)
    count_tables.init_app(app)
    job_queue.init_app(app)
    delivery.init_app(app)
    app.register_blueprint(main.bp)
    app.register_blueprint(survey.bp)
    app.register_blueprint(auth.bp)
    app.register_blueprint(review.bp)
    app.register_blueprint(authoring.bp)
    app.register_blueprint(mailbox.bp)
    app.register_blueprint(outreach.bp)
    app.register_blueprint(engagements.bp)
    app.register_blueprint(rounds.bp)
    api.init_app(app)
    register_cli(app)
    register_demo_cli(app)
    register_jobs_cli(app)
    register_mail_cli(app)
    _register_error_pages(app)
    return app


def _drop_limiter_request_hooks(app: Flask) -> None:
    """Flask-Limiter's hooks around every request, which we do not use.

    They check default, application and blueprint limits (we set none), add rate-limit
    headers (off) and tidy the request's limiter state. Views with limits check them
    through their own decorators (the open link), sign-in through
    ``accounts.login_throttle``; so the hooks only cost every respondent page about 5 %
    of its time (py-spy on a gunicorn worker under bench/http_bench.py).
    ``tests/test_open_link_defences.py`` shows the decorated limits still hold.
    """
    if app.config.get("RATELIMIT_DEFAULT") or app.config.get("RATELIMIT_APPLICATION"):
        return  # someone configured limits for every route: keep Flask-Limiter's checks
    check = limiter._check_request_limit
    app.before_request_funcs[None] = [f for f in app.before_request_funcs[None] if f != check]
    app.after_request_funcs[None] = [
        f
        for f in app.after_request_funcs[None]
        if getattr(getattr(f, "func", None), "__name__", "") != "__inject_headers"
    ]
    release = getattr(limiter, "_Limiter__release_context", None)
    app.teardown_request_funcs[None] = [
        f for f in app.teardown_request_funcs.get(None, []) if f != release
    ]


def _configure_proxies(app: Flask) -> None:
    """Behind nginx (deploy/nginx.conf), take the client's address from the proxy's headers.

    Only as many hops as TRUSTED_PROXIES says: a client reaching the app directly
    could otherwise claim any address and slip past per-address rate limits.
    """
    hops = int(app.config.get("TRUSTED_PROXIES") or 0)
    if hops > 0:
        app.wsgi_app = ProxyFix(app.wsgi_app, x_for=hops, x_proto=hops, x_host=hops)  # type: ignore[method-assign]


def _configure_secret_key(app: Flask) -> None:
    """Without SECRET_KEY in the environment, share one kept in the instance folder.

    Every worker process must sign sessions and CSRF tokens with the same key,
    so a key made up per process would break forms under gunicorn.
    """
    if app.config.get("TESTING") or os.environ.get("SECRET_KEY") or config_is_production(app):
        return
    path = Path(app.instance_path) / "secret_key"
    os.makedirs(app.instance_path, exist_ok=True)
    if not path.exists():
        # Written aside and linked into place, so a racing worker reads a whole key.
        draft = path.with_name(f"secret_key.{os.getpid()}")
        fd = os.open(draft, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o600)
        with os.fdopen(fd, "w") as fp:
            fp.write(secrets.token_hex(32))
        try:
            os.link(draft, path)
        except FileExistsError:
            pass
        finally:
            draft.unlink()
    app.config["SECRET_KEY"] = path.read_text().strip()


def config_is_production(app: Flask) -> bool:
    return bool(app.config.get("SESSION_COOKIE_SECURE"))


def _configure_database(app: Flask) -> None:
    url = app.config.get("SQLALCHEMY_DATABASE_URI")
    if not url:
        os.makedirs(app.instance_path, exist_ok=True)
        url = "sqlite:///" + os.path.join(app.instance_path, "surveyapp.sqlite3")
    app.config["SQLALCHEMY_DATABASE_URI"] = normalise_database_url(url)


def _register_error_pages(app: Flask) -> None:
    from surveyapp.core import lost_connections

    def render_error(code: int, kind: str = "") -> tuple[str, int]:
        return render_template("errors/error.html", code=code, kind=kind), code

    from surveyapp.web.api import PREFIX as API_PREFIX
    from surveyapp.web.api.access import http_error as api_error

    @app.errorhandler(HTTPException)
    def http_error(error: HTTPException):
        if error.code and error.code < 400:
            return error
        if request.path.startswith(API_PREFIX + "/"):
            return api_error(error)  # no URL of the API matched: JSON all the same
        kind = getattr(error, "description_key", "")
        return render_error(error.code or 500, kind)

    @app.errorhandler(CSRFError)
    def csrf_error(error: CSRFError):
        return render_error(400, "csrf")

    @app.errorhandler(Exception)
    def server_error(error: Exception):
        if lost_connections.is_lost_connection(error):
            again = lost_connections.run_again(error)
            if again is not None:
                return again
            current_app.logger.warning(
                "Lost the database connection on %s %s; not run again",
                request.method,
                redact(request.path),
            )
            if "lang" not in g:
                g.lang = SOURCE_LANGUAGE
            page, status = render_error(503, "database")
            return page, status, {"Retry-After": "5"}
        # The path without its link token, as in the access log (core.access_log).
        current_app.logger.exception(
            "Unhandled error on %s %s", request.method, redact(request.path)
        )
        if "lang" not in g:
            g.lang = SOURCE_LANGUAGE
        return render_error(500)
