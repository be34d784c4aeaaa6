"""The outside scanner's kinds of payload (wapiti's attack modules), sent into the
fields of crawled forms (``tests.form_crawler``), and what no answer may show.
(``tests.table_watch`` tells which tables a request changed and puts them back.)
"""

from __future__ import annotations

import random
import re
from dataclasses import dataclass, field
from urllib.parse import quote_plus

from tests.form_crawler import Field, Form

MISSING = object()  #: the field left out
DUPLICATED = object()  #: the field sent twice, with two different values

XSS_TAG = '<script>alert("fz")</script>'
#: (name, values): one value is chosen per field and submission.
KINDS: list[tuple[str, tuple]] = [
    ("xss", (XSS_TAG, "<img src=x onerror=alert(1)>", "<svg/onload=alert(1)>")),
    ("xss-attribute", ('"><svg onload=alert(1)>', "' autofocus onfocus=alert(1) x='")),
    ("sql", ("'", "' OR '1'='1' --", "1 OR 1=1", "1'; DROP TABLE staff_user; --", "\\'")),
    (
        "path",
        (
            "../../../../etc/passwd",
            "..%2F..%2F..%2Fetc%2Fpasswd",
            "/etc/passwd",
            "..\\..\\windows\\win.ini",
            "file:///etc/passwd",
        ),
    ),  # fmt: skip
    (
        "crlf",
        (
            "x\r\nSet-Cookie: fuzz=1",
            "%0d%0aSet-Cookie:%20fuzz=1",
            "x\nLocation: http://evil.example/",
        ),
    ),  # fmt: skip
    (
        "redirect",
        ("//evil.example/", "https://evil.example/", "/\\evil.example", "\t//evil.example/"),
    ),  # fmt: skip
    ("command", (";id", "| id", "$(id)", "`id`", "&& sleep 5")),
    # Past a field's limit; past most limits; past the form's memory limit (500 kB);
    # past the request's (2 MB).
    ("overlong", ("a" * 300, "A" * 10_000, "B" * 100_000, "C" * 1_900_000, "D" * 2_200_000)),
    ("nul", ("a\x00b", "\x00")),
    ("non-utf8", (b"\xff\xfe", b"caf\xe9", b"\xed\xa0\x80", b"\xc0\xaf")),
    ("format", ("%(x)s", "{0}", "%s%s%s%n", "{__class__}", "{{7*7}}", "${7*7}", "%d")),
    (
        "huge-number",
        (
            "99999999999999999999999999",
            "-9223372036854775809",
            "2147483648",
            "1e309",
            "-1e309",
            "NaN",
            "Infinity",
            "0x7fffffff",
            "1_000",
        ),
    ),  # fmt: skip
    (
        "unicode",
        (
            "\u202eevil",
            "\u200b",
            "e\u0301\u0301\u0301",
            "\ufeffBOM",
            "\uff1cscript\uff1e",
            "\U0001d518\U0001d52b",
            "a\u2028b",
            "\x01\x1b[31m",
            "\u0130\u00df",
            "a" + "\u0301" * 500,
            "\U0001f469\u200d\U0001f469\u200d\U0001f467",
        ),
    ),  # fmt: skip
    ("empty", ("", "   ")),
    ("missing", (MISSING,)),
    ("duplicated", (DUPLICATED,)),
]
KIND_NAMES = [name for name, _ in KINDS]
#: Kinds also sent into every field of a form at once.
ALL_AT_ONCE = ("xss", "xss-attribute", "format", "unicode")

#: Plausible input where a field is empty, so that a payload in one field gets past
#: the checks of the others (as a scanner fills them).
PASSWORD = "correct horse battery"


def plausible(f: Field) -> str | list[str]:
    if f.kind in ("checkbox", "radio", "select"):
        if f.sent:
            return f.value
        return f.options[:1] if f.multiple else (f.options[0] if f.options else "")
    if f.value or f.kind in ("hidden", "query", "button", "file"):
        return f.value
    name = f.name.lower()
    if f.kind == "email" or "email" in name:
        return "fuzz@example.org"
    if f.kind == "password" or name in ("password", "current", "confirm"):
        return PASSWORD
    if f.kind == "number" or name.endswith(("_days", "cap", "size")):
        return "3"
    if f.kind == "date":
        return "2024-03-15"
    if f.kind == "datetime-local":
        return "2024-03-15T10:00"
    if name == "code":
        return "123456"
    return "Fuzz text" if f.kind == "textarea" else "Fuzz value"


Value = str | bytes


@dataclass
class Variant:
    kind: str
    #: The field that carries the payload; "*" for every field; "" for none (the baseline).
    target: str
    payload: object = None
    #: Overrides by field name: a list of values (several to send the name more than once).
    values: dict[str, list[Value]] = field(default_factory=dict)

    def describe(self) -> str:
        shown = self.payload if not isinstance(self.payload, str) else self.payload[:40]
        if self.payload is MISSING:
            shown = "(left out)"
        elif self.payload is DUPLICATED:
            shown = "(sent twice)"
        return f"{self.kind} in {self.target or '-'}: {shown!r}"


def _value_for(kind: str, values: tuple, f: Field, rng: random.Random) -> list[Value]:
    value = rng.choice(values)
    if value is MISSING:
        return []
    if value is DUPLICATED:
        default = plausible(f)
        first = default[0] if isinstance(default, list) and default else default or "1"
        return [first, "2" if first != "2" else "3"]  # type: ignore[list-item]
    return [value]


def variants(
    form: Form, rng: random.Random, budget: int, every_value: bool = False
) -> list[Variant]:
    """The baseline (every field as a browser fills it), then payloads: every kind at
    least once, every field at least once, up to ``budget`` (field, kind) pairs chosen
    by ``rng``, and some kinds in every field at once. A pair sends one of its kind's
    values, chosen by ``rng``; each of them with ``every_value``."""
    fields = _fields_by_name(form)
    names = list(fields)
    kinds = dict(KINDS)
    out = [Variant("baseline", "")]
    if not names:
        return out
    pairs: list[tuple[str, str]] = []
    order = names[:]
    rng.shuffle(order)
    for i, kind in enumerate(KIND_NAMES):
        pairs.append((order[i % len(order)], kind))
    for j, name in enumerate(order[len(KIND_NAMES) :]):
        pairs.append((name, KIND_NAMES[j % len(KIND_NAMES)]))
    # The parameters of a POST form's address (``next``, ``key``) get every kind:
    # they are few, and where open redirects and header injection hide.
    pairs += [
        (name, kind)
        for name, f in fields.items()
        if f.kind == "query" and not form.is_link
        for kind in KIND_NAMES
        if (name, kind) not in pairs
    ]
    rest = [(n, k) for n in names for k in KIND_NAMES if (n, k) not in pairs]
    rng.shuffle(rest)
    pairs += rest[: max(0, budget - len(pairs))]
    for name, kind in pairs:
        for one in kinds[kind] if every_value else (rng.choice(kinds[kind]),):
            value = _value_for(kind, (one,), fields[name], rng)
            payload = value[0] if len(value) == 1 else (MISSING if not value else DUPLICATED)
            out.append(Variant(kind, name, payload, {name: value}))
    if len(names) > 1:
        for kind in ALL_AT_ONCE:
            chosen = {n: _value_for(kind, kinds[kind], fields[n], rng) for n in names}
            out.append(Variant(kind, "*", next(iter(chosen.values()))[0], chosen))
    return out


def _fields_by_name(form: Form) -> dict[str, Field]:
    by_name: dict[str, Field] = {}
    for f in [*form.fields, *form.buttons]:
        if not f.name.endswith("csrf_token"):
            by_name.setdefault(f.name, f)
    return by_name


# --- sending -------------------------------------------------------------------------


@dataclass
class Request:
    method: str
    path: str
    body: bytes | None
    content_type: str | None


def build(form: Form, variant: Variant, button: Field | None) -> Request:
    """The request a browser (or a scanner) would send for ``variant`` of ``form``."""
    query: list[tuple[str, Value]] = []
    body: list[tuple[str, Value]] = []
    files: list[tuple[str, Value, bytes]] = []
    done: set[str] = set()
    for f in [*form.fields, *([button] if button else [])]:
        if f.name in done:
            continue
        done.add(f.name)
        if f.name in variant.values:
            values = variant.values[f.name]
        else:
            default = plausible(f)
            values = default if isinstance(default, list) else [default]
            if f.kind in ("checkbox", "radio") and not f.sent and not values:
                continue
        for value in values:
            if f.kind == "query":
                query.append((f.name, value))
            elif f.kind == "file":
                name = value if isinstance(value, str) and value else "upload.xlsx"
                content = value if isinstance(value, bytes) else b"fuzz"
                files.append((f.name, name, content))
            else:
                body.append((f.name, value))
    for name, values in variant.values.items():  # a button other than the one pressed
        if name not in done:
            body += [(name, value) for value in values]
    if form.method == "GET":
        return Request("GET", _with_query(form.action, query + body), None, None)
    path = _with_query(form.action, query)
    if form.multipart:
        data, content_type = _multipart(body, files)
        return Request("POST", path, data, content_type)
    return Request("POST", path, _urlencoded(body), "application/x-www-form-urlencoded")


def _urlencoded(pairs: list[tuple[str, Value]]) -> bytes:
    return "&".join(f"{quote_plus(n)}={quote_plus(v)}" for n, v in pairs).encode("ascii")


def _with_query(path: str, pairs: list[tuple[str, Value]]) -> str:
    return path + ("?" + _urlencoded(pairs).decode("ascii") if pairs else "")


def _multipart(fields: list[tuple[str, Value]], files) -> tuple[bytes, str]:
    boundary = "fuzzboundary7MA4YWxkTrZu0gW"
    out = b""
    for name, value in fields:
        data = value if isinstance(value, bytes) else value.encode()
        out += f'--{boundary}\r\nContent-Disposition: form-data; name="{name}"\r\n\r\n'.encode()
        out += data + b"\r\n"
    for name, filename, content in files:
        raw = filename if isinstance(filename, bytes) else filename.encode()
        out += (
            f'--{boundary}\r\nContent-Disposition: form-data; name="{name}"; filename="'.encode()
            + raw.replace(b'"', b"%22").replace(b"\r", b"%0D").replace(b"\n", b"%0A")
            + b'"\r\nContent-Type: application/octet-stream\r\n\r\n'
            + content
            + b"\r\n"
        )
    out += f"--{boundary}--\r\n".encode()
    return out, f"multipart/form-data; boundary={boundary}"


# --- what no answer may show ---------------------------------------------------------

#: Text that only a stack trace or a leaked exception would put in a page.
TRACE_MARKERS = (
    "Traceback (most recent call last)",
    'File "/',
    "sqlalchemy.exc",
    "psycopg.errors",
    "psycopg.Operational",
    "sqlite3.",
    "jinja2.exceptions",
    "UnicodeDecodeError",
    "UnicodeEncodeError",
    "(Background on this error",
)
_FOREIGN_REDIRECT = re.compile(r"^\s*(?:[a-z][a-z0-9+.-]*:|[/\\]{2}|/\\)", re.IGNORECASE)


def problems_in(reply, variant: Variant) -> list[str]:
    """What is wrong with an answer: a server error, a payload shown unescaped, a trace,
    an injected header, a redirect to another site."""
    found = []
    if reply.status_code >= 500:
        found.append(f"server error {reply.status_code}")
    body = reply.get_data().decode(errors="replace")
    for marker in TRACE_MARKERS:
        if marker in body:
            found.append(f"trace text {marker!r}")
    if reply.mimetype == "text/html":
        payloads = [
            v
            for values in variant.values.values()
            for v in values
            # (a lone quote is in many pages anyway)
            if isinstance(v, str) and len(v) > 3 and any(c in v for c in "<>\"'")
        ]
        for payload in payloads:
            if payload in body:
                found.append(f"shown unescaped: {payload[:40]!r}")
    for name, value in reply.headers.items():
        if "fuzz=" in value and name.lower() == "set-cookie":
            found.append(f"header injected: {name}: {value[:60]}")
        if "\r" in value or "\n" in value:
            found.append(f"line break in header {name}")
    location = reply.headers.get("Location", "")
    if location and not location.startswith(("http://localhost/", "https://localhost/")):
        if _FOREIGN_REDIRECT.match(location):
            found.append(f"redirect to another site: {location[:60]}")
    return found
