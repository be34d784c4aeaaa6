"""Counts of submitted answers, kept up to date at submit time for the needs profiles.

Each submitted response adds 1 to a few dozen rows (``surveyapp.profiles.count_tables``);
the profiles and peer learning read these rows instead of millions of answers.
"""

from __future__ import annotations

from sqlalchemy import ForeignKey, Index, String, UniqueConstraint, false
from sqlalchemy.orm import Mapped, mapped_column

from surveyapp.extensions import db

#: ``choice`` of the row that counts the responses answering a multiple-choice question.
ANSWERED = ""


class ProfileCount(db.Model):
    """Submitted responses per (campaign, municipality, role, question, choice).

    Scale questions: one row per chosen choice, with its score (None for
    "don't know"). Multiple choice: one row per ticked value, and one row with
    ``choice`` == ``ANSWERED`` counting the responses that answered at all.
    """

    __table_args__ = (
        UniqueConstraint(
            "campaign_id",
            "municipality_id",
            "role",
            "question_id",
            "choice",
            "self_registered",
            name="uq_profile_count_key",
        ),
        # Covers the profiles' GROUP BY role, question, choice, score: the region
        # is read in index order, without sorting (6x faster on SQLite).
        Index(
            "ix_profile_count_rollup",
            "role",
            "question_id",
            "choice",
            "score",
            "campaign_id",
            "municipality_id",
            "self_registered",
            "responses",
        ),
        # Covers the rounds' read of one campaign's scored items (``rounds.change``):
        # by campaign and question, without visiting the table.
        Index(
            "ix_profile_count_campaign_question",
            "campaign_id",
            "question_id",
            "score",
            "role",
            "municipality_id",
            "self_registered",
            "responses",
        ),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    campaign_id: Mapped[int] = mapped_column(ForeignKey("campaign.id"))
    municipality_id: Mapped[int] = mapped_column(ForeignKey("municipality.id"))
    role: Mapped[str] = mapped_column(String(32))
    question_id: Mapped[int] = mapped_column(ForeignKey("question.id"))
    choice: Mapped[str] = mapped_column(String(64))
    score: Mapped[float | None]
    #: Counts of responses that came through the open link (kept apart to leave them out).
    self_registered: Mapped[bool] = mapped_column(default=False, server_default=false())
    responses: Mapped[int]


class ProfileDomainCount(db.Model):
    """Submitted responses with at least one scored answer in a domain."""

    __table_args__ = (
        UniqueConstraint(
            "campaign_id",
            "municipality_id",
            "role",
            "domain_id",
            "self_registered",
            name="uq_profile_domain_count_key",
        ),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    campaign_id: Mapped[int] = mapped_column(ForeignKey("campaign.id"))
    municipality_id: Mapped[int] = mapped_column(ForeignKey("municipality.id"))
    role: Mapped[str] = mapped_column(String(32))
    domain_id: Mapped[int] = mapped_column(ForeignKey("domain.id"))
    #: As ``ProfileCount.self_registered``.
    self_registered: Mapped[bool] = mapped_column(default=False, server_default=false())
    respondents: Mapped[int]


class ProfileScoreCount(db.Model):
    """Scores per (campaign, municipality, domain, measure), for peer learning.

    Only scored answers (a number) to scale questions with a domain and a
    measure count. Roles are not kept apart: peer learning compares cities.
    """

    __table_args__ = (
        UniqueConstraint(
            "campaign_id",
            "municipality_id",
            "domain_id",
            "measure",
            name="uq_profile_score_count_key",
        ),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    campaign_id: Mapped[int] = mapped_column(ForeignKey("campaign.id"))
    municipality_id: Mapped[int] = mapped_column(ForeignKey("municipality.id"))
    domain_id: Mapped[int] = mapped_column(ForeignKey("domain.id"))
    #: One of ``MEASURES``: need or capacity.
    measure: Mapped[str] = mapped_column(String(10))
    #: Sum of the scores.
    score_sum: Mapped[float]
    #: Number of scores (scored answers).
    scores: Mapped[int]
    #: Submitted responses with at least one of these scores.
    respondents: Mapped[int]


class ProfileResponseCount(db.Model):
    """Submitted responses counted in profiles per (campaign, municipality, role, open link).

    The disclosure control and the open-link count read these few rows instead
    of the responses, so their cost does not grow with the number of responses.
    """

    __table_args__ = (
        UniqueConstraint(
            "campaign_id",
            "municipality_id",
            "role",
            "self_registered",
            name="uq_profile_response_count_key",
        ),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    campaign_id: Mapped[int] = mapped_column(ForeignKey("campaign.id"))
    municipality_id: Mapped[int] = mapped_column(ForeignKey("municipality.id"))
    role: Mapped[str] = mapped_column(String(32))
    #: As ``ProfileCount.self_registered``.
    self_registered: Mapped[bool] = mapped_column(default=False, server_default=false())
    responses: Mapped[int]


class ProfileCountryCount(db.Model):
    """``ProfileCount`` added up per country: the same rows with the country in place of
    the municipality, kept in the same transaction.

    The region's and a country's profiles read these (a few thousand rows a
    campaign) instead of every municipality's (up to a million at saturation).
    """

    __table_args__ = (
        UniqueConstraint(
            "campaign_id",
            "country_id",
            "role",
            "question_id",
            "choice",
            "self_registered",
            name="uq_profile_country_count_key",
        ),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    campaign_id: Mapped[int] = mapped_column(ForeignKey("campaign.id"))
    country_id: Mapped[int] = mapped_column(ForeignKey("country.id"))
    role: Mapped[str] = mapped_column(String(32))
    question_id: Mapped[int] = mapped_column(ForeignKey("question.id"))
    choice: Mapped[str] = mapped_column(String(64))
    score: Mapped[float | None]
    #: As ``ProfileCount.self_registered``.
    self_registered: Mapped[bool] = mapped_column(default=False, server_default=false())
    responses: Mapped[int]
