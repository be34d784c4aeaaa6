"""Lazily translated messages whose variables are escaped when they are shown as HTML.

Flask-Babel's ``LazyString`` gives ``__html__`` the whole formatted message,
so Jinja takes ``_l("Unknown: %(items)s", items=typed)`` as markup, ``typed``
included. Ours keeps the message text trusted (it comes from our catalogs, as
Jinja's own ``_()`` trusts it) and escapes each variable, like ``Markup % x``.
As plain text (``str()``: a CLI report, a CSV) the values stay as typed.
"""

from __future__ import annotations

from typing import Any

from flask_babel import get_translations, gettext
from flask_babel.speaklater import LazyString
from markupsafe import Markup


class EscapingLazyString(LazyString):
    """A message translated when used, whose variables HTML never sees as markup.

    With ``plural`` and ``num`` it is a plural message (``ngettext``), chosen by ``num``.
    """

    def __init__(
        self,
        string: str,
        variables: dict[str, Any],
        plural: str | None = None,
        num: int | None = None,
    ) -> None:
        super().__init__(_format, string, variables, plural, num)
        self._message = string
        self._variables = variables
        self._plural = plural
        self._num = num

    def __html__(self) -> str:
        text = _translate(self._message, self._plural, self._num)
        # The message is our own catalog's text; each variable is escaped by Markup's %.
        template = Markup(text)  # nosec B704
        return template % self._variables if self._variables else template

    def source_text(self) -> str:
        """The message in English, the language of the code (for logs and tests)."""
        text = self._message if self._plural is None or self._num == 1 else self._plural
        if not self._variables:
            return text
        return text % {
            name: value.source_text() if isinstance(value, EscapingLazyString) else value
            for name, value in self._variables.items()
        }

    def __getstate__(self) -> dict[str, Any]:
        return {
            "_message": self._message,
            "_variables": self._variables,
            "_plural": self._plural,
            "_num": self._num,
        }

    def __setstate__(self, state: dict[str, Any]) -> None:
        EscapingLazyString.__init__(
            self,
            state["_message"],
            state["_variables"],
            state.get("_plural"),
            state.get("_num"),
        )


def _translate(string: str, plural: str | None, num: int | None) -> str:
    if plural is None:
        return gettext(string)
    return get_translations().ngettext(string, plural, num or 0)


def _format(
    string: str, variables: dict[str, Any], plural: str | None = None, num: int | None = None
) -> str:
    text = _translate(string, plural, num)
    return text % variables if variables else text


def lazy_gettext(string: str, **variables: Any) -> EscapingLazyString:
    """``flask_babel.lazy_gettext`` whose variables are escaped in HTML (use as ``_l``)."""
    return EscapingLazyString(string, variables)


def lazy_ngettext(singular: str, plural: str, num: int, **variables: Any) -> EscapingLazyString:
    """The plural of :func:`lazy_gettext`: ``singular`` or ``plural`` (or a language's
    own forms) chosen by ``num``, which the message may show as ``%(num)d``."""
    return EscapingLazyString(singular, {"num": num, **variables}, plural, num)
