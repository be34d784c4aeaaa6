"""Every kind of write at once, from threads through the app against one database
file: on SQLite each write transaction takes the write lock when it begins, so
writers queue (busy timeout) instead of failing with "database is locked"."""

from __future__ import annotations

import threading
import time
from collections import Counter

import pytest
from sqlalchemy import func, select

from surveyapp.extensions import db
from surveyapp.models import AuditEvent, Campaign, Invitation, Response, TextEntry
from surveyapp.questionnaires.texts import source_hash
from tests.conftest import PASSWORD, PG_URL, Respondent, Staff, csrf_token
from tests.plans import answer_plan, builtin_version

THREADS_PER_KIND = 3
ROUNDS = 6
OUTDATED_KEYS: list[str] = []
TRANSLATIONS_SAVED: list[str] = []  # appended from the translators' threads


def _client(app, place: int, number: int):
    """A test client with an address of its own: this test is about concurrent writes,
    not about the per-address limits of sign-in and the open link (tested elsewhere).
    (By the writer's number: thread idents modulo 250 could coincide.)"""
    client = app.test_client()
    client.environ_base["REMOTE_ADDR"] = f"127.0.{place}.{number + 1}"
    return client


def _open_link_registration(app, number: int) -> None:
    client = _client(app, 1, number)
    with app.app_context():
        open_token = db.session.scalar(select(Campaign.open_token))
    url = f"/mk/o/{open_token}"
    html = client.get(url + "?country=MK").get_data(as_text=True)
    for _ in range(ROUNDS):
        made = client.post(
            url,
            data={
                "csrf_token": csrf_token(html),
                "country": "MK",
                "municipality": "mk-cair",
                "role": "councillor",
                # Each round stands for another person on this device.
                "new_person": "y",
            },
        )
        assert made.status_code == 303, made.status_code


def _logins(app, number: int) -> None:
    member = Staff(_client(app, 2, number), f"login{number}@example.org")
    for round_ in range(ROUNDS):
        if round_ % 2:
            assert member.login("not the password").status_code == 401
        else:
            assert member.login().status_code == 303


def _staff_actions(app, number: int) -> None:
    member = Staff(_client(app, 3, number), f"analyst{number}@example.org")
    assert member.login().status_code == 303
    with app.app_context():
        campaign_id = db.session.scalar(select(Campaign.id))
    for _ in range(ROUNDS):
        exported = member.client.get(f"/en/staff/campaigns/{campaign_id}/responses.csv")
        assert exported.status_code == 200, exported.status_code
        assert exported.get_data()  # a streamed body: read it to the end
        exported.close()


def _respondents(app, number: int) -> None:
    with app.app_context():
        plans = answer_plan(builtin_version())
    for round_ in range(ROUNDS // 3):
        person = Respondent(_client(app, 4, number), f"concurrent-{number}-{round_}", "en")
        assert person.consent().status_code == 303
        for page_number, plan in enumerate(plans, start=1):
            saved = person.answer_page(page_number, plan.form)
            assert saved.status_code == 303, saved.status_code
        assert person.submit().status_code == 303


def _editor_edits(app, number: int) -> None:
    author = Staff(_client(app, 5, number), f"author{number}@example.org")
    assert author.login().status_code == 303
    made = author.post_form(
        "/en/staff/questionnaires", {"name": f"pilot{number}", "title": "Pilot"}
    )
    assert made.status_code == 303, made.status_code
    version_id = int(made.location.rstrip("/").rsplit("/", 1)[1])
    editor = f"/en/staff/questionnaires/{version_id}"
    texts = f"{editor}/texts"
    for round_ in range(ROUNDS):
        added = author.post_form(f"{editor}/pages", {"title": f"Page {round_}"}, form_page=editor)
        assert added.status_code == 303, added.status_code
        saved = author.post_form(
            texts, {"text-0-en": f"Pilot {round_}", "text-0-mk": f"Пилот {round_}"}
        )
        assert saved.status_code == 303, saved.status_code


def _translation_saves(app, number: int) -> None:
    translator = Staff(_client(app, 6, number), f"translator{number}@example.org")
    assert translator.login().status_code == 303
    with app.app_context():
        version_id = builtin_version().id
    status = translator.client.get("/en/staff/translations")
    assert status.status_code == 200, status.status_code
    edit = f"/en/staff/translations/{version_id}/sq/edit?key="
    # Each translator takes its own share of the texts made out of date before the
    # threads start (a share taken from the status page would shift as the other
    # translators' saves take texts off it, and two would then edit one text).
    for key in OUTDATED_KEYS[number::THREADS_PER_KIND][:ROUNDS]:
        page = translator.client.get(edit + key)
        if page.status_code != 200:
            continue  # not a text the translator edits one by one
        saved = translator.client.post(
            edit + key,
            data={
                "csrf_token": csrf_token(page.get_data(as_text=True)),
                "text": f"Përkthim {number}",
            },
        )
        assert saved.status_code == 303, saved.status_code
        TRANSLATIONS_SAVED.append(key)


KINDS = {
    "open-link registration": _open_link_registration,
    "login success and failure": _logins,
    "staff actions with audit records": _staff_actions,
    "page saves and submits": _respondents,
    "editor edits": _editor_edits,
    "translation saves": _translation_saves,
}


def _prepare(app, make_user) -> None:
    with app.app_context():
        campaign = db.session.scalar(select(Campaign))
        db.session.add_all(
            Invitation(
                token=f"concurrent-{number}-{round_}",
                campaign=campaign,
                municipality_id=1,
                role="mayor",
                language="en",
            )
            for number in range(THREADS_PER_KIND)
            for round_ in range(ROUNDS // 3)
        )
        db.session.commit()
    for number in range(THREADS_PER_KIND):
        make_user("analyst", f"login{number}@example.org")
        make_user("analyst", f"analyst{number}@example.org")
        make_user("analyst", f"author{number}@example.org")
        make_user("translator", f"translator{number}@example.org")
    # Something for the translators: an English source text changed, so every
    # translation of it is out of date.
    with app.app_context():
        version_id = builtin_version().id
        sources = db.session.scalars(
            select(TextEntry)
            .where(TextEntry.version_id == version_id, TextEntry.lang == "en")
            .order_by(TextEntry.key)
            .limit(ROUNDS * THREADS_PER_KIND)
        )
        OUTDATED_KEYS[:] = []
        TRANSLATIONS_SAVED[:] = []
        for source in sources:
            OUTDATED_KEYS.append(source.key)
            source.text += "."
            source.source_hash = source_hash(source.text)
        db.session.commit()


def test_every_kind_of_write_at_once_without_an_error(app, make_user, capsys):
    assert PASSWORD
    _prepare(app, make_user)
    with app.app_context():
        audits_before = db.session.scalar(select(func.count()).select_from(AuditEvent))
    errors: Counter = Counter()
    details: list[str] = []

    def run(kind: str, number: int) -> None:
        try:
            KINDS[kind](app, number)
        except Exception as error:  # noqa: BLE001  (collected and reported by the test)
            errors[kind] += 1
            details.append(f"{kind} {number}: {error!r}")

    threads = [
        threading.Thread(target=run, args=(kind, number))
        for number in range(THREADS_PER_KIND)
        for kind in KINDS
    ]
    started = time.perf_counter()
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=300)
    elapsed = time.perf_counter() - started
    with app.app_context():
        audits = db.session.scalar(select(func.count()).select_from(AuditEvent)) - audits_before
        registered = db.session.scalar(
            select(func.count()).select_from(Invitation).where(Invitation.self_registered)
        )
        submitted = db.session.scalar(
            select(func.count()).select_from(Response).where(Response.status == "submitted")
        )
        translation_edits = db.session.scalar(
            select(func.count())
            .select_from(AuditEvent)
            .where(AuditEvent.action == "translation_edit")
        )
    database = "PostgreSQL" if PG_URL else "SQLite"
    with capsys.disabled():  # the counts belong in CI's log
        print(
            f"\n[{database}] {len(threads)} writers in {elapsed:.1f}s: errors per kind "
            f"{ {kind: errors[kind] for kind in KINDS} }; registered {registered}, "
            f"submitted {submitted}, audit records {audits}"
        )
    assert not details, details
    assert registered == THREADS_PER_KIND * ROUNDS
    assert submitted == THREADS_PER_KIND * (ROUNDS // 3)
    # Every translator's save was kept and recorded, none twice, none lost.
    assert TRANSLATIONS_SAVED and len(set(TRANSLATIONS_SAVED)) == len(TRANSLATIONS_SAVED)
    assert translation_edits == len(TRANSLATIONS_SAVED)


def test_a_request_writing_outside_the_write_transaction_is_flagged(app):
    if PG_URL:
        return  # the check is about SQLite's write lock
    from surveyapp.accounts import audit_log

    with app.test_request_context("/en/staff/"):
        db.session.add(AuditEvent(action="unguarded"))
        db.session.flush()
        with pytest.warns(RuntimeWarning, match="write_transaction"):
            db.session.commit()
        db.session.add(AuditEvent(action="unguarded"))
        with pytest.warns(RuntimeWarning, match="write_transaction"):
            db.session.commit()  # flushed by the commit itself
        db.session.add(AuditEvent(action="rolled back"))
        db.session.flush()
        db.session.rollback()  # nothing written: no warning
        audit_log.record("guarded")  # through the helper: no warning
