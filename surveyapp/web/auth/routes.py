"""Views for staff users."""

from __future__ import annotations

import time
from urllib.parse import urlsplit

from flask import current_app, flash, g, redirect, render_template, request, session, url_for
from flask_babel import ngettext
from flask_login import current_user, logout_user

from surveyapp.accounts import audit_log as audit_trail
from surveyapp.accounts import users as accounts
from surveyapp.accounts.permissions import STAFF_ROLE_LABELS
from surveyapp.activity import entries as activity
from surveyapp.core.lost_connections import repeatable
from surveyapp.core.safe_text import lazy_gettext as _l
from surveyapp.extensions import db, login_manager
from surveyapp.models import User
from surveyapp.web.auth import bp, sessions
from surveyapp.web.auth.forms import EditUserForm, LoginForm, LogoutForm, NewUserForm
from surveyapp.web.staff import record_action, requires

ACCOUNT_ERRORS = {
    "bad_email": _l("Please enter a valid e-mail address."),
    "bad_role": _l("Please choose one of the roles."),
    "too_short": _l(
        "The password must have at least %(min)d characters.", min=accounts.MIN_PASSWORD_LENGTH
    ),
    "common": _l(
        "This password is too common, too easy to guess or contains your name or e-mail "
        "address: please choose another, for example several unrelated words."
    ),
    "exists": _l("An account with this e-mail address already exists."),
    "last_admin": _l("The last active administrator cannot be demoted or deactivated."),
}


@login_manager.user_loader
def _load_user(session_id: str) -> User | None:
    if not sessions.session_is_current():
        return None
    return accounts.load_user(session_id)


#: Pages an admin may still open before setting up two-factor sign-in when it is required.
BEFORE_TWO_FACTOR = {"auth.two_factor", "auth.logout", "auth.login", "auth.login_code"}


@bp.before_app_request
def _admins_set_up_two_factor_first():
    endpoint = request.endpoint or ""
    if (
        not current_app.config.get("REQUIRE_TWO_FACTOR_FOR_ADMINS")
        or not endpoint.startswith(("auth.", "review.", "authoring.", "outreach."))
        or endpoint in BEFORE_TWO_FACTOR
    ):
        return None
    if current_user.is_authenticated and current_user.role == "admin":
        if not current_user.totp_secret:
            return redirect(url_for("auth.two_factor"), 303)
    return None


@login_manager.unauthorized_handler
def _unauthorized():
    return redirect(url_for("auth.login", next=request.full_path.rstrip("?")))


def safe_next(target: str | None) -> str | None:
    """Only a path on this site; never another host (no open redirect).

    Control characters and spaces are refused too: browsers drop tabs and line
    breaks from a URL ("/\t/evil.example" is "//evil.example"), and a line break
    would end the Location header.
    """
    if not target or not target.startswith("/") or target.startswith("//") or "\\" in target:
        return None
    if any(ord(c) <= 0x20 or ord(c) == 0x7F for c in target):
        return None
    parts = urlsplit(target)
    return target if not parts.scheme and not parts.netloc else None


#: The password step of a two-step sign-in is good for this long.
PENDING_LOGIN_SECONDS = 300


def wait_message(wait) -> str:
    minutes = max(1, int(wait.total_seconds() + 59) // 60)
    return ngettext(
        "Too many failed attempts. Please try again in %(num)d minute.",
        "Too many failed attempts. Please try again in %(num)d minutes.",
        minutes,
    )


@bp.route("/<lang>/staff/login", methods=["GET", "POST"])
# Signing in twice leaves one signed-in session (and record_action one audit record);
# a failed attempt run again counts twice against the limits, which only slows down.
@repeatable
def login():
    form = LoginForm()
    error, status = None, 200
    if form.validate_on_submit():
        result = accounts.authenticate(
            form.email.data, form.password.data, address=request.remote_addr or ""
        )
        next_url = safe_next(request.args.get("next"))
        if result.user is not None and result.user.totp_secret:
            session.clear()
            session["pending_login"] = {
                "user": result.user.id,
                "token": result.user.session_token,
                "at": time.time(),
                "next": next_url,
            }
            return redirect(url_for("auth.login_code"), 303)
        if result.user is not None:
            record_action("login", f"user:{result.user.id}", user_id=result.user.id)
            sessions.start_session(result.user)
            return redirect(next_url or url_for("review.dashboard"), 303)
        record_action(
            "login_failed", audit_trail.typed_email(form.email.data), outcome=result.outcome
        )
        status = 401
        if result.outcome == "address_throttled":
            status = 429
            minutes = max(1, int(result.retry_after.total_seconds() + 59) // 60)
            error = ngettext(
                "Too many sign-in attempts from your connection. "
                "Please try again in %(num)d minute.",
                "Too many sign-in attempts from your connection. "
                "Please try again in %(num)d minutes.",
                minutes,
            )
        elif result.outcome == "throttled":
            error = wait_message(result.retry_after)
        else:
            error = _l("The e-mail address or password is not correct.")
    return render_template("auth/login.html", form=form, error=error), status


@bp.post("/<lang>/staff/logout")
@repeatable  # a second run changes the session token again, or finds the visitor signed out
def logout():
    if LogoutForm().validate_on_submit():
        if current_user.is_authenticated:
            record_action("logout", f"user:{current_user.id}")
            accounts.end_sessions(current_user)  # every copy of the cookie stops working
        logout_user()
        session.clear()
    return redirect(url_for("auth.login"), 303)


@bp.route("/<lang>/staff/users", methods=["GET", "POST"])
@requires("manage_accounts")
@sessions.recent_password_required
def users():
    form = NewUserForm()
    if form.validate_on_submit():
        try:
            user = accounts.create_user(
                form.email.data, form.password.data, form.role.data, form.name.data
            )
        except accounts.AccountError as error:
            field = form.email if error.code in ("bad_email", "exists") else form.password
            field.errors = [*field.errors, ACCOUNT_ERRORS[error.code]]
        else:
            record_action("account_created", f"user:{user.id}", role=user.role)
            flash(_l("The account was created."))
            return redirect(url_for("auth.users"), 303)
    # formdata=None: each row shows the account as stored, never the fields of a
    # "New account" post (a missing checkbox there would read as "not active").
    rows = [
        (
            user,
            EditUserForm(formdata=None, prefix=f"u{user.id}", role=user.role, active=user.active),
        )
        for user in accounts.all_users()
    ]
    return render_template(
        "auth/users.html",
        form=form,
        rows=rows,
        role_labels=STAFF_ROLE_LABELS,
        min_length=accounts.MIN_PASSWORD_LENGTH,
    )


@bp.post("/<lang>/staff/users/<int:user_id>")
@requires("manage_accounts")
@sessions.recent_password_required
def edit_user(user_id: int):
    user = db.get_or_404(User, user_id)
    form = EditUserForm(prefix=f"u{user.id}")
    if form.validate_on_submit():
        try:
            accounts.update_user(user, role=form.role.data, active=form.active.data)
        except accounts.AccountError as error:
            flash(ACCOUNT_ERRORS[error.code], "error")
        else:
            record_action("account_changed", f"user:{user.id}", role=user.role, active=user.active)
            flash(_l("The account was updated."))
    return redirect(url_for("auth.users"), 303)


@bp.get("/<lang>/staff/audit")
@requires("manage_accounts")
def audit_log():
    chosen = audit_trail.parse_filter(request.args)
    page, entries = activity.audit_page(chosen, g.lang)
    return render_template(
        "auth/audit.html",
        chosen=chosen,
        page=page,
        entries=entries,
        actions=audit_trail.logged_actions(),
        users=accounts.all_users(),
        nobody=audit_trail.NOBODY,
    )
