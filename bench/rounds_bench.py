"""Benchmark of the rounds (change across three rounds) and of the needs profile page,
at 100,000 and 300,000 submitted responses, side by side.

    .venv/bin/python bench/rounds_bench.py                       # 100,000 and 300,000
    .venv/bin/python bench/rounds_bench.py --sizes 100000        # one size

For each size N: a fresh SQLite database (and, when TEST_DATABASE_URL is set, a
fresh PostgreSQL one, ``<name>_rounds_bench``, dropped at the end), migrated by
Alembic with the built-in content, then three campaigns of N/3 submitted
responses each, made a series. The data go in with bulk INSERTs straight into
the tables, not through the app: invitations, responses, one free-text answer
for a third of them (the answers the profile lists) and the count tables as
submits would have left them (per municipality, role and question, the
choices' counts drawn around each country's demo pattern). Scale answer rows
are not written: nothing the benchmark times reads them (``test_profile_counts``
checks that the count tables equal a rebuild from the answers).

Timed (median of 5): ``series_change`` of the three rounds for the region and
for one municipality, and the needs profile page's whole report
(``build_report``: domains, distributions, shares, indicators, the first page
of free text, the comparison) of the last round for the region, a country and
the municipality; and "what changed where the hub helped" (``support_effect``,
first round to last, the region and every country) with done engagements between
the rounds for a third of the municipalities. Target: each under 0.3 s, and no
growth from 100,000 to 300,000. PostgreSQL gets ANALYZE after loading, as
autovacuum would.
"""

from __future__ import annotations

import argparse
import json
import os
import random
import sys
import tempfile
import time
from collections import Counter
from datetime import datetime, timedelta
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
for entry in (str(ROOT), str(ROOT / "bench")):
    if entry not in sys.path:
        sys.path.insert(0, entry)

import common  # noqa: E402  (needs the paths above)

TARGET = 0.3
REPEAT = 5
MUNICIPALITY = "mk-cair"
COUNTRY = "MK"
ROUNDS = 3
BATCH = 20_000
TIMED = (
    "rounds region",
    "rounds town",
    "hub helped",
    "profile region",
    "profile country",
    "profile town",
)


def _insert(conn, table, rows) -> None:
    for first in range(0, len(rows), BATCH):
        conn.execute(table.insert(), rows[first : first + BATCH])


def load(app, total: int, seed: int = 1) -> int:
    """Three rounds of ``total / 3`` submitted responses; the series' id."""
    from sqlalchemy import select

    from surveyapp.extensions import db
    from surveyapp.models import (
        Answer,
        Campaign,
        Choice,
        Country,
        Domain,
        Invitation,
        Municipality,
        ProfileCount,
        ProfileCountryCount,
        ProfileDomainCount,
        ProfileResponseCount,
        ProfileScoreCount,
        Question,
        Response,
    )
    from surveyapp.models.count_tables import ANSWERED
    from surveyapp.profiles.count_tables import number_key
    from surveyapp.rounds import series

    rng = random.Random(seed)  # nosec B311 (synthetic benchmark data)
    patterns = json.loads((ROOT / "surveyapp/data/demo_patterns.json").read_text("utf-8"))
    with app.app_context():
        version_id = db.session.scalar(select(Question.version_id).order_by(Question.id))
        towns = db.session.execute(select(Municipality.id, Country.code).join(Country)).all()
        domains = {d.id: d.code for d in db.session.scalars(select(Domain))}
        countries = {c.code: c.id for c in db.session.scalars(select(Country))}
        questions = db.session.scalars(
            select(Question).where(Question.version_id == version_id)
        ).all()
        choices: dict[int, list[tuple[str, float | None]]] = {}
        for q in questions:
            if q.choice_list_id:
                choices[q.id] = [
                    (c.value, c.score)
                    for c in db.session.scalars(
                        select(Choice)
                        .where(Choice.choice_list_id == q.choice_list_id)
                        .order_by(Choice.position)
                    )
                ]
        text_question = next(q.id for q in questions if q.name == "top_priority")
        roles = list(patterns["roles"])
        role_weights = list(patterns["roles"].values())
        weights = [patterns["countries"][country]["weight"] for _id, country in towns]
        series_id = series.create_series("City needs (benchmark)")
        next_id = 10_000_000
        per_round = total // ROUNDS
        for round_number in range(ROUNDS):
            campaign = Campaign(
                name=f"Round {round_number + 1}",
                version_id=version_id,
                opens_at=datetime(2023 + 3 * round_number, 2, 1),
            )
            db.session.add(campaign)
            db.session.flush()
            picks = rng.choices(range(len(towns)), weights, k=per_round)
            role_picks = rng.choices(roles, role_weights, k=per_round)
            groups = Counter(zip(picks, role_picks, strict=True))
            invitations, responses, answers = [], [], []
            when = datetime(2023 + 3 * round_number, 3, 1)
            for i, (town, role) in enumerate(zip(picks, role_picks, strict=True)):
                key = next_id + i
                invitations.append(
                    {"id": key, "token": f"b{key}", "campaign_id": campaign.id,
                     "municipality_id": towns[town][0], "role": role, "language": "en",
                     "self_registered": False, "created_at": when}
                )  # fmt: skip
                responses.append(
                    {"id": key, "submission_id": f"s{key}", "invitation_id": key,
                     "campaign_id": campaign.id, "version_id": version_id,
                     "municipality_id": towns[town][0], "role": role, "status": "submitted",
                     "language": "en", "consented_at": when, "consent_language": "en",
                     "privacy_version": "1", "started_at": when, "updated_at": when,
                     "submitted_at": when + timedelta(seconds=i), "self_registered": False}
                )  # fmt: skip
                if i % 3 == 0:
                    answers.append(
                        {"id": key, "response_id": key, "question_id": text_question,
                         "text": f"Priority {i % 97}"}
                    )  # fmt: skip
            next_id += per_round
            _insert(db.session.connection(), Invitation.__table__, invitations)
            _insert(db.session.connection(), Response.__table__, responses)
            _insert(db.session.connection(), Answer.__table__, answers)
            counts, domain_rows, score_rows, response_rows = [], [], [], []
            scores: dict[tuple, list[float]] = {}
            for (town, role), n in groups.items():
                town_id, country = towns[town]
                pattern = patterns["countries"][country]
                base = {"campaign_id": campaign.id, "municipality_id": town_id, "role": role,
                        "self_registered": False}  # fmt: skip
                response_rows.append({**base, "responses": n})
                texts = len(range(0, n, 3))
                counts.append({**base, "question_id": text_question, "choice": ANSWERED,
                               "score": None, "responses": texts})  # fmt: skip
                seen_domains = set()
                for q in questions:
                    if q.type == "scale" and q.id in choices:
                        mean = pattern.get(q.measure or "need", {}).get(
                            domains.get(q.domain_id), 3.0
                        ) + 0.2 * round_number * (1 if q.measure == "capacity" else 0)
                        split = _split(rng, n, choices[q.id], mean)
                        for (value, score), count in zip(choices[q.id], split, strict=True):
                            if count:
                                counts.append({**base, "question_id": q.id, "choice": value,
                                               "score": score, "responses": count})  # fmt: skip
                                if score is not None and q.domain_id and q.measure:
                                    seen_domains.add(q.domain_id)
                                    key = (town_id, q.domain_id, q.measure)
                                    figures = scores.setdefault(key, [0.0, 0])
                                    figures[0] += score * count
                                    figures[1] += count
                    elif q.type in ("single_choice", "multiple_choice") and q.id in choices:
                        values = [v for v, _s in choices[q.id]]
                        picked = Counter(rng.choices(values, k=n))
                        if q.type == "multiple_choice":
                            counts.append({**base, "question_id": q.id, "choice": ANSWERED,
                                           "score": None, "responses": n})  # fmt: skip
                        for value, count in picked.items():
                            counts.append({**base, "question_id": q.id, "choice": value,
                                           "score": None, "responses": count})  # fmt: skip
                    elif q.type == "number":
                        for value, count in Counter(rng.randint(0, 30) for _ in range(n)).items():
                            counts.append({**base, "question_id": q.id,
                                           "choice": number_key(float(value)),
                                           "score": float(value), "responses": count})  # fmt: skip
                    elif q.type == "date":
                        for year, count in Counter(
                            str(rng.randint(2015, 2025)) for _ in range(n)
                        ).items():
                            counts.append({**base, "question_id": q.id, "choice": year,
                                           "score": None, "responses": count})  # fmt: skip
                for domain_id in seen_domains:
                    domain_rows.append({**base, "domain_id": domain_id, "respondents": n})
            town_sizes: Counter = Counter()
            for (town, _role), n in groups.items():
                town_sizes[towns[town][0]] += n
            for (town_id, domain_id, measure), (total_score, count) in scores.items():
                people = town_sizes[town_id]
                score_rows.append(
                    {"campaign_id": campaign.id, "municipality_id": town_id,
                     "domain_id": domain_id, "measure": measure, "score_sum": total_score,
                     "scores": count, "respondents": people}
                )  # fmt: skip
            _insert(db.session.connection(), ProfileResponseCount.__table__, response_rows)
            _insert(db.session.connection(), ProfileCount.__table__, counts)
            rolled: Counter = Counter()
            scores_of: dict[tuple, float | None] = {}
            country_of = dict(towns)
            for row in counts:
                country_id = countries[country_of[row["municipality_id"]]]
                key = (row["campaign_id"], country_id, row["role"], row["question_id"],
                       row["choice"], row["self_registered"])  # fmt: skip
                rolled[key] += row["responses"]
                scores_of[key] = row["score"]
            _insert(
                db.session.connection(),
                ProfileCountryCount.__table__,
                [
                    dict(zip(("campaign_id", "country_id", "role", "question_id", "choice",
                              "self_registered"), key, strict=True))
                    | {"score": scores_of[key], "responses": n}
                    for key, n in rolled.items()
                ],
            )  # fmt: skip
            _insert(db.session.connection(), ProfileDomainCount.__table__, domain_rows)
            _insert(db.session.connection(), ProfileScoreCount.__table__, score_rows)
            db.session.commit()
            series.add_round(series_id, campaign.id)
        db.session.remove()
        db.engine.dispose()
    return series_id


def _split(rng: random.Random, n: int, choices, mean: float) -> list[int]:
    """``n`` answers spread over a scale's choices around ``mean`` (5 %% "don't know")."""
    weights = []
    for _value, score in choices:
        weights.append(0.05 if score is None else 2.7 ** (-((score - mean) ** 2)))
    total = sum(weights)
    exact = [n * w / total for w in weights]
    counts = [int(x) for x in exact]
    for i in sorted(range(len(exact)), key=lambda i: exact[i] - counts[i], reverse=True):
        if sum(counts) >= n:
            break
        counts[i] += 1
    return counts


def add_engagements(app, seed: int = 1) -> int:
    """Done engagements between the first and the last round: one or two domains each,
    for a third of the municipalities; how many."""
    from datetime import date

    from sqlalchemy import select

    from surveyapp.extensions import db
    from surveyapp.models import Domain, Engagement, Municipality
    from surveyapp.models.engagement import engagement_domain

    rng = random.Random(seed)  # nosec B311
    with app.app_context():
        towns = list(db.session.scalars(select(Municipality.id).order_by(Municipality.id)))
        domains = list(db.session.scalars(select(Domain.id).order_by(Domain.position)))
        chosen = rng.sample(towns, len(towns) // 3)
        rows, links = [], []
        for key, town in enumerate(chosen, start=1):
            rows.append(
                {"id": key, "municipality_id": town, "kind": "training", "status": "done",
                 "held_on": date(2024 + rng.randint(0, 3), rng.randint(1, 12), 1), "note": ""}
            )  # fmt: skip
            links += [
                {"engagement_id": key, "domain_id": d}
                for d in rng.sample(domains, rng.choice((1, 2)))
            ]
        with db.engine.begin() as conn:
            _insert(conn, Engagement.__table__, rows)
            _insert(conn, engagement_domain, links)
        return len(rows)


def measure(url: str, size: int) -> dict[str, float]:
    from flask_migrate import upgrade  # noqa: F401  (prepare_database migrates)
    from sqlalchemy import select

    from surveyapp.extensions import db
    from surveyapp.models import Campaign
    from surveyapp.profiles.report import build_report
    from surveyapp.profiles.results import Scope
    from surveyapp.rounds.change import series_change
    from surveyapp.rounds.support_effect import support_effect

    common.prepare_database(url)
    app = common.make_app(url)
    start = time.perf_counter()
    series_id = load(app, size)
    add_engagements(app)
    loaded = time.perf_counter() - start
    common.analyze(app)
    with app.app_context():
        last = db.session.scalar(select(Campaign).order_by(Campaign.id.desc()))
        region, country, town = (
            Scope.region(),
            Scope.country(COUNTRY),
            Scope.municipality(MUNICIPALITY),
        )
        change = series_change(series_id, region)
        assert len(change.rounds) == ROUNDS and change.between == (0, ROUNDS - 1)
        assert all(head.respondents for head in change.rounds)
        helped = support_effect(series_id)
        assert helped.engagements and helped.region.municipalities
        result = {
            "load": loaded,
            "rounds region": common.median_time(lambda: series_change(series_id, region), REPEAT),
            "rounds town": common.median_time(lambda: series_change(series_id, town), REPEAT),
            "hub helped": common.median_time(lambda: support_effect(series_id), REPEAT),
            "profile region": common.median_time(
                lambda: build_report(last, region, None, "en"), REPEAT
            ),
            "profile country": common.median_time(
                lambda: build_report(last, country, None, "en"), REPEAT
            ),
            "profile town": common.median_time(
                lambda: build_report(last, town, None, "en"), REPEAT
            ),
        }
        db.session.remove()
        db.engine.dispose()
    return result


def run(
    sizes: list[int], postgres: bool, sqlite: bool = True
) -> dict[tuple[str, int], dict[str, float]]:
    results = {}
    pg_url = os.environ.get("TEST_DATABASE_URL") if postgres else None
    for size in sizes:
        if sqlite:
            with tempfile.TemporaryDirectory(prefix="rounds-bench-") as folder:
                url = f"sqlite:///{Path(folder) / 'bench.sqlite3'}"
                results[("SQLite", size)] = measure(url, size)
                _progress("SQLite", size, results[("SQLite", size)])
        if pg_url:
            with common.postgres_database(pg_url, "rounds_bench") as url:
                results[("PostgreSQL", size)] = measure(url, size)
                _progress("PostgreSQL", size, results[("PostgreSQL", size)])
    return results


def _progress(database: str, size: int, times: dict[str, float]) -> None:
    timed = ", ".join(f"{name} {times[name]:.3f} s" for name in TIMED)
    print(f"  {database} {size:,}: loaded in {times['load']:.0f} s; {timed}", flush=True)


def report(results: dict[tuple[str, int], dict[str, float]]) -> bool:
    columns = list(results)
    head = f"{'seconds (median of 5)':<22}" + "".join(
        f"{f'{db} {size // 1000}k':>16}" for db, size in columns
    )
    print(head)
    print("-" * len(head))
    fine = True
    for name in TIMED:
        cells = ""
        for column in columns:
            value = results[column][name]
            fine = fine and value < TARGET
            cells += f"{value:>15.3f}{'*' if value >= TARGET else ' '}"
        print(f"{name:<22}{cells}")
    print(f"(* over the {TARGET} s target)")
    return fine


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--sizes", default="100000,300000", help="default: %(default)s")
    parser.add_argument("--no-postgres", action="store_true", help="SQLite only")
    parser.add_argument("--no-sqlite", action="store_true", help="PostgreSQL only")
    args = parser.parse_args()
    sizes = [int(size.replace("_", "")) for size in args.sizes.split(",") if size]
    machine = common.machine()
    print(f"Rounds benchmark: {machine['nproc']} cores, {machine['cpu']}")
    print(f"Python {machine['python']}, {machine['platform']}")
    print(f"{ROUNDS} rounds; region, {COUNTRY} and {MUNICIPALITY}")
    results = run(sizes, not args.no_postgres, not args.no_sqlite)
    print()
    report(results)
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
