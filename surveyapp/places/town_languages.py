"""The languages of a municipality: its country's, with the language of the
municipality's majority first where that differs from the country's first.

Bosnia and Herzegovina has three official languages. Its country entry lists
Bosnian first; a municipality with a Croat majority or plurality expects
Croatian first. Used wherever the app suggests a language by place: a contact
imported without a language, the language a mail falls back to when a campaign
does not offer the contact's own, the made-up addressee of a mail preview.
"""

from __future__ import annotations

from collections.abc import Sequence

#: Croat-majority (or plurality) municipalities of Bosnia and Herzegovina, by our code.
#: Source: 2013 census of Bosnia and Herzegovina (Agency for Statistics of BiH,
#: "Popis stanovništva, domaćinstava i stanova u Bosni i Hercegovini 2013: Rezultati popisa",
#: 2016), ethnic composition by municipality.
CROATIAN_MAJORITY: frozenset[str] = frozenset(
    {
        "ba-busovaca",
        "ba-capljina",
        "ba-citluk",
        "ba-dobretici",
        "ba-domaljevac-samac",
        "ba-grude",
        "ba-kiseljak",
        "ba-kresevo",
        "ba-kupres-fbih",
        "ba-livno",
        "ba-ljubuski",
        "ba-mostar",
        "ba-neum",
        "ba-odzak",
        "ba-orasje",
        "ba-posusje",
        "ba-prozor-rama",
        "ba-ravno",
        "ba-siroki-brijeg",
        "ba-tomislavgrad",
        "ba-usora",
        "ba-vitez",
        "ba-zepce",
    }
)

#: Municipality code -> the language its officials expect first.
FIRST_LANGUAGE: dict[str, str] = dict.fromkeys(CROATIAN_MAJORITY, "hr")


def town_languages(code: str, country_languages: Sequence[str] | None) -> list[str]:
    """The municipality's languages, most expected first: its own first language (if it
    has one), then its country's."""
    languages = list(country_languages or [])
    first = FIRST_LANGUAGE.get(code)
    if first is None:
        return languages
    return [first, *(lang for lang in languages if lang != first)]
