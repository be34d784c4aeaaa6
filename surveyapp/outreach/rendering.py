"""A mail as it is sent: the text with each recipient's values put in, as plain text
and as HTML, in the recipient's language.

Values (a contact's name, a municipality's name) are never markup and never more than
one line: in HTML every value is escaped, and in the subject and the plain text every
line break and control character in a value becomes a space, so nothing typed into a
contact can add a header, a link or a tag. A line whose placeholder has no value (a
campaign without a closing date) is left out.
"""

from __future__ import annotations

import re
import unicodedata
from dataclasses import dataclass
from datetime import datetime, timedelta
from functools import lru_cache

from babel.dates import format_date
from markupsafe import Markup, escape

from surveyapp.campaigns.roles import role_name_in
from surveyapp.languages.registry import LANGUAGES
from surveyapp.outreach.mail_texts import PLACEHOLDER, MailText

#: Placeholders whose value is an address: links in the HTML version.
LINKS = ("link", "opt_out_link")
MAX_SUBJECT = 400  # the outbox's column
_BLANK_LINES = re.compile(r"\n{3,}")
_SPACES = re.compile(r"\s+")


@dataclass(frozen=True)
class RenderedMail:
    language: str
    subject: str
    text_body: str
    html_body: str


def one_line(value: object) -> str:
    """A value as one line of text: line breaks and other control characters become
    spaces (CR and LF could otherwise start a new header or line)."""
    text = "" if value is None else str(value)
    if not text.isprintable():  # control, format or separator characters (and spaces)
        text = "".join(" " if unicodedata.category(ch)[0] in "CZ" else ch for ch in text)
    return _SPACES.sub(" ", text).strip()


def role_label(role: str, lang: str, variant: str | None = None) -> str:
    """A respondent role's name in ``lang`` (as spoken in the regional ``variant``),
    whatever the request's language."""
    return role_name_in(lang, role, variant)


def closing_day(closes_at: datetime | None, lang: str) -> str:
    """The last day answers are taken, as the language writes dates ("" without one).

    A campaign closes at the start of its closing day (00:00), so the last day to answer
    is the day before.
    """
    if closes_at is None:
        return ""
    last = (closes_at - timedelta(seconds=1)).date()
    return format_date(last, "long", locale=LANGUAGES[lang].babel_locale)


@dataclass(frozen=True)
class _Line:
    """One line of a text, parsed once: literal parts and placeholders alternate
    (``parts[0]`` literal, ``parts[1]`` a placeholder's name, ...); the literal parts
    are also kept escaped for HTML."""

    parts: tuple[str, ...]
    escaped: tuple[str, ...]

    @property
    def names(self) -> tuple[str, ...]:
        return self.parts[1::2]


@lru_cache(maxsize=256)
def _parse(line: str) -> _Line:
    parts = tuple(PLACEHOLDER.split(line))
    return _Line(parts, tuple(str(escape(part)) for part in parts[0::2]))


@lru_cache(maxsize=64)
def _parse_body(body: str) -> tuple[_Line, ...]:
    return tuple(_parse(line) for line in body.split("\n"))


def _plain(line: _Line, values: dict[str, str]) -> str:
    out = []
    for index, part in enumerate(line.parts):
        out.append(part if index % 2 == 0 else values.get(part, "{" + part + "}"))
    return "".join(out)


def _html(line: _Line, values: dict[str, str], escaped: dict[str, str]) -> str:
    out = []
    for index, part in enumerate(line.parts):
        if index % 2 == 0:
            out.append(line.escaped[index // 2])
        elif part not in values:
            out.append(str(escape("{" + part + "}")))
        else:
            out.append(escaped[part])
    return "".join(out)


def render_mail(text: MailText, lang: str, values: dict[str, object]) -> RenderedMail:
    """``text`` with ``values`` (placeholder → value) put in, in three parts.

    Every value is made one line (``one_line``) and, for the HTML version, escaped;
    the links become links. The text's own lines are parsed once per text.
    """
    filled = {name: one_line(value) for name, value in values.items()}
    escaped = {
        name: (
            '<a href="{0}">{0}</a>'.format(escape(value)) if name in LINKS else str(escape(value))
        )
        for name, value in filled.items()
    }
    subject = one_line(_plain(_parse(text.subject), filled))[:MAX_SUBJECT]
    # A line whose placeholder has no value (no closing date) is left out.
    lines = [
        line for line in _parse_body(text.body) if all(filled.get(name, "x") for name in line.names)
    ]
    plain = _BLANK_LINES.sub("\n\n", "\n".join(_plain(line, filled) for line in lines))
    paragraphs: list[list[str]] = [[]]
    for line in lines:
        if "".join(line.parts).strip():
            paragraphs[-1].append(_html(line, filled, escaped))
        elif paragraphs[-1]:
            paragraphs.append([])
    body = "\n".join("<p>" + "<br>\n".join(p) + "</p>" for p in paragraphs if p)
    html = (
        f'<!DOCTYPE html>\n<html lang="{escape(lang)}" dir="ltr">\n<head>\n'
        '<meta charset="utf-8">\n<meta name="viewport" content="width=device-width">\n'
        f"<title>{escape(subject)}</title>\n</head>\n<body>\n{body}\n</body>\n</html>\n"
    )
    return RenderedMail(lang, subject, plain.strip() + "\n", html)


def html_fragment(mail: RenderedMail) -> Markup:
    """The part of the HTML version between <body> and </body>, for a preview page."""
    start = mail.html_body.index("<body>") + len("<body>")
    end = mail.html_body.rindex("</body>")
    # Our own rendering: every value in it was escaped by render_mail.
    return Markup(mail.html_body[start:end])  # nosec B704
