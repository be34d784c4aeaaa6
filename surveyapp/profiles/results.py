"""What the needs profiles return: the scope asked about and plain dataclasses of figures.

Nothing here reads the database; ``figures``, ``question_figures`` and
``privacy`` fill these in.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from typing import Literal

SCOPE_KINDS = ("region", "country", "municipality")


class UnknownScope(LookupError):
    """No country or municipality with that code."""


@dataclass(frozen=True)
class Scope:
    """What a profile covers: the region, a country ("MK") or a municipality ("mk-cair")."""

    kind: Literal["region", "country", "municipality"] = "region"
    code: str | None = None

    def __post_init__(self) -> None:
        if self.kind not in SCOPE_KINDS:
            raise ValueError(f"unknown scope kind {self.kind!r}")
        if (self.kind == "region") != (self.code is None):
            raise ValueError("the region has no code; a country or municipality needs one")

    @classmethod
    def region(cls) -> Scope:
        return cls("region")

    @classmethod
    def country(cls, code: str) -> Scope:
        return cls("country", code)

    @classmethod
    def municipality(cls, code: str) -> Scope:
        return cls("municipality", code)


@dataclass
class DomainRow:
    """One domain of a profile. Means are over scored answers ("don't know" left out)."""

    domain_code: str
    #: Responses with at least one scored answer in the domain; None when suppressed.
    respondents: int | None
    mean_need: float | None
    mean_capacity: float | None
    #: need - capacity; None when either is missing.
    gap: float | None
    #: True when the disclosure control hides the group (``surveyapp.profiles.disclosure``).
    suppressed: bool = False


@dataclass
class ComparisonRow:
    domain_code: str
    municipality: DomainRow
    country: DomainRow
    region: DomainRow


@dataclass
class Comparison:
    municipality_code: str
    country_code: str
    #: Ranked by the municipality's gap, largest first.
    rows: list[ComparisonRow]


@dataclass
class ChoiceCount:
    value: str
    count: int
    #: count / respondents who answered the question; None when nobody did.
    share: float | None


@dataclass
class ChoiceShares:
    """A multiple-choice question: shares add up to more than 1."""

    question_name: str
    respondents: int
    choices: list[ChoiceCount]


@dataclass
class ScaleDistribution:
    question_name: str
    domain_code: str | None
    measure: str | None
    respondents: int
    #: Every choice of the scale in order, "don't know" included.
    choices: list[ChoiceCount]


@dataclass
class FreeTextAnswer:
    question_name: str
    text: str
    language: str
    #: Free text is listed only where the municipality's group is shown.
    municipality_code: str
    submitted_at: datetime | None


@dataclass
class FreeTextGroup:
    question_name: str
    #: All answers to the question in the scope; ``answers`` holds the newest.
    total: int
    answers: list[FreeTextAnswer]


@dataclass
class RoleCell:
    role: str
    #: "shown", "suppressed" (too few respondents, or hidden so that another
    #: cell cannot be worked out) or "empty" (nobody of that role answered).
    status: Literal["shown", "suppressed", "empty"]
    respondents: int | None = None
    mean_need: float | None = None
    mean_capacity: float | None = None


@dataclass
class RoleRow:
    domain_code: str
    #: All respondents of the domain in the scope (the sum of the role groups).
    respondents: int
    cells: list[RoleCell]


@dataclass
class NeedsProfile:
    """Everything a needs-profile page shows, privacy rules applied."""

    scope: Scope
    campaign_id: int | None
    role: str | None
    min_group: int
    #: Submitted responses in the scope (of the role); None when suppressed.
    respondents: int | None
    domains: list[DomainRow]
    role_breakdown: list[RoleRow]
    choice_shares: list[ChoiceShares]
    scale_distributions: list[ScaleDistribution]
    #: For staff only: never put these in an aggregate chart.
    free_text: list[FreeTextGroup]
    #: True when the disclosure control hides the group: nothing of it is shown.
    details_suppressed: bool = False
    #: Of ``respondents``, those who came through the open link (0 when left out).
    open_link_respondents: int = 0
    #: True when the open-link responses are left out of the figures.
    self_registered_left_out: bool = False


@dataclass
class IndicatorFigures:
    """One indicator (``surveyapp.profiles.indicators``) of one group."""

    question_name: str
    #: The question type's summary: "shares", "quantiles" or "years".
    summary: str
    #: Respondents who answered the question.
    respondents: int
    #: "shares": every choice in the list's order, with its count and its share
    #: of ``respondents``.
    choices: list[ChoiceCount]
    #: "quantiles" and "years": the median and the middle half of the answers
    #: (lower and upper quartile); None when nobody answered.
    median: float | None = None
    lower: float | None = None
    upper: float | None = None
