"""Loading the reference data from the data files: countries and municipalities.

Idempotent: it adds what is missing and updates the countries and the names."""

from __future__ import annotations

import csv
import json

from sqlalchemy import select

from surveyapp.core.data_files import DATA_DIR
from surveyapp.core.database import write_transaction
from surveyapp.extensions import db
from surveyapp.languages.registry import LANGUAGES
from surveyapp.languages.transliteration import cyrillic_to_latin, normalise_text
from surveyapp.models import (
    Country,
    Municipality,
)

#: Languages with a column of their own names in municipalities.csv (``name_<code>``):
#: names the language has for a place that are not the official name in its letters.
OWN_NAME_LANGUAGES = ("mk", "sr")


@write_transaction()
def load_reference_data() -> dict[str, int]:
    """Countries and municipalities; returns how many municipalities each country has."""
    countries = {c.code: c for c in db.session.scalars(select(Country))}
    for position, row in enumerate(json.loads((DATA_DIR / "countries.json").read_text("utf-8"))):
        country = countries.get(row["code"])
        if country is None:
            country = countries[row["code"]] = Country(code=row["code"])
            db.session.add(country)
        # Serbian Latin is derived, like everything else in Serbian Latin.
        country.names = {
            **row["names"],
            **{
                lang.code: cyrillic_to_latin(row["names"][lang.derived_from])
                for lang in LANGUAGES.values()
                if lang.derived_from
            },
        }
        country.languages = row["languages"]
        country.position = position
    db.session.flush()

    # Names follow the data file: a corrected or added name reaches databases built
    # before it (municipalities are never renamed in the app).
    known = {m.code: m for m in db.session.scalars(select(Municipality))}
    with (DATA_DIR / "municipalities.csv").open(encoding="utf-8", newline="") as fp:
        for row in csv.DictReader(fp):
            town = known.get(row["code"])
            if town is None:
                town = Municipality(
                    country_id=countries[row["country"]].id,
                    code=row["code"],
                    entity=row["entity"] or None,
                )
                db.session.add(town)
            names = {
                lang: normalise_text(row[f"name_{lang}"])
                for lang in OWN_NAME_LANGUAGES
                if row.get(f"name_{lang}")
            }
            values = {
                "name_latn": normalise_text(row["name"]),
                "name_cyrl": normalise_text(row["name_cyrl"]) or None,
                "name_sq": normalise_text(row["name_sq"]) or None,
                "names": names or None,
            }
            for column, value in values.items():
                if getattr(town, column) != value:
                    setattr(town, column, value)
    db.session.commit()
    return {
        code: db.session.scalar(
            select(db.func.count())
            .select_from(Municipality)
            .where(Municipality.country_id == country.id)
        )
        or 0
        for code, country in countries.items()
    }
