"""Everything templates get besides what a view passes: registered here, in one place."""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from datetime import UTC, datetime
from typing import Any

from flask import Flask, current_app, g, request, url_for
from flask_babel import format_date, format_time, get_locale
from flask_login import current_user
from markupsafe import Markup

from surveyapp import places
from surveyapp.accounts import permissions
from surveyapp.core.safe_text import lazy_gettext as _l
from surveyapp.engagements import kinds as engagement_kinds
from surveyapp.languages import current as languages_current
from surveyapp.languages.collation import sorted_by_name
from surveyapp.languages.registry import SOURCE_LANGUAGE
from surveyapp.profiles import peers
from surveyapp.questionnaires.question_types.uploads import size_text
from surveyapp.web.review.activity_labels import action_label, action_of_nobody
from surveyapp.web.survey.display import answer_text, question_block, role_label

#: A questionnaire version's status, for people.
VERSION_STATUS_LABELS = {
    "draft": _l("draft"),
    "published": _l("published"),
    "archived": _l("archived"),
}


def status_label(status: str) -> str:
    return str(VERSION_STATUS_LABELS.get(status, status))


def moment(value: datetime | None) -> Markup | str:
    """A point in time on a staff page: the date with the month's name and the time, in
    the page's language and the staff's time zone ("5 мар. 2026 г., 14:07"), in a
    ``<time>`` element; "—" for none.

    A month's name, not a number: "3/5/26" reads as 5 March in the region and as
    3 May in English.
    """
    if value is None:
        return "—"
    locale = get_locale()
    pattern = locale.datetime_formats["medium"] if locale else "{1}, {0}"
    text = pattern.replace("{1}", format_date(value, "medium")).replace(
        "{0}", format_time(value, "short")
    )
    utc = value if value.tzinfo is None else value.astimezone(UTC).replace(tzinfo=None)
    return Markup('<time datetime="%s">%s</time>') % (utc.isoformat(timespec="minutes") + "Z", text)


def _lang() -> str:
    return getattr(g, "lang", None) or SOURCE_LANGUAGE


def places_by_name(items: Iterable[Any]) -> list[Any]:
    """``{% for town in country.municipalities|by_name %}``: in the page's language's
    alphabetical order of their names in that language."""
    return places.by_name(items, _lang())


def codes_by_name(codes: Iterable[str], names: Mapping[str, str]) -> list[str]:
    """Codes in the page's language's alphabetical order of ``names[code]``."""
    return sorted_by_name(codes, _lang(), lambda code: names.get(code, code))


def can(permission: str) -> bool:
    """``can('run_campaigns')`` in templates: whether the signed-in user may."""
    return permissions.can(current_user, permission)


#: (application root, static URL path, file) -> its URL; see ``static_url``.
_STATIC_URLS: dict[tuple[str, str | None, str], str] = {}


def static_url(filename: str) -> str:
    """``url_for("static", filename=...)``, built once per file and application root: every
    page links its style sheets, and Flask builds a URL in about as long as it takes
    to render a question."""
    key = (request.script_root, current_app.static_url_path, filename)
    url = _STATIC_URLS.get(key)
    if url is None:
        url = _STATIC_URLS[key] = url_for("static", filename=filename)
    return url


def init_app(app: Flask) -> None:
    """Register the template globals, filters and context; after Flask-Babel's ``init_app``,
    whose gettext callables ours replace."""
    env = app.jinja_env
    # Templates look their messages up in the request's catalog directly: Flask-Babel's
    # callables find the same catalog through several layers of lookups, and Jinja's
    # ``_`` reaches them through three more calls; a page has a dozen messages.
    # Jinja's i18n extension (Flask-Babel adds it) puts install_gettext_callables on the
    # environment at run time; its stubs do not know it.
    env.install_gettext_callables(  # type: ignore[attr-defined]
        **languages_current.template_gettext_callables(), newstyle=True
    )
    env.globals["_"] = languages_current.template_gettext
    app.context_processor(languages_current.language_context)

    # ``current_user`` as a proxy, read only where a template uses it (the staff
    # pages): Flask-Login's context processor would load the user for every page.
    env.globals["current_user"] = current_user
    env.globals["can"] = can
    env.globals["static_url"] = static_url
    env.globals["staff_role_label"] = permissions.staff_role_label

    # Respondent pages.
    env.globals["answer_text"] = answer_text
    env.globals["question_block"] = question_block
    env.globals["role_label"] = role_label
    env.globals["file_size"] = size_text

    # Staff pages.
    env.globals["status_label"] = status_label
    env.globals["source_language"] = SOURCE_LANGUAGE
    env.globals["action_label"] = action_label
    env.globals["action_of_nobody"] = action_of_nobody
    env.filters["one_per_language"] = peers.one_per_language
    env.filters["moment"] = moment
    env.filters["by_name"] = places_by_name
    env.filters["codes_by_name"] = codes_by_name
    env.globals["engagement_kind"] = engagement_kinds.kind_label
    env.globals["engagement_status"] = engagement_kinds.status_label
