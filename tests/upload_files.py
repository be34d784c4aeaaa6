"""Files for the upload tests, made in memory: real images, documents and the bad ones."""

from __future__ import annotations

import io
import zipfile

from PIL import Image


def png(size: tuple[int, int] = (40, 30)) -> bytes:
    out = io.BytesIO()
    Image.new("RGB", size, "teal").save(out, "PNG")
    return out.getvalue()


def jpeg(size: tuple[int, int] = (40, 30)) -> bytes:
    out = io.BytesIO()
    Image.new("RGB", size, "orange").save(out, "JPEG")
    return out.getvalue()


PDF = (
    b"%PDF-1.4\n1 0 obj << /Type /Catalog /Pages 2 0 R >> endobj\n"
    b"2 0 obj << /Type /Pages /Kids [] /Count 0 >> endobj\ntrailer << /Root 1 0 R >>\n%%EOF\n"
)
HTML = b"<!DOCTYPE html><html><body><script>alert(document.cookie)</script></body></html>"
SVG = (
    b'<?xml version="1.0"?><svg xmlns="http://www.w3.org/2000/svg"><script>alert(1)</script></svg>'
)
#: Only the first bytes of a PNG: a signature, no image.
PNG_HEADER = b"\x89PNG\r\n\x1a\n" + b"\x00" * 64
CSV = "municipality;budget\nČair;1200\nКичево;800\n".encode()


def docx(extra: dict[str, bytes] | None = None) -> bytes:
    out = io.BytesIO()
    with zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED) as archive:
        archive.writestr("[Content_Types].xml", "<Types/>")
        archive.writestr("word/document.xml", "<w:document/>")
        for name, data in (extra or {}).items():
            archive.writestr(name, data)
    return out.getvalue()


def zip_bomb() -> bytes:
    """A .docx whose one entry unpacks to 30 MB of zeros from some 30 KB."""
    return docx({"word/media/filler.bin": b"\x00" * (30 * 1024 * 1024)})


def odt() -> bytes:
    out = io.BytesIO()
    with zipfile.ZipFile(out, "w") as archive:
        archive.writestr("mimetype", "application/vnd.oasis.opendocument.text")
        archive.writestr("content.xml", "<office:document-content/>")
    return out.getvalue()


LABELS = {
    "site_photo": {
        "en": "A photo of the site",
        "sq": "Një fotografi e vendit",
        "mk": "Фотографија од локацијата",
    },
    "action_plan": {
        "en": "Your action plan",
        "sq": "Plani juaj i veprimit",
        "mk": "Вашиот акциски план",
    },
}


def add_upload_questions(app) -> None:
    """The builtin questionnaire's first page gets an image question and a file
    question (at most 1 MB), labelled in English, Albanian and Macedonian."""
    from surveyapp.extensions import db
    from surveyapp.models import Question, TextEntry
    from surveyapp.questionnaires import text_keys
    from tests.plans import builtin_version

    with app.app_context():
        version = builtin_version()
        page = version.pages[0]
        questions = [
            ("site_photo", "image", None),
            ("action_plan", "file", {"parameters": "max-size=1MB"}),
        ]
        for position, (name, kind, extra) in enumerate(questions, start=100):
            db.session.add(
                Question(
                    version_id=version.id,
                    page_id=page.id,
                    name=name,
                    type=kind,
                    position=position,
                    extra=extra,
                )
            )
            for lang, text in LABELS[name].items():
                key = text_keys.question_text(name, "label")
                db.session.add(TextEntry(version_id=version.id, key=key, lang=lang, text=text))
        db.session.commit()
