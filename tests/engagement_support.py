"""What tests of other features need of the engagement log: an engagement to exist."""

from __future__ import annotations

from datetime import date

from surveyapp.engagements import records


def make_engagement(
    municipality: str = "me-danilovgrad",
    kind: str = "roundtable",
    held_on: date = date(2024, 5, 14),
    status: str = "planned",
    domains: tuple[str, ...] = ("trust",),
    partners: tuple[str, ...] = ("al-elbasan",),
) -> int:
    """An engagement (in an application context); its id. Planned, so that the form
    that marks it done is on its pages."""
    fields = records.EngagementFields(
        municipality=municipality,
        kind=kind,
        held_on=held_on,
        status=status,
        domains=list(domains),
        partners=list(partners),
        note="Roundtable for the new Local Safety Council",
    )
    return records.add_engagement(fields, None).id
