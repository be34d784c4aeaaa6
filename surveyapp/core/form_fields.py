"""Form fields and validators shared by the respondent's and the staff's forms.

Every message comes from our own catalogs: WTForms ships none for bs, mk, sq or cnr.
"""

from __future__ import annotations

import math
from decimal import Decimal, InvalidOperation
from typing import Any

from flask_wtf import FlaskForm
from wtforms import DateField, Field, SelectMultipleField, ValidationError
from wtforms.validators import Length, StopValidation
from wtforms.widgets import CheckboxInput, ListWidget, TextInput

from surveyapp.core.safe_text import lazy_gettext as _l


class MultiCheckboxField(SelectMultipleField):
    widget = ListWidget(prefix_label=False)
    option_widget = CheckboxInput()


class NumberField(Field):
    """A number typed the local way: "1.5" or "1,5", spaces as thousands separators."""

    widget = TextInput(input_type="text")

    def _value(self) -> str:
        if self.raw_data:
            return self.raw_data[0]
        if self.data is None:
            return ""
        return f"{self.data:g}" if isinstance(self.data, float) else str(self.data)

    def process_formdata(self, valuelist: list[str]) -> None:
        self.data = None
        if not valuelist or not valuelist[0].strip():
            return
        text = valuelist[0].strip().replace("\u00a0", "").replace(" ", "").replace(",", ".")
        try:
            number = Decimal(text)
        except InvalidOperation:
            raise ValueError(_l("Please enter a number, for example 12 or 3,5.")) from None
        # "1e309" is a finite Decimal but no finite float.
        if not number.is_finite() or not math.isfinite(float(number)):
            raise ValueError(_l("Please enter a number, for example 12 or 3,5."))
        self.data = float(number)


class NumberRange:
    def __init__(self, minimum: float | None, maximum: float | None) -> None:
        self.minimum, self.maximum = minimum, maximum

    def __call__(self, form: FlaskForm, field: Field) -> None:
        if field.data is None:
            return
        if self.minimum is not None and field.data < self.minimum:
            raise ValidationError(
                _l("Please enter a number of at least %(min)s.", min=_fmt(self.minimum))
            )
        if self.maximum is not None and field.data > self.maximum:
            raise ValidationError(
                _l("Please enter a number no greater than %(max)s.", max=_fmt(self.maximum))
            )


class NumberRequired:
    """A number must be given: a blank or spaces-only field is refused with ``message``
    (WTForms' InputRequired lets "   " through, and the field's data is then None)."""

    field_flags = {"required": True}

    def __init__(self, message: Any) -> None:
        self.message = message

    def __call__(self, form: FlaskForm, field: Field) -> None:
        if field.data is None and not field.process_errors:
            raise StopValidation(self.message)


class WholeNumber:
    def __call__(self, form: FlaskForm, field: Field) -> None:
        if field.data is not None and field.data != int(field.data):
            raise ValidationError(_l("Please enter a whole number."))


class KnownChoices:
    """Refuse tampered choice values with a message a respondent understands."""

    def __init__(self, message: str | None = None) -> None:
        self.message = message

    def __call__(self, form: FlaskForm, field: Field) -> None:
        allowed = {choice.value for choice in field.choices}
        data = field.data if isinstance(field.data, list) else [field.data]
        if any(value not in allowed for value in data if value not in (None, "")):
            raise ValidationError(self.message or _l("Please choose one of the options shown."))


class LocalDateField(DateField):
    """A date field whose error message comes from our own catalogs."""

    def process_formdata(self, valuelist: list[str]) -> None:
        try:
            super().process_formdata(valuelist)
        except ValueError:
            self.data = None
            raise ValueError(_l("Please enter a date, for example 2025-03-15.")) from None


def _fmt(number: float) -> str:
    return f"{number:g}"


class ActionForm(FlaskForm):
    """A form that carries nothing but its CSRF token (consent, submit, close)."""


def at_most(limit: int) -> Length:
    """A length limit whose message comes from our catalogs (WTForms' is English only)."""
    return Length(max=limit, message=_l("Please use at most %(max)d characters.", max=limit))
