"""Names of countries and municipalities as a reader of a language expects them, in
that reader's alphabetical order (``languages.collation``)."""

from __future__ import annotations

from collections.abc import Iterable
from typing import Protocol, TypeVar

from sqlalchemy import select
from sqlalchemy.orm import selectinload

from surveyapp.extensions import db
from surveyapp.languages.collation import sorted_by_name
from surveyapp.models import (
    Country,
    Municipality,
)


class _Named(Protocol):
    def name(self, lang: str) -> str: ...


N = TypeVar("N", bound=_Named)


def by_name(places: Iterable[N], lang: str) -> list[N]:
    """Countries or municipalities in ``lang``'s alphabetical order of their names in
    ``lang`` (Plav, Plužine, Pljevlja in Montenegrin; Гази Баба, Ѓорче Петров in
    Macedonian)."""
    return sorted_by_name(places, lang, lambda place: place.name(lang))


def country_names(lang: str) -> dict[str, str]:
    """Country code -> name in ``lang``, in ``lang``'s alphabetical order."""
    return {c.code: c.name(lang) for c in by_name(db.session.scalars(select(Country)), lang)}


def municipality_names(lang: str) -> dict[str, str]:
    """Municipality code -> name in ``lang``, in ``lang``'s alphabetical order."""
    return {m.code: m.name(lang) for m in by_name(db.session.scalars(select(Municipality)), lang)}


def municipality_country(code: str) -> str | None:
    """The country code of a municipality, or None if there is no such municipality."""
    return db.session.scalar(
        select(Country.code).join(Municipality).where(Municipality.code == code)
    )


def countries_with_municipalities(lang: str | None = None) -> list[Country]:
    """Countries, municipalities loaded: in ``lang``'s alphabetical order, or in their
    fixed order (``Country.position``) without a language. Their municipalities are in
    no particular order: list them with ``by_name``."""
    countries = list(
        db.session.scalars(
            select(Country).order_by(Country.position).options(selectinload(Country.municipalities))
        )
    )
    return by_name(countries, lang) if lang else countries
