"""A long-running process freezes its long-lived objects out of the garbage
collector's walks once it is warm (surveyapp.core.memory); tests never do."""

from __future__ import annotations

import gc

import pytest


@pytest.fixture
def unfrozen():
    gc.unfreeze()
    yield
    gc.unfreeze()  # this test process makes an application per test: let it all go


def test_a_warm_process_freezes_once_after_its_first_requests(app_with, unfrozen):
    app = app_with(GC_FREEZE_AFTER_REQUESTS=3)
    client = app.test_client()
    for _ in range(2):
        assert client.get("/en/").status_code == 200
    assert gc.get_freeze_count() == 0
    assert client.get("/en/").status_code == 200
    frozen = gc.get_freeze_count()
    assert frozen > 1000  # the application's objects, out of the collector's walks
    # Once: later requests neither collect nor freeze again.
    gc.unfreeze()
    for _ in range(3):
        assert client.get("/en/").status_code == 200
    assert gc.get_freeze_count() == 0


def test_the_test_configuration_never_freezes(app, unfrozen):
    client = app.test_client()
    for _ in range(5):
        client.get("/en/")
    assert app.config["GC_FREEZE_AFTER_REQUESTS"] == 0
    assert gc.get_freeze_count() == 0
