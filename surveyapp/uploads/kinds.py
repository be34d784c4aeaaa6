"""What an upload question accepts: the kinds of file by question type, and the
largest size, with the XLSForm's per-question settings (``parameters``: ``max-size``,
``max-pixels``; ``body::accept``) narrowing them."""

from __future__ import annotations

import re
from dataclasses import dataclass
from typing import Any

MB = 1024 * 1024


@dataclass(frozen=True)
class Kind:
    """A kind of file we recognise by its content."""

    code: str
    content_type: str
    #: File name extensions that say this kind (the first is added to a name without one).
    extensions: tuple[str, ...]


KINDS: dict[str, Kind] = {
    kind.code: kind
    for kind in (
        Kind("jpeg", "image/jpeg", (".jpg", ".jpeg", ".jfif", ".jpe")),
        Kind("png", "image/png", (".png",)),
        Kind("webp", "image/webp", (".webp",)),
        Kind("heic", "image/heic", (".heic", ".heif")),
        Kind("mp3", "audio/mpeg", (".mp3",)),
        Kind("m4a", "audio/mp4", (".m4a", ".mp4", ".aac")),
        Kind("ogg", "audio/ogg", (".ogg", ".oga", ".opus")),
        Kind("wav", "audio/wav", (".wav",)),
        Kind("mp4", "video/mp4", (".mp4", ".m4v")),
        Kind("mov", "video/quicktime", (".mov",)),
        Kind("3gp", "video/3gpp", (".3gp",)),
        Kind("webm", "video/webm", (".webm",)),
        Kind("pdf", "application/pdf", (".pdf",)),
        Kind(
            "docx",
            "application/vnd.openxmlformats-officedocument.wordprocessingml.document",
            (".docx",),
        ),
        Kind(
            "xlsx", "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet", (".xlsx",)
        ),
        Kind(
            "pptx",
            "application/vnd.openxmlformats-officedocument.presentationml.presentation",
            (".pptx",),
        ),
        Kind("odt", "application/vnd.oasis.opendocument.text", (".odt",)),
        Kind("ods", "application/vnd.oasis.opendocument.spreadsheet", (".ods",)),
        Kind("odp", "application/vnd.oasis.opendocument.presentation", (".odp",)),
        # Word, Excel and PowerPoint before 2007 share one container format.
        Kind("doc", "application/msword", (".doc",)),
        Kind("xls", "application/vnd.ms-excel", (".xls",)),
        Kind("ppt", "application/vnd.ms-powerpoint", (".ppt",)),
        Kind("csv", "text/csv", (".csv",)),
        Kind("txt", "text/plain", (".txt",)),
    )
}

IMAGES = frozenset({"jpeg", "png", "webp", "heic"})
AUDIO = frozenset({"mp3", "m4a", "ogg", "wav"})
VIDEO = frozenset({"mp4", "mov", "3gp", "webm"})
DOCUMENTS = frozenset(
    {"pdf", "docx", "xlsx", "pptx", "odt", "ods", "odp", "doc", "xls", "ppt", "csv", "txt"}
)

#: Question type → the kinds it accepts, and its largest file.
ACCEPTED = {
    "image": IMAGES,
    "audio": AUDIO,
    "video": VIDEO,
    "file": DOCUMENTS | {"jpeg", "png", "webp"},
}
DEFAULT_MAX_BYTES = {"image": 10 * MB, "audio": 20 * MB, "video": 50 * MB, "file": 10 * MB}
#: No question may allow more than this (the request's own limit is a little larger).
LARGEST_MAX_BYTES = 50 * MB
#: An image with more pixels than this is refused (decoding it would take too much memory).
MAX_IMAGE_PIXELS = 50_000_000

#: Zip-based documents (docx, xlsx, odt ...) are never extracted; their declared
#: contents are checked: at most this much in all, this many entries, and no entry
#: (above 1 MB) compressed more than RATIO times.
ZIP_MAX_UNCOMPRESSED = 100 * MB
ZIP_MAX_ENTRIES = 5000
ZIP_MAX_RATIO = 100


@dataclass(frozen=True)
class Limits:
    """One question's limits."""

    accepted: frozenset[str]
    max_bytes: int
    #: The longest side an image is kept at (XLSForm ``max-pixels``); None: as sent.
    max_pixels: int | None = None


_SIZE = re.compile(r"^\s*(\d+(?:\.\d+)?)\s*(kb|mb|k|m|b)?\s*$", re.IGNORECASE)


def parse_parameters(text: str | None) -> dict[str, str]:
    """``max-pixels=1024 max-size=5MB`` → {"max-pixels": "1024", "max-size": "5MB"}."""
    found: dict[str, str] = {}
    for part in re.split(r"[\s;,]+", text or ""):
        key, sep, value = part.partition("=")
        if sep and key and value:
            found[key.strip().lower()] = value.strip()
    return found


def _bytes(text: str) -> int | None:
    match = _SIZE.match(text or "")
    if not match:
        return None
    unit = (match.group(2) or "b").lower()[0]
    return int(float(match.group(1)) * {"b": 1, "k": 1024, "m": MB}[unit])


def _accept_filter(accept: str, kinds: frozenset[str]) -> frozenset[str]:
    """Narrow ``kinds`` by an HTML-style accept list (".pdf, image/*, audio/mpeg")."""
    wanted = [w.strip().lower() for w in accept.split(",") if w.strip()]
    if not wanted:
        return kinds
    narrowed = set()
    for code in kinds:
        kind = KINDS[code]
        for item in wanted:
            if (
                item in kind.extensions
                or item == kind.content_type
                or (item.endswith("/*") and kind.content_type.startswith(item[:-1]))
            ):
                narrowed.add(code)
    return frozenset(narrowed) or kinds


def limits_for(type_code: str, extra: dict[str, Any] | None) -> Limits:
    """The limits of a question of ``type_code`` with its kept XLSForm columns ``extra``."""
    columns = {str(k).strip().lower(): str(v) for k, v in (extra or {}).items()}
    parameters = parse_parameters(columns.get("parameters"))
    accepted = ACCEPTED[type_code]
    accept = columns.get("body::accept") or columns.get("accept")
    if accept:
        accepted = _accept_filter(accept, accepted)
    max_bytes = DEFAULT_MAX_BYTES[type_code]
    asked = _bytes(parameters.get("max-size", ""))
    if asked:
        max_bytes = min(asked, LARGEST_MAX_BYTES)
    pixels = parameters.get("max-pixels", "")
    max_pixels = int(pixels) if pixels.isdigit() and int(pixels) > 0 else None
    return Limits(accepted, max_bytes, max_pixels)


def describe(kinds: frozenset[str]) -> str:
    """The accepted kinds as file extensions, for messages: "JPG, PNG, WEBP"."""
    return ", ".join(sorted({KINDS[k].extensions[0][1:].upper() for k in kinds}))


def accept_attribute(kinds: frozenset[str]) -> str:
    """The file input's ``accept``: the kinds' content types and extensions."""
    items: list[str] = []
    for code in sorted(kinds):
        kind = KINDS[code]
        items.extend([kind.content_type, *kind.extensions])
    return ",".join(dict.fromkeys(items))


def human_size(size: int) -> tuple[float, str]:
    """(number, unit) for a size in bytes: (2.5, "MB"), (300, "KB")."""
    if size >= MB:
        return round(size / MB, 1), "MB"
    return max(1, round(size / 1024)), "KB"
