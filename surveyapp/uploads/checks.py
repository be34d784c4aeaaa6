"""The checks an uploaded file passes before anything of it is stored.

By content, never by name: the kind is what the bytes are (their signature, read
with ``puremagic``; images opened with Pillow; zip-based documents by their
declared entries; text by being text), and a name's extension only has to agree
with it. Refused: an empty or oversize file, a kind the question does not take,
content that is not what the name says, a damaged image, a zip bomb (judged from
the declared sizes, without extracting anything), and a name with a folder path,
NUL or control characters. Each refusal is an ``Refused`` with the message in the
page's language.
"""

from __future__ import annotations

import unicodedata
import zipfile
from dataclasses import dataclass
from typing import IO, Any

import puremagic
from flask_babel import format_decimal
from flask_babel import gettext as _
from PIL import Image, UnidentifiedImageError

from surveyapp.uploads import kinds
from surveyapp.uploads.kinds import KINDS, Limits

_HEAD = 8192
#: Signature extensions (puremagic's) → our kinds.
_BY_SIGNATURE = {
    ".png": "png",
    ".jpg": "jpeg",
    ".jpeg": "jpeg",
    ".jfif": "jpeg",
    ".jpe": "jpeg",
    ".webp": "webp",
    ".heic": "heic",
    ".heif": "heic",
    ".mp3": "mp3",
    ".m4a": "m4a",
    ".f4a": "m4a",
    ".ogg": "ogg",
    ".oga": "ogg",
    ".opus": "ogg",
    ".wav": "wav",
    ".mp4": "mp4",
    ".m4v": "mp4",
    ".mov": "mov",
    ".qt": "mov",
    ".3gp": "3gp",
    ".3g2": "3gp",
    ".webm": "webm",
    ".pdf": "pdf",
}
#: ISO media files (ftyp boxes) are told apart by brand only loosely: one is the other.
_ISO_MEDIA = frozenset({"mp4", "m4a", "mov", "3gp"})
_PIL_FORMATS = {"JPEG": "jpeg", "PNG": "png", "WEBP": "webp"}
_OLE = b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1"
#: Unicode's bidirectional controls: a name "photo\u202egpj.exe" reads as "photoexe.jpg".
_BIDI = frozenset("\u200e\u200f\u202a\u202b\u202c\u202d\u202e\u2066\u2067\u2068\u2069")


def _message(code: str, params: dict[str, Any]) -> str:
    """A refusal's message in the current language."""
    if code == "name":
        return _(
            "The file name is not accepted: it contains a folder path or control "
            "characters. Please rename the file and choose it again."
        )
    if code == "bomb":
        return _(
            "The document's contents are too large or too tightly packed to be accepted. "
            "Please send it in another format, such as PDF."
        )
    if code == "damaged":
        return _("The image could not be read; it may be damaged. Please choose another.")
    if code == "pixels":
        return _(
            "The image has too many pixels (more than %(count)d million). "
            "Please send a smaller one.",
            count=int(params.get("count", 0)),
        )
    if code == "empty":
        return _("The file is empty. Please choose another.")
    if code == "size":
        return _(
            "The file is larger than %(size)s %(unit)s. Please choose a smaller one.",
            size=format_decimal(float(params.get("size") or 0)),
            unit=str(params.get("unit", "")),
        )
    if code == "kind":
        return _(
            "Files of this kind are not accepted here. Accepted: %(kinds)s.",
            kinds=str(params.get("kinds", "")),
        )
    return _(
        "The file's content does not match its name (%(extension)s). Please choose the right file.",
        extension=str(params.get("extension", "")),
    )


#: The refusals' codes (``Refused.code``).
CODES = frozenset({"name", "bomb", "damaged", "pixels", "empty", "size", "kind", "mismatch"})


class Refused(ValueError):
    """An upload that is not accepted: ``code`` (one of CODES) and its ``params``;
    ``str()`` is the message for the respondent, in the current language (so a page
    shown again in another language says it in that one)."""

    def __init__(self, code: str, **params: Any) -> None:
        super().__init__(code)
        self.code = code if code in CODES else "mismatch"
        self.params = params

    def __str__(self) -> str:
        return _message(self.code, self.params)


@dataclass(frozen=True)
class Checked:
    """A file that passed: its kind, its sanitised name and its size in bytes."""

    kind: str
    name: str
    size: int

    @property
    def content_type(self) -> str:
        return KINDS[self.kind].content_type


def clean_name(raw: str | None) -> str:
    """The respondent's file name as metadata (NFC, trimmed), or ``Refused`` for a
    name with a folder path, NUL, control characters or bidirectional overrides."""
    name = unicodedata.normalize("NFC", raw or "").strip()
    if not name:
        return "file"
    if (
        len(name) > 255
        or any(c in name for c in "/\\")
        or name in (".", "..")
        or any(unicodedata.category(c) == "Cc" or c in _BIDI for c in name)
    ):
        raise Refused("name")
    return name


def _extension(name: str) -> str:
    stem, dot, ext = name.rpartition(".")
    return f".{ext.lower()}" if dot and stem and ext else ""


def _size(stream: IO[bytes]) -> int:
    stream.seek(0, 2)
    size = stream.tell()
    stream.seek(0)
    return size


def _signature_kinds(head: bytes) -> set[str]:
    try:
        matches = puremagic.magic_string(head)
    except puremagic.PureError:
        return set()
    found = {_BY_SIGNATURE[m.extension.lower()] for m in matches if m.extension in _BY_SIGNATURE}
    if found & _ISO_MEDIA:
        found |= _ISO_MEDIA
    return found


def _bomb() -> Refused:
    return Refused("bomb")


def _zip_kinds(stream: IO[bytes]) -> set[str]:
    """The document kinds a zip container is, from its declared entries (never
    extracted, except an OpenDocument's few-byte ``mimetype``); ``Refused`` for a bomb."""
    try:
        archive = zipfile.ZipFile(stream)
        entries = archive.infolist()
    except (zipfile.BadZipFile, zipfile.LargeZipFile, OSError, ValueError, EOFError):
        return set()
    if len(entries) > kinds.ZIP_MAX_ENTRIES:
        raise _bomb()
    if sum(e.file_size for e in entries) > kinds.ZIP_MAX_UNCOMPRESSED:
        raise _bomb()
    for entry in entries:
        if entry.file_size > kinds.MB and entry.file_size > kinds.ZIP_MAX_RATIO * max(
            entry.compress_size, 1
        ):
            raise _bomb()
    names = {e.filename for e in entries}
    if "[Content_Types].xml" in names:
        tops = {n.split("/", 1)[0] for n in names}
        return {
            kind for top, kind in (("word", "docx"), ("xl", "xlsx"), ("ppt", "pptx")) if top in tops
        }
    if "mimetype" in names and archive.getinfo("mimetype").file_size <= 100:
        try:
            mimetype = archive.read("mimetype").decode("ascii", "replace").strip()
        except (zipfile.BadZipFile, OSError, ValueError, EOFError, NotImplementedError):
            return set()
        return {k for k in ("odt", "ods", "odp") if KINDS[k].content_type == mimetype}
    return set()


def _is_plain_text(head: bytes) -> bool:
    """UTF-8 (or a single-byte code page) text without NUL or control characters, and
    not markup (HTML, SVG, XML are never accepted as text)."""
    if b"\x00" in head:
        return False
    try:
        text = head.decode("utf-8")
    except UnicodeDecodeError as error:
        if error.start < len(head) - 4:  # not just a character cut at the end
            text = head.decode("cp1252", "replace")
        else:
            text = head[: error.start].decode("utf-8")
    text = text.lstrip("\ufeff \t\r\n")
    if text.startswith("<") or "<script" in text.lower() or "<html" in text.lower():
        return False
    return all(c in "\t\r\n" or unicodedata.category(c) != "Cc" for c in text)


def _content_kinds(stream: IO[bytes], head: bytes, name_ext: str) -> set[str]:
    """What the bytes can be."""
    if head.startswith(b"PK\x03\x04"):
        return _zip_kinds(stream)
    if head.startswith(_OLE):
        legacy = {".doc": "doc", ".xls": "xls", ".ppt": "ppt"}
        return {legacy.get(name_ext, "doc")}
    found = _signature_kinds(head)
    if "pdf" in found and not head.startswith(b"%PDF-"):
        found.discard("pdf")
    if not found and _is_plain_text(head):
        found = {"csv", "txt"}
    return found


def _verify_image(stream: IO[bytes], kind: str) -> None:
    """Pillow opens it as the kind found, within the pixel limit, and its data checks out."""
    damaged = Refused("damaged")
    if kind == "heic":
        return  # Pillow cannot read HEIC: the signature has to do
    try:
        with Image.open(stream) as image:
            if _PIL_FORMATS.get(image.format or "") != kind:
                raise damaged
            width, height = image.size
            if width * height > kinds.MAX_IMAGE_PIXELS:
                raise Refused("pixels", count=kinds.MAX_IMAGE_PIXELS // 1_000_000)
            image.verify()
    except Refused:
        raise
    except (UnidentifiedImageError, OSError, SyntaxError, ValueError, Image.DecompressionBombError):
        raise damaged from None
    finally:
        stream.seek(0)


def check_upload(stream: IO[bytes], filename: str | None, limits: Limits) -> Checked:
    """Check one uploaded file against a question's ``limits``; ``Refused`` if it fails.

    Nothing is written anywhere; the stream is left at its start."""
    name = clean_name(filename)
    size = _size(stream)
    if size == 0:
        raise Refused("empty")
    if size > limits.max_bytes:
        number, unit = kinds.human_size(limits.max_bytes)
        raise Refused("size", size=number, unit=unit)
    head = stream.read(_HEAD)
    stream.seek(0)
    name_ext = _extension(name)
    found = _content_kinds(stream, head, name_ext)
    stream.seek(0)
    accepted = found & limits.accepted
    if not accepted:
        raise Refused("kind", kinds=kinds.describe(limits.accepted))
    if name_ext:
        agreeing = {k for k in accepted if name_ext in KINDS[k].extensions}
        if not agreeing:
            raise Refused("mismatch", extension=name_ext)
        accepted = agreeing
    kind = sorted(accepted)[0]
    if kind in kinds.IMAGES:
        _verify_image(stream, kind)
    if not name_ext:
        name = f"{name}{KINDS[kind].extensions[0]}"
    return Checked(kind, name, size)
