"""Names of countries and municipalities as a reader of a language expects them."""

from __future__ import annotations

from sqlalchemy import select
from sqlalchemy.orm import selectinload

from surveyapp.extensions import db
from surveyapp.models import (
    Country,
    Municipality,
)


def country_names(lang: str) -> dict[str, str]:
    return {
        c.code: c.name(lang) for c in db.session.scalars(select(Country).order_by(Country.position))
    }


def municipality_names(lang: str) -> dict[str, str]:
    return {m.code: m.name(lang) for m in db.session.scalars(select(Municipality))}


def municipality_country(code: str) -> str | None:
    """The country code of a municipality, or None if there is no such municipality."""
    return db.session.scalar(
        select(Country.code).join(Municipality).where(Municipality.code == code)
    )


def countries_with_municipalities() -> list[Country]:
    """Countries in their display order, municipalities loaded."""
    return list(
        db.session.scalars(
            select(Country).order_by(Country.position).options(selectinload(Country.municipalities))
        )
    )
