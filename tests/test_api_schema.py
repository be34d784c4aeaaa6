"""Schemathesis against the app's own OpenAPI document, in-process through the WSGI
app: generated requests, valid ones and ones that break the document on purpose, to
every operation find no server error, and every answer (status, content type,
headers, body) is one the document describes.

Kept small (``EXAMPLES`` per operation and mode) so that CI runs it with the rest.
The operations are walked in the test itself, not through ``schema.parametrize``:
schemathesis' lazy fixture loader does not work with pytest 9 yet, and the app (with
its test database) is a fixture.
"""

from __future__ import annotations

import pytest
import schemathesis
from hypothesis import HealthCheck, given, settings
from schemathesis.generation.modes import GenerationMode

from tests.api_support import make_token

EXAMPLES = 25


@pytest.fixture
def api_secret(app, make_response) -> str:
    # Unlimited for the run: the rate limit has its own test (test_api.py).
    app.config["API_TOKEN_LIMITS"] = "100000 per minute"
    app.config["API_REFUSED_LIMITS"] = "100000 per minute"
    # A few submitted responses, so that pages and profiles have rows and figures.
    for variant, town in enumerate(["mk-cair", "mk-cair", "rs-novi-sad"]):
        make_response(municipality=town, role="mayor", lang="mk", variant=variant)
    return make_token(app, "admin", "responses")


@pytest.mark.parametrize("mode", [GenerationMode.POSITIVE, GenerationMode.NEGATIVE])
def test_the_api_keeps_to_its_openapi_document(app, api_secret, mode):
    schema = schemathesis.openapi.from_wsgi("/api/v1/openapi.json", app)
    operations = [result.ok() for result in schema.get_all_operations()]
    assert len(operations) == 6
    headers = {"Authorization": f"Bearer {api_secret}"}
    for operation in operations:

        @given(case=operation.as_strategy(generation_mode=mode))
        @settings(
            max_examples=EXAMPLES,
            deadline=None,
            database=None,
            suppress_health_check=list(HealthCheck),
        )
        def check(case):
            # A valid token in place of the generated one; a negative case that leaves
            # the token out on purpose goes without it (and must be refused).
            if mode == GenerationMode.POSITIVE or "Authorization" in (case.headers or {}):
                case.call_and_validate(headers=headers)
            else:
                case.call_and_validate()

        check()
