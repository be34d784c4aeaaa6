"""How answers and codes read on the respondent's pages."""

from __future__ import annotations

from functools import lru_cache

from markupsafe import Markup, escape
from wtforms import Field, SelectMultipleField

from surveyapp.campaigns.roles import RESPONDENT_ROLE_LABELS
from surveyapp.languages.current import current_language, gettext
from surveyapp.models import Question
from surveyapp.questionnaires.more_fields import (
    OTHER,
    OTHER_MAX_LENGTH,
    OtherCheckboxField,
    OtherRadioField,
)
from surveyapp.questionnaires.question_types import TYPES
from surveyapp.questionnaires.texts import Texts
from surveyapp.responses.respondent import AnswerValue


def role_label(role: str) -> str:
    return str(RESPONDENT_ROLE_LABELS.get(role, role))


def answer_text(question: Question, value: AnswerValue, texts: Texts) -> str:
    """An answer as the respondent would say it, in the page's language; "" if none."""
    if value is None or value == "" or value == []:
        return ""
    return TYPES[question.type].answer_text(question, value, texts)


def choice_inputs(field: Field) -> Markup:
    """The options of a choice question: one ``<li>`` with a radio button or a
    checkbox and its label each, ``checked`` as the field's data says; a choice
    without a label shows its value, as WTForms does.

    The same HTML WTForms' widgets write (ids ``<field id>-<n>``), in a fraction
    of the time: a page of the questionnaire has 48 of them. What does not
    depend on the answer is written once per field and language
    (``_option_tails``).
    """
    multiple = isinstance(field, SelectMultipleField)
    chosen = set(field.data or ()) if multiple else {field.data}
    invalid = 'aria-invalid="true" ' if field.errors else ""
    choices = tuple((c.value, str(c.label or c.value)) for c in field.choices)
    tails = _option_tails(field.id, field.name, "checkbox" if multiple else "radio", choices)
    # A choice_filter that reads an answer on this page: the choices that do not fit it
    # now are there, hidden, for the page's script (``page_forms.narrow_choices``).
    hidden: frozenset[str] = getattr(field, "hidden_choices", frozenset())
    # The tails are escaped; ``invalid``, "hidden" and "checked " are constants.
    options = "\n".join(
        f"<li{' hidden' if value in hidden else ''}><input {invalid}"
        f"{'checked ' if value in chosen and value not in hidden else ''}{tail}"
        for value, tail in tails
    )
    if hasattr(field, "hidden_choices"):
        # What was shown goes back with the page: sent without the script, a page whose
        # choices follow a changed answer is shown again (``page_forms.choices_changed``).
        shown = " ".join(value for value, _tail in tails if value not in hidden)
        options += (
            f'\n<li hidden><input type="hidden" data-drawn name="{escape(field.name)}-shown"'
            f' value="{escape(shown)}"></li>'
        )
    return Markup(options)  # nosec B704


@lru_cache(maxsize=4096)
def _option_tails(
    field_id: str, name: str, kind: str, choices: tuple[tuple[str, str], ...]
) -> tuple[tuple[str, str], ...]:
    """Per choice: its value, and its input's HTML after where ``checked`` goes."""
    tails = []
    for index, (value, label) in enumerate(choices):
        option_id = escape(f"{field_id}-{index}")
        tails.append(
            (
                value,
                f'id="{option_id}" name="{escape(name)}" type="{kind}" value="{escape(value)}">'
                f' <label for="{option_id}">{escape(label)}</label></li>',
            )
        )
    return tuple(tails)


def question_block(field: Field, question: Question, label: str | None = None) -> Markup:
    """A questionnaire field as a page shows it: label (or legend for choices; ``label``
    instead of the field's own: one with answers written in, ``label_references``),
    "(optional)", hint, error, the input(s), and the aria attributes that tie
    them together. Written here rather than by a template macro, because a page
    has up to a dozen of them and a macro call costs more than the HTML itself;
    around a choice question's options (``choice_inputs``) the HTML is the same
    on every page view until an error shows, so it is written once per field
    and language.
    """
    grouped = TYPES[question.type].grouped
    text = label or field.label.text
    if grouped and not field.errors:
        head, tail = _grouped_frame(
            field.id,
            str(text),
            str(field.description or ""),
            question.type,
            question.required,
            current_language(),
        )
        # Both parts are _block_parts' escaped HTML.
        return Markup("".join((head, choice_inputs(field), other_input(field), tail)))  # nosec B704
    parts = _block_parts(
        field.id,
        text,
        field.description,
        [str(error) for error in field.errors],
        question.type,
        question.required,
    )
    inputs = (
        choice_inputs(field) + other_input(field)
        if grouped
        else field(**_input_attrs(field, question))
    )
    # Every text in the parts went through escape(); the inputs are escaped HTML too.
    return Markup("\n".join(inputs if part is _INPUTS else part for part in parts))  # nosec B704


_INPUTS = object()  #: where the inputs go in _block_parts


def other_input(field: Field) -> Markup:
    """After a list with "Other" ("or_other"), its text field, in the list's last item."""
    if not isinstance(field, OtherRadioField | OtherCheckboxField):
        return Markup("")
    input_id = escape(f"{field.id}-other")
    label = gettext("If “Other”, please say what:")
    chosen = field.data if isinstance(field.data, list) else [field.data]
    missing = field.errors and OTHER in chosen and not field.other_text
    invalid = ' aria-invalid="true"' if missing else ""
    return Markup(  # nosec B704: every value escaped
        f'\n<li class="other-text"><label for="{input_id}">{escape(label)}</label> '
        f'<input id="{input_id}" name="{escape(field.name)}-other" type="text" '
        f'maxlength="{OTHER_MAX_LENGTH}" value="{escape(field.other_text)}"{invalid}></li>'
    )


@lru_cache(maxsize=4096)
def _grouped_frame(
    field_id: str, label: str, description: str, kind: str, required: bool, _lang: str
) -> tuple[str, str]:
    """A choice question's block without errors, before and after its options.

    ``_lang`` keys the cache: "(optional)" is in the page's language."""
    parts = _block_parts(field_id, label, description, [], kind, required)
    cut = parts.index(_INPUTS)
    return "\n".join(parts[:cut]) + "\n", "\n" + "\n".join(parts[cut + 1 :])


def _block_parts(
    field_id: str, label: str, description: str | None, errors: list[str], kind: str, required: bool
) -> list:
    """The block's HTML in parts, ``_INPUTS`` where the input(s) go."""
    fid = escape(field_id)
    hint_id, error_id = f"{fid}-hint", f"{fid}-error"
    described = ([hint_id] if description else []) + ([error_id] if errors else [])
    # Outside the f-string, so that pybabel (on Python 3.11) extracts the message.
    optional_text = gettext("(optional)")
    optional = "" if required else f' <span class="optional">{escape(optional_text)}</span>'
    hint = f'<p class="hint" id="{hint_id}">{escape(description)}</p>' if description else ""
    error = ""
    if errors:
        error_word = gettext("Error:")
        error = (
            f'<p class="field-error" id="{error_id}"><span class="visually-hidden">'
            f"{escape(error_word)}</span> {escape(' '.join(errors))}</p>"
        )
    parts: list = [
        f'<div class="question {"has-error" if errors else ""} q-{escape(kind)}" id="{fid}-block">'
    ]
    if TYPES[kind].fieldset:
        aria = f' aria-describedby="{" ".join(described)}"' if described else ""
        parts += [
            f'<fieldset class="compound"{aria}>',
            f'<legend class="question-label">{escape(label)}{optional}</legend>',
            hint + error,
            _INPUTS,
            "</fieldset>",
        ]
    elif TYPES[kind].grouped:
        scale = TYPES[kind].options_class
        aria = f' aria-describedby="{" ".join(described)}"' if described else ""
        parts += [
            f"<fieldset{aria}>",
            f'<legend class="question-label">{escape(label)}{optional}</legend>',
            hint + error,
            f'<ul class="options {scale}">',
            _INPUTS,
            "</ul></fieldset>",
        ]
    else:
        parts += [
            f'<label class="question-label" for="{fid}">{escape(label)}{optional}</label>',
            hint + error,
            _INPUTS,
        ]
    parts.append("</div>")
    return parts


def _input_attrs(field: Field, question: Question) -> dict[str, str | int]:
    """A text, number or date input's aria and other attributes."""
    hint_id, error_id = f"{field.id}-hint", f"{field.id}-error"
    described = ([hint_id] if field.description else []) + ([error_id] if field.errors else [])
    attrs: dict[str, str | int] = {}
    if described:
        attrs["aria-describedby"] = " ".join(described)
    if field.errors:
        attrs["aria-invalid"] = "true"
    attrs.update(TYPES[question.type].input_attrs)
    if question.required:
        attrs["aria-required"] = "true"
    return attrs
