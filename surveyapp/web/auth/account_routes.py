"""A staff member's own account: the code step of sign-in, confirming the
password, changing it, and setting up two-factor sign-in."""

from __future__ import annotations

import time

from flask import current_app, flash, redirect, render_template, request, session, url_for
from flask_login import current_user

from surveyapp.accounts import login_throttle, two_factor
from surveyapp.accounts import users as accounts
from surveyapp.core.lost_connections import repeatable
from surveyapp.core.safe_text import lazy_gettext as _l
from surveyapp.extensions import db
from surveyapp.models import User
from surveyapp.web.auth import bp, sessions
from surveyapp.web.auth.forms import (
    ChangePasswordForm,
    CodeForm,
    ConfirmPasswordForm,
    TurnOffTwoFactorForm,
)
from surveyapp.web.auth.routes import (
    ACCOUNT_ERRORS,
    PENDING_LOGIN_SECONDS,
    safe_next,
    wait_message,
)
from surveyapp.web.staff import record_action, requires

WRONG_CODE = _l("The code is not correct. Please enter the 6-digit code your app shows now.")
WRONG_PASSWORD = _l("The password is not correct.")


def _pending_user() -> tuple[User | None, dict]:
    """The user who passed the password step of sign-in in this browser, if still valid."""
    pending = session.get("pending_login")
    if not isinstance(pending, dict) or time.time() - pending.get("at", 0) > PENDING_LOGIN_SECONDS:
        return None, {}
    user = db.session.get(User, pending.get("user"))
    if user is None or not user.active or user.session_token != pending.get("token"):
        return None, {}
    return user, pending


@bp.route("/<lang>/staff/login/code", methods=["GET", "POST"])
def login_code():
    user, pending = _pending_user()
    if user is None:
        session.pop("pending_login", None)
        return redirect(url_for("auth.login"), 303)
    form = CodeForm()
    error, status = None, 200
    if form.validate_on_submit():
        account = f"totp:{user.id}"
        if wait := login_throttle.account_wait(account):
            error, status = wait_message(wait), 401
        elif two_factor.verify(user, form.code.data):
            login_throttle.clear_account(account)
            record_action("login", f"user:{user.id}", user_id=user.id, two_factor=True)
            sessions.start_session(user)
            return redirect(pending.get("next") or url_for("review.dashboard"), 303)
        else:
            record_action("login_failed", f"user:{user.id}", user_id=user.id, outcome="code")
            error, status = WRONG_CODE, 401
    elif form.is_submitted():
        status = 401
    return render_template("auth/login_code.html", form=form, error=error), status


@bp.route("/<lang>/staff/confirm", methods=["GET", "POST"])
@repeatable  # it writes only its audit record, which record_action writes once
@requires("enter_staff_area")
def confirm_password():
    form = ConfirmPasswordForm()
    next_url = safe_next(request.args.get("next")) or url_for("review.dashboard")
    if form.validate_on_submit():
        if accounts.check_password(current_user, form.password.data):
            sessions.password_entered()
            record_action("password_confirmed", f"user:{current_user.id}")
            return redirect(next_url, 303)
        record_action("password_confirm_failed", f"user:{current_user.id}")
        form.password.errors = [*form.password.errors, WRONG_PASSWORD]
    return render_template("auth/confirm.html", form=form)


@bp.route("/<lang>/staff/account/password", methods=["GET", "POST"])
@requires("enter_staff_area")
def change_password():
    user = current_user._get_current_object()  # a real User for login_user, not the proxy
    form = ChangePasswordForm()
    if form.validate_on_submit():
        if not accounts.check_password(user, form.current.data):
            form.current.errors = [*form.current.errors, _l("The current password is not correct.")]
        elif form.password.data != form.confirm.data:
            form.confirm.errors = [*form.confirm.errors, _l("The two new passwords do not match.")]
        else:
            try:
                accounts.set_password(user, form.password.data)
            except accounts.AccountError as error:
                form.password.errors = [*form.password.errors, ACCOUNT_ERRORS[error.code]]
            else:
                sessions.renew_login(user)  # other sessions ended with the old token
                record_action("password_changed", f"user:{user.id}")
                flash(_l("Your password was changed. You were signed out everywhere else."))
                return redirect(url_for("review.dashboard"), 303)
    return render_template("auth/password.html", form=form, min_length=accounts.MIN_PASSWORD_LENGTH)


@bp.route("/<lang>/staff/account/two-factor", methods=["GET", "POST"], endpoint="two_factor")
@requires("enter_staff_area")
@sessions.recent_password_required
def two_factor_page():
    user = current_user
    required = current_app.config.get("REQUIRE_TWO_FACTOR_FOR_ADMINS") and user.role == "admin"
    if user.totp_secret:
        off = TurnOffTwoFactorForm()
        if off.validate_on_submit() and not required:
            two_factor.turn_off(user)
            record_action("two_factor_off", f"user:{user.id}")
            flash(_l("Two-factor sign-in is turned off."))
            return redirect(url_for("auth.two_factor"), 303)
        return render_template("auth/two_factor.html", off=off, required=required)
    secret = session.get("totp_pending") or two_factor.new_secret()
    session["totp_pending"] = secret
    form = CodeForm()
    if form.validate_on_submit():
        if two_factor.confirm_enrolment(user, secret, form.code.data):
            session.pop("totp_pending", None)
            record_action("two_factor_on", f"user:{user.id}")
            flash(_l("Two-factor sign-in is on. You will be asked for a code at every sign-in."))
            return redirect(url_for("review.dashboard"), 303)
        form.code.errors = [*form.code.errors, WRONG_CODE]
    return render_template(
        "auth/two_factor.html",
        form=form,
        secret=two_factor.grouped(secret),
        uri=two_factor.provisioning_uri(secret, user.email),
        required=required,
    )
