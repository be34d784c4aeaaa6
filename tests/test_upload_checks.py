"""Uploads are checked by content, not by name (#20): the kinds each question type
takes, the refusals, and the limits read from the XLSForm's columns."""

from __future__ import annotations

import io

import pytest

from surveyapp.uploads import kinds
from surveyapp.uploads.checks import Refused, check_upload, clean_name
from tests import upload_files as files


def check(app, data: bytes, name: str, type_code: str = "file", extra=None):
    with app.test_request_context("/en/"):
        return check_upload(io.BytesIO(data), name, kinds.limits_for(type_code, extra))


def refusal(app, data: bytes, name: str, type_code: str = "file", extra=None) -> str:
    with pytest.raises(Refused) as refused:
        check(app, data, name, type_code, extra)
    return str(refused.value)


@pytest.mark.parametrize(
    ("data", "name", "type_code", "kind"),
    [
        (files.png(), "site.png", "image", "png"),
        (files.jpeg(), "site.JPG", "image", "jpeg"),
        (files.jpeg(), "no extension", "image", "jpeg"),
        (files.PDF, "plan.pdf", "file", "pdf"),
        (files.docx(), "plan.docx", "file", "docx"),
        (files.odt(), "plan.odt", "file", "odt"),
        (files.CSV, "budget.csv", "file", "csv"),
        (files.png(), "scan.png", "file", "png"),
    ],
)
def test_files_are_known_by_their_content(app, data, name, type_code, kind):
    checked = check(app, data, name, type_code)
    assert checked.kind == kind and checked.size == len(data)


def test_a_name_without_extension_gets_the_kinds_own(app):
    assert check(app, files.jpeg(), "photo", "image").name == "photo.jpg"


@pytest.mark.parametrize(
    ("data", "name", "type_code", "expected"),
    [
        # A PNG named .pdf: the content is not what the name says.
        (files.png(), "plan.pdf", "file", "does not match its name (.pdf)"),
        # Only a PNG's signature: Pillow cannot open it.
        (files.PNG_HEADER, "site.png", "image", "could not be read"),
        # HTML or SVG named as an image: never accepted.
        (files.HTML, "site.jpg", "image", "not accepted here"),
        (files.SVG, "site.png", "image", "not accepted here"),
        (files.HTML, "notes.txt", "file", "not accepted here"),
        (files.PDF, "site.jpg", "image", "not accepted here"),
        (files.zip_bomb(), "plan.docx", "file", "too large or too tightly packed"),
        (b"", "empty.pdf", "file", "empty"),
    ],
)
def test_files_that_are_not_what_they_claim_are_refused(app, data, name, type_code, expected):
    assert expected in refusal(app, data, name, type_code)


@pytest.mark.parametrize(
    "name",
    [
        "../../etc/passwd",
        "/etc/passwd",
        "C:\\Users\\ana\\photo.png",
        "photo\x01.png",
        "photo\u202egnp.exe",
        "..",
    ],
)
def test_names_with_paths_or_control_characters_are_refused(app, name):
    with app.test_request_context("/en/"), pytest.raises(Refused) as refused:
        clean_name(name)
    assert "folder path or control characters" in str(refused.value)


def test_a_plain_name_is_kept_as_typed(app):
    with app.test_request_context("/en/"):
        assert clean_name("  Akcioni plan – Čair.pdf ") == "Akcioni plan – Čair.pdf"


def test_an_oversize_file_is_refused_with_the_limit_in_the_message(app):
    extra = {"parameters": "max-size=1MB"}
    big = files.png() + b"\x00" * (1024 * 1024)
    assert "larger than 1 MB" in refusal(app, big, "site.png", "image", extra)


def test_the_xlsform_columns_narrow_the_limits():
    limits = kinds.limits_for(
        "file", {"parameters": "max-size=2MB max-pixels=1024", "body::accept": ".pdf"}
    )
    assert limits.accepted == {"pdf"}
    assert limits.max_bytes == 2 * kinds.MB and limits.max_pixels == 1024
    # No question may go past the largest limit, whatever its form says.
    assert kinds.limits_for("video", {"parameters": "max-size=5000MB"}).max_bytes == (
        kinds.LARGEST_MAX_BYTES
    )
    assert kinds.limits_for("image", None).accepted == kinds.IMAGES
