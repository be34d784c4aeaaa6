"""Domain labels for readers: the label in the reader's language, else in
English, else the domain's code."""

from __future__ import annotations

from sqlalchemy import select

from surveyapp.extensions import db
from surveyapp.models import Domain


def domain_label(domain: Domain, lang: str) -> str:
    """The domain's label in ``lang`` (``Domain.label``)."""
    return domain.label(lang)


def domain_labels(lang: str) -> dict[str, str]:
    """Code -> ``domain_label`` of every domain (one query)."""
    return {d.code: domain_label(d, lang) for d in db.session.scalars(select(Domain))}
