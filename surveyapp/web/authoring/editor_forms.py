from __future__ import annotations

from flask_wtf import FlaskForm
from flask_wtf.file import FileField, FileRequired, MultipleFileField
from wtforms import (
    BooleanField,
    HiddenField,
    RadioField,
    SelectField,
    StringField,
    TextAreaField,
    ValidationError,
)
from wtforms.fields.choices import SelectChoice
from wtforms.validators import InputRequired, Optional

from surveyapp.core.form_fields import NumberField, at_most
from surveyapp.core.safe_text import lazy_gettext as _l
from surveyapp.models import Domain
from surveyapp.questionnaires import date_limits
from surveyapp.questionnaires.expressions import MAX_LENGTH as MAX_EXPRESSION_LENGTH
from surveyapp.questionnaires.question_types import TYPES
from surveyapp.questionnaires.texts import MAX_TEXT_LENGTH, MAX_TITLE_LENGTH

TYPE_LABELS = {code: kind.label for code, kind in TYPES.items()}


class NewQuestionnaireForm(FlaskForm):
    name = StringField(
        _l("Short name (letters, digits and _)"),
        validators=[InputRequired(_l("Please enter a short name.")), at_most(64)],
    )
    title = StringField(
        _l("Title in English"),
        validators=[InputRequired(_l("Please enter a title.")), at_most(MAX_TITLE_LENGTH)],
    )


class DuplicateForm(FlaskForm):
    new_name = StringField(
        _l("Name of the copy"),
        validators=[InputRequired(_l("Please enter a short name.")), at_most(64)],
    )


class NewPageForm(FlaskForm):
    title = StringField(
        _l("Title of the new page (English)"),
        validators=[InputRequired(_l("Please enter a title.")), at_most(MAX_TITLE_LENGTH)],
    )


def date_limit(form, field: StringField) -> None:
    try:
        date_limits.parse_limit(field.data)
    except ValueError:
        raise ValidationError(
            _l("Write a date such as 2000-01-01, or “today”, or leave it empty.")
        ) from None


class QuestionForm(FlaskForm):
    name = StringField(
        _l("Short name (letters, digits and _)"),
        validators=[InputRequired(_l("Please enter a short name.")), at_most(64)],
    )
    type = SelectField(_l("Type"), validate_choice=False)
    label = TextAreaField(_l("Question (English)"), validators=[at_most(MAX_TEXT_LENGTH)])
    required = BooleanField(_l("An answer is required"))
    domain = SelectField(_l("Domain"), validate_choice=False)
    measure = SelectField(_l("Measures"), validate_choice=False)
    min_value = NumberField(_l("Smallest number allowed"), validators=[Optional()])
    max_value = NumberField(_l("Largest number allowed"), validators=[Optional()])
    integer_only = BooleanField(_l("Whole numbers only"))
    min_date = StringField(
        _l("Earliest date allowed"), validators=[Optional(), at_most(10), date_limit]
    )
    max_date = StringField(
        _l("Latest date allowed"), validators=[Optional(), at_most(10), date_limit]
    )
    max_length = NumberField(_l("Longest text allowed (characters)"), validators=[Optional()])
    calculation = StringField(
        _l("Calculation (XLSForm expression)"), validators=[at_most(MAX_EXPRESSION_LENGTH)]
    )
    # The skip rule: always, from the builder's conditions, or as a written expression.
    rule_mode = RadioField(
        choices=[
            SelectChoice("always", _l("Always")),
            SelectChoice("builder", _l("Only when conditions on earlier answers are met")),
            SelectChoice("expression", _l("Only when an expression is true (edit the expression)")),
        ],
        default="always",
        validate_choice=False,
    )
    join = SelectField(
        _l("Which conditions must be met"),
        choices=[
            SelectChoice("and", _l("All of these conditions")),
            SelectChoice("or", _l("At least one of these conditions")),
        ],
        default="and",
        validate_choice=False,
    )
    new_condition = SelectField(_l("New condition on the answer to"), validate_choice=False)
    relevant = TextAreaField(
        _l("Show only when this expression is true (XLSForm)"),
        validators=[at_most(MAX_EXPRESSION_LENGTH)],
    )
    constraint = StringField(
        _l("Accept only when (XLSForm expression)"), validators=[at_most(MAX_EXPRESSION_LENGTH)]
    )
    #: The type whose fields the form was drawn with (a changed type draws the form again).
    shown_type = HiddenField()
    choices = TextAreaField(
        _l("Answer options, one per line: code | score | English label"),
        validators=[at_most(20000)],
    )

    def set_choices(self, domains: list[Domain], lang: str) -> None:
        self.type.choices = [SelectChoice(code, str(label)) for code, label in TYPE_LABELS.items()]
        self.domain.choices = [SelectChoice("", "—")] + [
            SelectChoice(d.code, d.label(lang)) for d in domains
        ]
        self.measure.choices = [
            SelectChoice("", "—"),
            SelectChoice("need", str(_l("Need (how pressing)"))),
            SelectChoice("capacity", str(_l("Capacity (how able to act)"))),
        ]

    def validate_choices(self, field: TextAreaField) -> None:
        self.parsed_choices = []
        for number, line in enumerate((field.data or "").splitlines(), start=1):
            if not line.strip():
                continue
            parts = [part.strip() for part in line.split("|")]
            if len(parts) != 3 or not parts[0]:
                raise ValidationError(
                    _l(
                        "Line %(number)d: write code | score | label (the score may be empty).",
                        number=number,
                    )
                )
            value, score, label = parts
            try:
                number_score = float(score.replace(",", ".")) if score else None
            except ValueError:
                raise ValidationError(
                    _l("Line %(number)d: the score must be a number or empty.", number=number)
                ) from None
            self.parsed_choices.append((value, number_score, label))


class TextsForm(FlaskForm):
    """Texts side by side; the fields are read from request.form by key and language."""


class XLSFormUploadForm(FlaskForm):
    form_file = FileField(
        _l("XLSForm file (.xlsx or .xls)"), validators=[FileRequired(_l("Please choose a file."))]
    )
    name = StringField(
        _l("Short name (optional; default: the form's form_id)"), validators=[at_most(64)]
    )
    choice_files = MultipleFileField(
        _l("Choice files (.csv, optional): the files that select_one_from_file names")
    )


class ImportRestForm(FlaskForm):
    """The author's choice after a refused import: import the rest, or nothing."""

    token = HiddenField()
    filename = HiddenField(validators=[at_most(255)])
    name = HiddenField(validators=[at_most(64)])
