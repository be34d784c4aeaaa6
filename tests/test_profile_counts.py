"""The count tables behind the needs profiles: kept at submit time, equal to a rebuild."""

from __future__ import annotations

import importlib.util
from pathlib import Path

from sqlalchemy import delete, select

from surveyapp.demo.seed import seed_demo
from surveyapp.extensions import db
from surveyapp.models import (
    Domain,
    ProfileCount,
    ProfileCountryCount,
    ProfileDomainCount,
    ProfileResponseCount,
    ProfileScoreCount,
    Question,
    Response,
)
from surveyapp.profiles import count_rebuild, count_tables
from surveyapp.responses import respondent as responses
from tests.plans import builtin_version

VERSIONS = Path(__file__).parent.parent / "migrations" / "versions"
COUNT_TABLES = (
    ProfileCount,
    ProfileDomainCount,
    ProfileScoreCount,
    ProfileResponseCount,
    ProfileCountryCount,
)
NOTHING = (set(), set(), set(), set(), set())


def _migration(filename: str):
    spec = importlib.util.spec_from_file_location(filename.removesuffix(".py"), VERSIONS / filename)
    migration = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(migration)
    return migration


def _counts() -> tuple[set, ...]:
    c, d, s = ProfileCount, ProfileDomainCount, ProfileScoreCount
    counts = db.session.execute(
        select(
            c.campaign_id, c.municipality_id, c.role, c.question_id, c.choice, c.score, c.responses
        )
    )
    domains = db.session.execute(
        select(d.campaign_id, d.municipality_id, d.role, d.domain_id, d.respondents)
    )
    scores = db.session.execute(
        select(
            s.campaign_id,
            s.municipality_id,
            s.domain_id,
            s.measure,
            s.score_sum,
            s.scores,
            s.respondents,
        )
    )
    r = ProfileResponseCount
    responses = db.session.execute(
        select(r.campaign_id, r.municipality_id, r.role, r.self_registered, r.responses)
    )
    k = ProfileCountryCount
    countries = db.session.execute(
        select(k.campaign_id, k.country_id, k.role, k.question_id, k.choice, k.score, k.responses)
    )
    return set(counts), set(domains), set(scores), set(responses), set(countries)


def _rebuilt() -> tuple[set, ...]:
    count_rebuild.rebuild()
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
        assert kept[0] and kept[1] and kept[2]
        assert sum(row[-1] for row in kept[1]) > 0
        # Several scored answers per response in a domain: scores outnumber respondents.
        assert any(row[5] > row[6] for row in kept[2])
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
        assert _counts() == NOTHING
        assert _rebuilt() == NOTHING


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
        for model in COUNT_TABLES:
            db.session.execute(delete(model))
        submitted = db.session.scalars(
            select(Response.id).where(
                Response.campaign_id == campaign.id, Response.status == "submitted"
            )
        )
        for response_id in list(submitted):
            count_tables.add_response(response_id)
        db.session.commit()
        assert _counts() == seeded == _rebuilt()


def test_migration_backfills_equal_a_rebuild(app, make_response):
    _several(make_response)
    migrations = [
        _migration("0004_profile_counts.py"),
        _migration("0005_profile_score_counts.py"),
        _migration("0018_rounds.py"),
    ]
    with app.app_context():
        seed_demo(30, seed=5)
        rebuilt = _rebuilt()
        assert all(rebuilt)
        for model in COUNT_TABLES:
            db.session.execute(delete(model))
        for migration in migrations:
            migration.backfill(db.session.connection())
        db.session.commit()
        assert _counts() == rebuilt


def test_rebuild_of_one_campaign_leaves_the_others(app, make_response):
    _several(make_response)
    with app.app_context():
        campaign = seed_demo(20, seed=7)
        everything = _counts()
        count_rebuild.rebuild(campaign.id)
        db.session.commit()
        assert _counts() == everything


def test_the_cli_rebuilds_the_counts(app, make_response, runner):
    _several(make_response)
    with app.app_context():
        kept = _counts()
        for model in COUNT_TABLES:
            db.session.execute(delete(model))
        db.session.commit()
    result = runner.invoke(args=["profiles", "rebuild"])
    assert result.exit_code == 0, result.output
    with app.app_context():
        assert _counts() == kept


def test_score_counts_add_up_each_responses_scores_by_domain_and_measure(app, make_response):
    # Worked out by hand: two youth need scores from one response, one from another.
    with app.app_context():
        version = builtin_version()
        names = [q.name for page in version.pages for q in page.questions if q.type == "scale"]
    dont_know = dict.fromkeys(names, "dk")
    make_response(
        "mk-cair",
        "mayor",
        **{
            **dont_know,
            "youth_engagement_need": "5",
            "youth_radicalisation_need": "4",
            "trust_institutions_need": "2",
        },
    )
    make_response("mk-cair", "councillor", **{**dont_know, "youth_engagement_need": "1"})
    make_response("mk-cair", "mayor", **dont_know)  # no scores at all
    with app.app_context():
        codes = dict(db.session.execute(select(Domain.id, Domain.code)).all())
        kept = {(codes[row[2]], row[3]): row[4:] for row in _counts()[2]}
        assert kept == {
            ("youth", "need"): (10.0, 3, 2),
            ("trust", "need"): (2.0, 1, 1),
        }
        assert kept == {(codes[row[2]], row[3]): row[4:] for row in _rebuilt()[2]}
