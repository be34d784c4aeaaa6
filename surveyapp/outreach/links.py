"""The addresses mails point to: the personal link and the opt-out pages.

Mails are often written outside a request (by a periodic job), so links are built
from ``PUBLIC_URL`` and the paths below, which the web layer's routes match
(``tests/test_outreach_links.py`` checks that they do).
"""

from __future__ import annotations

from flask import current_app, has_request_context, request

#: The respondent's personal link (it opens in the invitation's language).
PERSONAL_LINK = "/r/{token}"
#: The opt-out page with its confirm button, in the mail's language.
OPT_OUT_PAGE = "/{lang}/u/{token}"
#: The one-click opt-out address (List-Unsubscribe, RFC 8058: POST only).
ONE_CLICK_OPT_OUT = "/u/{token}"


class NoPublicURL(RuntimeError):
    """Links cannot be made outside a request without ``PUBLIC_URL``."""


def base_url() -> str:
    """``PUBLIC_URL`` (e.g. https://survey.example.org), else the request's own address."""
    configured = (current_app.config.get("PUBLIC_URL") or "").strip()
    if configured:
        return configured.rstrip("/")
    if has_request_context():
        return request.url_root.rstrip("/")
    raise NoPublicURL("set PUBLIC_URL so that mails written outside a request have links")


class Links:
    """Absolute links under one base address."""

    def __init__(self, base: str | None = None) -> None:
        self.base = (base or base_url()).rstrip("/")

    def personal(self, token: str) -> str:
        return self.base + PERSONAL_LINK.format(token=token)

    def opt_out_page(self, token: str, lang: str) -> str:
        return self.base + OPT_OUT_PAGE.format(token=token, lang=lang)

    def one_click(self, token: str) -> str:
        return self.base + ONE_CLICK_OPT_OUT.format(token=token)
