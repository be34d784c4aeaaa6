"""Shared pieces of the HTTP benchmark: the machine, databases prepared like
tests/conftest.py, gunicorn servers on 127.0.0.1, and a small HTTP client.

Everything binds to and talks to 127.0.0.1 only; every loop is bounded.
"""

from __future__ import annotations

import contextlib
import http.client
import io
import json
import os
import platform
import re
import socket
import subprocess
import sys
import tempfile
import time
import urllib.parse
from dataclasses import dataclass, field
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
BENCH = Path(__file__).resolve().parent
GUNICORN = Path(sys.executable).with_name("gunicorn")
HOST = "127.0.0.1"
CSRF_RE = re.compile(r'name="csrf_token"[^>]*value="([^"]+)"')
#: Shared by the benchmark process and every gunicorn worker, so that sessions
#: and CSRF tokens signed by one worker verify in the other.
SECRET_KEY = "http-bench-" + "k" * 40


# --- the machine ----------------------------------------------------------------


def cpu_model() -> str:
    try:
        for line in Path("/proc/cpuinfo").read_text().splitlines():
            if line.startswith("model name"):
                return line.split(":", 1)[1].strip()
    except OSError:
        pass
    return platform.processor() or "unknown"


def machine() -> dict[str, str]:
    return {
        "nproc": str(os.cpu_count()),
        "cpu": cpu_model(),
        "python": platform.python_version(),
        "platform": platform.platform(terse=True),
    }


# --- databases ------------------------------------------------------------------


def database_label(url: str) -> str:
    return "PostgreSQL" if url.startswith("postgres") else "SQLite"


def make_app(url: str):
    """The surveyapp application on ``url`` (the same configuration gunicorn gets)."""
    os.environ["SECRET_KEY"] = SECRET_KEY
    from surveyapp import create_app

    return create_app({"SQLALCHEMY_DATABASE_URI": url, "SECRET_KEY": SECRET_KEY})


def prepare_database(url: str) -> None:
    """A fresh database: Alembic upgrade, then the built-in content (as tests/conftest.py)."""
    from flask_migrate import upgrade
    from sqlalchemy import text

    from surveyapp.demo import open_campaign
    from surveyapp.extensions import db
    from surveyapp.places import reference_data
    from surveyapp.questionnaires import definition_file

    app = make_app(url)
    with app.app_context():
        if url.startswith("postgres"):
            db.session.execute(text("DROP SCHEMA public CASCADE; CREATE SCHEMA public"))
            db.session.commit()
        with contextlib.redirect_stderr(io.StringIO()):  # Alembic's INFO lines
            upgrade()
        reference_data.load_reference_data()
        version = definition_file.load_questionnaire()
        open_campaign.ensure_demo_campaign(version)
        db.session.commit()
        db.engine.dispose()


def make_invitations(app, count: int, lang: str = "en") -> list[str]:
    """``count`` invitations to the demo campaign (one commit); their tokens."""
    from sqlalchemy import select

    from surveyapp.campaigns.tokens import new_token
    from surveyapp.extensions import db
    from surveyapp.models import Campaign, Invitation, Municipality

    with app.app_context():
        campaign = db.session.scalar(select(Campaign).order_by(Campaign.id))
        towns = list(db.session.scalars(select(Municipality).order_by(Municipality.id)))
        tokens = [new_token() for _ in range(count)]
        db.session.add_all(
            Invitation(
                token=token,
                campaign=campaign,
                municipality=towns[i % len(towns)],
                role="councillor",
                language=lang,
            )
            for i, token in enumerate(tokens)
        )
        db.session.commit()
        db.engine.dispose()
    return tokens


def page_spec(app, number: int, lang: str = "en") -> dict:
    """One questionnaire page as the respondent sees it, for the bare app to render."""
    from sqlalchemy import select

    from surveyapp.extensions import db
    from surveyapp.models import Campaign
    from surveyapp.questionnaires.texts import load_texts
    from surveyapp.questionnaires.versions import load_version

    with app.app_context():
        campaign = db.session.scalar(select(Campaign).order_by(Campaign.id))
        version = load_version(campaign.version_id)
        texts = load_texts(version.id, lang)
        page = version.pages[number - 1]
        questions = []
        for q in page.questions:
            list_name = q.choice_list.name if q.choice_list else ""
            choices = q.choice_list.choices if q.choice_list else []
            questions.append(
                {
                    "id": q.id,
                    "name": q.name,
                    "type": q.type,
                    "required": q.required,
                    "label": texts.label(q),
                    "hint": texts.hint(q),
                    "choices": [
                        [c.value, texts.choice(list_name, c.value), c.score] for c in choices
                    ],
                }
            )
        spec = {
            "lang": lang,
            "title": texts.title(),
            "page_title": texts.page_title(page),
            "page_intro": texts.page_intro(page),
            "number": number,
            "page_count": len(version.pages),
            "questions": questions,
        }
        db.engine.dispose()
    return spec


def answer_forms(app, lang: str = "en") -> list[dict[str, list[str]]]:
    """Valid form data for every page, in two variants (so repeated saves change rows)."""
    from tests.plans import answer_plan, builtin_version

    with app.app_context():
        version = builtin_version()
        plans = [answer_plan(version, variant) for variant in (0, 1)]
        from surveyapp.extensions import db

        db.engine.dispose()
    return [
        [{k: v if isinstance(v, list) else [v] for k, v in p.form.items()} for p in variant]
        for variant in plans
    ]


def analyze(app) -> None:
    """PostgreSQL: gather planner statistics, as autovacuum does on a live database.

    Right after seeding a fresh database there are none, and the planner picks
    nested loops that make some queries 20 times slower than they ever are in use.
    """
    from sqlalchemy import text

    from surveyapp.extensions import db

    with app.app_context():
        if db.engine.dialect.name == "postgresql":
            with db.engine.connect().execution_options(isolation_level="AUTOCOMMIT") as conn:
                conn.execute(text("ANALYZE"))
        db.engine.dispose()


def count_rows(app, sql: str) -> int:
    from sqlalchemy import text

    from surveyapp.extensions import db

    with app.app_context():
        value = db.session.execute(text(sql)).scalar()
        db.engine.dispose()
    return int(value or 0)


# --- servers --------------------------------------------------------------------


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind((HOST, 0))
        return sock.getsockname()[1]


@dataclass
class Server:
    """gunicorn serving ``app`` on 127.0.0.1; a context manager that stops it."""

    app: str
    env: dict[str, str]
    workers: int = 2
    worker_class: str = "sync"
    threads: int = 1
    port: int = field(default_factory=free_port)
    process: subprocess.Popen | None = None
    log: Path | None = None
    _output: str = ""

    def __enter__(self) -> Server:
        self.log = Path(tempfile.gettempdir()) / f"http_bench_gunicorn_{self.port}.log"
        command = [
            str(GUNICORN),
            "--workers", str(self.workers),
            "--worker-class", self.worker_class,
            "--threads", str(self.threads),
            "--bind", f"{HOST}:{self.port}",
            "--backlog", "256",
            "--log-level", "warning",
            "--timeout", "60",
            self.app,
        ]  # fmt: skip
        env = {
            **os.environ,
            **self.env,
            "SECRET_KEY": SECRET_KEY,
            "PYTHONWARNINGS": "ignore",
            "PYTHONPATH": f"{ROOT}{os.pathsep}{BENCH}",
        }
        env.pop("SURVEYAPP_ENV", None)
        with self.log.open("wb") as out:
            self.process = subprocess.Popen(
                command, cwd=ROOT, env=env, stdout=out, stderr=subprocess.STDOUT
            )
        deadline = time.monotonic() + 30
        while time.monotonic() < deadline:
            if self.process.poll() is not None:
                break
            try:
                with socket.create_connection((HOST, self.port), timeout=1):
                    return self
            except OSError:
                time.sleep(0.1)
        self.__exit__(None, None, None)
        raise RuntimeError(f"gunicorn did not start ({self.app}):\n{self.output()}")

    def __exit__(self, *exc) -> None:
        if self.process is not None and self.process.poll() is None:
            self.process.terminate()
            try:
                self.process.wait(timeout=15)
            except subprocess.TimeoutExpired:
                self.process.kill()
                self.process.wait(timeout=5)
        if self.log is not None and self.log.exists():
            self._output = self.output()
            self.log.unlink()

    def output(self) -> str:
        if self.log is not None and self.log.exists():
            return self.log.read_text(errors="replace")
        return self._output

    @property
    def base(self) -> str:
        return f"http://{HOST}:{self.port}"


# --- a small browser -------------------------------------------------------------


class HTTPError(RuntimeError):
    pass


class Browser:
    """One client: one keep-alive connection (reopened when the server closes it),
    its own cookies; follows redirects when asked."""

    def __init__(self, port: int, timeout: float = 60) -> None:
        self.port = port
        self.conn = http.client.HTTPConnection(HOST, port, timeout=timeout)
        self.cookies: dict[str, str] = {}
        self.requests = 0

    def close(self) -> None:
        self.conn.close()

    def cookie_header(self) -> str:
        return "; ".join(f"{k}={v}" for k, v in self.cookies.items())

    def request(
        self, method: str, path: str, form: dict | None = None
    ) -> tuple[int, str | None, str]:
        headers = {"Host": f"{HOST}:{self.port}"}
        body = None
        if self.cookies:
            headers["Cookie"] = self.cookie_header()
        if form is not None:
            body = urllib.parse.urlencode(form, doseq=True)
            headers["Content-Type"] = "application/x-www-form-urlencoded"
        for attempt in range(2):
            try:
                self.conn.request(method, path, body=body, headers=headers)
                reply = self.conn.getresponse()
                text = reply.read().decode()
                break
            except (http.client.RemoteDisconnected, ConnectionResetError, BrokenPipeError):
                # A kept-alive connection the server had already closed: reconnect once.
                self.conn.close()
                if attempt:
                    raise
        self.requests += 1
        for header in reply.headers.get_all("Set-Cookie") or []:
            name, _, value = header.split(";", 1)[0].partition("=")
            self.cookies[name.strip()] = value.strip()
        if reply.will_close:
            self.conn.close()
        location = reply.getheader("Location")
        if location:
            location = urllib.parse.urlsplit(location)
            location = location.path + (f"?{location.query}" if location.query else "")
        return reply.status, location, text

    def go(self, method: str, path: str, form: dict | None = None, limit: int = 5) -> tuple:
        """Request and follow redirects (POST → GET after 302/303); (final path, html)."""
        status, location, text = self.request(method, path, form)
        for _ in range(limit):
            if status not in (301, 302, 303, 307, 308):
                break
            path = location
            status, location, text = self.request("GET", path)
        if status >= 400:
            raise HTTPError(f"{method} {path}: HTTP {status}")
        return path, text


def csrf_token(html: str) -> str:
    match = CSRF_RE.search(html)
    if not match:
        raise HTTPError("no CSRF token on the page")
    return match.group(1)


def dump_json(data, path: Path) -> Path:
    path.write_text(json.dumps(data, ensure_ascii=False))
    return path


def normalise_url(url: str) -> str:
    """``postgresql://`` → ``postgresql+psycopg://`` (as the app does)."""
    from config import normalise_database_url

    return normalise_database_url(url)


@contextlib.contextmanager
def postgres_database(url: str, suffix: str):
    """A fresh database ``<name>_<suffix>`` on the server of ``url``; dropped afterwards."""
    from sqlalchemy import create_engine, text
    from sqlalchemy.engine import make_url

    base = make_url(normalise_url(url))
    name = f"{base.database}_{suffix}"
    admin = create_engine(base, isolation_level="AUTOCOMMIT")
    with admin.connect() as conn:
        conn.execute(text(f'DROP DATABASE IF EXISTS "{name}"'))
        conn.execute(text(f'CREATE DATABASE "{name}"'))
    try:
        yield base.set(database=name).render_as_string(hide_password=False)
    finally:
        with admin.connect() as conn:
            conn.execute(text(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)'))
        admin.dispose()


def median_time(action, repeat: int = 5) -> float:
    """Seconds ``action()`` takes, the median of ``repeat`` runs."""
    import statistics

    times = []
    for _ in range(repeat):
        start = time.perf_counter()
        action()
        times.append(time.perf_counter() - start)
    return statistics.median(times)
