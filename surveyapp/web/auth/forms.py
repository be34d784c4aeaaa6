from __future__ import annotations

from flask_wtf import FlaskForm
from wtforms import BooleanField, EmailField, PasswordField, SelectField, StringField
from wtforms.validators import InputRequired

from surveyapp.core.form_fields import at_most
from surveyapp.core.safe_text import lazy_gettext as _l
from surveyapp.models import STAFF_ROLES

ROLE_LABELS = {
    "admin": _l("Administrator"),
    "analyst": _l("Analyst"),
    "translator": _l("Translator"),
}


def _role_choices() -> list[tuple[str, str]]:
    return [(role, str(ROLE_LABELS[role])) for role in STAFF_ROLES]


class LoginForm(FlaskForm):
    email = EmailField(
        _l("E-mail address"),
        validators=[InputRequired(_l("Please enter your e-mail address.")), at_most(254)],
    )
    password = PasswordField(
        _l("Password"), validators=[InputRequired(_l("Please enter your password.")), at_most(1024)]
    )


class NewUserForm(FlaskForm):
    email = EmailField(
        _l("E-mail address"),
        validators=[InputRequired(_l("Please enter an e-mail address.")), at_most(254)],
    )
    name = StringField(_l("Name"), validators=[at_most(120)])
    role = SelectField(_l("Role"), validate_choice=False)
    password = PasswordField(
        _l("Password"), validators=[InputRequired(_l("Please enter a password.")), at_most(1024)]
    )

    def __init__(self, *args, **kwargs) -> None:
        super().__init__(*args, **kwargs)
        self.role.choices = _role_choices()


class EditUserForm(FlaskForm):
    role = SelectField(_l("Role"), validate_choice=False)
    active = BooleanField(_l("Active"))

    def __init__(self, *args, **kwargs) -> None:
        super().__init__(*args, **kwargs)
        self.role.choices = _role_choices()


class LogoutForm(FlaskForm):
    """Signing out is a POST with a CSRF token."""
