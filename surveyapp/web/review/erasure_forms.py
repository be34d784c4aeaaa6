from __future__ import annotations

from flask_wtf import FlaskForm
from wtforms import StringField, TextAreaField
from wtforms.validators import DataRequired, InputRequired

from surveyapp.core.form_fields import at_most
from surveyapp.core.safe_text import lazy_gettext as _l


class DeclineForm(FlaskForm):
    # I18N: Staff explain to a respondent why their answers are kept; the respondent reads it.
    reason = TextAreaField(
        _l("Reason (the respondent will read it)"),
        filters=[lambda value: value.strip() if isinstance(value, str) else value],
        validators=[DataRequired(_l("Please give the reason for declining.")), at_most(1000)],
        render_kw={"rows": 2},
    )


class LookupForm(FlaskForm):
    class Meta:
        csrf = False  # a search (GET): it changes nothing

    submission = StringField(
        _l("Submission id"),
        validators=[InputRequired(_l("Please give a submission id.")), at_most(36)],
        render_kw={"autocomplete": "off", "spellcheck": "false"},
    )
