"""The language registry: the one list of the app's languages and their properties.

The language switcher, locale negotiation, catalog loading, date formatting,
XLSForm column codes and the tests all read ``LANGUAGES``. Catalogs are loaded
by *our* code (``translations/<code>``), not by Babel's locale fallback: Babel
has no Montenegrin locale and would serve Serbian Cyrillic to ``cnr``. The Babel
locale is used for dates and numbers only.

This module imports nothing of the app, so that every layer (models included)
may read it.
"""

from __future__ import annotations

from dataclasses import dataclass


@dataclass(frozen=True)
class Language:
    code: str  #: our code, used in URLs, the database and file names
    autonym: str  #: the language's name in itself, for the switcher
    script: str  #: "Latn" or "Cyrl"
    babel_locale: str  #: Babel locale for dates and numbers only
    catalog: str | None  #: folder under translations/, None for the source
    derived_from: str | None = None  #: transliterated from this language's catalog
    plural_forms: str = "nplurals=2; plural=(n != 1);"
    #: Other names of the language (in English, in itself), as XLSForm headers write them.
    aliases: tuple[str, ...] = ()

    @property
    def spoken_as(self) -> str:
        """The spoken language: one derived in another script is its source's ("sr")."""
        return self.derived_from or self.code

    @property
    def is_cyrillic(self) -> bool:
        return self.script == "Cyrl"


SERBIAN_PLURALS = (
    "nplurals=3; plural=(n%10==1 && n%100!=11 ? 0 : n%10>=2 && n%10<=4 && "
    "(n%100<10 || n%100>=20) ? 1 : 2);"
)

SOURCE_LANGUAGE = "en"

LANGUAGES: dict[str, Language] = {
    lang.code: lang
    for lang in (
        Language("en", "English", "Latn", "en", None, aliases=("English",)),
        Language("sq", "Shqip", "Latn", "sq", "sq", aliases=("Albanian", "Shqip")),
        Language(
            "bs",
            "Bosanski",
            "Latn",
            "bs",
            "bs",
            plural_forms=SERBIAN_PLURALS,
            aliases=("Bosnian", "Bosanski"),
        ),
        Language(
            "mk",
            "Македонски",
            "Cyrl",
            "mk",
            "mk",
            plural_forms="nplurals=2; plural=(n%10==1 && n%100!=11 ? 0 : 1);",
            aliases=("Macedonian", "Македонски"),
        ),
        Language(
            "sr",
            "Српски",
            "Cyrl",
            "sr",
            "sr",
            plural_forms=SERBIAN_PLURALS,
            aliases=("Serbian", "Српски", "Serbian (Cyrillic)"),
        ),
        Language(
            "sr-Latn",
            "Srpski (latinica)",
            "Latn",
            "sr_Latn",
            None,
            derived_from="sr",
            plural_forms=SERBIAN_PLURALS,
            aliases=("Serbian (Latin)",),
        ),
        Language(
            "cnr",
            "Crnogorski",
            "Latn",
            "sr_Latn_ME",
            "cnr",
            plural_forms=SERBIAN_PLURALS,
            aliases=("Montenegrin", "Crnogorski"),
        ),
        Language(
            "hr",
            "Hrvatski",
            "Latn",
            "hr",
            "hr",
            plural_forms=SERBIAN_PLURALS,
            aliases=("Croatian", "Hrvatski"),
        ),
    )
}

#: Languages with a catalog (and questionnaire text) of their own.
TRANSLATED_LANGUAGES = [code for code, lang in LANGUAGES.items() if lang.catalog]
#: Languages whose questionnaire text is written by hand (source included).
AUTHORED_LANGUAGES = [SOURCE_LANGUAGE, *TRANSLATED_LANGUAGES]
#: Languages made from another one's text by transliteration, never written by hand.
DERIVED_LANGUAGES = frozenset(code for code, lang in LANGUAGES.items() if lang.derived_from)


def is_language(code: str | None) -> bool:
    return code in LANGUAGES


def is_cyrillic(code: str) -> bool:
    """Whether ``code`` is one of our languages written in Cyrillic."""
    return code in LANGUAGES and LANGUAGES[code].is_cyrillic


def spoken_language(code: str) -> str:
    """The spoken language of a code: "sr-Latn" and "sr" are one (other codes: their
    primary subtag)."""
    return LANGUAGES[code].spoken_as if code in LANGUAGES else code.split("-")[0]


def in_script(code: str, script: str) -> str | None:
    """Our language ``code``, or the one derived from it, written in ``script``
    ("Latn", any case); None when there is none."""
    for lang in LANGUAGES.values():
        if code in (lang.code, lang.derived_from) and lang.script.lower() == script.lower():
            return lang.code
    return None


# --- regional variants ---------------------------------------------------------
# The municipality, not only the language, decides some words: Albanian in Albania
# says "bashkia", in Kosovo and North Macedonia "komuna". A variant is a refinement
# of one of the languages above, never a language of its own: respondents see and
# choose "Shqip", and the variant is picked from their municipality's country (and
# entity, for Bosnia and Herzegovina). Its catalog holds only the strings that
# differ and falls back to the language's; its questionnaire texts likewise. A new
# variant is a catalog (``translations/<catalog>/``) and one line here.


@dataclass(frozen=True)
class Variant:
    code: str  #: "sq-XK": the language and the country, as BCP 47 writes a region
    language: str  #: the language it refines (a code of ``LANGUAGES`` with a catalog)
    country: str  #: the country code of the municipalities that use it (``Country.code``)
    name: str  #: for translators: the language's name and the place, in the language
    #: Only municipalities of this entity ("RS" in Bosnia and Herzegovina); None: all.
    entity: str | None = None

    @property
    def autonym(self) -> str:
        """What pages call it, as they call a language by its autonym."""
        return self.name

    @property
    def catalog(self) -> str:
        """The folder under translations/ ("sq_XK", the locale form pybabel knows)."""
        return self.code.replace("-", "_")


VARIANTS: dict[str, Variant] = {
    variant.code: variant
    for variant in (
        Variant("sq-XK", "sq", "XK", "Shqip (Kosovë)"),
        Variant("sq-MK", "sq", "MK", "Shqip (Maqedoni e Veriut)"),
    )
}


def variant_for(lang: str, country: str | None, entity: str | None = None) -> str | None:
    """The variant of ``lang`` (its spoken language: sr-Latn reads sr's) used in
    ``country`` (and ``entity``), or None where the language's own catalog is right."""
    if not country or lang not in LANGUAGES:
        return None
    spoken = LANGUAGES[lang].spoken_as
    for variant in VARIANTS.values():
        if (
            variant.language == spoken
            and variant.country == country
            and (variant.entity is None or variant.entity == entity)
        ):
            return variant.code
    return None


def variants_of(lang: str) -> list[Variant]:
    """The variants of ``lang``'s spoken language, in registry order."""
    spoken = LANGUAGES[lang].spoken_as if lang in LANGUAGES else lang
    return [variant for variant in VARIANTS.values() if variant.language == spoken]
