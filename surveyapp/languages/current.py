"""The current request's language: from the URL, the cookie or Accept-Language; its catalog.

Flask-Babel finds catalogs by Babel locale; we look them up by our own code
(see ``registry``), and templates look their messages up in the request's
catalog directly.
"""

from __future__ import annotations

from collections.abc import Sequence

from babel.support import NullTranslations
from flask import Flask, current_app, g, has_app_context, request, url_for
from flask_babel import Domain
from jinja2 import pass_context
from markupsafe import Markup
from werkzeug.exceptions import NotFound

from surveyapp.languages.negotiation import closest, negotiate
from surveyapp.languages.registry import (
    LANGUAGES,
    SOURCE_LANGUAGE,
    is_language,
    variant_for,
)

CATALOGS_KEY = "surveyapp.languages.catalog_files"
COOKIE_NAME = "lang"


def current_language() -> str:
    """The language of the current request (or CLI context); English outside one."""
    if has_app_context():
        return g.get("lang") or SOURCE_LANGUAGE
    return SOURCE_LANGUAGE


def current_catalog() -> NullTranslations:
    """The catalog of the current request's language (none outside an application).

    Kept on ``g`` with the language it is for: a page looks it up for every text.
    """
    if not has_app_context():
        return NullTranslations()
    ctx_g = g._get_current_object()
    lang = ctx_g.get("lang") or SOURCE_LANGUAGE
    wanted = (lang, ctx_g.get("lang_variant"))
    kept = ctx_g.get("_catalog")
    if kept is not None and kept[0] == wanted:
        return kept[1]
    catalogs = current_app.extensions.get(CATALOGS_KEY)
    if catalogs is None:
        return NullTranslations()
    catalog = catalogs.get(*wanted)
    ctx_g._catalog = (wanted, catalog)
    return catalog


def use_variant_of(country: str | None, entity: str | None = None) -> str | None:
    """From now on in this request, the request's language as spoken in ``country``
    (``entity``): its regional variant's wording, where it has one. Returns the variant."""
    variant = variant_for(current_language(), country, entity)
    g.lang_variant = variant
    return variant


def gettext(string: str, **variables) -> str:
    """``flask_babel.gettext`` for code that runs per question: the request's catalog,
    looked up directly (Flask-Babel's own lookup costs several times the translation)."""
    string = current_catalog().gettext(string)
    return string % variables if variables else string


def N_(string: str) -> str:
    """Marks ``string`` for the catalogs without translating it: it is translated
    later, with ``gettext_in``, into a language chosen then."""
    return string


def gettext_in(lang: str, string: str, **variables) -> str:
    """``string`` in ``lang``'s catalog, whatever the request's language (a file made in
    another language than the page's, such as an export's codebook)."""
    string = catalog_in(lang).gettext(string)
    return string % variables if variables else string


def catalog_in(lang: str, variant: str | None = None) -> NullTranslations:
    """``lang``'s catalog, as spoken in the regional ``variant`` if given, whatever the
    request's language (a mail to a contact in Kosovo: "Kryetar i komunës")."""
    if has_app_context() and CATALOGS_KEY in current_app.extensions:
        return current_app.extensions[CATALOGS_KEY].get(lang, variant)
    return NullTranslations()


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


def preferred_language(*candidates: str | None, among: Sequence[str] | None = None) -> str:
    """The first known code among ``candidates``, then the cookie, then Accept-Language.

    With ``among`` (the languages a campaign offers, in order), only one of those: each
    wish may be met by the same spoken language in another script (sr for sr-Latn);
    when none is, the first of ``among``.
    """
    for code in (*candidates, request.cookies.get(COOKIE_NAME)):
        if is_language(code) and (found := closest(code, among)):
            return found
    found = negotiate(list(request.accept_languages), among)
    if found:
        return found
    return among[0] if among else SOURCE_LANGUAGE


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
                COOKIE_NAME,
                g.lang,
                max_age=365 * 24 * 3600,
                samesite="Lax",
                httponly=True,
                secure=app.config.get("SESSION_COOKIE_SECURE", False),
            )
        return response


# --- what templates get (registered by ``surveyapp.web.template_globals``) ------


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


def template_gettext_callables() -> dict:
    """The request's catalog's gettext functions, for ``install_gettext_callables``."""
    return dict(
        gettext=lambda s: current_catalog().gettext(s),
        ngettext=lambda s, p, n: current_catalog().ngettext(s, p, n),
        pgettext=lambda c, s: current_catalog().pgettext(c, s),
        npgettext=lambda c, s, p, n: current_catalog().npgettext(c, s, p, n),
    )


def language_context() -> dict:
    """The languages, the request's language and the switcher's links, for every page."""
    return {
        "languages": LANGUAGES,
        "current_lang": LANGUAGES[current_language()],
        "switch_language_url": switch_language_url,
    }
