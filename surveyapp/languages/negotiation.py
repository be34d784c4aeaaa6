"""Which of our languages an Accept-Language header asks for, minding script."""

from __future__ import annotations

import re

from surveyapp.languages.registry import in_script

_TAG_SPLIT = re.compile(r"[-_]")


def language_for_tag(tag: str) -> str | None:
    """Map one BCP 47 tag (from Accept-Language) onto our codes, minding script.

    ``sr-Latn`` → sr-Latn, ``sr``/``sr-Cyrl`` → sr, ``cnr``/``sr-ME`` → cnr,
    ``hr``/``sh`` → bs (the closest Latin ijekavian catalog), ``sq-XK`` → sq.
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
    if primary in ("hr", "sh"):
        return "bs"
    if primary in ("sq", "als", "aln"):
        return "sq"
    if primary in ("bs", "mk", "en"):
        return primary
    return None


def negotiate(accept_languages: list[tuple[str, float]]) -> str | None:
    """The best of our languages for an Accept-Language list (highest q first)."""
    for tag, quality in sorted(accept_languages, key=lambda item: -item[1]):
        if quality <= 0:
            continue
        code = language_for_tag(tag)
        if code:
            return code
    return None
