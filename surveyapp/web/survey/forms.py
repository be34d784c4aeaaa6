"""Forms of the respondent's path other than the questionnaire pages (see page_forms)."""

from __future__ import annotations

import time

from flask import current_app
from flask_wtf import FlaskForm
from itsdangerous import BadSignature, SignatureExpired, TimestampSigner
from wtforms import HiddenField, SelectChoice, SelectField, StringField
from wtforms.validators import InputRequired

from surveyapp.core.form_fields import KnownChoices
from surveyapp.core.safe_text import lazy_gettext as _l


class RegistrationForm(FlaskForm):
    """Who is answering, for a campaign's open link.

    Two cheap checks against programs that fill the form by the hundred, with no
    JavaScript and no outside service: ``shown_at`` is the time the form was shown,
    signed, and must be a few seconds old (a person reads and chooses) and at most
    some hours; ``website`` is hidden by the stylesheet and labelled for screen
    readers, so people leave it empty and form-filling programs do not.
    """

    # Both lists start with "Choose ...": nobody answers for a municipality or in a role
    # they did not pick.
    municipality = SelectField(
        _l("Municipality"),
        validate_choice=False,
        validators=[InputRequired(_l("Please choose the municipality.")), KnownChoices()],
    )
    role = SelectField(
        _l("Your role"),
        validate_choice=False,
        validators=[InputRequired(_l("Please choose the role.")), KnownChoices()],
    )
    shown_at = HiddenField()
    # I18N: Label of a field that only screen readers announce; people must leave it empty.
    website = StringField(
        _l("Leave this field empty"), render_kw={"autocomplete": "off", "tabindex": "-1"}
    )

    def set_choices(
        self, municipalities: list[tuple[str, str]], roles: list[tuple[str, str]]
    ) -> None:
        self.municipality.choices = [SelectChoice("", str(_l("Choose a municipality")))] + [
            SelectChoice(value, label) for value, label in municipalities
        ]
        self.role.choices = [SelectChoice("", str(_l("Choose a role")))] + [
            SelectChoice(value, label) for value, label in roles
        ]

    def looks_automated(self) -> bool:
        """Whether the form came back too fast, too late, unsigned, or with the trap filled."""
        config = current_app.config
        if not config["OPEN_LINK_FORM_CHECKS"]:
            return False
        if self.website.data:
            return True
        try:
            _value, shown = _signer().unsign(
                self.shown_at.data or "",
                max_age=config["OPEN_LINK_FORM_MAX_AGE"],
                return_timestamp=True,
            )
        except (BadSignature, SignatureExpired):
            return True
        return time.time() - shown.timestamp() < config["OPEN_LINK_FORM_MIN_SECONDS"]

    def stamp(self) -> None:
        """Give the form a fresh signed time and an empty trap, for showing it (again)."""
        self.shown_at.data = _signer().sign("open-link").decode()
        self.website.data = ""


def _signer() -> TimestampSigner:
    return TimestampSigner(current_app.secret_key, salt="open-link-registration")
