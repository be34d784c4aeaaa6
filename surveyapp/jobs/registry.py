"""The jobs the application knows, declared where their work is (``@job()``).

A declaration only records the function: every application builds its own queue
(``queue.huey_for``) and registers each job there, so tests with several apps, or an
app built again, never share a queue by accident.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import UTC, datetime
from typing import Any

from flask import Flask, current_app

#: name -> job, in the order they were declared
JOBS: dict[str, Job] = {}


@dataclass(frozen=True)
class Job:
    """A function that runs on a worker, in an application context of its own."""

    name: str
    func: Callable[..., Any]
    #: Huey's retries of a job that raised (the work itself decides about its rows).
    retries: int = 0
    retry_delay: int = 0
    #: A cron-like schedule (``huey.crontab(...)``) for periodic jobs, else None.
    schedule: Callable[[datetime], bool] | None = field(default=None, compare=False)
    #: Queued whenever a worker starts (work that became due while none ran).
    on_worker_start: bool = False

    def __call__(self, *args: Any, **kwargs: Any) -> Any:
        """Run it here and now, in the caller's application context."""
        return self.func(*args, **kwargs)


def _declare(job_: Job) -> Job:
    existing = JOBS.get(job_.name)
    if existing is not None and existing.func is not job_.func:
        # a module imported twice under two names would register two functions
        raise ValueError(f"two jobs are named {job_.name!r}")
    JOBS[job_.name] = job_
    return job_


def job(
    name: str | None = None,
    *,
    retries: int = 0,
    retry_delay: int = 0,
    on_worker_start: bool = False,
):
    """Declare a job: ``@job("mail.deliver_due")``. Its arguments must pickle (ids, not rows)."""

    def decorator(func: Callable[..., Any]) -> Job:
        name_ = name or f"{func.__module__}.{func.__name__}"
        return _declare(Job(name_, func, retries, retry_delay, on_worker_start=on_worker_start))

    return decorator


def periodic_job(when: Callable[[datetime], bool], name: str | None = None):
    """Declare a job that every running consumer starts on a schedule (``huey.crontab``)."""

    def decorator(func: Callable[..., Any]) -> Job:
        return _declare(Job(name or f"{func.__module__}.{func.__name__}", func, schedule=when))

    return decorator


def _app() -> Flask:
    # the application itself, not the proxy: jobs run in contexts of their own
    return current_app._get_current_object()  # type: ignore[attr-defined]


def enqueue(job_: Job, *args: Any, **kwargs: Any) -> None:
    """Queue ``job_`` on the current app's queue, to run as soon as a worker is free."""
    from surveyapp.jobs.queue import task_for

    task_for(_app(), job_)(*args, **kwargs)


def schedule(job_: Job, eta: datetime, *args: Any, once: str | None = None, **kwargs: Any) -> bool:
    """Queue ``job_`` to run at ``eta`` (naive UTC) or soon after.

    With ``once``, a key: only the first of several calls with that key queues the job
    (until it runs), so that many workers asking for the same wake-up make one. Returns
    whether it was queued.
    """
    from surveyapp.jobs.queue import ONCE_KWARG, huey_for, task_for

    if once is not None:
        key = f"once.{job_.name}.{once}"
        if not huey_for(_app()).put_if_empty(key, b"1"):
            return False
        kwargs[ONCE_KWARG] = key
    if eta.tzinfo is None:
        eta = eta.replace(tzinfo=UTC)  # Huey reads a naive time as local time
    task_for(_app(), job_).schedule(args, kwargs, eta=eta)
    return True
