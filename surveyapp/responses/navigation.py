"""The respondent's way through a questionnaire: which page to show, filled with
what, and where to go after a page is saved.

Nothing here knows about HTTP: the view passes the form it made (or the form
class), the action the respondent chose and the raw submitted values; it gets
back the questions to show, the filled form, and a :class:`Step` saying where
to go, which it turns into a URL.

The reads are those of the respondent path and no more: the page view reads the
link's answers once (loaded with the link), the save reads the other pages'
answers only when the questionnaire's rules refer to them.

:func:`shown_or_skipped` and :func:`step_after` decide from answers alone, so the
editor's preview (``surveyapp.responses.preview``) walks the same way.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field

from werkzeug.datastructures import MultiDict

from surveyapp.models import Page, Question, QuestionnaireVersion
from surveyapp.questionnaires import moment_defaults, rules
from surveyapp.questionnaires.label_references import filled_labels
from surveyapp.questionnaires.page_forms import (
    PageCheck,
    RespondentPageForm,
    check_page,
    choices_changed,
    form_values,
    initial_data,
    narrow_choices,
    raw_values,
)
from surveyapp.questionnaires.question_types import AnswerValue
from surveyapp.questionnaires.texts import Texts
from surveyapp.responses import reads, recorded, respondent
from surveyapp.responses.reads import Link, ResponseState


@dataclass(frozen=True)
class Step:
    """Where the respondent goes next: a page (``number``), "review" or "saved".

    ``check`` asks the page to show what is missing; ``lang`` switches language.
    """

    to: str
    number: int | None = None
    check: bool = False
    lang: str | None = None

    @classmethod
    def page(cls, number: int, *, check: bool = False, lang: str | None = None) -> Step:
        return cls("page", number, check, lang)


#: The action of the page's script saving in the background: stored like "later", and
#: the respondent stays where they are.
AUTOSAVE = "autosave"

REVIEW = Step("review")
SAVED = Step("saved")
#: The response was submitted meanwhile (from another tab): what was submitted stands.
THANKS = Step("thanks")


def shown_or_skipped(
    version: QuestionnaireVersion, page: Page, number: int, values: rules.Values
) -> list[Question] | Step:
    """The questions to put on the page, or, when the answers given so far skip all of
    them, the step to the next page that applies (or to the review)."""
    shown = rules.shown_questions(page, values)
    if shown:
        return shown
    following = rules.next_page_number(version, number, values)
    return REVIEW if following is None else Step.page(following)


def step_after(
    version: QuestionnaireVersion,
    number: int,
    values: rules.Values,
    checked: PageCheck,
    action: str,
    offered: list[str],
) -> Step:
    """Where a page leads once sent with ``action`` ("next", "back", "later" or
    "lang:<code>") and checked (``checked``); ``values`` are all answers, this page's
    included. A page with problems is shown again (with ``check`` for missing answers)."""
    if action.startswith("lang:") and action[5:] in offered:
        return Step.page(number, lang=action[5:])
    if action == "back":
        previous = rules.next_page_number(version, number, values, step=-1)
        return Step.page(previous or number)
    if action == "later":
        return SAVED
    if action == AUTOSAVE:
        return Step.page(number)
    if checked.invalid:
        return Step.page(number)
    if checked.missing:
        return Step.page(number, check=True)
    following = rules.next_page_number(version, number, values)
    return REVIEW if following is None else Step.page(following)


@dataclass
class PageState:
    """What a questionnaire page shows: its questions and the form filled for them."""

    shown: list[Question]
    form: RespondentPageForm
    #: Every question's value by name as the rules read them (earlier answers, calculations).
    values: rules.Values = field(default_factory=dict)
    #: The labels that name answers (``${name}``), filled in, by question name.
    labels: dict[str, str] = field(default_factory=dict)


def page_state(
    link: Link,
    version: QuestionnaireVersion,
    response: ResponseState,
    page: Page,
    number: int,
    form_class: type[RespondentPageForm],
    texts: Texts,
    *,
    check: bool = False,
) -> PageState | Step:
    """The page as the respondent should see it, or the step to take instead when
    the answers given so far skip every question on it.

    The form holds the unfinished draft of the page if there is one (checked, so
    its problems show), else the saved answers; ``check`` marks missing answers.
    """
    saved = reads.link_answers(link, version)
    earlier = respondent.answers_by_name(response, version, saved)
    values = rules.all_values(version, earlier, texts)
    shown = shown_or_skipped(version, page, number, values)
    if isinstance(shown, Step):
        # Skipped by the answers given so far: go on to the next page that applies.
        return shown
    draft = respondent.draft_for(response, page)
    if draft is not None:
        form = form_class(formdata=MultiDict([(k, v) for k, vs in draft.items() for v in vs]))
        if form._sends_files:
            _show_stored_files(form, page, saved)
        form.validate()
        form.csrf_token.errors = []
        check_page(form, page, texts, earlier, require=True)
    else:
        zone = recorded.clock_of(response.id)[1] if moment_defaults.needs_zone(page) else None
        form = form_class(formdata=None, data=initial_data(page, saved, zone))
        if check:
            check_page(form, page, texts, earlier, require=True)
    _narrow(version, page, form, earlier, texts)
    return PageState(shown, form, values, _labels(version, page, shown, form, earlier, texts))


def _labels(
    version: QuestionnaireVersion,
    page: Page,
    shown: list[Question],
    form: RespondentPageForm,
    earlier: Mapping[str, object],
    texts: Texts,
) -> dict[str, str]:
    """The labels on the page that name answers, with the answers as the form shows
    them (the page's own, as the page's script reads them) and the earlier ones."""
    if not any("${" in texts.label(question) for question in shown):
        return {}
    values = rules.all_values(version, {**earlier, **form_values(form, page)}, texts)
    return filled_labels(shown, texts, values)


def _narrow(
    version: QuestionnaireVersion,
    page: Page,
    form: RespondentPageForm,
    earlier: Mapping[str, object],
    texts: Texts,
) -> None:
    """Choice filters: the page's selects list the choices that fit the answers given
    so far, the page's own (as shown in the form) included."""
    if any(q.choice_filter for q in page.questions):
        values = rules.all_values(version, {**earlier, **form_values(form, page)}, texts)
        narrow_choices(form, page, values)


def _show_stored_files(form: RespondentPageForm, page: Page, saved: dict) -> None:
    """A draft holds no files: a file question shows the file stored for it."""
    for question in page.questions:
        field = form._fields.get(question.name)
        if getattr(field, "kept", False) and saved.get(question.id):
            field.data = saved[question.id]


@dataclass
class Saved:
    """The outcome of a page sent back: where to go, or (``stale``) the page again."""

    step: Step | None = None
    #: The form's security token had expired: nothing was stored, show the page again.
    stale: bool = False
    shown: list[Question] = field(default_factory=list)
    #: The page's labels that name answers, filled in (``stale``).
    labels: dict[str, str] = field(default_factory=dict)


def next_step(
    version: QuestionnaireVersion,
    response: ResponseState,
    page: Page,
    number: int,
    form: RespondentPageForm,
    texts: Texts,
    *,
    action: str,
    raw: Mapping,
    offered: list[str],
    reads_other_pages: bool,
) -> Saved:
    """Check and store a page the respondent sent, and say where to go next.

    ``form`` is filled with what was sent, ``raw`` is the sent data itself (kept as
    a draft when the page has problems), ``action`` the button pressed: "next",
    "back", "later", "lang:<code>" or "autosave" (the page's script saving in the
    background: kept like "later", going nowhere). ``reads_other_pages``: whether the rules
    refer to answers given elsewhere than ``page`` (only then are they read).
    """
    # The other pages' answers matter only to rules that read them.
    earlier: dict[str, AnswerValue] = (
        respondent.answers_by_name(response, version) if reads_other_pages else {}
    )
    form.validate()
    if form.csrf_token.errors:
        # The page sat open too long (or the session was lost). Nothing from an
        # unverified request is stored; the respondent gets the page back, filled.
        form.csrf_token.errors = []
        shown = rules.shown_questions(page, rules.all_values(version, earlier, texts))
        _narrow(version, page, form, earlier, texts)
        labels = _labels(version, page, shown, form, earlier, texts)
        return Saved(stale=True, shown=shown, labels=labels)

    checked = check_page(form, page, texts, earlier, require=action == "next")
    if checked.invalid:
        stored = respondent.save_draft(response, page, raw_values(raw, page, form))
    else:
        stored = respondent.save_page(response, page, checked.values)
    if not stored:
        return Saved(THANKS)
    values = rules.all_values(version, {**earlier, **checked.values}, texts)
    if action == "next" and choices_changed(page, raw, values):
        # Sent without the page's script: a select whose choices follow an answer on
        # this page now offers others than were shown; the page again, narrowed.
        return Saved(Step.page(number))
    return Saved(step_after(version, number, values, checked, action, offered))


def review_labels(
    version: QuestionnaireVersion,
    response: ResponseState,
    answers: dict[int, AnswerValue],
    texts: Texts,
) -> dict[str, str]:
    """The labels of the questionnaire that name answers (``${name}``), filled in with
    the answers given, by question name: the review page lists them as the pages read."""
    questions = [q for page in version.pages for q in page.questions]
    if not any("${" in texts.label(question) for question in questions):
        return {}
    named = respondent.answers_by_name(response, version, answers)
    return filled_labels(questions, texts, rules.all_values(version, named, texts))


def asked_questions(
    version: QuestionnaireVersion, response: ResponseState, answers: dict[int, AnswerValue]
) -> set[int]:
    """Ids of the answerable questions the respondent was asked, given their answers."""
    values = rules.all_values(version, respondent.answers_by_name(response, version, answers))
    return {
        q.id
        for page in version.pages
        for q in rules.relevant_questions(page, values)
        if q.answerable
    }
