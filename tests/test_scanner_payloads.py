"""The outside scanner's kinds of payload over every form the site shows.

The forms are not listed by hand: a crawler (``tests.form_crawler``) follows the
links of the site from its entry pages as each kind of visitor (an admin, a
staff member half-way through two-factor sign-in, respondents at each stage of
their link, anyone with the open link) and collects every form with its fields,
and every link with a query string. Each is then sent with wapiti's kinds of
payload (``tests.form_fuzzing.KINDS``), field by field, and every answer must
show no server error, no payload unescaped, no stack trace, no injected header
and no redirect to another site; a rejected submission must leave the database
as it was. After every submission that changed something, the database and the
visitor's cookies are put back, so that destructive forms (sign out, delete a
campaign) do not end the scan.

So that a crawler regression cannot make this test pass by finding nothing,
every POST route of the application must have been reached by a crawled form
(or be listed in ``NOT_CRAWLED`` with the reason), the pages of ``GET_FLOOR``
must have shown their filter forms, and no submission may have been stopped
before its view (a CSRF refusal, a bounce to sign in).
"""

from __future__ import annotations

import os
import random
import zlib
from dataclasses import dataclass

import pyotp
import pytest
from flask import Flask
from flask.testing import FlaskClient
from sqlalchemy import select, update
from werkzeug.exceptions import HTTPException
from werkzeug.routing import RoutingException

from surveyapp.extensions import db, limiter
from surveyapp.models import Campaign, User
from surveyapp.outreach.audit import Actor
from surveyapp.outreach.contacts import ContactFields, add_contact
from surveyapp.outreach.mail_texts import store_text
from surveyapp.questionnaires import version_cache
from tests.conftest import PASSWORD, PG_URL, Staff
from tests.engagement_support import make_engagement
from tests.form_crawler import Crawl, Form, crawl, shape
from tests.form_fuzzing import build, problems_in, variants
from tests.plans import answer_plan, builtin_version
from tests.table_watch import TableWatch, sqlite_connect

#: FUZZ_SEED and FUZZ_BUDGET=1000 (every kind in every field) for a longer run by hand;
#: FUZZ_ONLY=/staff/login to send payloads only to the forms whose address has that.
SEED = int(os.environ.get("FUZZ_SEED", "20240315"))
#: (field, kind) pairs tried per form beyond one of each kind and one per field.
BUDGET = int(os.environ.get("FUZZ_BUDGET", "30"))
#: FUZZ_EVERY_VALUE=1: every value of a kind, not one chosen (with FUZZ_BUDGET=1000,
#: about 18,000 requests, 7 minutes here on SQLite).
EVERY_VALUE = os.environ.get("FUZZ_EVERY_VALUE") == "1"
#: POST routes no crawled form can reach, and why.
NOT_CRAWLED: dict[str, str] = {
    "outreach.one_click_opt_out": "RFC 8058's one-click POST comes from mail clients, never "
    "from a form (test_outreach_opt_out.py posts to it, with bad and unknown tokens too)",
    "authoring.import_xlsform_rest": "its form appears only in the answer to an upload (a "
    "POST), which a GET-only crawl never sends; test_xlsform_partial_import.py posts to it "
    "with forged, empty and someone else's tokens and without a choice",
}
#: Pages whose GET forms (filters, searches) and links with parameters the crawl must find.
GET_FLOOR = {
    "survey.register",
    "auth.audit_log",
    "review.campaigns_page",
    "review.campaign",
    "review.invite",
    "review.profile",
    "review.peer_cities",
    "review.responses_table",
    "review.deletions",
    # (review.export_page: its form starts an export, a POST crawled like the others)
    "outreach.contact_list",
    "authoring.edit_translation",
}
#: Tables a refused submission (or a GET) may still change: the audit log records refused
#: sign-ins and password checks, downloads and views of confidential pages, by design;
#: and, by endpoint, what else a refusal records on purpose.
CHANGED_WHEN_REFUSED = {"audit_event"}
CHANGED_WHEN_REFUSED_BY = {
    "auth.login": {"staff_user"},  # the account's count of failed sign-ins
}


@dataclass
class Visitor:
    name: str
    client: FlaskClient
    entries: list[str]
    max_pages: int = 250
    cookies: dict | None = None

    def keep_cookies(self) -> None:
        self.cookies = dict(self.client._cookies)

    def restore_cookies(self) -> None:
        assert self.cookies is not None
        self.client._cookies.clear()
        self.client._cookies.update(self.cookies)


def _answered(app: Flask, make_invitation, municipality: str, role: str, submit: bool):
    """A response with every page answered (submitted or not): its link's token and id."""
    from surveyapp.responses import respondent as responses
    from surveyapp.responses import starting

    token = make_invitation(municipality=municipality, role=role, language="en")
    with app.app_context():
        version = builtin_version()
        response = starting.start_response(starting.find_invitation(token), "en")
        for page, plan in zip(version.pages, answer_plan(version), strict=True):
            responses.save_page(response, page, plan.expected)
        if submit:
            responses.submit(response)
        return token, response.id


def _world(app: Flask, make_user, make_invitation) -> dict:
    """Something of everything, so that every form has a page to show it on."""
    from surveyapp.accounts import users
    from surveyapp.api_access import tokens as api_tokens
    from surveyapp.campaigns import lifecycle
    from surveyapp.core.database import write_transaction
    from surveyapp.questionnaires.editing import structure, version_edits
    from surveyapp.responses import erasure, listing, starting

    for role in ("admin", "analyst", "translator"):
        make_user(role)
    # The address the scanner types into e-mail fields: its sign-ins succeed, so that a
    # ``next`` it fills in is followed.
    make_user("translator", email="fuzz@example.org")
    secret = pyotp.random_base32()
    in_progress, _ = _answered(app, make_invitation, "mk-cair", "mayor", submit=False)
    submitted, _ = _answered(app, make_invitation, "mk-bitola", "mayor", submit=True)
    _, asked = _answered(app, make_invitation, "mk-berovo", "mayor", submit=True)
    _, marked = _answered(app, make_invitation, "mk-bogdanci", "councillor", submit=True)
    not_started = make_invitation(municipality="mk-aerodrom", role="councillor", language="en")
    with app.app_context():
        users.create_user("second@example.org", PASSWORD, "admin", name="Second")
        with write_transaction():
            db.session.execute(
                update(User).where(User.email == "second@example.org").values(totp_secret=secret)
            )
        erasure.request_deletion(asked)
        # An API token of every role's account: the token page shows its revoke form.
        for role in ("admin", "analyst", "translator"):
            owner = db.session.scalar(select(User).where(User.email == f"{role}@example.org"))
            api_tokens.create_token(owner, "Power BI", "profiles", 30)
        campaign = db.session.scalar(select(Campaign).order_by(Campaign.id))
        listing.mark_response(campaign.id, marked, "test", "A test")
        with write_transaction():
            campaign.review_open_link = True
        open_token = campaign.open_token
        # An open-link response waiting for review.
        held = starting.register_through_open_link(campaign, "mk-cair", "councillor", "en")
        starting.start_response(held, "en")
        version = builtin_version()
        closed = lifecycle.create_campaign("Closed round", version.id)
        lifecycle.close_campaign(closed)
        version_edits.duplicate(version.id, "ready_to_publish")
        untranslated = version_edits.duplicate(version.id, "with_a_new_page")
        structure.add_page(untranslated.id, "A page not translated yet")
        pages = len(version.pages)
        first_page = version.pages[0].id
        # Outreach: a contact (its edit and delete forms), the campaign's own mail text
        # (the form that goes back to the built-in one), and the contact's opt-out link.
        contact = add_contact(
            ContactFields("mk-cair", "Ana Petrovska", "mayor", "ana@example.org", "mk"),
            Actor(None, "127.0.0.1"),
        )
        opt_out_token = contact.opt_out_token
        with write_transaction():
            store_text(
                campaign.id, "invitation", "en", "Invitation", "{link} {opt_out_link}",
                Actor(None, "127.0.0.1"),
            )  # fmt: skip
        # A planned engagement: its change, delete and "mark done" forms.
        make_engagement()
        # A series of rounds with one round: its add-round and item-match forms.
        from surveyapp.rounds import series

        series.add_round(series.create_series("City needs"), campaign.id)
        # A draft with each setting the editor's settings forms change (a repeat's entries,
        # an upload's limits, a hidden value, a date's default).
        from tests.repeat_support import settings_draft

        settings_draft(app)
        # A password-reset link, as the mail gives it (the token is kept, not its hash).
        reset_token = _reset_token("translator@example.org")
    return {
        "first_page": first_page,
        "opt_out_token": opt_out_token,
        "reset_token": reset_token,
        "secret": secret,
        "open_token": open_token,
        "in_progress": in_progress,
        "submitted": submitted,
        "not_started": not_started,
        "pages": pages,
    }


def _reset_token(email: str) -> str:
    """A password-reset link's token for ``email``'s account, stored as the app stores it."""
    import secrets
    from datetime import timedelta

    from surveyapp.accounts.password_reset import token_hash
    from surveyapp.core.database import write_transaction
    from surveyapp.models.base import utcnow
    from surveyapp.models.user import PasswordResetToken

    token = secrets.token_urlsafe(32)
    user = db.session.scalar(select(User).where(User.email == email))
    with write_transaction():
        db.session.add(
            PasswordResetToken(
                user_id=user.id,
                token_hash=token_hash(token),
                created_at=utcnow(),
                expires_at=utcnow() + timedelta(hours=1),
            )
        )
    return token


def _visitors(app: Flask, world: dict) -> list[Visitor]:
    def signed_in(email: str, totp_secret: str | None = None) -> FlaskClient:
        client = app.test_client()
        assert Staff(client, email, totp_secret).login().status_code == 303
        return client

    token, pages = world["in_progress"], world["pages"]
    return [
        # The password step done, the code step to come (the account has two-factor on).
        Visitor("two-factor", signed_in("second@example.org"), ["/en/staff/login/code"], 2),
        Visitor(
            "respondent",
            app.test_client(),
            [
                f"/en/r/{token}",
                *(f"/en/r/{token}/p/{n}" for n in range(1, pages + 1)),
                f"/en/r/{token}/review",
            ],
        ),  # fmt: skip
        Visitor("new respondent", app.test_client(), [f"/en/r/{world['not_started']}"]),
        Visitor("respondent who submitted", app.test_client(), [f"/en/r/{world['submitted']}"]),
        Visitor(
            "anyone",
            app.test_client(),
            # (/en/staff/ sends to sign in with a "next" to come back to)
            ["/en/", "/", "/en/staff/", "/en/staff/login", f"/en/o/{world['open_token']}"],
        ),  # fmt: skip
        Visitor(
            "admin",
            signed_in("admin@example.org"),
            # the new question's form comes after its type is chosen (a GET form)
            ["/en/staff/", f"/en/staff/pages/{world['first_page']}/questions/new?type=number"],
        ),
        # A mail's recipient: the opt-out link, and a staff member's password-reset link.
        Visitor(
            "mail recipient",
            app.test_client(),
            [
                f"/u/{world['opt_out_token']}",
                f"/en/u/{world['opt_out_token']}",
                f"/en/staff/password/reset/{world['reset_token']}",
            ],
        ),
        # Signed in with a code: may turn two-factor sign-in off.
        Visitor(
            "admin with two-factor",
            signed_in("second@example.org", world["secret"]),
            ["/en/staff/account/two-factor"],
            2,
        ),
        # Signed in long ago: the most sensitive pages ask for the password again.
        Visitor(
            "admin asked again",
            _password_entered_long_ago(signed_in("analyst@example.org")),
            ["/en/staff/account/two-factor"],
            2,
        ),  # fmt: skip
    ]


def _password_entered_long_ago(client: FlaskClient) -> FlaskClient:
    from surveyapp.web.auth.sessions import REAUTH_AT

    with client.session_transaction() as session:
        session[REAUTH_AT] = 0
    return client


def _post_routes(app: Flask) -> dict[str, str]:
    """Every route that takes a POST: endpoint -> the shape of its address."""
    routes = {}
    for rule in app.url_map.iter_rules():
        if "POST" in (rule.methods or ()):
            routes[rule.endpoint] = rule.rule
    return routes


def _endpoint_of(app: Flask, form: Form) -> str | None:
    adapter = app.url_map.bind("localhost")
    try:
        endpoint, _args = adapter.match(form.action, method=form.method)
    except (HTTPException, RoutingException):  # no such route, or not for this method
        return None
    return endpoint


def _stopped_before_the_view(form: Form, reply) -> str | None:
    """Why a submission never reached the form's view: a CSRF refusal, or sent to sign in."""
    if reply.status_code == 400 and b"Your session has expired" in reply.get_data():
        return "refused as a CSRF failure"
    location = reply.headers.get("Location", "")
    # (asking for a password-reset link ends on the sign-in page, whatever was typed, and
    # so does the reset form once its link was used or has run out)
    signing_in = form.action.endswith(
        (
            "/staff/login",
            "/staff/login/code",
            "/staff/logout",
            "/staff/password/forgot",
            "/staff/password/reset",
        )
    )
    if "/staff/" in form.action and not signing_in:
        if "/staff/login" in location or "/staff/confirm" in location:
            return "sent to sign in"
    return None


# A multipart form refused as too large (413) while it is read leaves the files read so
# far to the garbage collector (werkzeug's parser), which closes them with a warning.
@pytest.mark.filterwarnings(
    "ignore:Exception ignored in. <function SpooledTemporaryFile.__del__"
    ":pytest.PytestUnraisableExceptionWarning"
)
def test_the_scanners_payloads_over_every_form(app, make_user, make_invitation, monkeypatch):
    # The scan may take longer than the five minutes a password step waits for its code.
    monkeypatch.setattr("surveyapp.web.auth.account_routes.PENDING_LOGIN_SECONDS", 3600)
    app.config.update(
        OPEN_LINK_FORM_CHECKS=True,  # the signed time and the trap field are fuzzed too
        OPEN_LINK_FORM_MIN_SECONDS=0,
        STAFF_REAUTH_MAX_AGE=3600,  # the scan takes minutes; raw exports ask again after 10
        # One respondent a city shows its figures, so that the exchange planner has themes
        # and its "plan this exchange" form is crawled.
        MIN_GROUP_SIZE=1,
    )
    world = _world(app, make_user, make_invitation)
    visitors = _visitors(app, world)
    found = Crawl()
    for visitor in visitors:
        crawl(visitor.client, visitor.name, visitor.entries, found, max_pages=visitor.max_pages)
    assert not found.server_errors, found.server_errors

    forms = sorted(found.forms.values(), key=lambda f: repr(f.key))
    only = os.environ.get("FUZZ_ONLY")  # by hand: only the forms whose address has this
    if os.environ.get("FUZZ_DEBUG"):
        for f in forms:
            print("FORM", f)
        for v in found.visited:
            print("PAGE", v)
    reached = {_endpoint_of(app, f) for f in forms if f.method == "POST"}
    missing = set(_post_routes(app)) - reached - set(NOT_CRAWLED)
    assert not missing, f"POST routes no crawled form reaches: {sorted(missing)}"
    searched = {_endpoint_of(app, f) for f in forms if f.method == "GET"}
    assert GET_FLOOR <= searched, f"GET forms not found: {sorted(GET_FLOOR - searched)}"

    by_name = {v.name: v for v in visitors}
    for visitor in visitors:
        visitor.keep_cookies()
    with app.app_context():
        tables = [t.name for t in db.metadata.sorted_tables]
    if PG_URL:
        import psycopg

        from config import normalise_database_url

        url = normalise_database_url(PG_URL).replace("postgresql+psycopg://", "postgresql://")
        watch = TableWatch(lambda: psycopg.connect(url), "postgresql", tables)
    else:
        path = app.config["SQLALCHEMY_DATABASE_URI"].removeprefix("sqlite:///")
        watch = TableWatch(sqlite_connect(path), "sqlite", tables)
    watch.install()
    problems: list[str] = []
    unreached: list[str] = []
    sent = 0
    try:
        for form in forms:
            if only and only not in shape(form.action):
                continue
            visitor = by_name[form.visitor]
            rng = random.Random(SEED + zlib.crc32(repr(form.key).encode()))
            budget = BUDGET if not form.is_link else BUDGET // 3
            chosen = variants(form, rng, budget, every_value=EVERY_VALUE)
            for index, variant in enumerate(chosen):
                visitor.restore_cookies()
                limiter.reset()
                button = form.buttons[index % len(form.buttons)] if form.buttons else None
                request = build(form, variant, button)
                reply = visitor.client.open(
                    request.path,
                    method=request.method,
                    data=request.body,
                    content_type=request.content_type,
                )
                sent += 1
                stopped = _stopped_before_the_view(form, reply)
                if stopped:
                    unreached.append(f"{form.visitor}: {variant.describe()} {form}: {stopped}")
                where = (
                    f"{form.visitor}: {request.method} {shape(form.action)} {variant.describe()}"
                )
                problems += [f"{where}: {p}" for p in problems_in(reply, variant)]
                changed = watch.changed()
                if changed:
                    rejected = reply.status_code >= 400 or (
                        request.method == "POST" and reply.status_code == 200
                    )
                    if request.method == "GET" or rejected:
                        allowed = CHANGED_WHEN_REFUSED | CHANGED_WHEN_REFUSED_BY.get(
                            _endpoint_of(app, form) or "", set()
                        )
                        if changed - allowed:
                            problems.append(
                                f"{where}: {reply.status_code} yet changed {sorted(changed)}"
                            )
                    watch.restore(changed)
                    version_cache.clear()
    finally:
        watch.remove()
    print(f"{len(forms)} forms, {sent} submissions, {len(found.visited)} pages crawled")
    assert not unreached, "\n".join(unreached[:20])
    assert not problems, "\n".join(problems[:80]) + f"\n({len(problems)} problems)"
