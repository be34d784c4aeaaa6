"""Forms of the outreach pages. Choices are filled in by the views (``set_choices``)."""

from __future__ import annotations

from datetime import UTC, date, datetime, time
from zoneinfo import ZoneInfo

from flask import current_app
from flask_wtf import FlaskForm
from flask_wtf.file import FileField, FileRequired
from wtforms import BooleanField, HiddenField, RadioField, SelectField, StringField, TextAreaField
from wtforms.fields.choices import SelectChoice
from wtforms.validators import Optional, ValidationError

from surveyapp.campaigns.roles import role_choices
from surveyapp.core.form_fields import (
    LocalDateField,
    NumberField,
    NumberRange,
    NumberRequired,
    WholeNumber,
    at_most,
)
from surveyapp.core.safe_text import lazy_gettext as _l
from surveyapp.languages.registry import LANGUAGES
from surveyapp.models import Country
from surveyapp.outreach.contacts import MAX_EMAIL_LENGTH, MAX_NAME_LENGTH
from surveyapp.outreach.mail_texts import MAX_BODY_LENGTH, MAX_SUBJECT_LENGTH
from surveyapp.outreach.reminders import INTERVAL_DAYS, LIMIT
from surveyapp.places import by_name


class ContactForm(FlaskForm):
    name = StringField(_l("Name"), validators=[at_most(MAX_NAME_LENGTH)])
    municipality = SelectField(_l("Municipality"), validate_choice=False)
    role = SelectField(_l("Role"), validate_choice=False)
    email = StringField(_l("E-mail address"), validators=[at_most(MAX_EMAIL_LENGTH)])
    language = SelectField(_l("Language of the mails"), validate_choice=False)

    def set_choices(self, countries: list[Country], lang: str) -> None:
        self.municipality.choices = [SelectChoice("", str(_l("Choose a municipality")))] + [
            SelectChoice(town.code, town.name(lang), optgroup=country.name(lang))
            for country in countries
            for town in by_name(country.municipalities, lang)
        ]
        self.role.choices = [SelectChoice("", str(_l("Choose a role")))] + [
            SelectChoice(value, label) for value, label in role_choices()
        ]
        # No language chosen for staff: a contact in Kosovo left in English by default
        # would be written to in English.
        self.language.choices = [SelectChoice("", str(_l("Choose a language")))] + [
            SelectChoice(code, language.autonym) for code, language in LANGUAGES.items()
        ]


class ImportForm(FlaskForm):
    contacts_file = FileField(
        _l("List of contacts (.xlsx or .csv)"),
        validators=[FileRequired(_l("Please choose a file."))],
    )


def _selection_choices(form, countries: list[Country], lang: str) -> None:
    form.country.choices = [SelectChoice("", str(_l("All countries")))] + [
        SelectChoice(country.code, country.name(lang)) for country in countries
    ]
    form.role.choices = [SelectChoice("", str(_l("All roles")))] + [
        SelectChoice(value, label) for value, label in role_choices()
    ]


class _Selection:
    def check_choices(self) -> bool:
        """Whether the chosen country and role are ones the form offered."""
        return all(
            (field.data or "") in {choice.value for choice in field.choices}
            for field in (self.country, self.role)  # type: ignore[attr-defined]
        )


class InvitationSendForm(FlaskForm, _Selection):
    country = SelectField(_l("Country"), validate_choice=False)
    role = SelectField(_l("Role"), validate_choice=False)
    only_new = BooleanField(_l("Only contacts who were not invited yet"), default=True)
    when = RadioField(
        _l("When"),
        choices=[SelectChoice("now", _l("Now")), SelectChoice("later", _l("Later, at"))],
        default="now",
        validate_choice=False,
    )
    send_on = LocalDateField(_l("Day"), validators=[Optional()])
    send_at = StringField(_l("Time (hh:mm)"), validators=[at_most(5)])
    #: "check" shows what would happen; "send" does it.
    step = HiddenField(default="check")

    set_choices = _selection_choices

    def send_after(self) -> datetime | None:
        """The chosen time in UTC (stored times are naive UTC); None: now.
        ValidationError when "later" has no usable day and time."""
        if self.when.data != "later":
            return None
        if not isinstance(self.send_on.data, date):
            raise ValidationError(_l("Please give the day to send on."))
        try:
            hour, minute = (int(part) for part in (self.send_at.data or "").strip().split(":"))
            moment = time(hour, minute)
        except ValueError:
            raise ValidationError(_l("Please give the time as hh:mm, for example 09:30.")) from None
        zone = ZoneInfo(current_app.config.get("BABEL_DEFAULT_TIMEZONE") or "UTC")
        local = datetime.combine(self.send_on.data, moment, tzinfo=zone)
        return local.astimezone(UTC).replace(tzinfo=None)


class ReminderSendForm(FlaskForm, _Selection):
    country = SelectField(_l("Country"), validate_choice=False)
    role = SelectField(_l("Role"), validate_choice=False)
    step = HiddenField(default="check")

    set_choices = _selection_choices


class ReminderSettingsForm(FlaskForm):
    automatic = BooleanField(_l("Send reminders automatically when they are due"))
    interval_days = NumberField(
        _l("Days between two mails to the same person"),
        validators=[
            NumberRequired(_l("Please give a number of days.")),
            WholeNumber(),
            NumberRange(*INTERVAL_DAYS),
        ],
    )
    limit = NumberField(
        _l("Most reminders per person"),
        validators=[
            NumberRequired(_l("Please give a number.")),
            WholeNumber(),
            NumberRange(*LIMIT),
        ],
    )


class MailTextForm(FlaskForm):
    subject = StringField(_l("Subject"), validators=[at_most(MAX_SUBJECT_LENGTH)])
    body = TextAreaField(_l("Text"), validators=[at_most(MAX_BODY_LENGTH)])


class CatalogUploadForm(FlaskForm):
    catalog = FileField(
        _l("Translated catalog (.po)"), validators=[FileRequired(_l("Please choose a file."))]
    )
