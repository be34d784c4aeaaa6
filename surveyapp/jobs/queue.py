"""The application's job queue: a Huey instance built from its configuration.

``JOB_QUEUE_URL`` chooses the storage: empty, a SQLite file in the instance folder
(SqliteHuey: no server, shared by the processes of one machine); ``redis://...``
(RedisHuey: workers on several machines); ``sqlite:///path``; ``memory://`` (the
process's own, for tests). ``JOB_QUEUE_IMMEDIATE`` runs each job as it is queued
(unit tests only).

Each job runs in an application context of its own, with a fresh set of context
variables (so a job queued, and run at once, from inside a write transaction does not
join it), and the ORM session removed afterwards.
"""

from __future__ import annotations

import contextvars
import logging
import os
from typing import Any
from urllib.parse import urlsplit

from flask import Flask
from huey import Huey, MemoryHuey, RedisHuey, SqliteHuey
from huey.api import TaskWrapper

from surveyapp.extensions import db
from surveyapp.jobs.registry import JOBS, Job

EXTENSION_KEY = "surveyapp.jobs"
#: The keyword a job scheduled with ``schedule(..., once=key)`` carries its key in.
ONCE_KWARG = "_surveyapp_once"
log = logging.getLogger(__name__)


class AppQueue:
    """An app's Huey instance and its registered tasks, by job name."""

    def __init__(self, huey: Huey) -> None:
        self.huey = huey
        self.tasks: dict[str, TaskWrapper] = {}


def describe(url: str | None) -> str:
    """The storage a queue URL names, without a password (for logs and the CLI)."""
    if not url:
        return "sqlite (instance folder)"
    parts = urlsplit(url)
    host = parts.hostname or ""
    port = f":{parts.port}" if parts.port else ""
    return f"{parts.scheme}://{host}{port}{parts.path}"


def build_huey(app: Flask) -> Huey:
    """A Huey instance for ``app``'s configuration (no task registered yet)."""
    config = app.config
    url = config.get("JOB_QUEUE_URL") or ""
    name = str(config.get("JOB_QUEUE_NAME") or "surveyapp")
    immediate = bool(config.get("JOB_QUEUE_IMMEDIATE"))
    options: dict[str, Any] = {"results": False, "immediate": immediate, "utc": True}
    if url.startswith(("redis://", "rediss://", "unix://")):
        return RedisHuey(name, url=url, **options)
    if url.startswith("memory://"):
        return MemoryHuey(name, **options)
    if url.startswith("sqlite:///"):
        filename = url[len("sqlite:///") :]
    elif not url:
        os.makedirs(app.instance_path, exist_ok=True)
        filename = os.path.join(app.instance_path, "jobs.sqlite3")
    else:
        raise RuntimeError(
            "JOB_QUEUE_URL must be empty, redis://..., sqlite:///... or memory:// "
            f"(not {describe(url)})"
        )
    # immediate mode keeps its jobs in memory, not in the file
    return SqliteHuey(name, filename=filename, timeout=15, **options)


def _runner(app: Flask, job_: Job, huey: Huey):
    def run(*args: Any, **kwargs: Any) -> Any:
        once = kwargs.pop(ONCE_KWARG, None)
        if once is not None:
            huey.delete(once)  # the next schedule(..., once=key) queues it again

        def in_app() -> Any:
            with app.app_context():
                try:
                    return job_.func(*args, **kwargs)
                finally:
                    db.session.remove()

        return contextvars.Context().run(in_app)

    run.__name__ = job_.name.replace(".", "_")
    run.__module__ = "surveyapp.jobs"
    run.__doc__ = job_.func.__doc__
    return run


def _register(queue: AppQueue, app: Flask, job_: Job) -> TaskWrapper:
    decorate = (
        queue.huey.periodic_task(job_.schedule, name=job_.name)
        if job_.schedule is not None
        else queue.huey.task(retries=job_.retries, retry_delay=job_.retry_delay, name=job_.name)
    )
    task = decorate(_runner(app, job_, queue.huey))
    queue.tasks[job_.name] = task
    return task


def queue_for(app: Flask) -> AppQueue:
    """``app``'s queue, built on first use with every job declared so far."""
    queue = app.extensions.get(EXTENSION_KEY)
    if queue is None:
        queue = AppQueue(build_huey(app))
        for job_ in list(JOBS.values()):
            _register(queue, app, job_)
        app.extensions[EXTENSION_KEY] = queue
    return queue


def huey_for(app: Flask) -> Huey:
    return queue_for(app).huey


def task_for(app: Flask, job_: Job) -> TaskWrapper:
    """The Huey task of ``job_`` in ``app``'s queue (registered now if it was declared late)."""
    queue = queue_for(app)
    task = queue.tasks.get(job_.name)
    if task is None:
        task = _register(queue, app, job_)
    return task


def run_pending(app: Flask, limit: int = 1000) -> int:
    """Run the jobs waiting in ``app``'s queue here, one after another, until none is left
    (tests, and ``flask jobs run-pending``); returns how many ran."""
    huey = huey_for(app)
    count = 0
    while count < limit:
        task = huey.dequeue()
        if task is None:
            break
        huey.execute(task)
        count += 1
    return count


def init_app(app: Flask) -> None:
    """Nothing is built yet (a queue URL that cannot be reached must not stop the web app);
    the queue is made on first use."""
    app.extensions.pop(EXTENSION_KEY, None)
