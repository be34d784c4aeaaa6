"""Forms of the engagement pages. Choices are filled in by the views (``set_choices``)."""

from __future__ import annotations

from flask_wtf import FlaskForm
from flask_wtf.file import FileField, FileRequired
from wtforms import RadioField, SelectField, SelectMultipleField, TextAreaField
from wtforms.fields.choices import SelectChoice
from wtforms.validators import Optional

from surveyapp.core.form_fields import LocalDateField, MultiCheckboxField, at_most
from surveyapp.core.safe_text import lazy_gettext as _l
from surveyapp.engagements.kinds import kind_choices, status_choices
from surveyapp.engagements.records import MAX_NOTE_LENGTH
from surveyapp.models import Country


def town_choices(countries: list[Country], lang: str) -> list[SelectChoice]:
    return [
        SelectChoice(town.code, town.name(lang), optgroup=country.name(lang))
        for country in countries
        for town in sorted(country.municipalities, key=lambda town: town.name(lang))
    ]


class EngagementForm(FlaskForm):
    municipality = SelectField(_l("Municipality"), validate_choice=False)
    kind = SelectField(_l("Kind of engagement"), validate_choice=False)
    held_on = LocalDateField(_l("Date (or planned date)"), validators=[Optional()])
    status = RadioField(_l("Status"), validate_choice=False, default="planned")
    domains = MultiCheckboxField(_l("Domains"), validate_choice=False)
    partners = SelectMultipleField(_l("Partner municipalities"), validate_choice=False)
    note = TextAreaField(_l("Note"), validators=[at_most(MAX_NOTE_LENGTH)])

    def set_choices(
        self, countries: list[Country], domains: list[tuple[str, str]], lang: str
    ) -> None:
        towns = town_choices(countries, lang)
        self.municipality.choices = [SelectChoice("", str(_l("Choose a municipality")))] + towns
        self.kind.choices = [SelectChoice("", str(_l("Choose a kind")))] + [
            SelectChoice(value, label) for value, label in kind_choices()
        ]
        self.status.choices = [SelectChoice(value, label) for value, label in status_choices()]
        self.domains.choices = [SelectChoice(code, label) for code, label in domains]
        self.partners.choices = towns


class PlanExchangeForm(FlaskForm):
    host = RadioField(_l("Host"), validate_choice=False)
    other_host = SelectField(_l("Or another municipality as host"), validate_choice=False)
    visitors = MultiCheckboxField(_l("Visiting municipalities"), validate_choice=False)
    held_on = LocalDateField(_l("Planned date"), validators=[Optional()])
    note = TextAreaField(_l("Note"), validators=[at_most(MAX_NOTE_LENGTH)])


class EngagementImportForm(FlaskForm):
    engagements_file = FileField(
        _l("List of engagements (.xlsx or .csv)"),
        validators=[FileRequired(_l("Please choose a file."))],
    )
