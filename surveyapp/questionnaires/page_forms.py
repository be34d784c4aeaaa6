"""Forms for questionnaire pages, built per page (the respondent's path and the preview).

``make_page_form`` builds a fresh form class per questionnaire page, with one
field per question (a shared form class is never mutated). Fields only check
the format of what was typed; whether a required question is answered is
checked separately (``check_page``), so that going back or saving for
later keeps a half-filled page.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any
from zoneinfo import ZoneInfo

from flask_wtf import FlaskForm
from wtforms import Field

from surveyapp.core.safe_text import lazy_gettext as _l
from surveyapp.models import Page, Question
from surveyapp.questionnaires import choice_filters, moment_defaults, rules, text_keys
from surveyapp.questionnaires.question_types import TYPES, AnswerValue
from surveyapp.questionnaires.texts import Texts

RESERVED_NAMES = {"csrf_token", "action"}

#: A choice that the question's choice_filter does not allow given the other answers
#: (changed on an earlier page or above on the page, or a tampered form).
NOT_FITTING = _l(
    "This option does not fit your earlier answers. Please choose one of the options shown."
)


class RespondentPageForm(FlaskForm):
    """Base of the generated page forms."""

    #: The page has a file question: it is sent as multipart/form-data.
    _sends_files = False


def _field_for(question: Question, texts: Texts) -> Field:
    label = texts.label(question)
    hint = texts.hint(question)
    kwargs: dict[str, Any] = {"label": label, "description": hint}
    return TYPES[question.type].field(question, texts, kwargs)


def answerable(page: Page) -> list[Question]:
    """The page's questions that take an answer (not notes or calculations)."""
    return [q for q in page.questions if q.answerable]


def make_page_form(page: Page, texts: Texts) -> type[RespondentPageForm]:
    """A new form class for one page, in the language of ``texts``."""
    attrs: dict[str, Any] = {}
    for question in answerable(page):
        if question.name in RESERVED_NAMES:
            raise ValueError(f"question name {question.name!r} is reserved")
        attrs[question.name] = _field_for(question, texts)
    # A page with a file to upload is sent as multipart/form-data.
    attrs["_sends_files"] = any(TYPES[q.type].upload for q in answerable(page))
    return type(f"PageForm_{page.name}", (RespondentPageForm,), attrs)


def form_values(form: RespondentPageForm, page: Page) -> dict[str, AnswerValue]:
    """The page's answers as Python values, by question name."""
    return {q.name: form[q.name].data for q in answerable(page)}


def initial_data(
    page: Page, answers: dict[int, AnswerValue], zone: ZoneInfo | None = None
) -> dict[str, AnswerValue]:
    """The stored answers by name; a question of a type that takes the form's default
    (a date or a time) shows it while it has no answer, "now" in ``zone``
    (``moment_defaults``)."""
    data = {q.name: answers.get(q.id) for q in answerable(page)}
    for q in answerable(page):
        if data[q.name] is None and q.default and TYPES[q.type].takes_default:
            data[q.name] = moment_defaults.default_answer(q, zone)
    return data


def input_names(page: Page) -> set[str]:
    """The names of a page's inputs: its questions' and those beside them (``form_keys``)."""
    return {q.name + key for q in answerable(page) for key in ("", *TYPES[q.type].form_keys_of(q))}


def raw_values(
    formdata, page: Page, form: RespondentPageForm | None = None
) -> dict[str, list[str]]:
    """What was typed on the page, as lists of strings, for a draft (the inputs beside a
    question's own, such as "Other, specify", included; a file question: why its file
    was refused, if it was; never the file)."""
    raw = {}
    for q in answerable(page):
        raw[q.name] = formdata.getlist(q.name)
        for key in TYPES[q.type].form_keys_of(q):
            raw[q.name + key] = formdata.getlist(q.name + key)
    if form is not None and form._sends_files:
        for question in answerable(page):
            if TYPES[question.type].upload:
                raw[question.name] = form[question.name].draft_values()
    return raw


@dataclass
class PageCheck:
    """The outcome of checking a page against its rules."""

    #: A format error or a failed constraint: the input cannot be stored as answers.
    invalid: bool
    #: A relevant required question is unanswered.
    missing: bool
    #: The page's answers to store: irrelevant questions' answers are dropped (None).
    values: dict[str, AnswerValue]


def check_page(
    form: RespondentPageForm, page: Page, texts: Texts, earlier: Mapping[str, object], require: bool
) -> PageCheck:
    """Apply the questionnaire's rules to a filled-in page and put errors on its fields.

    ``earlier`` are the other answers by name. Questions that turn out not to be
    relevant lose their errors and their answers; constraints are checked with
    their message in the page's language; with ``require``, empty required
    questions are flagged.
    """
    typed = form_values(form, page)
    values = rules.all_values(page.version, {**earlier, **typed})
    relevant = {q.name for q in rules.relevant_questions(page, values)}
    for question in answerable(page):
        if question.name not in relevant:
            form[question.name].errors = []
            typed[question.name] = None
    asked = [q for q in answerable(page) if q.name in relevant]
    for question in rules.constraint_failures(asked, values):
        if not form[question.name].errors:
            message = texts.get(text_keys.constraint_message(question.name)) or _l(
                "This answer is not accepted. Please check it."
            )
            form[question.name].errors = [message]
    for question in asked:
        field = form[question.name]
        if not field.errors and choice_filters.refused(question, typed[question.name], values):
            field.errors = [NOT_FITTING]
    invalid = any(form[q.name].errors for q in asked)
    missing = False
    if require:
        for question in asked:
            field = form[question.name]
            if question.required and field.data in (None, "", []) and not field.errors:
                message = texts.get(text_keys.required_message(question.name)) or (
                    _l("Please choose at least one option.")
                    if TYPES[question.type].multiple
                    else _l("Please answer this question.")
                )
                field.errors = [message]
                missing = True
    return PageCheck(invalid, missing, typed)


def narrow_choices(form: RespondentPageForm, page: Page, values: Mapping[str, object]) -> None:
    """Give each question with a ``choice_filter`` only the choices that fit ``values``
    (every answer by name, this page's included). A filter that reads an answer on this
    page keeps every choice but hides those that do not fit (``hidden_choices``), for the
    page's script to show them as that answer changes."""
    names = {q.name for q in page.questions}
    for question in answerable(page):
        allowed = choice_filters.allowed_values(question, values)
        if allowed is None:
            continue
        field = form[question.name]
        if choice_filters.reads_names(question, names):
            field.hidden_choices = frozenset(
                c.value for c in field.choices if c.value not in allowed
            )
        else:
            kept = [c for c in field.choices if c.value in allowed]
            field.choices = sorted(kept, key=lambda c: allowed[c.value])


#: After a select's name: the choices the page showed (``narrow_choices``), sent back.
SHOWN = "-shown"


def choices_changed(page: Page, raw: Mapping, values: Mapping[str, object]) -> bool:
    """Whether a select whose choice_filter reads an answer on ``page`` is unanswered and
    now offers other choices than the page showed (sent back in ``<name>-shown``; the
    page's script, which follows the answer as it changes, takes that input out)."""
    names = {q.name for q in page.questions}
    for question in rules.relevant_questions(page, values):
        shown = raw.get(question.name + SHOWN)
        if shown is None or values.get(question.name) not in (None, "", []):
            continue
        allowed = choice_filters.allowed_values(question, values)
        if allowed and choice_filters.reads_names(question, names):
            if set(allowed) != set(str(shown).split()):
                return True
    return False
