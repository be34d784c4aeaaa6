"""Outgoing mail: the outbox that decisions to write to someone are recorded in, the
addresses never written to again, and (built on the job queue) their delivery.

Callers only ever use ``outbox``: they queue a mail inside their own write
transaction, and the workers deliver what is due.
"""
