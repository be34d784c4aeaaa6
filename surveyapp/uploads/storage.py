"""Where uploaded files' bytes live: ``UPLOAD_FOLDER`` (default: the instance
folder's ``uploads/``), each under a random key (``<key[:2]>/<key>``), never under
the respondent's name for it. The database row (``StoredFile``) is the source of
truth:

* a file is written (to a temporary name, then renamed: whole or not there) before
  its row is inserted; a transaction that rolls back leaves a file no row names,
  which the sweep deletes an hour later;
* a file whose row goes (its response deleted, the answer replaced or cleared, the
  campaign deleted) is deleted when that transaction commits (``forget_on_commit``,
  through the engine's commit event); a rollback keeps it.
"""

from __future__ import annotations

import hashlib
import os
import re
import secrets
import time
from collections.abc import Iterable
from pathlib import Path
from typing import IO

from flask import Flask, current_app
from huey import crontab
from sqlalchemy import Connection, event, select

from surveyapp.extensions import db
from surveyapp.jobs import periodic_job
from surveyapp.models import StoredFile

_KEY = re.compile(r"^[0-9a-f]{32}$")
_GONE = "uploads.gone"
#: A file no row names is deleted once it is this old (its transaction is long over).
ORPHAN_AGE_SECONDS = 3600


def upload_folder() -> Path:
    folder = Path(
        current_app.config.get("UPLOAD_FOLDER") or Path(current_app.instance_path) / "uploads"
    )
    folder.mkdir(parents=True, exist_ok=True)
    return folder


def is_key(key: str | None) -> bool:
    return bool(key) and bool(_KEY.match(key or ""))


def path_of(key: str, folder: Path | None = None) -> Path:
    """The file of ``key``; ValueError for anything that is not a key (no path tricks)."""
    if not is_key(key):
        raise ValueError("not a stored file's key")
    return (folder or upload_folder()) / key[:2] / key


def write(stream: IO[bytes]) -> tuple[str, str]:
    """Copy ``stream`` into the folder under a new key; (key, sha256 of the bytes)."""
    key = secrets.token_hex(16)
    target = path_of(key)
    target.parent.mkdir(exist_ok=True)
    part = target.with_name(f".{key}.part")
    digest = hashlib.sha256()
    stream.seek(0)
    try:
        with open(part, "wb") as output:
            while chunk := stream.read(1024 * 1024):
                digest.update(chunk)
                output.write(chunk)
            output.flush()
            os.fsync(output.fileno())
        os.replace(part, target)
    except BaseException:
        part.unlink(missing_ok=True)
        raise
    return key, digest.hexdigest()


def remove(keys: Iterable[str]) -> None:
    """Delete the files of ``keys`` (those that are there)."""
    folder = upload_folder()
    for key in keys:
        if is_key(key):
            path_of(key, folder).unlink(missing_ok=True)


def forget_on_commit(conn: Connection, keys: Iterable[str]) -> None:
    """Delete the files of ``keys`` when ``conn``'s transaction commits (their rows
    are being deleted in it); nothing happens if it rolls back."""
    conn.info.setdefault(_GONE, set()).update(keys)


def _on_commit(conn: Connection) -> None:
    keys = conn.info.pop(_GONE, None)
    if keys:
        remove(keys)


def _on_rollback(conn: Connection) -> None:
    # A lost connection (invalidated) has no info to read: reading it would try to
    # reconnect inside the rollback (``core.lost_connections``); nothing was committed.
    if conn.invalidated or conn.closed:
        return
    conn.info.pop(_GONE, None)


def rows_gone(conn: Connection, condition) -> None:
    """Delete the StoredFile rows matching ``condition``, their files on commit."""
    keys = list(conn.scalars(select(StoredFile.key).where(condition)))
    if keys:
        conn.execute(StoredFile.__table__.delete().where(condition))
        forget_on_commit(conn, keys)


def init_app(app: Flask) -> None:
    with app.app_context():
        engine = db.engine
        if not event.contains(engine, "commit", _on_commit):
            event.listen(engine, "commit", _on_commit)
            event.listen(engine, "rollback", _on_rollback)


@periodic_job(crontab(minute="17"), name="uploads.sweep")
def sweep_orphans(now: float | None = None) -> int:
    """Every hour: delete files that no row names (a transaction that rolled back after
    writing one), once they are an hour old; returns how many."""
    folder = upload_folder()
    cutoff = (now or time.time()) - ORPHAN_AGE_SECONDS
    on_disk = {
        path.name: path
        for path in folder.glob("*/*")
        if (is_key(path.name) or path.name.endswith(".part")) and path.stat().st_mtime < cutoff
    }
    if not on_disk:
        return 0
    known = set(db.session.scalars(select(StoredFile.key).where(StoredFile.key.in_(list(on_disk)))))
    db.session.commit()
    gone = 0
    for name, path in on_disk.items():
        if name not in known:
            path.unlink(missing_ok=True)
            gone += 1
    return gone
