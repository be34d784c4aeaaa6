"""Opting out of our mails, without signing in.

``/u/<token>`` is the List-Unsubscribe address of every mail: a POST there (RFC 8058's
one-click "List-Unsubscribe=One-Click", sent by the mail provider) opts out at once
and is exempt from CSRF, as the RFC requires; a GET there, which mail scanners make
when they follow links, only leads to the page with a confirm button, in the mail's
language. Nothing else on this page changes anything without a CSRF token.
"""

from __future__ import annotations

from flask import Response, abort, g, redirect, render_template, url_for

from surveyapp.core.form_fields import ActionForm
from surveyapp.extensions import csrf
from surveyapp.languages.registry import is_language
from surveyapp.outreach import opt_out
from surveyapp.web.outreach import bp


def _masked(address: str) -> str:
    """a•••@example.org: enough for the person to recognise their address, not more."""
    local, _, domain = address.partition("@")
    return f"{local[:1]}•••@{domain}"


@bp.get("/u/<token>")
def opt_out_link(token: str):
    contact = opt_out.contact_for_token(token)
    if contact is None:
        abort(404)
    lang = contact.language if is_language(contact.language) else g.lang
    return redirect(url_for("outreach.opt_out_page", lang=lang, token=token), 303)


@bp.post("/u/<token>")
@csrf.exempt
def one_click_opt_out(token: str):
    """RFC 8058: the mail provider posts "List-Unsubscribe=One-Click" here."""
    if opt_out.opt_out(token, "one_click") is None:
        abort(404)
    return Response("", status=200)


@bp.route("/<lang>/u/<token>", methods=["GET", "POST"])
def opt_out_page(token: str):
    contact = opt_out.contact_for_token(token)
    if contact is None:
        abort(404)
    form = ActionForm()
    if form.validate_on_submit():
        opt_out.opt_out(token, "confirmed")
        return redirect(url_for("outreach.opt_out_page", token=token), 303)
    return render_template(
        "outreach/opt_out.html",
        form=form,
        address=_masked(contact.email),
        done=opt_out.is_opted_out(contact),
    )
