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
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from datetime import datetime, timedelta

from babel.dates import format_date
from flask import g
from markupsafe import Markup, escape

from surveyapp.campaigns.roles import RESPONDENT_ROLE_LABELS
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


@contextmanager
def written_in(lang: str) -> Iterator[None]:
    """Translate interface texts (role names) into ``lang`` inside the block, whatever
    the request's language is."""
    had, before = "lang" in g, g.get("lang")
    g.lang = lang
    try:
        yield
    finally:
        if had:
            g.lang = before
        else:
            g.pop("lang", None)


def one_line(value: object) -> str:
    """A value as one line of text: line breaks and other control characters become
    spaces (CR and LF could otherwise start a new header or line)."""
    text = "" if value is None else str(value)
    text = "".join(" " if unicodedata.category(ch)[0] == "C" else ch for ch in text)
    return _SPACES.sub(" ", text).strip()


def role_label(role: str, lang: str) -> str:
    label = RESPONDENT_ROLE_LABELS.get(role)
    if label is None:
        return role
    with written_in(lang):
        return str(label)


def closing_day(closes_at: datetime | None, lang: str) -> str:
    """The last day answers are taken, as the language writes dates ("" without one).

    A campaign closes at the start of its closing day (00:00), so the last day to answer
    is the day before.
    """
    if closes_at is None:
        return ""
    last = (closes_at - timedelta(seconds=1)).date()
    return format_date(last, "long", locale=LANGUAGES[lang].babel_locale)


def _values(values: dict[str, object]) -> dict[str, str]:
    return {name: one_line(value) for name, value in values.items()}


def _fill_plain(line: str, values: dict[str, str]) -> str:
    return PLACEHOLDER.sub(lambda m: values.get(m.group(1), m.group(0)), line)


def _fill_html(line: str, values: dict[str, str]) -> Markup:
    parts: list[str] = []
    position = 0
    for match in PLACEHOLDER.finditer(line):
        parts.append(escape(line[position : match.start()]))
        name = match.group(1)
        if name not in values:
            parts.append(escape(match.group(0)))
        elif name in LINKS:
            url = escape(values[name])
            parts.append(Markup('<a href="{0}">{0}</a>').format(url))
        else:
            parts.append(escape(values[name]))
        position = match.end()
    parts.append(escape(line[position:]))
    return Markup("").join(parts)


def _kept_lines(body: str, values: dict[str, str]) -> list[str]:
    """The body's lines, without those whose placeholder has no value."""
    return [
        line
        for line in body.split("\n")
        if all(values.get(name, "x") for name in PLACEHOLDER.findall(line))
    ]


def render_mail(text: MailText, lang: str, values: dict[str, object]) -> RenderedMail:
    """``text`` with ``values`` (placeholder → value) put in, in three parts."""
    filled = _values(values)
    subject = one_line(_fill_plain(text.subject, filled))[:MAX_SUBJECT]
    lines = _kept_lines(text.body, filled)
    plain = _BLANK_LINES.sub("\n\n", "\n".join(_fill_plain(line, filled) for line in lines))
    paragraphs: list[list[str]] = [[]]
    for line in lines:
        if line.strip():
            paragraphs[-1].append(line)
        elif paragraphs[-1]:
            paragraphs.append([])
    html_paragraphs = [
        Markup("<p>{}</p>").format(Markup("<br>\n").join(_fill_html(line, filled) for line in p))
        for p in paragraphs
        if p
    ]
    direction = "ltr"
    html = Markup(
        '<!DOCTYPE html>\n<html lang="{lang}" dir="{direction}">\n<head>\n'
        '<meta charset="utf-8">\n<meta name="viewport" content="width=device-width">\n'
        "<title>{subject}</title>\n</head>\n<body>\n{body}\n</body>\n</html>\n"
    ).format(
        lang=lang,
        direction=direction,
        subject=subject,
        body=Markup("\n").join(html_paragraphs),
    )
    return RenderedMail(lang, subject, plain.strip() + "\n", str(html))


def html_fragment(mail: RenderedMail) -> Markup:
    """The part of the HTML version between <body> and </body>, for a preview page."""
    start = mail.html_body.index("<body>") + len("<body>")
    end = mail.html_body.rindex("</body>")
    # Our own rendering: every value in it was escaped by render_mail.
    return Markup(mail.html_body[start:end])  # nosec B704
