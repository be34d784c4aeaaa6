"""Forms of the respondent's path other than the questionnaire pages (see page_forms)."""

from __future__ import annotations

from flask_wtf import FlaskForm
from wtforms import SelectChoice, SelectField

from surveyapp.core.form_fields import KnownChoices
from surveyapp.core.safe_text import lazy_gettext as _l


class RegistrationForm(FlaskForm):
    """Who is answering, for a campaign's open link."""

    municipality = SelectField(
        _l("Municipality"), validate_choice=False, validators=[KnownChoices()]
    )
    role = SelectField(_l("Your role"), validate_choice=False, validators=[KnownChoices()])

    def set_choices(
        self, municipalities: list[tuple[str, str]], roles: list[tuple[str, str]]
    ) -> None:
        self.municipality.choices = [SelectChoice(value, label) for value, label in municipalities]
        self.role.choices = [SelectChoice(value, label) for value, label in roles]
