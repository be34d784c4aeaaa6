"""URL converters that every route gets."""

from __future__ import annotations

from werkzeug.routing import IntegerConverter

#: The largest id the database stores: PostgreSQL's ``integer`` (SQLAlchemy's
#: ``Integer``) is 32-bit, and a larger number in a query is an error there.
MAX_DATABASE_ID = 2**31 - 1


class DatabaseIdConverter(IntegerConverter):
    """``<int:...>`` that matches only numbers the database can hold: a larger one
    is "not found" (404) instead of an error in the query."""

    def __init__(self, map, *args, **kwargs) -> None:  # noqa: A002  (Werkzeug's name)
        kwargs.setdefault("max", MAX_DATABASE_ID)
        super().__init__(map, *args, **kwargs)


def init_app(app) -> None:
    """Replace ``int`` for every route; call before any blueprint is registered."""
    app.url_map.converters["int"] = DatabaseIdConverter
