"""A small crawler for tests: it follows a site's links from entry pages as one
visitor (a test client with its cookies), GET only, same origin, bounded, and
collects every ``<form>`` it finds with the fields a browser would send.

Links with a query string are collected too, as GET "forms" whose fields are
their parameters: an outside scanner fuzzes those as well.
"""

from __future__ import annotations

import re
from collections import deque
from dataclasses import dataclass, field
from html.parser import HTMLParser
from urllib.parse import parse_qsl, urljoin, urlsplit

from flask.testing import FlaskClient

from surveyapp.languages.registry import LANGUAGES

#: Downloads: no forms, no links, and some are slow to make.
_DOWNLOADS = (".csv", ".xlsx", ".po", ".pdf", ".png", ".svg", ".css", ".js", ".ico")
_ORIGINS = ("http://localhost/", "https://localhost/")
_TOKEN = re.compile(r"^[A-Za-z0-9_-]{16,}$")
_WORDS = re.compile(r"^[a-z]+(?:-[a-z]+)*$")
_NUMBER = re.compile(r"\d+")


@dataclass
class Field:
    """One name a form sends: an input, textarea, select, file or a named button."""

    name: str
    #: An input's type ("text", "hidden", "checkbox", ...), "textarea", "select",
    #: "button" (a named submit button) or "query" (a parameter of the action's URL).
    kind: str
    #: What a browser sends without the user changing anything ("" for nothing typed).
    value: str = ""
    #: The values a select, radio or checkbox group offers.
    options: list[str] = field(default_factory=list)
    #: False for an unchecked checkbox or radio, which a browser leaves out.
    sent: bool = True
    multiple: bool = False


@dataclass
class Form:
    visitor: str
    #: The page the form was found on.
    page: str
    method: str
    #: Path and query it is sent to.
    action: str
    multipart: bool
    fields: list[Field]
    #: Named submit buttons (a browser sends the one pressed).
    buttons: list[Field] = field(default_factory=list)
    #: A link with a query string, not a real <form>.
    is_link: bool = False

    @property
    def names(self) -> list[str]:
        """Every distinct name the form can send, in page order."""
        seen: dict[str, None] = {}
        for f in [*self.fields, *self.buttons]:
            seen.setdefault(f.name, None)
        return list(seen)

    @property
    def key(self) -> tuple:
        """What tells one form from another: method, the shape of its address, its names
        (numbers in them left out: one user's row of a table is like the next)."""
        names = sorted({_NUMBER.sub("{n}", name) for name in self.names})
        return (self.method, shape(self.action), tuple(names))

    def __str__(self) -> str:
        return f"{self.method} {shape(self.action)} {sorted(self.names)} (on {self.page})"


def shape(url: str) -> str:
    """A URL with its ids, tokens and language left out, and only its parameters' names:
    pages of one shape show the same forms."""
    parts = urlsplit(url)
    segments = parts.path.split("/")
    out = []
    for segment in segments:
        if segment in LANGUAGES:
            out.append("{lang}")
        elif segment.isdigit():
            out.append("{n}")
        elif _TOKEN.match(segment) and not _WORDS.match(segment):
            out.append("{token}")
        else:
            out.append(segment)
    names = sorted({name for name, _ in parse_qsl(parts.query, keep_blank_values=True)})
    return "/".join(out) + ("?" + "&".join(names) if names else "")


def local_path(url: str, base: str) -> str | None:
    """``url`` (relative to ``base``) as a path on this site, or None for another site."""
    if url.startswith(("mailto:", "tel:", "javascript:", "data:", "#")):
        return None
    absolute = urljoin("http://localhost" + base, url)
    if not absolute.startswith(_ORIGINS):
        return None
    parts = urlsplit(absolute)
    return parts.path + ("?" + parts.query if parts.query else "")


class PageParser(HTMLParser):
    """The links and forms of one page."""

    def __init__(self, visitor: str, page: str) -> None:
        super().__init__(convert_charrefs=True)
        self.visitor, self.page = visitor, page
        self.links: list[str] = []
        self.forms: list[Form] = []
        self._by_id: dict[str, Form] = {}
        self._open: Form | None = None
        self._select: Field | None = None
        self._option: tuple[str | None, bool] | None = None
        self._option_text = ""
        self._select_chosen: list[str] = []
        self._textarea: Field | None = None

    # -- where a control belongs -----------------------------------------------------

    def _owner(self, attrs: dict) -> Form | None:
        if attrs.get("form"):
            return self._by_id.get(attrs["form"])
        return self._open

    def handle_starttag(self, tag: str, attr_list) -> None:
        attrs = {k: (v if v is not None else "") for k, v in attr_list}
        if tag == "a" and attrs.get("href"):
            self.links.append(attrs["href"])
        elif tag == "form":
            action = local_path(attrs.get("action") or self.page, self.page) or self.page
            method = (attrs.get("method") or "get").upper()
            parts = urlsplit(action)
            # A browser sends a GET form's fields instead of the action's query; a POST
            # form's action keeps its query, whose parameters are fuzzed like fields.
            query = (
                [Field(n, "query", v) for n, v in parse_qsl(parts.query, keep_blank_values=True)]
                if method == "POST"
                else []
            )
            form = Form(
                self.visitor,
                self.page,
                method,
                parts.path,
                "multipart" in (attrs.get("enctype") or ""),
                query,
            )
            self.forms.append(form)
            self._open = form
            if attrs.get("id"):
                self._by_id[attrs["id"]] = form
        elif tag in ("input", "button", "select", "textarea") and "disabled" not in attrs:
            self._control(tag, attrs)
        elif tag == "option" and self._select is not None:
            self._option = (attrs.get("value"), "selected" in attrs)
            self._option_text = ""

    def _control(self, tag: str, attrs: dict) -> None:
        owner = self._owner(attrs)
        name = attrs.get("name")
        if owner is None or not name:
            return
        kind = attrs.get("type", "").lower()
        if tag == "button" or (tag == "input" and kind in ("submit", "image")):
            if kind not in ("button", "reset"):
                owner.buttons.append(Field(name, "button", attrs.get("value", "")))
        elif tag == "input" and kind in ("checkbox", "radio"):
            value = attrs.get("value", "on")
            group = next((f for f in owner.fields if f.name == name and f.kind == kind), None)
            if group is None:
                group = Field(name, kind, "", [], False, multiple=kind == "checkbox")
                owner.fields.append(group)
            group.options.append(value)
            if "checked" in attrs:
                group.sent = True
                group.value = value if not group.multiple or not group.value else group.value
        elif tag == "input" and kind not in ("reset", "button"):
            owner.fields.append(Field(name, kind or "text", attrs.get("value", "")))
        elif tag == "select":
            self._select = Field(name, "select", "", [], True, multiple="multiple" in attrs)
            self._select_chosen = []
            owner.fields.append(self._select)
        elif tag == "textarea":
            self._textarea = Field(name, "textarea", "")
            owner.fields.append(self._textarea)

    def handle_data(self, data: str) -> None:
        if self._textarea is not None:
            self._textarea.value += data
        if self._option is not None:
            self._option_text += data

    def handle_endtag(self, tag: str) -> None:
        if tag == "form":
            self._open = None
        elif tag == "textarea":
            if self._textarea is not None and self._textarea.value.startswith("\n"):
                self._textarea.value = self._textarea.value[1:]  # as browsers read it
            self._textarea = None
        elif tag == "option" and self._option is not None:
            self._end_option()
        elif tag == "select" and self._select is not None:
            if self._option is not None:
                self._end_option()
            select = self._select
            chosen = self._select_chosen or select.options[:1]
            select.value = chosen[0] if chosen else ""
            select.sent = bool(chosen)
            self._select = None

    def _end_option(self) -> None:
        assert self._select is not None and self._option is not None
        value, selected = self._option
        value = value if value is not None else self._option_text.strip()
        self._select.options.append(value)
        if selected:
            self._select_chosen.append(value)
        self._option = None


@dataclass
class Crawl:
    """What a crawl found: forms by key (the first page that showed each), pages visited,
    and the pages that answered with a server error."""

    forms: dict[tuple, Form] = field(default_factory=dict)
    visited: list[str] = field(default_factory=list)
    server_errors: list[tuple[str, int]] = field(default_factory=list)

    def add(self, form: Form) -> None:
        self.forms.setdefault(form.key, form)


def crawl(
    client: FlaskClient,
    visitor: str,
    entries: list[str],
    found: Crawl,
    *,
    max_pages: int = 250,
    per_shape: int = 4,
) -> None:
    """Visit pages from ``entries`` by their links as ``visitor`` (``client``'s cookies),
    GET only, and add their forms to ``found``.

    Only pages in the language of the first entry (language switchers would repeat the
    site in every language), at most ``per_shape`` pages of one shape and ``max_pages``
    pages in all. Redirects are followed as links.
    """
    lang = urlsplit(entries[0]).path.split("/")[1]
    queue = deque(entries)
    seen: set[str] = set()
    shapes: dict[str, int] = {}
    pages = 0
    while queue and pages < max_pages:
        url = queue.popleft()
        path = urlsplit(url).path
        if url in seen or path.endswith(_DOWNLOADS) or path.startswith("/static/"):
            continue
        first = path.split("/")[1] if path.count("/") >= 1 else ""
        if first in LANGUAGES and first != lang and lang in LANGUAGES:
            continue
        seen.add(url)
        page_shape = shape(url)
        if shapes.get(page_shape, 0) >= per_shape:
            continue
        shapes[page_shape] = shapes.get(page_shape, 0) + 1
        pages += 1
        reply = client.get(url)
        found.visited.append(f"{visitor} {url} {reply.status_code}")
        if reply.status_code >= 500:
            found.server_errors.append((url, reply.status_code))
        location = reply.headers.get("Location")
        if location:
            target = local_path(location, url)
            if target:
                queue.append(target)
            continue
        if reply.status_code != 200 or not reply.mimetype == "text/html":
            continue
        parser = PageParser(visitor, url)
        parser.feed(reply.get_data(as_text=True))
        for form in parser.forms:
            found.add(form)
        for href in parser.links:
            target = local_path(href, url)
            if target is None:
                continue
            if urlsplit(target).query:
                found.add(_link_form(visitor, url, target))
            queue.append(target)


def _link_form(visitor: str, page: str, link: str) -> Form:
    parts = urlsplit(link)
    params = parse_qsl(parts.query, keep_blank_values=True)
    return Form(
        visitor,
        page,
        "GET",
        parts.path,
        False,
        [Field(name, "query", value) for name, value in params],
        is_link=True,
    )
