"""Benchmark of peer learning (surveyapp.profiles.peers) at the scale of the whole region.

    .venv/bin/python bench/peers.py                        # 600 municipalities, 100,000 responses
    .venv/bin/python bench/peers.py --responses 20000      # a smaller campaign
    .venv/bin/python bench/peers.py --database /tmp/p.db   # keep the database (reused next time)

A throwaway SQLite database (a temporary folder unless ``--database`` names a
file), migrated by Alembic, with the built-in content. The reference data has
fewer municipalities than the 600 the feature is sized for, so synthetic ones
are added, spread over the countries like the real ones (codes
``<cc>-bench-<n>``); then ``seed_demo`` fills the demo campaign with the
submitted responses. With TEST_DATABASE_URL set, the same is done in a fresh
PostgreSQL database next to that one (``<name>_peers_bench``, dropped at the
end) and ANALYZEd, as autovacuum would.

Measured, median of 5, each a page's work (a fresh session, the queries included):

* ``load_scores`` alone (it reads the score counts kept at submit time, a few
  thousand rows, and the submitted responses per municipality and language),
  once right after connecting and then as a page does; and followed by
  ``similar_cities`` for one municipality, ``hosts_for_gaps`` for it, and
  ``exchange_plan`` for the region;
* after 20 more responses were submitted (copies of existing ones, added to
  the benchmark's database and counted as ``submit`` counts them):
  ``load_scores`` + ``similar_cities``.

Target: under 0.5 s a page on a two-core machine. At the end the score counts
are checked against the same figures aggregated from the answers themselves.
"""

from __future__ import annotations

import argparse
import contextlib
import io
import os
import statistics
import sys
import tempfile
import time
from collections.abc import Callable, Iterator
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
for entry in (str(ROOT), str(ROOT / "bench")):
    if entry not in sys.path:
        sys.path.insert(0, entry)

import common  # noqa: E402  (needs the paths above)

TARGET = 0.5
REPEAT = 5
MUNICIPALITIES = 600
MUNICIPALITY = "mk-cair"
#: Responses submitted between two page views in the catch-up measurement.
NEW_RESPONSES = 20


def median_time(action: Callable[[], object]) -> float:
    return common.median_time(action, REPEAT)


def add_municipalities(total: int) -> int:
    """Synthetic municipalities up to ``total``, in proportion to each country's; how many."""
    from sqlalchemy import func, insert, select

    from surveyapp.extensions import db
    from surveyapp.models import Country, Municipality

    per_country = dict(
        db.session.execute(
            select(Country.id, func.count(Municipality.id))
            .outerjoin(Municipality, Municipality.country_id == Country.id)
            .group_by(Country.id)
            .order_by(Country.id)
        ).all()
    )
    codes = dict(db.session.execute(select(Country.id, Country.code)).all())
    existing = sum(per_country.values())
    missing = total - existing
    if missing <= 0:
        return 0
    rows = []
    # Largest countries first, round-robin by share, so each gets its part.
    countries = sorted(per_country, key=lambda c: -per_country[c])
    for i in range(missing):
        country_id = countries[i % len(countries)]
        code = codes[country_id].lower()
        rows.append(
            {
                "country_id": country_id,
                "code": f"{code}-bench-{i + 1:03d}",
                "entity": None,
                "name_latn": f"Bench {code.upper()} {i + 1}",
                "name_cyrl": None,
                "name_sq": None,
            }
        )
    db.session.execute(insert(Municipality), rows)
    db.session.commit()
    return missing


def prepare(url: str, responses: int) -> dict[str, float]:
    """Migrate, load the built-in content, add municipalities, seed; the seconds it took."""
    from flask_migrate import upgrade
    from sqlalchemy import func, select

    from surveyapp.demo.seed import seed_demo
    from surveyapp.extensions import db
    from surveyapp.models import Campaign, Response
    from surveyapp.places import reference_data
    from surveyapp.questionnaires import definition_file

    app = common.make_app(url)
    with app.app_context():
        with contextlib.redirect_stderr(io.StringIO()):  # Alembic's INFO lines
            upgrade()
        if db.session.scalar(select(func.count(Response.id))):
            print("reusing the seeded database", flush=True)
            db.engine.dispose()
            return {}
        reference_data.load_reference_data()
        definition_file.load_questionnaire()
        added = add_municipalities(MUNICIPALITIES)
        print(
            f"added {added} synthetic municipalities; seeding {responses:,} responses", flush=True
        )
        start = time.perf_counter()
        campaign = seed_demo(responses)
        seeded = time.perf_counter() - start
        assert db.session.get(Campaign, campaign.id) is not None
        db.session.remove()
        db.engine.dispose()
    common.analyze(app)
    return {"seed": seeded}


def add_responses(campaign_id: int, count: int, round_: int) -> None:
    """``count`` more submitted responses: copies of existing ones, answers and all."""
    from sqlalchemy import insert, literal, select

    from surveyapp.campaigns.tokens import new_token
    from surveyapp.extensions import db
    from surveyapp.models import Answer, Invitation, Response
    from surveyapp.models.base import utcnow
    from surveyapp.profiles import count_tables

    sources = db.session.scalars(
        select(Response)
        .where(Response.campaign_id == campaign_id, Response.status == "submitted")
        .order_by(Response.id)
        .offset(round_ * 997)
        .limit(count)
    ).all()
    for source in sources:
        invitation_id = db.session.scalar(
            insert(Invitation)
            .values(
                token=new_token(),
                campaign_id=campaign_id,
                municipality_id=source.municipality_id,
                role=source.role,
                language=source.language,
            )
            .returning(Invitation.id)
        )
        response_id = db.session.scalar(
            insert(Response)
            .values(
                submission_id=new_token()[:36],
                invitation_id=invitation_id,
                campaign_id=campaign_id,
                version_id=source.version_id,
                municipality_id=source.municipality_id,
                role=source.role,
                status="submitted",
                language=source.language,
                consent_language=source.language,
                privacy_version=source.privacy_version,
                submitted_at=utcnow(),
            )
            .returning(Response.id)
        )
        columns = ("question_id", "choice", "number", "text")
        db.session.execute(
            insert(Answer).from_select(
                ["response_id", *columns],
                select(literal(response_id), *(getattr(Answer, c) for c in columns)).where(
                    Answer.response_id == source.id
                ),
            )
        )
        count_tables.add_response(response_id)  # as ``submit`` does
    db.session.commit()


def check_counts(campaign_id: int) -> None:
    """The score counts equal the figures aggregated from the answers (the old way)."""
    from sqlalchemy import distinct, func, select

    from surveyapp.extensions import db
    from surveyapp.models import MEASURES, Answer, ProfileScoreCount, Question, Response

    key = (Response.municipality_id, Question.domain_id, Question.measure)
    aggregated = db.session.execute(
        select(
            *key,
            func.sum(Answer.number),
            func.count(Answer.number),
            func.count(distinct(Answer.response_id)),
        )
        .join(Answer, Answer.response_id == Response.id)
        .join(Question, Question.id == Answer.question_id)
        .where(
            Response.campaign_id == campaign_id,
            Response.status == "submitted",
            Question.type == "scale",
            Question.domain_id.is_not(None),
            Question.measure.in_(MEASURES),
            Answer.number.is_not(None),
        )
        .group_by(*key)
    )
    c = ProfileScoreCount
    kept = db.session.execute(
        select(
            c.municipality_id, c.domain_id, c.measure, c.score_sum, c.scores, c.respondents
        ).where(c.campaign_id == campaign_id)
    )
    expected = {tuple(row[:3]): (float(row[3]), row[4], row[5]) for row in aggregated}
    if {tuple(row[:3]): (row[3], row[4], row[5]) for row in kept} != expected:
        raise RuntimeError("the score counts differ from the answers")


def measure(url: str) -> dict[str, float]:
    from sqlalchemy import func, select

    from surveyapp.extensions import db
    from surveyapp.models import Campaign, Municipality, Response
    from surveyapp.profiles import peer_scores, peers

    app = common.make_app(url)
    with app.app_context():
        campaign_id = db.session.scalar(
            select(Response.campaign_id)
            .where(Response.status == "submitted")
            .group_by(Response.campaign_id)
            .order_by(func.count().desc())
            .limit(1)
        )
        name = db.session.get(Campaign, campaign_id).name
        towns = db.session.scalar(select(func.count(Municipality.id)))
        submitted = db.session.scalar(
            select(func.count(Response.id)).where(
                Response.campaign_id == campaign_id, Response.status == "submitted"
            )
        )
        matrix = peer_scores.load_scores(campaign_id)
        plan = peers.exchange_plan(matrix)
        similar = peers.similar_cities(matrix, MUNICIPALITY)
        hosts = peers.hosts_for_gaps(matrix, MUNICIPALITY)
        print(
            f"campaign {name!r}: {submitted:,} submitted responses, {towns} municipalities "
            f"({sum(1 for c in matrix.cities.values() if c.respondents)} with responses); "
            f"{len(plan.themes)} themes, {sum(len(t.hosts) for t in plan.themes)} hosts; "
            f"{len(similar)} cities similar to {MUNICIPALITY}, "
            f"{sum(len(g.hosts) for g in hosts)} hosts for its gaps",
            flush=True,
        )

        def page(then: Callable) -> Callable[[], object]:
            """One request: its own session and transaction."""

            def run() -> object:
                result = then(peer_scores.load_scores(campaign_id))
                db.session.remove()
                return result

            return run

        def similar_to(m):
            return peers.similar_cities(m, MUNICIPALITY)

        def gaps_of(m):
            return peers.hosts_for_gaps(m, MUNICIPALITY)

        db.session.remove()
        db.engine.dispose()
        start = time.perf_counter()
        page(lambda m: m)()
        result = {"connect": time.perf_counter() - start}
        result |= {
            "load": median_time(page(lambda m: m)),
            "similar": median_time(page(similar_to)),
            "hosts": median_time(page(gaps_of)),
            "plan": median_time(page(peers.exchange_plan)),
        }
        after_new = []
        for round_ in range(REPEAT):
            add_responses(campaign_id, NEW_RESPONSES, round_)
            db.session.remove()
            start = time.perf_counter()
            page(similar_to)()
            after_new.append(time.perf_counter() - start)
        result["after_new"] = statistics.median(after_new)
        start = time.perf_counter()
        check_counts(campaign_id)
        print(f"score counts checked against the answers in {time.perf_counter() - start:.1f} s")
        db.session.remove()
        db.engine.dispose()
    return result


@contextlib.contextmanager
def sqlite_database(path: str | None) -> Iterator[str]:
    if path:
        yield f"sqlite:///{Path(path).resolve()}"
        return
    with tempfile.TemporaryDirectory(prefix="peers-bench-") as folder:
        yield f"sqlite:///{Path(folder) / 'bench.sqlite3'}"


ROWS = (
    ("connect", "load_scores, first after connecting (once)"),
    ("load", "load_scores alone"),
    ("similar", "load_scores + similar_cities"),
    ("hosts", "load_scores + hosts_for_gaps"),
    ("plan", "load_scores + exchange_plan"),
    ("after_new", f"load_scores + similar_cities, {NEW_RESPONSES} new responses"),
)


def report(rows: list[tuple[str, dict[str, float]]]) -> None:
    names = [database for database, _ in rows]
    width = max(len(label) for _, label in ROWS)
    print(f"{'seconds':<{width}} " + " ".join(f"{n:>11}" for n in names))
    print("-" * (width + 12 * len(names)))
    for key, label in (("seed", "seeding (once)"), *ROWS):
        cells = [f"{t[key]:>11.3f}" if key in t else f"{'-':>11}" for _, t in rows]
        print(f"{label:<{width}} " + " ".join(cells))


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--responses", type=int, default=100_000)
    parser.add_argument("--database", help="SQLite file to keep (reused when already seeded)")
    args = parser.parse_args()

    machine = common.machine()
    print(f"Peer learning benchmark: {machine['nproc']} cores, {machine['cpu']}")
    print(f"Python {machine['python']}, {machine['platform']}")
    print(f"{MUNICIPALITIES} municipalities, {args.responses:,} submitted responses")
    print(f"Times: median of {REPEAT} (seconds); city {MUNICIPALITY!r}")
    print()
    rows = []
    with sqlite_database(args.database) as url:
        seeded = prepare(url, args.responses)
        rows.append(("SQLite", {**seeded, **measure(url)}))
    pg_url = os.environ.get("TEST_DATABASE_URL")
    if pg_url:
        with common.postgres_database(pg_url, "peers_bench") as url:
            seeded = prepare(url, args.responses)
            rows.append(("PostgreSQL", {**seeded, **measure(url)}))
    print()
    report(rows)
    print()
    for database, t in rows:
        worst = max(t[page] for page in ("similar", "hosts", "plan", "after_new"))
        verdict = "meets" if worst < TARGET else "misses"
        print(f"{database}: slowest page {worst:.3f} s, {verdict} the {TARGET} s target")
    return 0


if __name__ == "__main__":
    sys.exit(main())
