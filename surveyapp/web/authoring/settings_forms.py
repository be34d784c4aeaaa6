"""Forms of the settings an XLSForm carries: a repeat's number of entries, an upload
question's limits, a hidden question's value (``settings_routes``)."""

from __future__ import annotations

from flask_wtf import FlaskForm
from wtforms import RadioField, SelectField, StringField
from wtforms.fields.choices import SelectChoice

from surveyapp.core.form_fields import MultiCheckboxField, NumberField, at_most
from surveyapp.core.safe_text import lazy_gettext as _l
from surveyapp.questionnaires.editing.settings_edits import MAX_HIDDEN_LENGTH


class RepeatCountForm(FlaskForm):
    mode = RadioField(
        _l("How many entries"),
        choices=[
            SelectChoice("respondent", _l("As many as the respondent adds")),
            SelectChoice("fixed", _l("A fixed number of entries")),
            SelectChoice("answer", _l("As many as the answer to an earlier number question")),
        ],
        validate_choice=False,
    )
    number = NumberField(_l("Number of entries"))
    source = SelectField(_l("Number question"), validate_choice=False)


class UploadLimitsForm(FlaskForm):
    accepted = MultiCheckboxField(_l("Kinds of file accepted"), validate_choice=False)
    max_size = NumberField(_l("Largest file (MB)"))


class HiddenValueForm(FlaskForm):
    value = StringField(
        _l("Value kept with every response"), validators=[at_most(MAX_HIDDEN_LENGTH)]
    )


class MomentDefaultForm(FlaskForm):
    #: Its choices say "now" as the question's type does (``settings_routes``).
    mode = RadioField(_l("Answer filled in before the respondent answers"), validate_choice=False)
    value = StringField(_l("Fixed value"), validators=[at_most(40)])
