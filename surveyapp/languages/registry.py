"""The language registry: the one list of the app's languages and their properties.

The language switcher, locale negotiation, catalog loading, date formatting,
XLSForm column codes and the tests all read ``LANGUAGES``. Catalogs are loaded
by *our* code (``translations/<code>``), not by Babel's locale fallback: Babel
has no Montenegrin locale and would serve Serbian Cyrillic to ``cnr``. The Babel
locale is used for dates and numbers only.
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


SERBIAN_PLURALS = (
    "nplurals=3; plural=(n%10==1 && n%100!=11 ? 0 : n%10>=2 && n%10<=4 && "
    "(n%100<10 || n%100>=20) ? 1 : 2);"
)

SOURCE_LANGUAGE = "en"

LANGUAGES: dict[str, Language] = {
    lang.code: lang
    for lang in (
        Language("en", "English", "Latn", "en", None),
        Language("sq", "Shqip", "Latn", "sq", "sq"),
        Language("bs", "Bosanski", "Latn", "bs", "bs", plural_forms=SERBIAN_PLURALS),
        Language(
            "mk",
            "Македонски",
            "Cyrl",
            "mk",
            "mk",
            plural_forms="nplurals=2; plural=(n%10==1 && n%100!=11 ? 0 : 1);",
        ),
        Language("sr", "Српски", "Cyrl", "sr", "sr", plural_forms=SERBIAN_PLURALS),
        Language(
            "sr-Latn",
            "Srpski (latinica)",
            "Latn",
            "sr_Latn",
            None,
            derived_from="sr",
            plural_forms=SERBIAN_PLURALS,
        ),
        Language("cnr", "Crnogorski", "Latn", "sr_Latn_ME", "cnr", plural_forms=SERBIAN_PLURALS),
    )
}

#: Languages with a catalog (and questionnaire text) of their own.
TRANSLATED_LANGUAGES = [code for code, lang in LANGUAGES.items() if lang.catalog]
#: Languages whose questionnaire text is written by hand (source included).
AUTHORED_LANGUAGES = [SOURCE_LANGUAGE, *TRANSLATED_LANGUAGES]


def is_language(code: str | None) -> bool:
    return code in LANGUAGES
