"""The browser tests' checkers (axe-core, the Nu HTML Checker, java, Chromium): a
developer without them gets a skip, CI (``CI=true``) gets a failure that says what is
missing, so no accessibility or HTML check is silently lost there."""

from __future__ import annotations

import pytest

from tests.browser import conftest as browser_tests

MISSING = browser_tests.TOOLS / "no-such-checker" / "checker.js"


@pytest.mark.parametrize("value", ["", "0", "false", "no"])
def test_without_ci_a_missing_checker_skips_the_test(monkeypatch, value):
    monkeypatch.setenv("CI", value)
    with pytest.raises(pytest.skip.Exception, match="checker.js"):
        browser_tests.need_tool(MISSING, "the checker")


@pytest.mark.parametrize("value", ["true", "TRUE", "1"])
def test_under_ci_a_missing_checker_fails_the_test_and_says_why(monkeypatch, value):
    monkeypatch.setenv("CI", value)
    with pytest.raises(pytest.fail.Exception) as failed:
        browser_tests.need_tool(MISSING, "the checker")
    assert "the checker is not installed" in str(failed.value)
    assert "`make test` installs it" in str(failed.value)
    assert "CI must run this check" in str(failed.value)


def test_under_ci_missing_java_fails_the_nu_checker_test(monkeypatch):
    monkeypatch.setenv("CI", "true")
    monkeypatch.setattr(browser_tests.shutil, "which", lambda name: None)
    with pytest.raises(pytest.fail.Exception, match="java is not installed"):
        browser_tests.need_java()


def test_installed_checkers_are_found(monkeypatch):
    monkeypatch.setenv("CI", "true")
    browser_tests.need_tool(browser_tests.TOOLS.parent / "package.json", "the tools' list")
