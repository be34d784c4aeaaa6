"""Lazily translated messages whose variables are escaped when they are shown as HTML.

Flask-Babel's ``LazyString`` gives ``__html__`` the whole formatted message,
so Jinja takes ``_l("Unknown: %(items)s", items=typed)`` as markup, ``typed``
included. Ours keeps the message text trusted (it comes from our catalogs, as
Jinja's own ``_()`` trusts it) and escapes each variable, like ``Markup % x``.
As plain text (``str()``: a CLI report, a CSV) the values stay as typed.
"""

from __future__ import annotations

from typing import Any

from flask_babel import gettext
from flask_babel.speaklater import LazyString
from markupsafe import Markup


class EscapingLazyString(LazyString):
    """A message translated when used, whose variables HTML never sees as markup."""

    def __init__(self, string: str, variables: dict[str, Any]) -> None:
        super().__init__(_format, string, variables)
        self._message = string
        self._variables = variables

    def __html__(self) -> str:
        text = gettext(self._message)
        # The message is our own catalog's text; each variable is escaped by Markup's %.
        template = Markup(text)  # nosec B704
        return template % self._variables if self._variables else template

    def __getstate__(self) -> dict[str, Any]:
        return {"_message": self._message, "_variables": self._variables}

    def __setstate__(self, state: dict[str, Any]) -> None:
        EscapingLazyString.__init__(self, state["_message"], state["_variables"])


def _format(string: str, variables: dict[str, Any]) -> str:
    text = gettext(string)
    return text % variables if variables else text


def lazy_gettext(string: str, **variables: Any) -> EscapingLazyString:
    """``flask_babel.lazy_gettext`` whose variables are escaped in HTML (use as ``_l``)."""
    return EscapingLazyString(string, variables)
