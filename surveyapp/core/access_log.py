"""gunicorn's access log without invitation tokens.

An invitation link's token is the respondent's only credential, and the log
keeps client addresses: a line with both would tie an address to a
municipality's answers. Each path and query keeps its route and loses its
token (``/mk/r/<token>/p/2``), the Referer header too, so the log says what
was asked, not by whom.
"""

from __future__ import annotations

import re
from typing import Any

from gunicorn.glogging import Logger

#: The segment after /r/, /o/ or /u/ (a respondent's, an open link's or an opt-out
#: token), or after /staff/password/reset/ (a staff member's password reset link).
_TOKEN_IN_PATH = re.compile(r"(/(?:r|o|u|staff/password/reset)/)[^/?#\s]+")


def redact(path: str) -> str:
    """``path`` with every link token replaced by ``<token>``."""
    return _TOKEN_IN_PATH.sub(r"\1<token>", path)


class TokenRedactingLogger(Logger):
    """gunicorn's logger whose access lines carry no link token."""

    def atoms(self, resp: Any, req: Any, environ: dict, request_time: Any) -> dict:
        atoms = super().atoms(resp, req, environ, request_time)
        # Every text atom: the request line and path, but also the Referer of a page
        # opened from a respondent's page, and any header or environ value logged.
        return {
            key: redact(value) if isinstance(value, str) else value for key, value in atoms.items()
        }
