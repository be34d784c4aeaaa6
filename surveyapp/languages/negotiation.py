"""Which of our languages an Accept-Language header or a catalog's ``Language``
header asks for, minding script."""

from __future__ import annotations

import re
from collections.abc import Collection

from surveyapp.languages.registry import in_script, spoken_language

_TAG_SPLIT = re.compile(r"[-_]")
#: A catalog's Language header: a POSIX locale (sr_RS@latin, mk_MK.UTF-8) or a BCP 47 tag.
_CATALOG_SPLIT = re.compile(r"[-_@.]")
_SCRIPTS = {"latn": "latn", "latin": "latn", "cyrl": "cyrl", "cyrillic": "cyrl"}


def language_for_tag(tag: str) -> str | None:
    """Map one BCP 47 tag (from Accept-Language) onto our codes, minding script.

    ``sr-Latn`` → sr-Latn, ``sr``/``sr-Cyrl`` → sr, ``cnr``/``sr-ME`` → cnr,
    ``hr`` → hr, ``sh`` → bs (the closest Latin ijekavian catalog), ``sq-XK`` → sq.
    """
    parts = [p.lower() for p in _TAG_SPLIT.split(tag.strip()) if p]
    if not parts:
        return None
    primary, rest = parts[0], parts[1:]
    script = next((p for p in rest if len(p) == 4), None)
    region = next((p for p in rest if len(p) == 2 or p.isdigit()), None)
    if primary == "cnr":
        return "cnr"
    if primary == "sr":
        if region == "me" and script != "cyrl":
            return "cnr"
        return in_script("sr", script or "") or "sr"
    if primary == "sh":
        return "bs"
    if primary in ("sq", "als", "aln"):
        return "sq"
    if primary in ("bs", "hr", "mk", "en"):
        return primary
    return None


def language_for_catalog(header: str) -> str | None:
    """Our language a gettext catalog's ``Language`` header names, or None when it names
    none of ours.

    Stricter than ``language_for_tag``: a catalog is text in one language and script,
    so nothing stands in for another (Croatian is not Bosnian: ``hr`` is hr). Case and separators do
    not matter, nor does a region or an encoding: ``mk_MK``, ``MK``, ``sq-XK`` and
    ``bs_BA.UTF-8`` are mk, mk, sq and bs. ``sr_Latn``, ``sr-latn`` and ``sr@latin``
    are sr-Latn; ``sr``, ``sr_RS`` and ``sr_Cyrl`` are sr; ``cnr``, ``cnr_ME``,
    ``sr_ME`` and ``sr_Latn_ME`` (Babel's name for Montenegrin) are cnr.
    """
    parts = [p.lower() for p in _CATALOG_SPLIT.split(header.strip()) if p]
    if not parts:
        return None
    primary, rest = parts[0], parts[1:]
    if "utf" in rest:  # sr_RS.UTF-8@latin: the encoding says nothing of the language
        rest = [p for p in rest if p not in ("utf", "8")]
    script = next((_SCRIPTS[p] for p in rest if p in _SCRIPTS), "")
    region = next((p for p in rest if len(p) == 2 or p.isdigit()), None)
    if primary == "cnr":
        return "cnr" if script != "cyrl" else None
    if primary == "sr":
        if region == "me" and script != "cyrl":
            return "cnr"
        return in_script("sr", script) if script else "sr"
    own_script = "cyrl" if primary == "mk" else "latn"
    if primary in ("sq", "bs", "hr", "mk", "en") and script in ("", own_script):
        return primary
    return None


#: A reader's language -> the languages they read next best, when a campaign does not
#: offer theirs: a Croatian reader reads Bosnian (Latin, ijekavian) before anything else.
STAND_INS: dict[str, tuple[str, ...]] = {"hr": ("bs", "cnr")}


def closest(code: str | None, among: Collection[str] | None) -> str | None:
    """``code`` when ``among`` (None: any of ours) has it; else the language of ``among``
    that is the same spoken language in another script (sr for sr-Latn); else its first
    stand-in that ``among`` has (bs for hr); else None."""
    if code is None or among is None or code in among:
        return code
    spoken = spoken_language(code)
    same = next((other for other in among if spoken_language(other) == spoken), None)
    return same or next((other for other in STAND_INS.get(code, ()) if other in among), None)


def negotiate(
    accept_languages: list[tuple[str, float]], among: Collection[str] | None = None
) -> str | None:
    """The best of our languages (of ``among``, when given) for an Accept-Language list
    (highest q first)."""
    for tag, quality in sorted(accept_languages, key=lambda item: -item[1]):
        if quality <= 0:
            continue
        code = closest(language_for_tag(tag), among)
        if code:
            return code
    return None
