"""Views for staff users."""

from __future__ import annotations

from collections.abc import Callable
from functools import wraps
from urllib.parse import urlsplit

from flask import Blueprint, abort, flash, redirect, render_template, request, session, url_for
from flask_babel import ngettext
from flask_login import current_user, login_user, logout_user

from surveyapp.accounts import audit_log as audit_trail
from surveyapp.accounts import users as accounts
from surveyapp.core.safe_text import lazy_gettext as _l
from surveyapp.extensions import db, login_manager
from surveyapp.models import User
from surveyapp.web.auth.forms import ROLE_LABELS, EditUserForm, LoginForm, LogoutForm, NewUserForm

bp = Blueprint("auth", __name__)


@bp.app_template_global()
def staff_role_label(role: str) -> str:
    return str(ROLE_LABELS.get(role, role))


ACCOUNT_ERRORS = {
    "bad_email": _l("Please enter a valid e-mail address."),
    "bad_role": _l("Please choose one of the roles."),
    "too_short": _l(
        "The password must have at least %(min)d characters.", min=accounts.MIN_PASSWORD_LENGTH
    ),
    "common": _l("This password is too common or contains the e-mail name: please choose another."),
    "exists": _l("An account with this e-mail address already exists."),
    "last_admin": _l("The last active administrator cannot be demoted or deactivated."),
}


@login_manager.user_loader
def _load_user(session_id: str) -> User | None:
    return accounts.load_user(session_id)


@login_manager.unauthorized_handler
def _unauthorized():
    return redirect(url_for("auth.login", next=request.full_path.rstrip("?")))


def roles_required(*roles: str) -> Callable:
    """Staff only: anonymous visitors go to sign in; other roles get 403."""

    def decorator(view: Callable) -> Callable:
        @wraps(view)
        def wrapped(*args, **kwargs):
            if not current_user.is_authenticated:
                return login_manager.unauthorized()
            if roles and current_user.role not in roles:
                abort(403)
            return view(*args, **kwargs)

        return wrapped

    return decorator


def record_action(action: str, target: str = "", user_id: int | None = None, **details) -> None:
    """Record a staff action with who did it and from where."""
    if user_id is None and current_user.is_authenticated:
        user_id = current_user.id
    audit_trail.record(action, target, user_id=user_id, ip=request.remote_addr or "", **details)


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


@bp.route("/<lang>/staff/login", methods=["GET", "POST"])
def login():
    form = LoginForm()
    error = None
    if form.validate_on_submit():
        result = accounts.authenticate(form.email.data, form.password.data)
        if result.user is not None:
            record_action("login", f"user:{result.user.id}", user_id=result.user.id)
            session.clear()  # a new session at login
            session.permanent = True  # ends after PERMANENT_SESSION_LIFETIME without a request
            login_user(result.user)
            return redirect(safe_next(request.args.get("next")) or url_for("review.dashboard"), 303)
        record_action(
            "login_failed", audit_trail.typed_email(form.email.data), outcome=result.outcome
        )
        if result.outcome == "locked":
            minutes = max(1, int(result.retry_after.total_seconds() // 60) + 1)
            error = ngettext(
                "Too many failed attempts. Please try again in %(num)d minute.",
                "Too many failed attempts. Please try again in %(num)d minutes.",
                minutes,
            )
        else:
            error = _l("The e-mail address or password is not correct.")
    status = 200 if error is None else 401
    return render_template("auth/login.html", form=form, error=error), status


@bp.post("/<lang>/staff/logout")
def logout():
    if LogoutForm().validate_on_submit():
        if current_user.is_authenticated:
            record_action("logout", f"user:{current_user.id}")
        logout_user()
        session.clear()
    return redirect(url_for("auth.login"), 303)


@bp.route("/<lang>/staff/users", methods=["GET", "POST"])
@roles_required("admin")
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
    rows = [
        (user, EditUserForm(prefix=f"u{user.id}", role=user.role, active=user.active))
        for user in accounts.all_users()
    ]
    return render_template("auth/users.html", form=form, rows=rows, role_labels=ROLE_LABELS)


@bp.post("/<lang>/staff/users/<int:user_id>")
@roles_required("admin")
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
@roles_required("admin")
def audit_log():
    action = request.args.get("action") or None
    return render_template(
        "auth/audit.html", events=audit_trail.recent(action=action), action=action
    )
