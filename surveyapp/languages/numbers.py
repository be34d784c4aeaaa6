"""Numbers as the current language writes them, for answers shown back to people.

Babel groups every number of four digits or more ("2.019" in Macedonian), which turns a
year into something that reads like a count. The orthographies of the region's languages
(and CLDR's ``minimumGroupingDigits`` of 2 that several locales use) leave four-digit
numbers unseparated, so we group from five digits: 2019, 1500, 12.000, 1234,5.
"""

from __future__ import annotations

from babel.numbers import format_decimal
from flask_babel import get_locale

#: Numbers below this (in magnitude) are written without a grouping separator.
_GROUP_FROM = 10_000


def format_number(value: float | int) -> str:
    """``value`` in the request's language, grouped only from five whole digits."""
    return format_decimal(value, locale=get_locale(), group_separator=abs(value) >= _GROUP_FROM)
