"""Files respondents uploaded as answers (image, audio, video and file questions)."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import ForeignKey, Index, String
from sqlalchemy.orm import Mapped, mapped_column

from surveyapp.extensions import db
from surveyapp.models.base import utcnow


class StoredFile(db.Model):
    """One uploaded file: its bytes live outside the database, in the upload folder,
    under ``key`` (random, never the respondent's file name); the answer's text is
    the key. Deleted with its response, and when the respondent replaces or
    removes it (``surveyapp.uploads.storage``)."""

    __table_args__ = (Index("ix_stored_file_response_question", "response_id", "question_id"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    #: Random, URL-safe: the file's name on disk and in staff links.
    key: Mapped[str] = mapped_column(String(64), unique=True)
    response_id: Mapped[int] = mapped_column(ForeignKey("response.id"))
    question_id: Mapped[int] = mapped_column(ForeignKey("question.id"), index=True)
    #: Which entry of a repeat the file answers (0 outside repeats).
    entry_index: Mapped[int] = mapped_column(default=0, server_default="0")
    #: The respondent's file name, sanitised (metadata only: shown and offered on download).
    original_name: Mapped[str] = mapped_column(String(255))
    #: What the content was found to be (never what the browser said).
    content_type: Mapped[str] = mapped_column(String(100))
    size: Mapped[int]
    sha256: Mapped[str] = mapped_column(String(64))
    created_at: Mapped[datetime] = mapped_column(default=utcnow)
