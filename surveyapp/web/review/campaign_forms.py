from __future__ import annotations

from flask_wtf import FlaskForm
from wtforms import BooleanField, SelectField, StringField
from wtforms.fields.choices import SelectChoice
from wtforms.validators import InputRequired, Optional

from surveyapp.core.form_fields import LocalDateField, at_most
from surveyapp.core.safe_text import lazy_gettext as _l
from surveyapp.models import QuestionnaireVersion


class CampaignForm(FlaskForm):
    name = StringField(
        _l("Name"),
        validators=[InputRequired(_l("Please give the campaign a name.")), at_most(200)],
    )
    version = SelectField(_l("Questionnaire"), validate_choice=False)
    opens_on = LocalDateField(_l("Opens on"), validators=[Optional()], render_kw={"type": "date"})
    closes_on = LocalDateField(_l("Closes on"), validators=[Optional()], render_kw={"type": "date"})
    open_link = BooleanField(_l("Also offer an open link (respondents choose their municipality)"))

    def set_versions(self, versions: list[QuestionnaireVersion], titles: dict[int, str]) -> None:
        self.version.choices = [
            SelectChoice(str(v.id), f"{titles.get(v.id, v.questionnaire.name)} (v{v.number})")
            for v in versions
        ]
