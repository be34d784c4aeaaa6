"""An uploaded XLSForm kept for a while after a refused import, so that the author can
read the whole report and then choose to import the rest without uploading it again.

Kept in the instance folder (``pending_xlsforms/``), one file per upload, named after
the staff member who uploaded it; only they can take it back, once, within
``KEEP_FOR``. Older files are removed whenever a file is kept. The workbook and the
choices files uploaded beside it (``select_one_from_file``) are kept together, as one
uncompressed zip; their names are read back from it and never used as paths.
"""

from __future__ import annotations

import io
import re
import secrets
import time
import zipfile
from pathlib import Path

from flask import current_app

#: How long an upload waits for the author's choice, in seconds.
KEEP_FOR = 3600
_TOKEN = re.compile(r"[A-Za-z0-9_-]{32}")
#: The workbook's name inside the kept zip; the choices files are under ``files/``.
_FORM, _FILES = "form.xlsx", "files/"


def _folder() -> Path:
    return Path(current_app.instance_path) / "pending_xlsforms"


def _path(token: str, owner: int) -> Path | None:
    if not _TOKEN.fullmatch(token or ""):
        return None
    return _folder() / f"{int(owner)}-{token}"


def keep(data: bytes, owner: int, files: dict[str, bytes] | None = None) -> str:
    """Keep the workbook ``data`` and the choices ``files`` (by name) for the staff member
    ``owner`` (a user id); the token to take them back."""
    folder = _folder()
    folder.mkdir(parents=True, exist_ok=True)
    now = time.time()
    for old in folder.iterdir():
        if now - old.stat().st_mtime > KEEP_FOR:
            old.unlink(missing_ok=True)
    token = secrets.token_urlsafe(24)
    path = _folder() / f"{int(owner)}-{token}"  # a fresh token: always a valid name
    bundle = io.BytesIO()
    with zipfile.ZipFile(bundle, "w", zipfile.ZIP_STORED) as kept:
        kept.writestr(_FORM, data)
        for name, content in (files or {}).items():
            kept.writestr(_FILES + name, content)
    path.write_bytes(bundle.getvalue())
    return token


def take(token: str, owner: int) -> tuple[bytes, dict[str, bytes]] | None:
    """The workbook and the choices files kept under ``token`` for ``owner``, removed from
    the folder; None when there is none (a wrong token, another person's, taken already
    or too old)."""
    path = _path(token, owner)
    if path is None:
        return None
    try:
        fresh = time.time() - path.stat().st_mtime <= KEEP_FOR
        data = path.read_bytes()
    except FileNotFoundError:
        return None
    path.unlink(missing_ok=True)
    if not fresh:
        return None
    with zipfile.ZipFile(io.BytesIO(data)) as kept:
        files = {
            name.removeprefix(_FILES): kept.read(name)
            for name in kept.namelist()
            if name.startswith(_FILES)
        }
        return kept.read(_FORM), files
