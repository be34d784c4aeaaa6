"""``flask worker``: a consumer of the app's job queue; ``flask jobs ...``: look at it."""

from __future__ import annotations

import logging
import sys

import click
from flask import Flask, current_app

from surveyapp.jobs import queue
from surveyapp.jobs.registry import JOBS


@click.command("worker")
@click.option(
    "-w",
    "--workers",
    type=click.IntRange(1, 64),
    default=None,
    help="Threads that run jobs (default: JOB_WORKERS, 2).",
)
@click.option(
    "--periodic/--no-periodic",
    default=True,
    help="Also start the periodic jobs (the mail sweep). Default: yes.",
)
@click.option("-v", "--verbose", is_flag=True, help="Log every job.")
def worker_command(workers: int | None, periodic: bool, verbose: bool) -> None:
    """Run jobs from the queue until stopped (Ctrl-C or SIGINT: finish the jobs running;
    SIGTERM: stop now). Start as many as you like, on as many machines as share the queue."""
    app = current_app._get_current_object()  # type: ignore[attr-defined]
    if app.config.get("JOB_QUEUE_IMMEDIATE"):
        raise click.UsageError("JOB_QUEUE_IMMEDIATE is set: jobs run where they are queued.")
    count = workers or int(app.config.get("JOB_WORKERS") or 2)
    logging.basicConfig(
        level=logging.INFO if verbose else logging.WARNING,
        format="%(asctime)s %(levelname)s %(name)s: %(message)s",
        stream=sys.stderr,
    )
    logging.getLogger("surveyapp").setLevel(logging.INFO)
    huey = queue.huey_for(app)
    for job_ in list(JOBS.values()):
        if job_.on_worker_start:  # what became due while no worker ran
            queue.task_for(app, job_)()
    click.echo(
        f"surveyapp worker: {count} thread(s) on {queue.describe(app.config.get('JOB_QUEUE_URL'))}"
        f", queue {huey.name!r}",
        err=True,
    )
    consumer = huey.create_consumer(
        workers=count,
        worker_type="thread",
        periodic=periodic,
        initial_delay=0.05,
        max_delay=1.0,
        backoff=1.15,
        check_worker_health=True,
    )
    consumer.run()


@click.group("jobs")
def jobs_group() -> None:
    """The job queue."""


@jobs_group.command("status")
def status_command() -> None:
    """What waits in the queue."""
    huey = queue.huey_for(current_app._get_current_object())  # type: ignore[attr-defined]
    click.echo(f"queue {huey.name!r} on {queue.describe(current_app.config.get('JOB_QUEUE_URL'))}")
    click.echo(f"waiting: {huey.pending_count()}, scheduled: {huey.scheduled_count()}")
    click.echo("jobs: " + ", ".join(sorted(JOBS)))


@jobs_group.command("run-pending")
def run_pending_command() -> None:
    """Run what waits in the queue in this process, then stop (no worker needed)."""
    ran = queue.run_pending(current_app._get_current_object())  # type: ignore[attr-defined]
    click.echo(f"{ran} job(s) run")


def register_jobs_cli(app: Flask) -> None:
    app.cli.add_command(worker_command)
    app.cli.add_command(jobs_group)
