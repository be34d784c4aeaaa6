"""Alphabetical order as each language's readers expect it: ICU collation with CLDR's
rules for the language's locale.

The plain Unicode Collation Algorithm (and Python's ``sorted``) puts Č after Z and
Ѓ after Я, and knows nothing of letters written with two characters: Serbian,
Bosnian, Croatian and Montenegrin readers look for Lj after L (Plav, Plužine,
Pljevlja), Nj after N and Dž after D; Macedonian readers look for Ѓ after Г and Ќ
after К; Albanian readers for Ç after C, Dh after D, Gj after G, Ll after L and Xh
after X. CLDR's collation for each locale says so and ICU implements it.

The locale is the Babel locale of the language in the registry (Montenegrin sorts
as ``sr_Latn_ME``, which CLDR collates as Serbian Latin); a code we do not know
sorts by CLDR's root order. Every list shown to a reader goes through
:func:`sort_key` or :func:`sorted_by_name`; nothing else in the app should order names
with ``sorted(..., key=name)``.
"""

from __future__ import annotations

import threading
from collections.abc import Callable, Iterable
from typing import TYPE_CHECKING, TypeVar

from surveyapp.languages.registry import LANGUAGES

if TYPE_CHECKING:
    import icu

T = TypeVar("T")

_local = threading.local()


def collation_locale(lang: str) -> str:
    """The ICU locale whose collation orders names for readers of ``lang``."""
    language = LANGUAGES.get(lang)
    if language is not None:
        return language.babel_locale
    return lang.replace("-", "_") if lang else "root"


def collator(lang: str) -> icu.Collator:
    """This thread's ICU collator for ``lang`` (one per thread and language: a collator
    is cheap to use and not meant to be shared between threads)."""
    cache = getattr(_local, "collators", None)
    if cache is None:
        cache = _local.collators = {}
    found = cache.get(lang)
    if found is None:
        # Imported on first use, not with the app: ICU's libraries hold about 19 MB, which a
        # job worker (exports, mail) that never sorts names for a reader does without.
        import icu

        found = cache[lang] = icu.Collator.createInstance(icu.Locale(collation_locale(lang)))
    return found


def sort_key(lang: str) -> Callable[[str], bytes]:
    """A key function for ``sorted``: the ICU sort key of a text in ``lang``'s order."""
    return collator(lang).getSortKey


def sorted_by_name(items: Iterable[T], lang: str, name: Callable[[T], str] = str) -> list[T]:
    """``items`` in ``lang``'s alphabetical order of ``name(item)``; equal names keep
    their order."""
    key = sort_key(lang)
    return sorted(items, key=lambda item: key(name(item)))
