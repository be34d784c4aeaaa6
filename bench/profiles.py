"""Benchmark of the needs profiles on demo data of growing size.

    .venv/bin/python bench/profiles.py                      # 1,000, 10,000 and 100,000
    .venv/bin/python bench/profiles.py --sizes 1000,5000    # other sizes

For each size: a fresh SQLite database in a temporary folder (and, when
TEST_DATABASE_URL is set, a fresh PostgreSQL database next to that one,
``<name>_profiles_bench``, dropped at the end), migrated by Alembic, the
built-in content loaded, then ``seed_demo(N)``. It measures the seeding (which
ends with a rebuild of the profile counts), ``count_rebuild.rebuild()`` of
the demo campaign on its own (delete and recompute, committed), the regional
``needs_profile`` (everything a profile page shows), a country's, and
``compare()`` of one municipality with its country and the region (median of
5 each), and prints one table. PostgreSQL gets ANALYZE after seeding, as
autovacuum would; SQLite is left as a fresh install leaves it.
"""

from __future__ import annotations

import argparse
import contextlib
import io
import os
import sys
import tempfile
import time
from collections.abc import Callable
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
for entry in (str(ROOT), str(ROOT / "bench")):
    if entry not in sys.path:
        sys.path.insert(0, entry)

import common  # noqa: E402  (needs the paths above)

TARGET = 0.5  #: seconds for the regional profile at 100,000 responses
REPEAT = 5
MUNICIPALITY = "mk-cair"
COUNTRY = "MK"


def median_time(action: Callable[[], object]) -> float:
    return common.median_time(action, REPEAT)


def measure(url: str, size: int) -> dict[str, float]:
    from flask_migrate import upgrade
    from sqlalchemy import select

    from surveyapp.demo.seed import seed_demo
    from surveyapp.extensions import db
    from surveyapp.models import Campaign
    from surveyapp.places import reference_data
    from surveyapp.profiles import count_rebuild, figures
    from surveyapp.profiles.results import Scope
    from surveyapp.questionnaires import definition_file

    app = common.make_app(url)
    with app.app_context():
        with contextlib.redirect_stderr(io.StringIO()):  # Alembic's INFO lines
            upgrade()
        reference_data.load_reference_data()
        definition_file.load_questionnaire()
        start = time.perf_counter()
        seed_demo(size)
        seeded = time.perf_counter() - start
        campaign_id = db.session.scalar(select(Campaign.id).order_by(Campaign.id.desc()))
        start = time.perf_counter()
        count_rebuild.rebuild(campaign_id)
        db.session.commit()
        rebuilt = time.perf_counter() - start
        db.session.remove()
    common.analyze(app)
    with app.app_context():
        region = Scope.region()
        country = Scope.country(COUNTRY)
        result = {
            "seed": seeded,
            "rebuild": rebuilt,
            "region": median_time(lambda: figures.needs_profile(region)),
            "country": median_time(lambda: figures.needs_profile(country)),
            "compare": median_time(lambda: figures.compare(MUNICIPALITY)),
        }
        db.session.remove()
        db.engine.dispose()
    return result


def run(sizes: list[int]) -> list[tuple[str, int, dict[str, float]]]:
    rows = []
    pg_url = os.environ.get("TEST_DATABASE_URL")
    for size in sizes:
        with tempfile.TemporaryDirectory(prefix="profiles-bench-") as folder:
            url = f"sqlite:///{Path(folder) / 'bench.sqlite3'}"
            rows.append(("SQLite", size, measure(url, size)))
            report(rows[-1:])
        if pg_url:
            with common.postgres_database(pg_url, "profiles_bench") as url:
                rows.append(("PostgreSQL", size, measure(url, size)))
                report(rows[-1:])
    return rows


HEADER = (
    f"{'database':<11} {'N':>8} {'seed s':>8} {'rebuild s':>10} {'region profile s':>17} "
    f"{'country profile s':>18} {'compare s':>10}"
)


def report(rows: list[tuple[str, int, dict[str, float]]], header: bool = False) -> None:
    if header:
        print(HEADER)
        print("-" * len(HEADER))
    for database, size, t in rows:
        print(
            f"{database:<11} {size:>8,} {t['seed']:>8.1f} {t['rebuild']:>10.2f} "
            f"{t['region']:>17.3f} "
            f"{t['country']:>18.3f} {t['compare']:>10.3f}",
            flush=True,
        )


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument(
        "--sizes",
        default="1000,10000,100000",
        help="comma-separated numbers of submitted responses (default: %(default)s)",
    )
    args = parser.parse_args()
    sizes = [int(size.replace("_", "")) for size in args.sizes.split(",") if size]

    machine = common.machine()
    print(f"Needs profiles benchmark: {machine['nproc']} cores, {machine['cpu']}")
    print(f"Python {machine['python']}, {machine['platform']}")
    scopes = f"needs_profile() of the region and {COUNTRY}, compare({MUNICIPALITY!r})"
    print(f"Median of {REPEAT}: {scopes}")
    print()
    print(HEADER)
    print("-" * len(HEADER))
    rows = run(sizes)
    print()
    report(rows, header=True)
    for database, size, t in rows:
        if size == 100_000:
            verdict = "meets" if t["region"] < TARGET else "misses"
            print(f"{database}: regional profile at 100,000 {verdict} the {TARGET} s target")
    return 0


if __name__ == "__main__":
    sys.exit(main())
