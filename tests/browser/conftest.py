"""Headless Chromium (Debian's package) driven by Playwright, against the app
served on 127.0.0.1. Every request to any other host is aborted."""

from __future__ import annotations

import os
import shutil
import threading
from collections.abc import Iterator
from pathlib import Path
from urllib.parse import urlsplit

import pytest
from sqlalchemy import select
from werkzeug.serving import make_server

from surveyapp.demo.seed import seed_demo
from surveyapp.extensions import db
from surveyapp.models import Municipality, Response

CHROMIUM = "/usr/bin/chromium"
#: The checkers `make test` installs with npm (tests/tools/package.json).
TOOLS = Path(__file__).resolve().parents[1] / "tools" / "node_modules"
AXE = TOOLS / "axe-core" / "axe.min.js"
VNU = TOOLS / "vnu-jar" / "build" / "dist" / "vnu.jar"
SCREENSHOTS = Path(__file__).resolve().parents[2] / "artifacts" / "screenshots"
PHONE = {"width": 390, "height": 844}
DESKTOP = {"width": 1280, "height": 900}


#: A browser that closes a page while the test server (Werkzeug's development server,
#: never used in production, where nginx serves /static) is still sending it a static
#: file drops the connection; Werkzeug then leaves that file to the garbage collector,
#: whose ResourceWarning the suite would take for an error in whichever test runs then.
#: Only those warnings, for files under surveyapp/static/, are ignored.
STATIC_FILE_DROPPED = (
    "ignore:unclosed file <_io.BufferedReader name='[^']*/surveyapp/static/:ResourceWarning",
    "ignore:Exception ignored in. <_io.FileIO name='[^']*/surveyapp/static/"
    ":pytest.PytestUnraisableExceptionWarning",
)


def pytest_collection_modifyitems(items):
    for item in items:
        if "tests/browser/" in str(item.fspath).replace(os.sep, "/"):
            item.add_marker(pytest.mark.browser)
            for ignored in STATIC_FILE_DROPPED:
                item.add_marker(pytest.mark.filterwarnings(ignored))


def in_ci() -> bool:
    """Whether the tests run in CI (``CI=true``, as CI services set it): there a missing
    tool fails the test instead of skipping it, so a check can never be silently lost."""
    return os.environ.get("CI", "").strip().lower() not in ("", "0", "false", "no")


def missing_tool(reason: str) -> None:
    """Skip the test for a tool that is not installed; under ``CI=true``, fail it."""
    if in_ci():
        pytest.fail(f"{reason}. CI=true: CI must run this check, so it fails instead of skipping.")
    pytest.skip(reason)


def need_tool(path: Path, what: str) -> None:
    """The test needs ``path`` (e.g. axe-core or the Nu HTML Checker from tests/tools)."""
    if not path.exists():
        hint = "" if TOOLS.exists() else f"; {TOOLS} itself is missing"
        missing_tool(
            f"{what} is not installed ({path}{hint}); `make test` installs it "
            "with npm in tests/tools"
        )


def need_java() -> None:
    """The Nu HTML Checker runs on java."""
    if shutil.which("java") is None:
        missing_tool("java is not installed, and the Nu HTML Checker (vnu-jar) runs on it")


@pytest.fixture(scope="session")
def browser():
    if not Path(CHROMIUM).exists() or shutil.which("chromium") is None:
        missing_tool(
            f"Debian's chromium is not installed at {CHROMIUM} (make test installs it as root)"
        )
    from playwright.sync_api import sync_playwright

    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(
            executable_path=CHROMIUM,
            args=[
                "--no-sandbox",
                "--disable-gpu",
                "--disable-background-networking",
                "--disable-component-update",
                "--disable-sync",
                "--no-first-run",
            ],
        )
        yield browser
        browser.close()


@pytest.fixture
def live_server(app) -> Iterator[str]:
    server = make_server("127.0.0.1", 0, app, threaded=True)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    yield f"http://127.0.0.1:{server.server_port}"
    server.shutdown()
    thread.join(timeout=5)


def _local_only(route):
    if urlsplit(route.request.url).hostname == "127.0.0.1":
        route.continue_()
    else:
        route.abort()


@pytest.fixture
def new_page(browser):
    """Factory: a fresh browser page with a viewport, limited to 127.0.0.1."""
    contexts = []

    def make(viewport: dict | None = None, locale: str = "en-GB"):
        context = browser.new_context(viewport=viewport or DESKTOP, locale=locale)
        context.route("**/*", _local_only)
        contexts.append(context)
        return context.new_page()

    yield make
    for context in contexts:
        context.close()


@pytest.fixture(scope="session")
def screenshots() -> Path:
    SCREENSHOTS.mkdir(parents=True, exist_ok=True)
    return SCREENSHOTS


@pytest.fixture
def demo_campaign(app) -> tuple[int, str]:
    """A demo campaign with 2,000 responses; returns its id and a municipality with answers.

    Enough that many municipalities have 5 respondents or more: fewer are hidden
    (profiles/disclosure.py), and peer learning would have nobody to suggest.
    """
    with app.app_context():
        campaign = seed_demo(2000, seed=7)
        town = db.session.scalar(
            select(Municipality.code)
            .join(Response, Response.municipality_id == Municipality.id)
            .where(Response.campaign_id == campaign.id)
            .group_by(Municipality.code)
            .order_by(db.func.count().desc())
        )
        return campaign.id, town
