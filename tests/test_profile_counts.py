"""The count tables behind the needs profiles: kept at submit time, equal to a rebuild."""

from __future__ import annotations

import importlib.util
from pathlib import Path

from sqlalchemy import delete, select

from surveyapp import profile_counts, responses
from surveyapp.demo import seed_demo
from surveyapp.extensions import db
from surveyapp.models import ProfileCount, ProfileDomainCount, Question, Response
from tests.plans import builtin_version

MIGRATION = Path(__file__).parent.parent / "migrations" / "versions" / "0004_profile_counts.py"


def _counts() -> tuple[set, set]:
    c, d = ProfileCount, ProfileDomainCount
    counts = db.session.execute(
        select(
            c.campaign_id, c.municipality_id, c.role, c.question_id, c.choice, c.score, c.responses
        )
    )
    domains = db.session.execute(
        select(d.campaign_id, d.municipality_id, d.role, d.domain_id, d.respondents)
    )
    return set(counts), set(domains)


def _rebuilt() -> tuple[set, set]:
    profile_counts.rebuild()
    db.session.commit()
    return _counts()


def _several(make_response) -> None:
    make_response("mk-cair", "mayor", variant=0)
    make_response("mk-cair", "mayor", variant=1)
    make_response("mk-cair", "councillor", variant=2)
    make_response("mk-bitola", "municipal_staff", variant=3)
    make_response("rs-nis", "deputy_mayor", variant=4)
    make_response("rs-nis", "deputy_mayor", variant=0, submit=False)


def test_counts_kept_at_submit_equal_a_rebuild(app, make_response):
    _several(make_response)
    with app.app_context():
        kept = _counts()
        assert kept[0] and kept[1]
        assert sum(row[-1] for row in kept[1]) > 0
        assert kept == _rebuilt()


def test_a_double_submission_counts_once(app, make_response):
    response_id = make_response("mk-cair", "mayor")
    with app.app_context():
        before = _counts()
        response = db.session.get(Response, response_id)
        assert responses.submit(response) is False
        assert _counts() == before == _rebuilt()


def test_a_response_in_progress_is_not_counted(app, make_response):
    make_response("mk-cair", "mayor", submit=False)
    with app.app_context():
        assert _counts() == (set(), set())
        assert _rebuilt() == (set(), set())


def test_answers_to_skipped_questions_are_not_counted(app, make_response):
    with app.app_context():
        version = builtin_version()
        questions = {q.name: q for page in version.pages for q in page.questions}
        scale = next(q for q in questions.values() if q.type == "scale")
        multiple = next(q for q in questions.values() if q.type == "multiple_choice")
        for question in (scale, multiple):
            db.session.get(Question, question.id).relevant = "1 = 2"
        db.session.commit()
        skipped = {scale.id, multiple.id}
    make_response("mk-cair", "mayor", variant=1)
    with app.app_context():
        kept = _counts()
        assert kept[0]
        assert not {row[3] for row in kept[0]} & skipped
        assert kept == _rebuilt()


def test_demo_data_counts_equal_counts_added_one_response_at_a_time(app):
    with app.app_context():
        campaign = seed_demo(40, seed=3)
        seeded = _counts()
        assert seeded[0]
        for model in (ProfileCount, ProfileDomainCount):
            db.session.execute(delete(model))
        submitted = db.session.scalars(
            select(Response.id).where(
                Response.campaign_id == campaign.id, Response.status == "submitted"
            )
        )
        for response_id in list(submitted):
            profile_counts.add_response(response_id)
        db.session.commit()
        assert _counts() == seeded == _rebuilt()


def test_migration_backfill_equals_a_rebuild(app, make_response):
    _several(make_response)
    spec = importlib.util.spec_from_file_location("migration_0004", MIGRATION)
    migration = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(migration)
    with app.app_context():
        seed_demo(30, seed=5)
        rebuilt = _rebuilt()
        for model in (ProfileCount, ProfileDomainCount):
            db.session.execute(delete(model))
        migration.backfill(db.session.connection())
        db.session.commit()
        assert _counts() == rebuilt


def test_rebuild_of_one_campaign_leaves_the_others(app, make_response):
    _several(make_response)
    with app.app_context():
        campaign = seed_demo(20, seed=7)
        everything = _counts()
        profile_counts.rebuild(campaign.id)
        db.session.commit()
        assert _counts() == everything


def test_the_cli_rebuilds_the_counts(app, make_response, runner):
    _several(make_response)
    with app.app_context():
        kept = _counts()
        db.session.execute(delete(ProfileCount))
        db.session.commit()
    result = runner.invoke(args=["profiles", "rebuild"])
    assert result.exit_code == 0, result.output
    with app.app_context():
        assert _counts() == kept
