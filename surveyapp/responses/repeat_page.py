"""The respondent's way through a repeat page (``surveyapp.questionnaires.repeats``): the
page shown with one block of questions per entry, and the page sent back with "Add
another entry", "Remove entry n" or the usual buttons.

Each entry is the page's form with the prefix ``e<n>-`` (so ``e2-name``), checked with
the rules reading that entry's answers. Adding or removing saves the page first; a page
whose input cannot be stored is kept as a draft and shown again, and then nothing is
added or removed, so nothing typed is lost.

A file question's entries work as on any page (``questionnaires.question_types.uploads``): an entry
sent without a new file keeps its stored one, a draft asks again for a good file it
could not keep, and the files follow their entries (``repeat_entries.save``).

The page's script (``static/live.js``) saves it in the background (action "autosave"),
with no rules of its own: the entries shown are stored (or kept as a draft), none is
added or removed, and a file input is left out, so each entry keeps its stored file.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field

from werkzeug.datastructures import MultiDict

from surveyapp.models import Page, Question, QuestionnaireVersion
from surveyapp.questionnaires import repeats, rules
from surveyapp.questionnaires.expressions import REPEATS
from surveyapp.questionnaires.label_references import fill_in, filled_labels
from surveyapp.questionnaires.page_forms import (
    PageCheck,
    RespondentPageForm,
    answerable,
    check_page,
    form_values,
    narrow_choices,
)
from surveyapp.questionnaires.question_types import TYPES
from surveyapp.questionnaires.question_types.uploads import REMOVE as REMOVE_FILE
from surveyapp.questionnaires.texts import Texts
from surveyapp.responses import repeat_entries, respondent
from surveyapp.responses.navigation import (
    AUTOSAVE,
    THANKS,
    Saved,
    Step,
    shown_or_skipped,
    step_after,
)
from surveyapp.responses.reads import ResponseState, answers_by_name

#: The buttons of a repeat page besides the usual ones.
ADD = "add"
REMOVE = "remove:"
#: The hidden input that says how many entries the page showed.
ENTRIES = "entries"


@dataclass
class Entry:
    number: int
    heading: str
    form: RespondentPageForm
    shown: list[Question]
    #: The notes whose text names an answer (``${name}``), written in, by question name.
    notes: dict[str, str] = field(default_factory=dict)


@dataclass
class RepeatPage:
    entries: list[Entry]
    #: The form sets the number of entries: no "Add", no "Remove".
    fixed: bool
    errors: list = field(default_factory=list)
    #: An entry has a file question: the page is sent as multipart/form-data.
    sends_files: bool = False


def _prefix(number: int) -> str:
    return f"e{number}-"


def _forms(form_class, count: int, formdata=None, data: list | None = None) -> list:
    forms = []
    for number in range(1, count + 1):
        kwargs = {"formdata": formdata, "prefix": _prefix(number), "meta": {"csrf": False}}
        if formdata is None:
            kwargs["data"] = (data or [])[number - 1] if number <= len(data or []) else {}
        forms.append(form_class(**kwargs))
    return forms


def _count(page: Page, values: Mapping[str, object], asked: int) -> int:
    if repeats.is_fixed(page):
        return repeats.entry_count(page, values, asked)
    return max(1, min(repeats.MAX_ENTRIES, asked))


def _sent_count(raw: Mapping) -> int:
    try:
        return int(str(raw.get(ENTRIES, "1")).strip())
    except ValueError:
        return 1


def _keep_stored_files(forms, page: Page, own: list) -> None:
    """An entry's file question sent (or drafted) without a new file, and not cleared,
    keeps the entry's stored file: its key goes back into the field."""
    uploads = [q for q in answerable(page) if TYPES[q.type].upload]
    for number, form in enumerate(forms, start=1):
        stored = own[number - 1] if number <= len(own) else {}
        for question in uploads:
            field = form[question.name]
            key = stored.get(question.name)
            if getattr(field, "kept", False) and isinstance(key, str) and key:
                field.data = key


def _draft_of(raw: MultiDict, forms, page: Page, count: int) -> dict[str, list[str]]:
    """What a page that cannot be stored keeps as its draft: what was typed in each
    entry, never a file (a file question keeps why its file was refused, or the name of
    the good one to choose again) nor a "Remove the file" tick."""
    uploads = [q for q in answerable(page) if TYPES[q.type].upload]
    kept = {
        k: [v for v in raw.getlist(k) if isinstance(v, str)]
        for k in raw
        if k.startswith("e") and k[1:2].isdigit()
    }
    for number, form in enumerate(forms, start=1):
        for question in uploads:
            name = _prefix(number) + question.name
            kept.pop(name + REMOVE_FILE, None)
            kept[name] = form[question.name].draft_values()
    kept[ENTRIES] = [str(count)]
    return kept


def _checked(forms, page, texts, values, entries, require: bool) -> list[PageCheck]:
    """Each entry's form checked with the rules reading that entry (errors on the fields)."""
    typed = [form_values(form, page) for form in forms]
    entries = {**entries, page.name: typed}
    return [
        check_page(form, page, texts, repeats.entry_values(values, entries, page, number), require)
        for number, form in enumerate(forms, start=1)
    ]


def _page(page: Page, forms, texts: Texts, values, entries) -> RepeatPage:
    typed = {**entries, page.name: [form_values(form, page) for form in forms]}
    shown_entries = []
    for number, form in enumerate(forms, start=1):
        inside = repeats.entry_values(values, typed, page, number)
        for question in answerable(page):
            label = form[question.name].label
            # The entry's own answers written in where the label names them, then the rest.
            label.text = fill_in(repeats.entry_text(str(label.text), page, number, texts), inside)
        notes = filled_labels([q for q in page.questions if not q.answerable], texts, inside)
        shown = rules.shown_questions(page, inside)
        # Choice filters read the entry's own answers, then the others.
        narrow_choices(form, page, inside)
        heading = repeats.heading(page, number, texts)
        shown_entries.append(Entry(number, heading, form, shown, notes))
    errors = [
        (entry.form[q.name], q)
        for entry in shown_entries
        for q in entry.shown
        if q.answerable and entry.form[q.name].errors
    ]
    sends_files = any(TYPES[q.type].upload for q in answerable(page))
    return RepeatPage(shown_entries, repeats.is_fixed(page), errors, sends_files)


def page_state(
    version: QuestionnaireVersion,
    response: ResponseState,
    page: Page,
    number: int,
    form_class: type[RespondentPageForm],
    texts: Texts,
    *,
    check: bool = False,
) -> RepeatPage | Step:
    """The repeat page as the respondent should see it, or the step to take instead."""
    values = rules.all_values(version, answers_by_name(response, version))
    entries = values.get(REPEATS) or {}
    if isinstance(shown_or_skipped(version, page, number, values), Step) or not _count(
        page, values, len(entries.get(page.name) or [])
    ):
        following = rules.next_page_number(version, number, values)
        return Step("review") if following is None else Step.page(following)
    draft = respondent.draft_for(response, page)
    if draft is not None:
        count = _count(page, values, _sent_count({k: v[0] for k, v in draft.items() if v}))
        formdata = MultiDict([(k, v) for k, vs in draft.items() for v in vs])
        forms = _forms(form_class, count, formdata=formdata)
        _keep_stored_files(forms, page, entries.get(page.name) or [])
        for form in forms:
            form.validate()
        _checked(forms, page, texts, values, entries, require=True)
    else:
        own = entries.get(page.name) or []
        forms = _forms(form_class, _count(page, values, len(own)), data=own)
        if check:
            _checked(forms, page, texts, values, entries, require=True)
    return _page(page, forms, texts, values, entries)


def next_step(
    version: QuestionnaireVersion,
    response: ResponseState,
    page: Page,
    number: int,
    form_class: type[RespondentPageForm],
    texts: Texts,
    *,
    action: str,
    raw: MultiDict,
    offered: list[str],
) -> Saved:
    """Check and store a repeat page as sent, then add or remove an entry if asked
    (``action`` "add" or "remove:<n>", or one of the usual ones); where to go next.

    A background save ("autosave") stores the entries the page shows and never adds or
    removes one; from a page older than the stored entries, it keeps those past its own
    (and stores nothing, ``stale``, when it would have to keep a draft)."""
    values = rules.all_values(version, answers_by_name(response, version))
    entries = values.get(REPEATS) or {}
    count = _count(page, values, _sent_count(raw))
    forms = _forms(form_class, count, formdata=raw)
    _keep_stored_files(forms, page, entries.get(page.name) or [])
    for form in forms:
        form.validate()
    checks = _checked(forms, page, texts, values, entries, require=action == "next")
    invalid = any(c.invalid for c in checks)
    missing = any(c.missing for c in checks)
    own = entries.get(page.name) or []
    behind = action == AUTOSAVE and not repeats.is_fixed(page) and count < len(own)
    if behind and invalid:
        # A background save from a page showing fewer entries than are stored (entries
        # added in another tab): its draft would hide them; nothing is stored.
        return Saved(stale=True)
    if invalid:
        stored = respondent.save_draft(response, page, _draft_of(raw, forms, page, count))
        if not stored:
            return Saved(THANKS)
        if action == ADD or action.startswith(REMOVE):
            return Saved(Step.page(number))
    else:
        saved = [c.values for c in checks]
        if behind:
            # A background save never removes an entry: those past the page's stay.
            saved += own[count:]
        if not repeats.is_fixed(page):
            if action == ADD and len(saved) < repeats.MAX_ENTRIES:
                saved.append({})
            elif action.startswith(REMOVE):
                removed = action[len(REMOVE) :]
                if removed.isdigit() and 1 <= int(removed) <= len(saved):
                    del saved[int(removed) - 1]
        if not repeat_entries.save(response.id, page, saved):
            return Saved(THANKS)
        response.draft = None
        if action == ADD or action.startswith(REMOVE):
            return Saved(Step.page(number))
    result = PageCheck(invalid, missing, {})
    values = rules.all_values(version, answers_by_name(response, version))
    return Saved(step_after(version, number, values, result, action, offered))


def as_sent(
    version: QuestionnaireVersion,
    response: ResponseState,
    page: Page,
    form_class: type[RespondentPageForm],
    texts: Texts,
    raw: MultiDict,
) -> RepeatPage:
    """The page filled as it was sent, unchecked and unsaved (its security token expired)."""
    values = rules.all_values(version, answers_by_name(response, version))
    entries = values.get(REPEATS) or {}
    forms = _forms(form_class, _count(page, values, _sent_count(raw)), formdata=raw)
    _keep_stored_files(forms, page, entries.get(page.name) or [])
    return _page(page, forms, texts, values, entries)


def review_entries(
    version: QuestionnaireVersion, response: ResponseState, texts: Texts
) -> dict[str, list[tuple[str, list[tuple[Question, object]]]]]:
    """Per shown repeat page: each entry's heading and its asked questions with their answers
    (the review page lists them)."""
    values = rules.all_values(version, answers_by_name(response, version))
    entries = values.get(REPEATS) or {}
    listed = {}
    for page in repeats.repeat_pages(version):
        if not rules.page_is_shown(page, values):
            continue
        own = entries.get(page.name) or []
        rows = []
        for number in range(1, _count(page, values, len(own)) + 1):
            inside = repeats.entry_values(values, entries, page, number)
            asked = [q for q in rules.relevant_questions(page, inside) if q.answerable]
            rows.append(
                (repeats.heading(page, number, texts), [(q, inside.get(q.name)) for q in asked])
            )
        listed[page.name] = rows
    return listed
