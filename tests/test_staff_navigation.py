"""Everything on the staff side can be found by clicking: an admin starts at the staff
home page and follows links only, breadth-first; every staff page must be reached."""

from __future__ import annotations

import re
from collections import deque
from urllib.parse import urljoin, urlsplit

import pytest
from sqlalchemy import select
from werkzeug.exceptions import HTTPException

from surveyapp.core.database import write_transaction
from surveyapp.extensions import db
from surveyapp.models import Response, TextEntry
from tests.conftest import Staff
from tests.engagement_support import make_engagement
from tests.outreach_support import make_contact
from tests.plans import answer_plan, builtin_version

HREF = re.compile(r'<a\b[^>]*\bhref="([^"#]*)', re.IGNORECASE)

#: Pages a signed-in member never clicks to: the sign-in steps (reached by redirect).
NOT_LINKED = {
    "auth.login",
    "auth.login_code",
    "auth.confirm_password",
    # "Forgot password?" is on the sign-in page; the reset page opens from a mail's link
    "auth.forgot_password",
    "auth.reset_password",
    "auth.reset_password_link",
    # the bounce upload form's action (a GET only goes back to the form's page)
    "mailbox.upload_bounces",
}
#: Downloads reached by the export page's form, not by a link (its own test follows the
#: form to each: tests/test_export_page.py).
REACHED_BY_FORM = {"review.export_csv", "review.export_xlsx"}
#: An export file's page, its status (for the page's script) and its download exist once
#: the export page's form has started one (tests/test_export_jobs.py follows them).
REACHED_BY_FORM |= {"review.export_job", "review.export_job_status", "review.download_export"}
#: An uploaded file's download exists once a respondent has uploaded one (the seeded
#: questionnaire asks for none); tests/test_uploads.py follows the link to it from the
#: staff's page of that response.
REACHED_BY_FORM |= {"review.stored_file"}
#: Distinct URLs followed per endpoint (query strings vary; one or two prove the link).
PER_ENDPOINT = 3


def _get_rules(app):
    return [
        rule
        for rule in app.url_map.iter_rules()
        if "/staff" in rule.rule
        and "GET" in rule.methods
        and rule.endpoint not in NOT_LINKED | REACHED_BY_FORM
    ]


def _walk(app, client, start: str) -> tuple[set[str], list[str]]:
    """Endpoints reached from ``start`` by following <a href> on staff pages, and errors."""
    adapter = app.url_map.bind("localhost")
    seen_urls: set[str] = set()
    per_endpoint: dict[str, int] = {}
    reached: set[str] = set()
    errors: list[str] = []
    queue = deque([start])
    while queue:
        url = queue.popleft()
        parts = urlsplit(url)
        if url in seen_urls or not parts.path.startswith("/en/staff"):
            continue
        seen_urls.add(url)
        try:
            endpoint, _args = adapter.match(parts.path, method="GET")
        except HTTPException:
            errors.append(f"broken link {url}")
            continue
        if per_endpoint.get(endpoint, 0) >= PER_ENDPOINT:
            continue
        per_endpoint[endpoint] = per_endpoint.get(endpoint, 0) + 1
        reached.add(endpoint)
        with client.get(url) as reply:
            status, location = reply.status_code, reply.location
            html = reply.get_data(as_text=True) if reply.mimetype == "text/html" else ""
        if status in (302, 303):
            queue.append(urljoin(url, location))
            continue
        if status != 200:
            errors.append(f"{url}: {status}")
            continue
        for href in HREF.findall(html):
            href = href.replace("&amp;", "&")
            queue.append(urljoin(url, href))
    return reached, errors


@pytest.fixture
def answered(app, respondent):
    """A submitted response in the seeded campaign, so its response pages exist."""
    with app.app_context():
        plans = answer_plan(builtin_version())
    person = respondent("en")
    person.consent()
    person.answer_every_page(plans)
    person.submit()
    # A second response marked as a test, so that deleting the test responses is offered.
    trial = respondent("en")
    trial.consent()
    trial.answer_every_page(plans)
    trial.submit()
    with app.app_context():
        from surveyapp.responses import listing

        campaign_id, response_id = db.session.execute(
            select(Response.campaign_id, Response.id).order_by(Response.id.desc())
        ).first()
        listing.mark_response(campaign_id, response_id, "test", "a trial run")


@pytest.fixture
def translation_out_of_date(app):
    """One Macedonian text of the seeded questionnaire made from an older source."""
    with app.app_context():
        entry = db.session.scalar(
            select(TextEntry).where(
                TextEntry.version_id == builtin_version().id, TextEntry.lang == "mk"
            )
        )
        with write_transaction():
            entry.source_hash = "an older source"
            db.session.commit()


@pytest.fixture
def a_contact(app):
    """One outreach contact, so that its pages exist."""
    with app.app_context():
        make_contact("contact@example.org")


@pytest.fixture
def an_engagement(app):
    """One planned engagement, so that its pages (and its municipality's) exist."""
    with app.app_context():
        make_engagement()


@pytest.fixture
def a_series(app):
    """A series of rounds with the first campaign as its round."""
    from surveyapp.models import Campaign
    from surveyapp.rounds import series

    with app.app_context():
        campaign_id = db.session.scalar(select(Campaign.id).order_by(Campaign.id))
        series.add_round(series.create_series("City needs"), campaign_id)


@pytest.fixture
def a_settings_draft(app):
    """A draft with a hidden question, an upload question, a repeat and a date default,
    so that the editor links to each of their settings forms."""
    from tests.repeat_support import settings_draft

    settings_draft(app)


def test_every_staff_page_is_reached_by_links_from_the_home_page(
    app,
    client,
    make_user,
    answered,
    translation_out_of_date,
    a_contact,
    an_engagement,
    a_series,
    a_settings_draft,
):
    # One respondent is enough for a municipality's figures to show, so that the exchange
    # planner has a theme to plan an exchange on.
    app.config["MIN_GROUP_SIZE"] = 1
    assert Staff(client, make_user("admin")).login().status_code == 303
    reached, errors = _walk(app, client, "/en/staff/")
    wanted = {rule.endpoint for rule in _get_rules(app)}
    unreachable = sorted(wanted - reached)
    assert not unreachable, "not reachable by links from /en/staff/:\n" + "\n".join(unreachable)
    assert not errors, "\n".join(errors)
