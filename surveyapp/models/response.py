from __future__ import annotations

from datetime import datetime
from typing import Any

from sqlalchemy import JSON, ForeignKey, Index, String, Text, UniqueConstraint, and_, false, or_
from sqlalchemy.orm import Mapped, mapped_column, relationship

from surveyapp.extensions import db
from surveyapp.models.base import utcnow
from surveyapp.models.campaign import Invitation
from surveyapp.models.geo import Municipality

#: ``Response.review`` of an open-link response that staff have not accepted yet.
REVIEW_PENDING = "pending"
REVIEW_ACCEPTED = "accepted"
REVIEW_REJECTED = "rejected"
#: ``Response.marked``: staff marked it as a test, or as invalid; it no longer counts.
MARKS = ("test", "invalid")


class Response(db.Model):
    """One respondent's answers to a campaign, started by consenting.

    Campaign, municipality and role are copied from the invitation so that
    the needs profiles can filter and group without a join.
    """

    __table_args__ = (
        UniqueConstraint("campaign_id", "submission_id"),
        # Covers peer learning's count of submitted responses per municipality and
        # language: read from the index alone, in order (5x faster on SQLite, 3x on
        # PostgreSQL).
        Index(
            "ix_response_campaign_status_municipality_language",
            "campaign_id",
            "status",
            "municipality_id",
            "language",
        ),
        # The free-text pages read a campaign's responses newest first and stop at
        # the page's end (``profiles.free_text``).
        Index("ix_response_campaign_submitted", "campaign_id", "submitted_at", "id"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    #: Never NULL, unique per campaign: a retried submission finds its response.
    submission_id: Mapped[str] = mapped_column(String(36))
    invitation_id: Mapped[int] = mapped_column(ForeignKey("invitation.id"), unique=True)
    campaign_id: Mapped[int] = mapped_column(ForeignKey("campaign.id"), index=True)
    version_id: Mapped[int] = mapped_column(ForeignKey("questionnaire_version.id"))
    municipality_id: Mapped[int] = mapped_column(ForeignKey("municipality.id"), index=True)
    role: Mapped[str] = mapped_column(String(32))
    #: in_progress or submitted
    status: Mapped[str] = mapped_column(String(16), default="in_progress", index=True)
    #: The language the respondent last chose; it sticks when they come back.
    language: Mapped[str] = mapped_column(String(10))
    consented_at: Mapped[datetime] = mapped_column(default=utcnow)
    consent_language: Mapped[str] = mapped_column(String(10))
    privacy_version: Mapped[str] = mapped_column(String(32))
    started_at: Mapped[datetime] = mapped_column(default=utcnow)
    updated_at: Mapped[datetime] = mapped_column(default=utcnow, onupdate=utcnow)
    submitted_at: Mapped[datetime | None]
    #: Copied from the invitation: the respondent registered through the open link.
    self_registered: Mapped[bool] = mapped_column(default=False, server_default=false())
    #: None: counts. Open-link responses of a campaign that reviews them start
    #: "pending" and count once staff make them "accepted" (not when "rejected").
    review: Mapped[str | None] = mapped_column(String(16))
    #: None: a real response. "test" or "invalid" (one of MARKS): staff took it out of
    #: profiles, exports and counts, with ``marked_reason``; reversible.
    marked: Mapped[str | None] = mapped_column(String(16))
    marked_reason: Mapped[str | None] = mapped_column(Text)
    #: Raw values of a page that did not validate: {"page": name, "values": {...}}.
    #: Kept so that nothing typed is lost, even when it is not yet valid.
    draft: Mapped[dict[str, Any] | None] = mapped_column(JSON)
    #: Entries of each repeat page (by page name) the respondent has: {"programmes": 3}.
    #: An entry counts from when it is added, answered or not.
    repeat_entries: Mapped[dict[str, Any] | None] = mapped_column(JSON)

    invitation: Mapped[Invitation] = relationship()
    municipality: Mapped[Municipality] = relationship()
    answers: Mapped[list[Answer]] = relationship(
        back_populates="response", cascade="all, delete-orphan"
    )


def counts_in_profiles():
    """The condition on Response under which a (submitted) response counts: not held
    for review, not rejected, not marked as a test or invalid."""
    return and_(
        or_(Response.review.is_(None), Response.review == REVIEW_ACCEPTED),
        Response.marked.is_(None),
    )


class Answer(db.Model):
    """The answer to one question. Which columns are used depends on the type:

    single choice / scale: ``choice`` and ``number`` (the choice's score);
    multiple choice: ``selections``; number: ``number``; text and date
    (ISO 8601): ``text``. A question of a repeat page has one answer per entry
    (``entry`` 1, 2, ...); every other question's ``entry`` is 0.
    """

    __table_args__ = (UniqueConstraint("response_id", "question_id", "entry"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    response_id: Mapped[int] = mapped_column(ForeignKey("response.id"))
    question_id: Mapped[int] = mapped_column(ForeignKey("question.id"), index=True)
    #: 0: not in a repeat; else the entry of the repeat, from 1.
    entry: Mapped[int] = mapped_column(default=0, server_default="0")
    choice: Mapped[str | None] = mapped_column(String(64))
    number: Mapped[float | None]
    text: Mapped[str | None] = mapped_column(Text)

    response: Mapped[Response] = relationship(back_populates="answers")
    selections: Mapped[list[AnswerSelection]] = relationship(
        cascade="all, delete-orphan", lazy="selectin"
    )


class AnswerSelection(db.Model):
    """One ticked choice of a multiple-choice answer."""

    answer_id: Mapped[int] = mapped_column(ForeignKey("answer.id"), primary_key=True)
    value: Mapped[str] = mapped_column(String(64), primary_key=True)
