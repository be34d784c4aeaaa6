"""The upload question types (XLSForm ``image``/``photo``, ``audio``, ``video``,
``file``) and their form field.

The answer's text is the stored file's key (``surveyapp.models.StoredFile``). On a
page sent back the field's data is

* an ``UploadedFile`` (a ``str``: the file's name, so rules read it as answered)
  when a file was chosen; it is checked (``surveyapp.uploads.checks``) when the form
  is validated, and stored only when the page is saved;
* None with ``cleared`` when "Remove the file" was ticked;
* None with ``kept`` when nothing was chosen: the view puts the stored key back
  (``surveyapp.responses.upload_answers.keep_stored``), so a page saved without a
  new file keeps the old one.

A page that cannot be stored (an error elsewhere on it) is kept as a draft, which
holds no file: the draft says why a file was refused, or which good file was chosen,
so that the page shown again asks for it again (``unkept``).
"""

from __future__ import annotations

import json
from typing import TYPE_CHECKING, Any

from flask_babel import format_decimal
from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l
from markupsafe import Markup, escape
from sqlalchemy import select
from werkzeug.datastructures import FileStorage
from wtforms import Field
from wtforms.validators import StopValidation

from surveyapp.extensions import db
from surveyapp.models import StoredFile
from surveyapp.questionnaires.question_types.base import ANSWERED, QuestionType, register
from surveyapp.uploads import kinds, links
from surveyapp.uploads.checks import CODES, Checked, Refused, check_upload

if TYPE_CHECKING:
    from surveyapp.models import Question
    from surveyapp.questionnaires.texts import Texts

#: The suffix of the "Remove the file" checkbox's name.
REMOVE = "-remove"
#: A refused file in a page's draft: this, then [code, params] as JSON, so that the
#: page shown again says why (in the language it is shown in).
REFUSED_MARK = "refused:"
#: A good file chosen on a page that was not stored (an error elsewhere): this, then
#: its name, so that the page shown again asks for it again.
CHOSEN_MARK = "chosen:"


class UploadedFile(str):
    """A file chosen on the page: a ``str`` (its name) with the upload beside it."""

    storage: FileStorage
    checked: Checked | None

    def __new__(cls, storage: FileStorage) -> UploadedFile:
        made = super().__new__(cls, storage.filename or "file")
        made.storage, made.checked = storage, None
        return made


def stored_file(key: str | None) -> StoredFile | None:
    if not key or isinstance(key, UploadedFile):
        return None
    return db.session.scalar(select(StoredFile).where(StoredFile.key == key))


def size_text(size: int) -> str:
    number, unit = kinds.human_size(size)
    return f"{format_decimal(number)} {unit}"


def _upload_input(field: UploadField, **attrs: Any) -> Markup:
    """The file input, and the current file with a "remove" box when there is one."""
    current = stored_file(field.data) if isinstance(field.data, str) else None
    fid, name = escape(field.id), escape(field.name)
    unkept = field.unkept or (field.data if isinstance(field.data, UploadedFile) else None)
    if unkept:  # the input is described by the notice asking for the file again
        described = f"{attrs.get('aria-describedby', '')} {field.id}-again"
        attrs = {**attrs, "aria-describedby": described.strip()}
    extra = " ".join(f'{escape(k)}="{escape(v)}"' for k, v in attrs.items())
    # The messages outside the f-strings, so that pybabel (on Python 3.11) extracts them.
    current_word, replace_hint = _("Current file:"), _("Choose a new file to replace it.")
    remove_word = _("Remove the file")
    parts = []
    if unkept:
        again = _(
            "The file “%(name)s” you chose was not saved, because the page had to be "
            "shown again. Please choose it again.",
            name=str(unkept),
        )
        parts.append(f'<p class="notice upload-again" id="{fid}-again">{escape(again)}</p>')
    if current is not None:
        parts.append(
            f'<p class="current-file" id="{fid}-current">'
            f"{escape(current_word)} <strong>{escape(current.original_name)}</strong>"
            f" ({escape(size_text(current.size))})</p>"
            f'<p class="hint">{escape(replace_hint)}</p>'
        )
    accept = escape(kinds.accept_attribute(field.limits.accepted))
    parts.append(_picker(fid, name, accept, extra))
    number, unit = kinds.human_size(field.limits.max_bytes)
    limit = _(
        "Accepted: %(kinds)s, at most %(size)s %(unit)s.",
        kinds=kinds.describe(field.limits.accepted),
        size=format_decimal(number),
        unit=unit,
    )
    parts.append(f'<p class="hint upload-limits">{escape(limit)}</p>')
    if current is not None:
        parts.append(
            f'<p class="remove-file"><input type="checkbox" id="{fid}{REMOVE}" '
            f'name="{name}{REMOVE}" value="1"> <label for="{fid}{REMOVE}">'
            f"{escape(remove_word)}</label></p>"
        )
    return Markup("\n".join(parts))  # nosec B704: every text above is escaped


def _picker(fid: str, name: str, accept: str, extra: str) -> str:
    """The file input with, for the page's script (static/upload.js), a button and the
    chosen file's name in the page's language: the browser draws the input's own in
    its language. Without the script they stay hidden and the input shows as drawn
    (no stylesheet can tell whether a file is chosen, to say so in the page's
    language). The input stays the one the question's label names and Tab reaches;
    the button is its second label, kept out of what a screen reader reads."""
    choose, nothing = _("Choose a file"), _("No file chosen")
    return (
        f'<span class="upload-picker">'
        f'<input type="file" id="{fid}" name="{name}" accept="{accept}" data-upload="1" {extra}>'
        f'<label for="{fid}" class="button secondary upload-button" aria-hidden="true" hidden>'
        f"{escape(choose)}</label> "
        f'<span class="upload-name" id="{fid}-name" data-none="{escape(nothing)}" hidden>'
        f"{escape(nothing)}</span></span>"
    )


def _refusal_of(text: str) -> Refused | None:
    """A draft's refusal read back; None for anything else."""
    try:
        code, params = json.loads(text)
    except (ValueError, TypeError):
        return None
    if code not in CODES or not isinstance(params, dict):
        return None
    return Refused(
        code, **{str(k): v for k, v in params.items() if isinstance(v, str | int | float)}
    )


class UploadField(Field):
    """A file input (see the module's docstring for its data)."""

    widget = staticmethod(_upload_input)

    def __init__(self, limits: kinds.Limits, **kwargs: Any) -> None:
        super().__init__(**kwargs)
        self.limits = limits
        self.kept = self.cleared = False
        self.refusal: Refused | None = None
        #: The name of a good file chosen on a page shown again without storing it.
        self.unkept: str | None = None

    def process(self, formdata, data=None, extra_filters=None) -> None:
        super().process(formdata, data, extra_filters)
        if formdata is not None:
            self.cleared = bool(formdata.get(self.name + REMOVE))
            self.kept = self.data is None and not self.cleared

    def draft_values(self) -> list[str]:
        """What a page's draft keeps of this field: why a file was refused, or the name
        of the good file chosen (the draft holds no file: it is to be chosen again)."""
        if self.refusal is not None:
            return [REFUSED_MARK + json.dumps([self.refusal.code, self.refusal.params])]
        if isinstance(self.data, UploadedFile) and self.data.checked is not None:
            return [CHOSEN_MARK + self.data.checked.name]
        return []

    def process_formdata(self, valuelist: list[Any]) -> None:
        self.refusal = self.unkept = None
        for value in valuelist:
            if isinstance(value, str) and value.startswith(REFUSED_MARK):
                self.refusal = _refusal_of(value[len(REFUSED_MARK) :])
            elif isinstance(value, str) and value.startswith(CHOSEN_MARK):
                self.unkept = value[len(CHOSEN_MARK) :][:255] or None
        chosen = next(
            (
                v
                for v in valuelist
                if isinstance(v, FileStorage) and (v.filename or v.content_length)
            ),
            None,
        )
        self.data = UploadedFile(chosen) if chosen is not None else None

    def pre_validate(self, form) -> None:
        if self.refusal is not None and not isinstance(self.data, UploadedFile):
            raise StopValidation(str(self.refusal))  # a draft's: the page shown again
        if not isinstance(self.data, UploadedFile):
            return
        storage = self.data.storage
        try:
            self.data.checked = check_upload(storage.stream, storage.filename, self.limits)
        except Refused as refused:
            self.data, self.refusal = None, refused
            raise StopValidation(str(refused)) from None

    def _value(self) -> str:
        return ""


class _UploadType(QuestionType):
    """An answer that is a file; not summarised by the needs profiles."""

    upload = True
    summary = None
    condition_kind = "text"
    editor_fields = ANSWERED - {"domain"}

    def field(self, question: Question, texts: Texts, kwargs: dict[str, Any]) -> Field:
        return UploadField(kinds.limits_for(self.code, question.extra), **kwargs)

    def answer_text(self, question: Question, value: Any, texts: Texts) -> str:
        found = stored_file(value)
        if found is None:
            return str(value)
        return f"{found.original_name} ({size_text(found.size)})"

    def export_cell(self, choice, number, text, label) -> object:
        """The staff address of the file (exports carry links, never the bytes)."""
        return links.file_url(text) if text else None

    def xlsform_type(self, question: Question) -> str:
        return question.source_type or self.code


@register
class ImageUpload(_UploadType):
    code = "image"
    label = _l("Photo or image (upload)")


@register
class AudioUpload(_UploadType):
    code = "audio"
    label = _l("Audio recording (upload)")


@register
class VideoUpload(_UploadType):
    code = "video"
    label = _l("Video (upload)")


@register
class FileUpload(_UploadType):
    code = "file"
    label = _l("File (upload)")


UPLOAD_TYPES = ("image", "audio", "video", "file")
