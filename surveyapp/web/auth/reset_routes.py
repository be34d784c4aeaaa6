"""Forgotten passwords: ask for a link by mail, then set a new password with it."""

from __future__ import annotations

from flask import flash, redirect, render_template, request, session, url_for
from flask_babel import ngettext

from surveyapp.accounts import audit_log as audit_trail
from surveyapp.accounts import password_reset
from surveyapp.accounts import users as accounts
from surveyapp.core.safe_text import lazy_gettext as _l
from surveyapp.languages.current import current_language
from surveyapp.web.auth import bp
from surveyapp.web.auth.forms import ForgotPasswordForm, ResetPasswordForm
from surveyapp.web.auth.routes import ACCOUNT_ERRORS
from surveyapp.web.staff import record_action

#: The session key holding the token between opening the link and setting the password
#: (so it leaves the address bar, the history and any Referer at once).
RESET_KEY = "password_reset"


@bp.route("/<lang>/staff/password/forgot", methods=["GET", "POST"])
def forgot_password():
    form = ForgotPasswordForm()
    error, status = None, 200
    if form.validate_on_submit():
        language = current_language()
        result = password_reset.request_reset(
            form.email.data,
            request.remote_addr or "",
            language,
            lambda token: url_for(
                "auth.reset_password_link", lang=language, token=token, _external=True
            ),
        )
        record_action(
            "password_reset_requested",
            f"user:{result.user_id}"
            if result.user_id
            else audit_trail.typed_email(form.email.data),
            user_id=result.user_id,
            outcome=result.outcome,
        )
        if result.outcome == "address_throttled":
            minutes = max(1, int(result.retry_after.total_seconds() + 59) // 60)
            error = ngettext(
                "Too many requests from your connection. Please try again in %(num)d minute.",
                "Too many requests from your connection. Please try again in %(num)d minutes.",
                minutes,
            )
            status = 429
        else:
            # the same answer whether or not the address has an account
            flash(
                _l(
                    "If %(email)s belongs to a staff account, a mail with a link to set a new "
                    "password is on its way. The link works once, within an hour.",
                    email=accounts.normalise_email(form.email.data),
                )
            )
            return redirect(url_for("auth.login"), 303)
    return render_template("auth/forgot.html", form=form, error=error), status


@bp.get("/<lang>/staff/password/reset/<token>")
def reset_password_link(token: str):
    """The mail's link: keep the token in the session and take it out of the address."""
    session[RESET_KEY] = token[:100]
    return redirect(url_for("auth.reset_password"), 303)


@bp.route("/<lang>/staff/password/reset", methods=["GET", "POST"])
def reset_password():
    token = session.get(RESET_KEY) or ""
    if not isinstance(token, str) or password_reset.valid_token(token) is None:
        session.pop(RESET_KEY, None)
        return render_template("auth/reset.html", form=None)
    form = ResetPasswordForm()
    if form.validate_on_submit():
        if form.password.data != form.confirm.data:
            form.confirm.errors = [*form.confirm.errors, _l("The two new passwords do not match.")]
        else:
            try:
                user = password_reset.complete_reset(token, form.password.data)
            except accounts.AccountError as error:
                if error.code == "reset_invalid":
                    session.pop(RESET_KEY, None)
                    return render_template("auth/reset.html", form=None)
                form.password.errors = [*form.password.errors, ACCOUNT_ERRORS[error.code]]
            else:
                session.clear()
                record_action("password_reset", f"user:{user.id}", user_id=user.id)
                flash(
                    _l(
                        "Your password was changed and every session of your account ended. "
                        "Please sign in."
                    )
                )
                return redirect(url_for("auth.login"), 303)
    return render_template("auth/reset.html", form=form, min_length=accounts.MIN_PASSWORD_LENGTH), (
        422 if form.errors else 200
    )
