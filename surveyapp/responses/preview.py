"""The editor's preview: a questionnaire walked as a respondent would, with the answers
typed in the preview carried in the page (hidden fields) instead of stored.

The respondent's rules decide (``navigation.shown_or_skipped`` and
``navigation.step_after``, ``page_forms.check_page``): questions and pages whose
skip rule is false for the answers entered so far are hidden, a required question
left empty or an answer in the wrong format keeps the page, and "Back" goes to the
previous page that applies. Nothing is written anywhere.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Any

from werkzeug.datastructures import MultiDict

from surveyapp.languages.registry import LANGUAGES, VARIANTS
from surveyapp.models import Page, Question, QuestionnaireVersion
from surveyapp.questionnaires import rules
from surveyapp.questionnaires.label_references import filled_labels
from surveyapp.questionnaires.page_forms import (
    RespondentPageForm,
    check_page,
    form_values,
    input_names,
    make_page_form,
    narrow_choices,
    raw_values,
)
from surveyapp.questionnaires.question_types import TYPES, AnswerValue
from surveyapp.questionnaires.texts import Texts, load_texts
from surveyapp.responses import navigation
from surveyapp.responses.navigation import Step

#: Prefix of the hidden fields that carry the other pages' answers.
CARRIED = "carried-"


@dataclass
class PreviewState:
    """What the preview shows: a page (``number``) or the end (``number`` is None)."""

    version: QuestionnaireVersion
    texts: Texts
    number: int | None
    page: Page | None = None
    shown: list[Question] = field(default_factory=list)
    form: RespondentPageForm | None = None
    #: The answers of the other pages, as hidden (name, value) fields.
    carried: list[tuple[str, str]] = field(default_factory=list)
    #: Questions of the page that the answers so far hide.
    hidden: int = 0
    #: Pages passed over on the way here because the answers skip them.
    skipped: list[int] = field(default_factory=list)
    #: At the end: the pages a respondent with these answers sees.
    pages_seen: list[int] = field(default_factory=list)
    #: The page's labels that name answers (``${name}``), filled in, by question name.
    labels: dict[str, str] = field(default_factory=dict)

    @property
    def errors(self) -> list[tuple[Any, Question]]:
        """(field, question) of each shown question with a message, for the summary."""
        if self.form is None:
            return []
        form = self.form
        return [(form[q.name], q) for q in self.shown if q.answerable and form[q.name].errors]

    @property
    def lang(self) -> str:
        return self.texts.lang

    @property
    def target(self) -> str:
        """What the preview is in: a language, or a regional variant of one ("sq-XK")."""
        return self.texts.variant or self.texts.lang

    @property
    def end_number(self) -> int:
        """The number the end posts to (one past the last page)."""
        return len(self.version.pages) + 1


def _texts(version: QuestionnaireVersion, target: str) -> Texts:
    """The texts of a language, or of a regional variant over its language's."""
    if target in VARIANTS:
        return load_texts(version.id, VARIANTS[target].language, target)
    return load_texts(version.id, target)


def start(version: QuestionnaireVersion, lang: str, number: int) -> PreviewState:
    """The preview opened at page ``number`` with no answers yet (a page the empty
    answers skip is passed over, as a respondent's link would); ``lang`` may be a
    regional variant ("sq-XK"): the texts as its municipalities read them."""
    texts = _texts(version, lang)
    return _arrive(version, texts, number, MultiDict(), _values(version, texts, MultiDict()))


def send(
    version: QuestionnaireVersion, lang: str, number: int, formdata: MultiDict
) -> PreviewState:
    """Page ``number`` (or the end: one past the last page) sent back with an ``action``."""
    texts = _texts(version, lang)
    action = formdata.get("action", "next")
    variant = None
    if action.startswith("lang:") and action[5:] in VARIANTS:
        # A variant is its language for the way through the pages, its texts after.
        variant = action[5:]
        action = "lang:" + VARIANTS[variant].language
    carried = _carried(version, formdata)
    if number > len(version.pages):
        values = _values(version, texts, carried)
        if action == "back":
            previous = rules.next_page_number(version, number, values, step=-1)
            if previous is not None:
                return _arrive(version, texts, previous, carried, values)
        elif action.startswith("lang:") and action[5:] in LANGUAGES:
            texts = _texts(version, variant or action[5:])
        return _end(version, texts, carried, values)
    page = version.pages[number - 1]
    form = make_page_form(page, texts)(formdata=formdata, meta={"csrf": False})
    form.validate()
    names = input_names(page)
    others = MultiDict([(k, v) for k, v in carried.items(multi=True) if k not in names])
    earlier = _values(version, texts, others)
    checked = check_page(form, page, texts, earlier, require=action == "next")
    answers = MultiDict(others)
    for name, typed in raw_values(formdata, page).items():
        answers.setlist(name, typed)
    values = rules.all_values(version, {**earlier, **checked.values}, texts)
    step = navigation.step_after(version, number, values, checked, action, list(LANGUAGES))
    if step.to != "page" or step.number is None:
        return _end(version, texts, answers, values)
    if step.lang:
        texts = _texts(version, variant or step.lang)
    elif step.number == number:
        # The page has something to correct: shown again as sent, with its messages.
        shown = rules.shown_questions(page, values)
        state = PreviewState(
            version, texts, number, page, shown, form, _hidden_fields(others), _hidden(page, shown)
        )
        state.labels = filled_labels(shown, texts, values)
        return state
    state = _arrive(version, texts, step.number, answers, values)
    if state.number is not None:
        # The pages the way from here to there passed over, either way.
        low, high = sorted((number, state.number))
        state.skipped = sorted(set(state.skipped) | set(range(low + 1, high)))
    return state


def _arrive(
    version: QuestionnaireVersion,
    texts: Texts,
    number: int,
    answers: MultiDict,
    values: Mapping[str, object],
) -> PreviewState:
    """Page ``number`` filled with the answers given, or the next page that applies."""
    skipped = []
    while True:
        page = version.pages[number - 1]
        shown = navigation.shown_or_skipped(version, page, number, values)
        if not isinstance(shown, Step):
            break
        skipped.append(number)
        if shown.number is None:
            state = _end(version, texts, answers, values)
            state.skipped = skipped
            return state
        number = shown.number
    names = input_names(page)
    own = MultiDict([(k, v) for k, v in answers.items(multi=True) if k in names])
    form = make_page_form(page, texts)(formdata=own or None, meta={"csrf": False})
    if own:
        # As a respondent's unfinished page: what cannot be kept shows its message.
        form.validate()
        check_page(form, page, texts, _without(values, names), require=False)
    if any(q.choice_filter for q in page.questions):
        # Cascading selects: the choices that fit the answers so far, this page's too.
        page_values = {**_without(values, names), **form_values(form, page)}
        narrow_choices(form, page, rules.all_values(version, page_values, texts))
    others = MultiDict([(k, v) for k, v in answers.items(multi=True) if k not in names])
    return PreviewState(
        version,
        texts,
        number,
        page,
        shown,
        form,
        _hidden_fields(others),
        _hidden(page, shown),
        skipped,
        labels=filled_labels(shown, texts, values),
    )


def _end(
    version: QuestionnaireVersion, texts: Texts, answers: MultiDict, values: Mapping[str, object]
) -> PreviewState:
    seen = [n for n, page in enumerate(version.pages, start=1) if rules.page_is_shown(page, values)]
    return PreviewState(version, texts, None, carried=_hidden_fields(answers), pages_seen=seen)


def _carried(version: QuestionnaireVersion, formdata: MultiDict) -> MultiDict:
    """The other pages' answers sent back in the hidden fields (known questions only)."""
    known = {name for page in version.pages for name in input_names(page)}
    return MultiDict(
        [
            (key[len(CARRIED) :], value)
            for key, value in formdata.items(multi=True)
            if key.startswith(CARRIED) and key[len(CARRIED) :] in known
        ]
    )


def _values(
    version: QuestionnaireVersion, texts: Texts, answers: MultiDict
) -> dict[str, AnswerValue]:
    """Every question's value (None when unanswered or not valid), read with each page's
    form as the respondent's page would read it; calculations included."""
    typed: dict[str, AnswerValue] = {}
    for page in version.pages:
        names = input_names(page)
        own = MultiDict([(k, v) for k, v in answers.items(multi=True) if k in names])
        if not own:
            continue
        form = make_page_form(page, texts)(formdata=own, meta={"csrf": False})
        form.validate()
        for name, value in form_values(form, page).items():
            typed[name] = None if form[name].errors else value
    return rules.all_values(version, typed, texts)


def _without(values: Mapping[str, object], names: set[str]) -> dict[str, object]:
    return {name: value for name, value in values.items() if name not in names}


def _hidden_fields(answers: MultiDict) -> list[tuple[str, str]]:
    return [(CARRIED + name, value) for name, value in answers.items(multi=True)]


def _hidden(page: Page, shown: list[Question]) -> int:
    """How many of the page's questions the answers so far hide."""
    return sum(1 for q in page.questions if TYPES[q.type].shown) - len(shown)
