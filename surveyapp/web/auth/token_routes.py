"""A staff member's personal access tokens for the read-only API (/api/v1): make one
(its secret is shown once, on the answer to the form), see them with their last use,
revoke one."""

from __future__ import annotations

from flask import flash, redirect, render_template, url_for
from flask_login import current_user

from surveyapp.accounts.permissions import can
from surveyapp.api_access import tokens
from surveyapp.core.safe_text import lazy_gettext as _l
from surveyapp.web.auth import bp
from surveyapp.web.auth.forms import TOKEN_LIFETIME_LABELS, TOKEN_SCOPE_LABELS, ApiTokenForm
from surveyapp.web.staff import record_action, requires

TOKEN_ERRORS = {
    "name": _l("Please give the token a name of at most 80 characters."),
    "scope": _l("Please choose what the token may read."),
    "lifetime": _l("Please choose how long the token is valid."),
}
STATUS_LABELS = {
    "active": _l("In use"),
    "expired": _l("Expired"),
    "revoked": _l("Revoked"),
}


@bp.route("/<lang>/staff/account/api-tokens", methods=["GET", "POST"])
@requires("enter_staff_area")
def api_tokens():
    """The token page. A token made here is shown in the answer to the form itself
    (201 Created), not after a redirect as other forms do: the secret must not wait
    anywhere, not even in the session cookie, for a second request. The page is never
    cached (``core.security_headers``); reloading it asks the browser to send the form
    again, which makes another token and shows no old one."""
    form = ApiTokenForm()
    created = None
    status = 200
    if form.validate_on_submit():
        try:
            lifetime = int(form.lifetime.data)
        except (TypeError, ValueError):
            lifetime = 0
        try:
            created = tokens.create_token(current_user, form.name.data, form.scope.data, lifetime)
        except tokens.TokenError as refused:
            field = getattr(form, refused.code, form.name)
            field.errors = [*field.errors, TOKEN_ERRORS[refused.code]]
        else:
            record_action(
                "api_token_created",
                f"api_token:{created.token.id}",
                scope=created.token.scope,
                days=lifetime,
            )
            form = ApiTokenForm(formdata=None)
            status = 201
    return render_template(
        "auth/api_tokens.html",
        form=form,
        created=created,
        rows=[(t, tokens.status(t)) for t in tokens.tokens_of(current_user.id)],
        scope_labels=TOKEN_SCOPE_LABELS,
        status_labels=STATUS_LABELS,
        lifetime_labels=TOKEN_LIFETIME_LABELS,
        reads_responses=can(current_user, "run_campaigns"),
    ), status


@bp.post("/<lang>/staff/account/api-tokens/<int:token_id>/revoke")
@requires("enter_staff_area")
def revoke_api_token(token_id: int):
    token = tokens.revoke(current_user.id, token_id)
    if token is not None:
        record_action("api_token_revoked", f"api_token:{token.id}")
        flash(_l("The token “%(name)s” was revoked: it no longer works.", name=token.name))
    return redirect(url_for("auth.api_tokens"), 303)
