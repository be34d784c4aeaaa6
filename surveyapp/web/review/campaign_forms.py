from __future__ import annotations

from flask_wtf import FlaskForm
from wtforms import BooleanField, IntegerField, SelectField, StringField, TextAreaField
from wtforms.fields.choices import SelectChoice
from wtforms.validators import InputRequired, NumberRange, Optional

from surveyapp.campaigns.roles import RESPONDENT_ROLE_LABELS
from surveyapp.core.form_fields import KnownChoices, LocalDateField, MultiCheckboxField, at_most
from surveyapp.core.safe_text import lazy_gettext as _l
from surveyapp.models import ROLES, QuestionnaireVersion
from surveyapp.models.campaign import DEFAULT_OPEN_LINK_CAPS


def _cap_field(role: str) -> IntegerField:
    return IntegerField(
        RESPONDENT_ROLE_LABELS[role],
        default=DEFAULT_OPEN_LINK_CAPS.get(role),
        validators=[
            Optional(),
            NumberRange(0, 10000, _l("Please give a whole number from 0 to 10000.")),
        ],
        render_kw={
            "inputmode": "numeric",
            "min": 0,
            "max": 10000,
            "type": "number",
            "class": "short",
        },
    )


_NO_VERSION = _l("Please choose a published questionnaire.")


class _Chosen(InputRequired):
    """A choice must come with the form, checked on the server only: the select always
    has a questionnaire chosen, and HTML's ``required`` on it would want an empty first
    option (the Nu HTML checker refuses it otherwise)."""

    def __init__(self, message=None) -> None:
        super().__init__(message)
        self.field_flags: dict[str, object] = {}


#: A questionnaire among those offered (its id is then a number the database can hold).
_one_of_the_versions = [_Chosen(_NO_VERSION), KnownChoices(_NO_VERSION)]


class CampaignForm(FlaskForm):
    name = StringField(
        _l("Name"),
        validators=[InputRequired(_l("Please give the campaign a name.")), at_most(200)],
    )
    version = SelectField(
        _l("Questionnaire"), validators=_one_of_the_versions, validate_choice=False
    )
    opens_on = LocalDateField(_l("Opens on"), validators=[Optional()], render_kw={"type": "date"})
    closes_on = LocalDateField(_l("Closes on"), validators=[Optional()], render_kw={"type": "date"})
    open_link = BooleanField(_l("Also offer an open link (respondents choose their municipality)"))
    cap_mayor = _cap_field("mayor")
    cap_deputy_mayor = _cap_field("deputy_mayor")
    cap_councillor = _cap_field("councillor")
    cap_municipal_staff = _cap_field("municipal_staff")
    review_open_link = BooleanField(_l("Review open-link responses before they count"))
    retention_days = IntegerField(
        _l("Delete the individual responses this many days after closing"),
        validators=[
            Optional(),
            NumberRange(0, 3650, _l("Please give a whole number of days from 0 to 3650.")),
        ],
        render_kw={
            "inputmode": "numeric",
            "min": 0,
            "max": 3650,
            "type": "number",
            "class": "short",
        },
    )

    def cap_fields(self) -> list:
        return [getattr(self, f"cap_{role}") for role in ROLES]

    def open_link_caps(self) -> dict[str, int]:
        """Caps per role; a role left empty or at 0 has none."""
        return {role: getattr(self, f"cap_{role}").data or 0 for role in ROLES}

    def set_versions(self, versions: list[QuestionnaireVersion], titles: dict[int, str]) -> None:
        self.version.choices = [
            SelectChoice(str(v.id), f"{titles.get(v.id, v.questionnaire.name)} (v{v.number})")
            for v in versions
        ]


class CampaignEditForm(FlaskForm):
    """Change a campaign: name, dates, version (while unanswered), languages, minimum group."""

    name = StringField(
        _l("Name"),
        validators=[InputRequired(_l("Please give the campaign a name.")), at_most(200)],
    )
    version = SelectField(
        _l("Questionnaire"), validators=_one_of_the_versions, validate_choice=False
    )
    opens_on = LocalDateField(
        _l("Opens on"),
        validators=[InputRequired(_l("Please enter a date, for example 2025-03-15."))],
        render_kw={"type": "date"},
    )
    closes_on = LocalDateField(_l("Closes on"), validators=[Optional()], render_kw={"type": "date"})
    languages = MultiCheckboxField(_l("Languages offered to respondents"), validate_choice=False)
    min_group_size = IntegerField(
        _l("Smallest group a report may show"),
        # The range is checked by campaigns.lifecycle (its floor is the app's minimum).
        validators=[Optional()],
        render_kw={"inputmode": "numeric", "max": 50, "type": "number", "class": "short"},
    )

    def set_choices(
        self, versions: list[QuestionnaireVersion], titles: dict[int, str], languages: list
    ) -> None:
        self.version.choices = [
            SelectChoice(str(v.id), f"{titles.get(v.id, v.questionnaire.name)} (v{v.number})")
            for v in versions
        ]
        self.languages.choices = [SelectChoice(code, label) for code, label in languages]


class DeleteCampaignForm(FlaskForm):
    confirm_name = StringField(_l("Type the campaign's name to confirm"), validators=[at_most(200)])


class MarkResponseForm(FlaskForm):
    reason = TextAreaField(_l("Reason"), validators=[at_most(500)])
