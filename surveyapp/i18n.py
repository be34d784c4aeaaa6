"""The language registry and everything that reads it.

This module is the single source of truth for the app's languages: the
language switcher, locale negotiation, catalog loading, date formatting,
XLSForm column codes and the tests all read ``LANGUAGES``.

Catalogs are loaded by *our* code (``translations/<code>``), not by Babel's
locale fallback: Babel has no Montenegrin locale and would serve Serbian
Cyrillic to ``cnr``. The Babel locale is used for dates and numbers only.
Serbian Latin has no catalog: it is transliterated from Serbian Cyrillic.
"""

from __future__ import annotations

import re
import unicodedata
from dataclasses import dataclass
from pathlib import Path

from babel.support import NullTranslations, Translations
from flask import Flask, current_app, g, has_app_context, request, url_for
from flask_babel import Domain
from jinja2 import pass_context
from markupsafe import Markup
from werkzeug.exceptions import NotFound


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


# --- transliteration -------------------------------------------------------

_CYR_TO_LAT = {
    "А": "A", "Б": "B", "В": "V", "Г": "G", "Д": "D", "Ђ": "Đ", "Е": "E", "Ж": "Ž",
    "З": "Z", "И": "I", "Ј": "J", "К": "K", "Л": "L", "Љ": "Lj", "М": "M", "Н": "N",
    "Њ": "Nj", "О": "O", "П": "P", "Р": "R", "С": "S", "Т": "T", "Ћ": "Ć", "У": "U",
    "Ф": "F", "Х": "H", "Ц": "C", "Ч": "Č", "Џ": "Dž", "Ш": "Š",
}  # fmt: skip
_CYR_TO_LAT.update({k.lower(): v.lower() for k, v in list(_CYR_TO_LAT.items())})
_DIGRAPHS = {"Љ": "LJ", "Њ": "NJ", "Џ": "DŽ"}


def cyrillic_to_latin(text: str) -> str:
    """Transliterate Serbian Cyrillic to Latin (Љ→Lj, Њ→Nj, Џ→Dž; ЉУБАВ→LJUBAV).

    Anything that is not a Serbian Cyrillic letter (placeholders such as
    ``%(name)s``, HTML, digits) is left as it is.
    """
    out = []
    for i, ch in enumerate(text):
        if ch in _DIGRAPHS:
            neighbours = text[max(i - 1, 0) : i] + text[i + 1 : i + 2]
            all_caps = any(c.isupper() for c in neighbours) and not any(
                c.islower() for c in neighbours
            )
            out.append(_DIGRAPHS[ch] if all_caps else _CYR_TO_LAT[ch])
        else:
            out.append(_CYR_TO_LAT.get(ch, ch))
    return "".join(out)


def normalise_text(text: str) -> str:
    """NFC, so that Montenegrin Ś/Ź typed as letter + accent compare equal."""
    return unicodedata.normalize("NFC", text)


# --- catalogs ----------------------------------------------------------------


class TransliteratedTranslations(Translations):
    """A catalog whose messages are another catalog's, transliterated."""

    @classmethod
    def from_catalog(cls, source: Translations) -> TransliteratedTranslations:
        derived = cls()
        derived._catalog = {key: cyrillic_to_latin(value) for key, value in source._catalog.items()}
        derived.plural = source.plural
        derived._info = dict(getattr(source, "_info", {}))
        return derived


class CatalogCache:
    """Loads each language's compiled catalog once, by our language code."""

    def __init__(self, directory: str | Path) -> None:
        self.directory = Path(directory)
        self._loaded: dict[str, NullTranslations] = {}

    def get(self, code: str) -> NullTranslations:
        if code not in self._loaded:
            self._loaded[code] = self._load(code)
        return self._loaded[code]

    def _load(self, code: str) -> NullTranslations:
        lang = LANGUAGES.get(code)
        if lang is None or code == SOURCE_LANGUAGE:
            return NullTranslations()
        if lang.derived_from:
            source = self.get(lang.derived_from)
            if isinstance(source, Translations):
                return TransliteratedTranslations.from_catalog(source)
            return source
        mo = self.directory / lang.catalog / "LC_MESSAGES" / "messages.mo"
        if not mo.exists():
            return NullTranslations()
        with mo.open("rb") as fp:
            return Translations(fp, domain="messages")


# --- negotiation -------------------------------------------------------------

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
        return "sr-Latn" if script == "latn" else "sr"
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


# --- Flask glue ----------------------------------------------------------------
# Flask-Babel finds catalogs by Babel locale; we look them up by our own code.

CATALOGS_KEY = "surveyapp.catalogs"
COOKIE_NAME = "lang"


def current_language() -> str:
    """The language of the current request (or CLI context); English outside one."""
    if has_app_context():
        return g.get("lang") or SOURCE_LANGUAGE
    return SOURCE_LANGUAGE


def current_catalog() -> NullTranslations:
    """The catalog of the current request's language (none outside an application)."""
    if not has_app_context() or CATALOGS_KEY not in current_app.extensions:
        return NullTranslations()
    return current_app.extensions[CATALOGS_KEY].get(current_language())


def gettext(string: str, **variables) -> str:
    """``flask_babel.gettext`` for code that runs per question: the request's catalog,
    looked up directly (Flask-Babel's own lookup costs several times the translation)."""
    string = current_catalog().gettext(string)
    return string % variables if variables else string


def current_locale() -> str:
    """The Babel locale Flask-Babel formats dates and numbers with."""
    return LANGUAGES[current_language()].babel_locale


class CatalogDomain(Domain):
    """A Flask-Babel domain that picks the catalog by our language code."""

    def get_translations(self) -> NullTranslations:
        return current_catalog()


class UnknownLanguage(NotFound):
    """A URL named a language code we do not have."""

    description_key = "language"


def preferred_language(*candidates: str | None) -> str:
    """The first known code among ``candidates``, then the cookie, then Accept-Language."""
    for code in (*candidates, request.cookies.get(COOKIE_NAME)):
        if is_language(code):
            return code
    return negotiate(list(request.accept_languages)) or SOURCE_LANGUAGE


def switch_language_url(code: str) -> str:
    """This page in another language (only for pages whose URL carries one)."""
    args = dict(request.view_args or {})
    endpoint = request.endpoint
    if endpoint and "lang_in_url" in g:
        args["lang"] = code
        return url_for(endpoint, **args)
    return url_for("main.home", lang=code)


def init_app(app: Flask) -> None:
    """Language from the URL prefix, ``url_for`` filling it in, the cookie remembering it."""

    @app.url_value_preprocessor
    def take_language_from_url(endpoint, values):
        if values and "lang" in values:
            code = values.pop("lang")
            if not is_language(code):
                g.lang = preferred_language()
                raise UnknownLanguage()
            g.lang = code
            g.lang_in_url = True

    @app.before_request
    def negotiate_language():
        if "lang" not in g:
            g.lang = preferred_language()

    @app.url_defaults
    def add_language(endpoint, values):
        if "lang" not in values and app.url_map.is_endpoint_expecting(endpoint, "lang"):
            values["lang"] = current_language()

    @app.after_request
    def remember_language(response):
        if g.get("lang_in_url") and request.cookies.get(COOKIE_NAME) != g.lang:
            response.set_cookie(
                COOKIE_NAME, g.lang, max_age=365 * 24 * 3600, samesite="Lax", httponly=True
            )
        return response

    # Templates look their messages up in the request's catalog directly: Flask-Babel's
    # callables find the same catalog through several layers of lookups, and Jinja's
    # ``_`` reaches them through three more calls; a page has a dozen messages.
    app.jinja_env.install_gettext_callables(
        gettext=lambda s: current_catalog().gettext(s),
        ngettext=lambda s, p, n: current_catalog().ngettext(s, p, n),
        pgettext=lambda c, s: current_catalog().pgettext(c, s),
        npgettext=lambda c, s, p, n: current_catalog().npgettext(c, s, p, n),
        newstyle=True,
    )

    @pass_context
    def template_gettext(context, string: str, **variables) -> str:
        """``_()`` in templates, as Jinja's newstyle gettext does it, in one call."""
        message = current_catalog().gettext(string)
        if context.eval_ctx.autoescape:
            # Our own catalogs' text, marked safe as Jinja's gettext marks it; the
            # variables are escaped by the % below.
            message = Markup(message)  # nosec B704
        # Always a format string, as Jinja's own: "%%" reads "%" with or without variables.
        return message % variables if variables or "%" in message else message

    app.jinja_env.globals["_"] = template_gettext

    @app.context_processor
    def language_context():
        code = current_language()
        return {
            "languages": LANGUAGES,
            "current_lang": LANGUAGES[code],
            "switch_language_url": switch_language_url,
        }
