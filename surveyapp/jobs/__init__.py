"""Work that outlasts a request, on a job queue (Huey): sending mail today, long exports
and rebuilds later.

A domain module declares a job with ``@job()`` (or ``@periodic_job(...)``) and queues it
with ``enqueue(...)``; ``queue.huey_for(app)`` builds the app's queue from its
configuration (SQLite file, Redis, or in memory) and runs every job in a fresh
application context; ``flask worker`` runs a consumer. Jobs carry only ids and small
values: the database says what must be done.
"""

from surveyapp.jobs.registry import Job, enqueue, job, periodic_job, schedule

__all__ = ["Job", "enqueue", "job", "periodic_job", "schedule"]
