"""Time and peak memory of exporting 100,000 responses (CSV, XLSX, SPSS .sav, Stata .dta),
on SQLite and PostgreSQL, run by `make bench`.

    .venv/bin/python bench/export_memory.py                  # SQLite (and PostgreSQL, below)
    .venv/bin/python bench/export_memory.py --postgres postgresql+psycopg://...  --reseed

The seeded databases are kept and reused: SQLite in ~/.cache/surveyapp-bench/
(``--database`` names another file), PostgreSQL in the database ``--postgres`` names
(default ``$BENCH_DATABASE_URL``, else ``$TEST_DATABASE_URL``; **wiped and seeded again**
when it does not hold this benchmark's campaign at the newest migration). A database is
seeded again when its schema is older than the migrations, or with ``--reseed``.
Seeding 100,000 responses takes about a minute on SQLite and five on PostgreSQL on a
quiet machine (far longer on a loaded one), then ANALYZE.

Each export runs in a child process of its own, so the memory it reports is the
export's alone, the Python interpreter and the app included (VmHWM from /proc: a
child's ru_maxrss would start at this seeding parent's peak, which Linux hands on
through exec). Targets: CSV under 5 s, XLSX under 15 s, every export under 150 MB.

Columns: ``held MB``, what the child holds (VmRSS) once the app is loaded, before the
export starts: the interpreter, imports and the app, as a worker holds them;
``app MB``, its peak until then; ``export MB``, its peak while exporting (the
high-water mark is reset once the app is loaded, so this is what is resident plus what
the export adds); ``added MB``, export MB less held MB, what the export itself costs;
``peak MB``, the larger of app and export MB, the process's peak; ``file MB``, the
output's size. ``cpu s``: the child's own processor time, which other work on the
machine changes less than the wall-clock seconds; ``load``, the load average when the
export ended. The XLSX (the responses and the codebook sheet), the .sav and the .dta
are written to a file as the export job writes them (labels in Macedonian), and not
read back; the CSV is streamed to nowhere, chunk by chunk, as the download does.
"""

from __future__ import annotations

import argparse
import os
import resource
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
for entry in (str(ROOT), str(ROOT / "bench")):
    if entry not in sys.path:
        sys.path.insert(0, entry)

import common  # noqa: E402  (needs the paths above)

TARGET_MB = 150
#: Seconds per export at 100,000 responses (the issue's targets); None: no target.
TARGET_SECONDS = {"csv": 5, "xlsx": 15, "sav": None, "dta": None}
KINDS = ("csv", "xlsx", "sav", "dta")


def peak_mb() -> float:
    """This process's own peak resident size (VmHWM); ru_maxrss where /proc has none."""
    try:
        for line in Path("/proc/self/status").read_text().splitlines():
            if line.startswith("VmHWM:"):
                return int(line.split()[1]) / 1024
    except OSError:
        pass
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024


def resident_mb() -> float:
    """This process's resident size now (VmRSS)."""
    try:
        for line in Path("/proc/self/status").read_text().splitlines():
            if line.startswith("VmRSS:"):
                return int(line.split()[1]) / 1024
    except OSError:
        pass
    return 0.0


def reset_peak() -> bool:
    """Restart the high-water mark from the current resident size (Linux 4.0 and later)."""
    try:
        Path("/proc/self/clear_refs").write_text("5")
    except OSError:
        return False
    return True


def export_once(url: str, campaign_id: int, kind: str) -> None:
    """In the child: stream the whole export to /dev/null; print seconds and memory."""
    from surveyapp.core import spreadsheets
    from surveyapp.responses import exports, statistical_files

    app = common.make_app(url)
    app_mb = peak_mb()
    held_mb = resident_mb()
    separate = reset_peak()
    started = time.perf_counter()
    cpu = time.process_time()
    with app.app_context():
        if kind == "csv":
            size = 0
            rows = exports.response_rows(campaign_id, "mk", for_csv=True)
            for chunk in spreadsheets.csv_chunks(rows, prepared=True):
                size += len(chunk.encode("utf-8"))
        elif kind == "xlsx":  # to a file, as the export job writes it
            with tempfile.TemporaryDirectory() as folder:
                path = Path(folder) / "export.xlsx"
                exports.workbook(campaign_id, "mk", False, "mk", target=path)
                size = path.stat().st_size
        else:
            with tempfile.TemporaryDirectory() as folder:
                path = Path(folder) / f"export.{kind}"
                statistical_files.write_statistical_file(kind, campaign_id, "mk", False, path)
                size = path.stat().st_size
    seconds = time.perf_counter() - started
    cpu = time.process_time() - cpu
    export_mb = peak_mb()
    peak = max(app_mb, export_mb) if separate else export_mb
    added = export_mb - held_mb
    print(
        f"{seconds:.1f} {cpu:.1f} {held_mb:.0f} {app_mb:.0f} {export_mb:.0f} {added:.0f} "
        f"{peak:.0f} {size / 1e6:.1f}"
    )


def seed(url: str, responses: int) -> tuple[int, int]:
    """The seeded campaign's id and its number of submitted responses."""
    from sqlalchemy import func, select

    from surveyapp.demo.seed import seed_demo
    from surveyapp.extensions import db
    from surveyapp.models import Response

    common.prepare_database(url)
    app = common.make_app(url)
    with app.app_context():
        campaign_id = seed_demo(responses, seed=11).id
        submitted = db.session.scalar(
            select(func.count(Response.id)).where(
                Response.campaign_id == campaign_id, Response.status == "submitted"
            )
        )
        db.engine.dispose()
    common.analyze(app)  # PostgreSQL: planner statistics, as autovacuum would gather
    return campaign_id, submitted


def migration_heads() -> set[str]:
    """The newest revisions of the migrations (the schema a seeded database must have)."""
    from alembic.config import Config
    from alembic.script import ScriptDirectory

    config = Config()
    config.set_main_option("script_location", str(ROOT / "migrations"))
    return set(ScriptDirectory.from_config(config).get_heads())


def seeded(url: str, responses: int) -> tuple[int, int] | None:
    """The campaign with the newest response and its submitted responses, when the
    database was seeded by this benchmark with ``responses`` and its schema is the
    newest; None otherwise (then it is seeded again)."""
    from sqlalchemy import func, inspect, select, text

    from surveyapp.extensions import db
    from surveyapp.models import Response

    app = common.make_app(url)
    with app.app_context():
        tables = inspect(db.engine).get_table_names()
        if "response" not in tables or "alembic_version" not in tables:
            db.engine.dispose()
            return None
        revisions = set(db.session.scalars(text("SELECT version_num FROM alembic_version")))
        if revisions != migration_heads():
            db.engine.dispose()
            return None
        campaign_id = db.session.scalar(
            select(Response.campaign_id).order_by(Response.id.desc()).limit(1)
        )
        submitted = db.session.scalar(
            select(func.count(Response.id)).where(
                Response.campaign_id == campaign_id, Response.status == "submitted"
            )
        )
        db.engine.dispose()
    if not campaign_id or abs(submitted - responses) > responses // 20:
        return None
    return campaign_id, submitted


def default_cache(responses: int) -> Path:
    base = Path(os.environ.get("XDG_CACHE_HOME") or Path.home() / ".cache")
    return base / "surveyapp-bench" / f"exports-{responses}.sqlite3"


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--responses", type=int, default=100_000)
    parser.add_argument(
        "--database",
        help="SQLite file to seed once and reuse (default: ~/.cache/surveyapp-bench/)",
    )
    parser.add_argument(
        "--postgres",
        default=os.environ.get("BENCH_DATABASE_URL") or os.environ.get("TEST_DATABASE_URL"),
        help="PostgreSQL database to seed once and reuse (default: $BENCH_DATABASE_URL, "
        "else $TEST_DATABASE_URL); wiped when it does not hold the seeded campaign",
    )
    parser.add_argument("--reseed", action="store_true", help="seed again even when seeded")
    parser.add_argument("--child", nargs=3, metavar=("URL", "CAMPAIGN", "KIND"))
    parser.add_argument("--kinds", nargs="+", choices=KINDS, default=list(KINDS))
    args = parser.parse_args()
    if args.child:
        export_once(args.child[0], int(args.child[1]), args.child[2])
        return
    cache = Path(args.database) if args.database else default_cache(args.responses)
    cache.parent.mkdir(parents=True, exist_ok=True)
    targets = [f"sqlite:///{cache.resolve()}"]
    if args.postgres:
        targets.append(args.postgres)
    print(f"machine: {common.machine()}; load average {load()}")
    print(
        f"{'database':<11} {'responses':>9} {'export':>6} {'seconds':>8} {'cpu s':>6} "
        f"{'held MB':>7} {'app MB':>7} {'export MB':>9} {'added MB':>8} {'peak MB':>8} "
        f"{'file MB':>8}  load"
    )
    for url in targets:
        reused = None if args.reseed else seeded(url, args.responses)
        if reused is None and url.startswith("sqlite"):
            for stale in (cache, Path(f"{cache}-wal"), Path(f"{cache}-shm")):
                stale.unlink(missing_ok=True)
        campaign_id, submitted = reused or seed(url, args.responses)
        for kind in args.kinds:
            result = subprocess.run(
                [sys.executable, __file__, "--child", url, str(campaign_id), kind],
                capture_output=True,
                text=True,
                check=True,
            )
            seconds, cpu, held, app_mb, export_mb, added, peak, size = result.stdout.split()[-8:]
            verdicts = [("meets" if float(peak) < TARGET_MB else "MISSES") + f" < {TARGET_MB} MB"]
            target = TARGET_SECONDS[kind]
            if target is not None:
                verdicts.append(
                    ("meets" if float(seconds) < target else "MISSES") + f" < {target} s"
                )
            print(
                f"{common.database_label(url):<11} {submitted:>9,} {kind:>6} "
                f"{seconds:>8} {cpu:>6} {held:>7} {app_mb:>7} {export_mb:>9} {added:>8} "
                f"{peak:>8} {size:>8}  {load()}  ({', '.join(verdicts)})",
                flush=True,
            )


def load() -> str:
    """The load average over the last minute (others' work slows the wall-clock times)."""
    try:
        return f"{os.getloadavg()[0]:.1f}"
    except OSError:
        return "?"


if __name__ == "__main__":
    main()
