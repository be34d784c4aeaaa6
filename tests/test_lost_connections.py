"""A database connection lost at a chosen moment of a request (PostgreSQL).

Each test terminates the backend of the application's own connection at one
point of one request: before a read, during COMMIT, after COMMIT, at the
ROLLBACK that ends a request. The request is run again where that is safe
(surveyapp.core.lost_connections), stores what one run stores, and otherwise
ends on a "please try again" page in the visitor's language, never a 500.
tests/test_dropped_connections.py does the same at random against gunicorn.
"""

from __future__ import annotations

from collections.abc import Callable, Iterator
from contextlib import contextmanager

import psycopg
import pytest
from sqlalchemy import event, func, select

from config import normalise_database_url
from surveyapp.extensions import db
from surveyapp.models import AuditEvent, Campaign, Invitation, ProfileCount, Response
from tests.conftest import PG_URL, csrf_token
from tests.plans import answer_plan, builtin_version

pytestmark = pytest.mark.skipif(not PG_URL, reason="needs PostgreSQL (TEST_DATABASE_URL)")


class Sniper:
    """Terminates the backend behind the application's connection when a statement
    (or a COMMIT, or a ROLLBACK) matches, ``times`` times."""

    def __init__(self) -> None:
        url = normalise_database_url(PG_URL).replace("postgresql+psycopg://", "postgresql://")
        self.killer = psycopg.connect(url, autocommit=True)
        self.shots = 0

    def kill(self, dbapi_connection) -> None:
        pid = dbapi_connection.info.backend_pid
        # Wait until the backend is gone, so that what comes next surely fails.
        self.killer.execute("SELECT pg_terminate_backend(%s, 5000)", (pid,))
        self.shots += 1


@contextmanager
def lost_connection(
    app, *, before: Callable[[str], bool] | None = None, at: str | None = None, times: int = 1
) -> Iterator[Sniper]:
    """Lose the connection before a statement ``before`` accepts, or ``at`` "commit",
    "write commit" (of a transaction that wrote) or "rollback" (before it is sent), or
    "checkout" (as the pool hands it out), ``times`` times within the block."""
    sniper = Sniper()
    left = [times]

    def shoot(conn) -> None:
        if left[0] > 0:
            left[0] -= 1
            sniper.kill(conn.connection.dbapi_connection)

    wrote: set[int] = set()

    def on_statement(conn, _cursor, statement, *_args) -> None:
        if statement.lstrip().startswith(("INSERT", "UPDATE", "DELETE")):
            wrote.add(id(conn))
        if before is not None and before(statement):
            shoot(conn)

    def on_transaction_end(conn) -> None:
        if at != "write commit" or id(conn) in wrote:
            shoot(conn)
        wrote.discard(id(conn))

    def on_checkout(dbapi_connection, _record, _proxy) -> None:
        if left[0] > 0:
            left[0] -= 1
            sniper.kill(dbapi_connection)

    with app.app_context():
        engine = db.engine
    hooks = [(engine, "before_cursor_execute", on_statement)]
    if at == "checkout":
        hooks.append((engine.pool, "checkout", on_checkout))
    elif at:
        hooks.append((engine, "commit" if at == "write commit" else at, on_transaction_end))
    for target, name, fn in hooks:
        event.listen(target, name, fn)
    try:
        yield sniper
    finally:
        for target, name, fn in hooks:
            event.remove(target, name, fn)
        sniper.killer.close()


def _selects(table: str) -> Callable[[str], bool]:
    return lambda sql: sql.lstrip().upper().startswith("SELECT") and f"FROM {table}" in sql


def test_a_staff_page_whose_connection_is_lost_mid_request_is_shown(app, staff):
    analyst = staff("analyst")
    with app.app_context():
        campaign_id = db.session.scalar(select(Campaign.id))
    with lost_connection(app, before=_selects("response"), times=2) as sniper:
        page = analyst.client.get(f"/en/staff/campaigns/{campaign_id}")
    assert sniper.shots == 2
    assert page.status_code == 200


def test_a_page_is_delivered_when_the_closing_rollback_finds_the_connection_lost(app, staff):
    """The page was made; ending the session's read transaction failed (this was a 500)."""
    analyst = staff("analyst")
    with lost_connection(app, at="rollback") as sniper:
        page = analyst.client.get("/en/staff/questionnaires")
    assert sniper.shots == 1
    assert page.status_code == 200 and "city_needs" in page.get_data(as_text=True)


def test_a_respondent_page_read_on_its_own_connection_survives_losing_it_twice(app, respondent):
    person = respondent("en")
    person.consent()
    # Its first read finds the connection lost and reads again on a new one, which is
    # lost too: the request runs again.
    with lost_connection(app, at="checkout", times=2) as sniper:
        page = person.get("/p/1")
    assert sniper.shots == 2
    assert page.status_code == 200 and 'name="csrf_token"' in page.get_data(as_text=True)


def test_an_answer_saved_when_commit_loses_its_connection_is_stored_once(app, respondent):
    person = respondent("en")
    person.consent()
    with app.app_context():
        plan = answer_plan(builtin_version())[0]
    html = person.get("/p/1").get_data(as_text=True)
    with lost_connection(app, at="write commit") as sniper:
        saved = person.post("/p/1", {**plan.form, "action": "next"}, html)
    assert sniper.shots == 1
    assert saved.status_code == 303 and saved.location.endswith("/p/2")
    with app.app_context():
        from surveyapp.responses.reads import saved_answers

        version = builtin_version()
        response = db.session.scalar(select(Response))
        answers = saved_answers(response, version)
        stored = {q.name: answers.get(q.id) for q in version.pages[0].questions}
        assert stored == plan.expected


def test_a_submission_whose_connection_is_lost_after_commit_is_counted_once(app, respondent):
    person = respondent("en")
    person.consent()
    with app.app_context():
        plans = answer_plan(builtin_version())
    person.answer_every_page(plans)
    review = person.get("/review").get_data(as_text=True)

    # Submit commits, then reads the response's new status: that read loses the
    # connection, the request runs again, and finds the response submitted.
    def after_commit(sql: str) -> bool:
        return sql.lstrip().startswith("SELECT response.status, response.submitted_at")

    with lost_connection(app, before=after_commit) as sniper:
        submitted = person.post("/submit", {}, review)
    assert sniper.shots == 1
    assert submitted.status_code == 303 and submitted.location.endswith("/thanks")
    with app.app_context():
        assert db.session.scalar(select(Response.status)) == "submitted"
        counted = db.session.scalar(
            select(func.max(ProfileCount.responses)).where(ProfileCount.responses > 0)
        )
        assert counted == 1  # not added to the count tables twice


@contextmanager
def commit_acknowledgement_lost(app, table: str) -> Iterator[Sniper]:
    """The server commits a transaction that inserted into ``table``, and the connection
    is lost before the application hears so: the COMMIT is sent, then the backend is
    terminated and the driver's error raised, as when the answer never arrives."""
    sniper = Sniper()
    with app.app_context():
        engine = db.engine
    dialect = engine.dialect
    commit = dialect.do_commit
    inserting: set[int] = set()

    def note(conn, _cursor, statement, *_args) -> None:
        if statement.startswith(f"INSERT INTO {table} "):
            inserting.add(id(conn.connection.dbapi_connection))

    def commit_then_lose(pooled) -> None:  # (the pool's proxy of the driver's connection)
        commit(pooled)
        raw = pooled.dbapi_connection
        if id(raw) in inserting and not sniper.shots:
            sniper.kill(raw)
            raise psycopg.OperationalError("consuming input failed: server closed the connection")

    event.listen(engine, "before_cursor_execute", note)
    dialect.do_commit = commit_then_lose
    try:
        yield sniper
    finally:
        del dialect.do_commit  # the class's own again
        event.remove(engine, "before_cursor_execute", note)
        sniper.killer.close()


@pytest.mark.parametrize("moment", ["during commit", "after commit"])
def test_an_open_link_registration_run_again_makes_one_invitation(app, client, moment):
    """The one view of the respondent's path that is not repeatable by nature: each run
    makes an invitation. Its token is chosen once per request, so a second run finds
    the first run's invitation when that was committed."""
    with app.app_context():
        open_token = db.session.scalar(select(Campaign.open_token))
    form = client.get(f"/mk/o/{open_token}?country=MK").get_data(as_text=True)
    data = {"csrf_token": csrf_token(form), "country": "MK", "municipality": "mk-cair",
            "role": "mayor"}  # fmt: skip
    if moment == "during commit":  # the COMMIT never reaches the server
        with lost_connection(app, at="write commit") as sniper:
            made = client.post(f"/mk/o/{open_token}", data=data)
        assert sniper.shots == 1
    else:
        with commit_acknowledgement_lost(app, "invitation") as sniper:
            made = client.post(f"/mk/o/{open_token}", data=data)
        assert sniper.shots == 1
    assert made.status_code == 303 and "/r/" in made.location
    with app.app_context():
        invitations = db.session.scalars(
            select(Invitation).where(Invitation.self_registered.is_(True))
        ).all()
        assert len(invitations) == 1
        assert made.location.endswith(f"/r/{invitations[0].token}")


def test_a_staff_change_that_cannot_be_repeated_ends_on_a_page_asking_to_try_again(
    app, staff, make_response
):
    """Marking a response committed, then its audit record lost the connection during
    COMMIT: running the request again could record it twice, so it is not run again."""
    response_id = make_response()
    analyst = staff("analyst")
    with app.app_context():
        campaign_id = db.session.scalar(select(Campaign.id))
    url = f"/mk/staff/campaigns/{campaign_id}/responses/{response_id}"
    html = analyst.client.get(url).get_data(as_text=True)
    with lost_connection(app, before=lambda sql: "INSERT INTO audit_event" in sql) as sniper:
        reply = analyst.client.post(
            url, data={"csrf_token": csrf_token(html), "mark": "test", "reason": "Proba"}
        )
    assert sniper.shots == 1
    assert reply.status_code == 503
    assert reply.headers.get("Retry-After")
    page = reply.get_data(as_text=True)
    assert 'lang="mk"' in page and "Ве молиме обидете се повторно" in page
    with app.app_context():
        assert db.session.scalar(select(Response.marked)) == "test"  # applied once
        marks = db.session.scalar(
            select(func.count()).select_from(AuditEvent).where(AuditEvent.action.like("%mark%"))
        )
        assert marks <= 1


def test_signing_out_while_the_connection_is_lost_still_ends_the_session(app, client, staff):
    staff("admin")
    html = client.get("/en/staff/").get_data(as_text=True)
    copied = client.get_cookie("session").value
    # The sign-out's audit record is committed, and its acknowledgement lost.
    with commit_acknowledgement_lost(app, "audit_event") as sniper:
        out = client.post("/en/staff/logout", data={"csrf_token": csrf_token(html)})
    assert sniper.shots == 1
    assert out.status_code == 303 and "/staff/login" in out.location
    client.set_cookie("session", copied)  # a copy of the cookie from before
    assert client.get("/en/staff/").status_code == 302
