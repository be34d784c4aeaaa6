from __future__ import annotations

from flask_wtf import FlaskForm
from wtforms import BooleanField, EmailField, PasswordField, SelectField, StringField
from wtforms.validators import InputRequired

from surveyapp.accounts.permissions import LEAST_PRIVILEGE, staff_role_choices
from surveyapp.core.form_fields import at_most
from surveyapp.core.safe_text import lazy_gettext as _l


class LoginForm(FlaskForm):
    email = EmailField(
        _l("E-mail address"),
        validators=[InputRequired(_l("Please enter your e-mail address.")), at_most(254)],
    )
    password = PasswordField(
        _l("Password"), validators=[InputRequired(_l("Please enter your password.")), at_most(1024)]
    )


class NewUserForm(FlaskForm):
    """A new staff account; its role starts at the least privilege (translator)."""

    email = EmailField(
        _l("E-mail address"),
        validators=[InputRequired(_l("Please enter an e-mail address.")), at_most(254)],
    )
    name = StringField(_l("Name"), validators=[at_most(120)])
    role = SelectField(_l("Role"), validate_choice=False, default=LEAST_PRIVILEGE)
    password = PasswordField(
        _l("Password"), validators=[InputRequired(_l("Please enter a password.")), at_most(1024)]
    )

    def __init__(self, *args, **kwargs) -> None:
        super().__init__(*args, **kwargs)
        self.role.choices = staff_role_choices()


class EditUserForm(FlaskForm):
    role = SelectField(_l("Role"), validate_choice=False)
    active = BooleanField(_l("Active"))

    def __init__(self, *args, **kwargs) -> None:
        super().__init__(*args, **kwargs)
        self.role.choices = staff_role_choices()


class LogoutForm(FlaskForm):
    """Signing out is a POST with a CSRF token."""


class CodeForm(FlaskForm):
    """The six-digit code of an authenticator app."""

    code = StringField(
        _l("Code from your authenticator app"),
        validators=[InputRequired(_l("Please enter the 6-digit code.")), at_most(12)],
    )


class ConfirmPasswordForm(FlaskForm):
    password = PasswordField(
        _l("Password"), validators=[InputRequired(_l("Please enter your password."))]
    )


class ChangePasswordForm(FlaskForm):
    current = PasswordField(
        _l("Current password"),
        validators=[InputRequired(_l("Please enter your current password."))],
    )
    password = PasswordField(
        _l("New password"),
        validators=[InputRequired(_l("Please enter a new password.")), at_most(256)],
    )
    confirm = PasswordField(
        _l("New password again"),
        validators=[InputRequired(_l("Please enter the new password a second time."))],
    )


class TurnOffTwoFactorForm(FlaskForm):
    """Turning two-factor sign-in off is a POST with a CSRF token."""


class ForgotPasswordForm(FlaskForm):
    email = EmailField(
        _l("E-mail address"),
        validators=[InputRequired(_l("Please enter your e-mail address.")), at_most(254)],
    )


class ResetPasswordForm(FlaskForm):
    password = PasswordField(
        _l("New password"),
        validators=[InputRequired(_l("Please enter a new password.")), at_most(256)],
    )
    confirm = PasswordField(
        _l("New password again"),
        validators=[InputRequired(_l("Please enter the new password a second time."))],
    )


class ApiTokenForm(FlaskForm):
    """A new personal access token for the read-only API."""

    name = StringField(
        _l("Name"),
        validators=[
            InputRequired(_l("Please give the token a name, such as the tool that will use it.")),
            at_most(80),
        ],
    )
    scope = SelectField(_l("What it may read"), validate_choice=False, default="profiles")
    lifetime = SelectField(_l("Valid for"), validate_choice=False, default="90")

    def __init__(self, *args, **kwargs) -> None:
        super().__init__(*args, **kwargs)
        self.scope.choices = [(code, str(label)) for code, label in TOKEN_SCOPE_LABELS.items()]
        self.lifetime.choices = [
            (str(days), str(label)) for days, label in TOKEN_LIFETIME_LABELS.items()
        ]


#: The token scopes as staff read them.
TOKEN_SCOPE_LABELS = {
    "profiles": _l("Needs profiles only"),
    "responses": _l("Needs profiles and responses"),
}
TOKEN_LIFETIME_LABELS = {
    30: _l("30 days"),
    90: _l("90 days"),
    180: _l("180 days"),
    365: _l("One year"),
}
