"""Export files made on the job queue: one row per file staff asked for."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import ForeignKey, String
from sqlalchemy.orm import Mapped, mapped_column

from surveyapp.extensions import db
from surveyapp.models.base import utcnow

#: ``ExportFile.status``: waiting for a worker, being written (``rows_done`` of
#: ``rows_total``), ready to download (until ``expires_at``), or failed for good.
EXPORT_QUEUED = "queued"
EXPORT_RUNNING = "running"
EXPORT_READY = "ready"
EXPORT_FAILED = "failed"
EXPORT_STATUSES = (EXPORT_QUEUED, EXPORT_RUNNING, EXPORT_READY, EXPORT_FAILED)
#: The file formats a job writes.
EXPORT_FORMATS = ("xlsx", "csv", "sav", "dta", "zip")


class ExportFile(db.Model):
    """A file of a campaign's responses written by a worker, kept for a while.

    The row is the source of truth: a worker claims it (``claimed_until``, renewed as
    it goes), writes the file under a temporary name and renames it when whole, then
    marks it ready. A worker that dies leaves its claim to run out, and the sweep
    queues the export again.
    """

    __tablename__ = "export_file"

    id: Mapped[int] = mapped_column(primary_key=True)
    campaign_id: Mapped[int] = mapped_column(ForeignKey("campaign.id"), index=True)
    requested_by_id: Mapped[int | None] = mapped_column(ForeignKey("staff_user.id"))
    #: "xlsx", "csv", "sav" or "dta".
    format: Mapped[str] = mapped_column(String(8))
    #: Choices as labels in this language; None: as codes.
    labels: Mapped[str | None] = mapped_column(String(10))
    #: The language of the codebook sheet, and of the variable labels in .sav and .dta.
    language: Mapped[str] = mapped_column(String(10))
    leave_out_self_registered: Mapped[bool] = mapped_column(default=False)
    status: Mapped[str] = mapped_column(String(16), default=EXPORT_QUEUED, index=True)
    rows_total: Mapped[int] = mapped_column(default=0)
    rows_done: Mapped[int] = mapped_column(default=0)
    #: Times a worker began writing it (a retry after a worker died adds one).
    attempts: Mapped[int] = mapped_column(default=0)
    #: A worker's claim holds until then; a running export past it is run again.
    claimed_until: Mapped[datetime | None]
    #: The finished file's name in the export folder (EXPORT_DIR).
    file_name: Mapped[str | None] = mapped_column(String(120))
    size: Mapped[int | None]
    #: Why it failed (a short code), for the page.
    error: Mapped[str | None] = mapped_column(String(200))
    created_at: Mapped[datetime] = mapped_column(default=utcnow)
    finished_at: Mapped[datetime | None]
    #: A ready file is deleted after this time (EXPORT_KEEP_HOURS after it was finished).
    expires_at: Mapped[datetime | None] = mapped_column(index=True)
