"""Views of the settings an XLSForm carries, each on a form of its own reached from the
editor page: a repeat's number of entries, an upload question's limits, a hidden
question's value, a date's or time's default. Each calls one use case of
``editing.settings_edits``; a refused value is shown beside its field and changes
nothing."""

from __future__ import annotations

from flask import abort, g, redirect, render_template, request, url_for
from flask_babel import format_decimal
from wtforms.fields.choices import SelectChoice

from surveyapp.core.safe_text import gettext as _
from surveyapp.core.safe_text import lazy_gettext as _l
from surveyapp.extensions import db
from surveyapp.models import Page, Question
from surveyapp.questionnaires import moment_defaults
from surveyapp.questionnaires.editing import settings_edits
from surveyapp.questionnaires.editing.errors import EditError
from surveyapp.questionnaires.question_types.uploads import UPLOAD_TYPES
from surveyapp.questionnaires.repeats import MAX_ENTRIES
from surveyapp.questionnaires.texts import load_texts
from surveyapp.uploads import kinds
from surveyapp.web.authoring import bp
from surveyapp.web.authoring.editor_routes import after_change, error_text
from surveyapp.web.authoring.settings_forms import (
    HiddenValueForm,
    MomentDefaultForm,
    RepeatCountForm,
    UploadLimitsForm,
)
from surveyapp.web.staff import requires

SETTING_ERRORS = {
    "bad_mode": _l("Please choose how many entries there are."),
    "bad_count": _l(
        "The number of entries must be a whole number from 1 to %(count)d.", count=MAX_ENTRIES
    ),
    "bad_count_source": _l("Please choose a number question from an earlier page."),
    "no_kinds": _l("Please choose at least one kind of file."),
    "bad_kinds": _l("Please choose only among the kinds of file listed."),
    "too_long_value": _l(
        "Please use at most %(max)d characters.", max=settings_edits.MAX_HIDDEN_LENGTH
    ),
}


def _message(error: EditError) -> str:
    if error.code == "bad_size":
        return _(
            "The largest file must be from %(smallest)s to %(largest)s MB.",
            smallest=format_decimal(settings_edits.SMALLEST_MAX_MB),
            largest=format_decimal(kinds.LARGEST_MAX_BYTES // kinds.MB),
        )
    if error.code in SETTING_ERRORS:
        return str(SETTING_ERRORS[error.code])
    return error_text(error)


def _done(old_version_id: int, version, message):
    after_change(old_version_id, version, message)
    return redirect(url_for("authoring.editor", version_id=version.id), 303)


# --- a repeat's number of entries -------------------------------------------------------


def _stored_count(form: RepeatCountForm, page: Page) -> str | None:
    """Fill the form from the stored count; an expression it cannot show is returned."""
    count = str((page.repeat or {}).get("count") or "")
    reference = settings_edits.REFERENCE.match(count)
    if not count:
        form.mode.data = "respondent"
    elif count.isdigit():
        form.mode.data, form.number.data = "fixed", int(count)
    elif reference:
        form.mode.data, form.source.data = "answer", reference.group(1)
    else:
        return count
    return None


def _wanted_count(form: RepeatCountForm) -> str | None:
    """The count the form asks for, as ``set_repeat_count`` takes it."""
    if form.mode.data == "fixed":
        number = form.number.data
        if number is None or not float(number).is_integer():
            raise EditError("bad_count", str(number))
        return str(int(number))
    if form.mode.data == "answer":
        if not form.source.data:
            raise EditError("bad_count_source")
        return "${" + form.source.data + "}"
    if form.mode.data == "respondent":
        return None
    raise EditError("bad_mode")


@bp.route("/<lang>/staff/pages/<int:page_id>/entries", methods=["GET", "POST"])
@requires("edit_questionnaires")
def repeat_count(page_id: int):
    page = db.get_or_404(Page, page_id)
    if not settings_edits.is_counted_repeat(page):
        abort(404)
    form = RepeatCountForm()
    texts = load_texts(page.version_id, g.lang)
    sources = settings_edits.count_sources(page)
    form.source.choices = [SelectChoice("", "—")] + [
        SelectChoice(q.name, f"{q.name}: {texts.label(q)}") for q in sources
    ]
    expression = _stored_count(form, page) if request.method == "GET" else None
    if form.validate_on_submit():
        try:
            count = _wanted_count(form)
            version = settings_edits.set_repeat_count(page_id, count)
        except EditError as error:
            field = {"bad_count": form.number, "bad_count_source": form.source}.get(
                error.code, form.mode
            )
            field.errors = [*field.errors, _message(error)]
        else:
            return _done(page.version_id, version, _l("The number of entries was saved."))
    return render_template(
        "authoring/repeat_count.html",
        form=form,
        page=page,
        texts=texts,
        expression=expression,
        max_entries=MAX_ENTRIES,
        has_sources=bool(sources),
    )


# --- an upload question's limits ----------------------------------------------------


@bp.route("/<lang>/staff/questions/<int:question_id>/file-limits", methods=["GET", "POST"])
@requires("edit_questionnaires")
def upload_limits(question_id: int):
    question = db.get_or_404(Question, question_id)
    if question.type not in UPLOAD_TYPES:
        abort(404)
    form = UploadLimitsForm()
    offered = sorted(kinds.ACCEPTED[question.type], key=lambda code: kinds.describe({code}))
    form.accepted.choices = [SelectChoice(code, kinds.describe({code})) for code in offered]
    if request.method == "GET":
        form.accepted.data = sorted(kinds.limits_for(question.type, question.extra).accepted)
        form.max_size.data = settings_edits.stored_max_mb(question)
    if form.validate_on_submit():
        accepted, max_mb = list(form.accepted.data or []), form.max_size.data
        # Every problem beside its field at once, not one per attempt.
        problems = settings_edits.limit_problems(question.type, accepted, max_mb)
        if not problems:
            try:
                version = settings_edits.set_upload_limits(question_id, accepted, max_mb)
            except EditError as error:
                problems = [error]
            else:
                message = _l("The limits of the file were saved.")
                return _done(question.version_id, version, message)
        for problem in problems:
            field = form.max_size if problem.code == "bad_size" else form.accepted
            field.errors = [*field.errors, _message(problem)]
    default = kinds.DEFAULT_MAX_BYTES[question.type] // kinds.MB
    return render_template(
        "authoring/upload_limits.html",
        form=form,
        question=question,
        texts=load_texts(question.version_id, g.lang),
        default_size=format_decimal(default),
        largest_size=format_decimal(kinds.LARGEST_MAX_BYTES // kinds.MB),
    )


# --- a hidden question's value ------------------------------------------------------


@bp.route("/<lang>/staff/questions/<int:question_id>/hidden-value", methods=["GET", "POST"])
@requires("edit_questionnaires")
def hidden_value(question_id: int):
    question = db.get_or_404(Question, question_id)
    if question.type != "hidden":
        abort(404)
    form = HiddenValueForm()
    if request.method == "GET":
        form.value.data = question.default or ""
    if form.validate_on_submit():
        try:
            version = settings_edits.set_hidden_value(question_id, form.value.data or "")
        except EditError as error:
            form.value.errors = [*form.value.errors, _message(error)]
        else:
            return _done(question.version_id, version, _l("The hidden value was saved."))
    return render_template(
        "authoring/hidden_value.html",
        form=form,
        question=question,
        texts=load_texts(question.version_id, g.lang),
    )


# --- a date's or time's default -----------------------------------------------------

#: "When the page is opened", as each type says it.
NOW_LABELS = {
    "date": _l("Today's date, when the respondent opens the page"),
    "time": _l("The time when the respondent opens the page"),
    "datetime": _l("The date and time when the respondent opens the page"),
}
#: A fixed value that is not of the question's type (the respondent's page says the same).
BAD_DEFAULT = {
    "date": _l("Please enter a date, for example 2025-03-15."),
    "time": _l("Please enter a time of day, for example 14:30."),
    "datetime": _l("Please enter a date and a time, for example 2025-03-15 14:30."),
}


def _wanted_default(form: MomentDefaultForm, type_code: str) -> str | None:
    if form.mode.data == "now":
        return moment_defaults.DYNAMIC[type_code]
    if form.mode.data == "fixed":
        value = (form.value.data or "").strip()
        if not value or moment_defaults.names_the_moment(value):
            raise EditError("bad_default", value)
        return value
    if form.mode.data == "none":
        return None
    raise EditError("bad_mode")


@bp.route("/<lang>/staff/questions/<int:question_id>/default", methods=["GET", "POST"])
@requires("edit_questionnaires")
def moment_default(question_id: int):
    question = db.get_or_404(Question, question_id)
    if question.type not in moment_defaults.DYNAMIC:
        abort(404)
    form = MomentDefaultForm()
    form.mode.choices = [
        SelectChoice("none", str(_l("Nothing"))),
        SelectChoice("now", str(NOW_LABELS[question.type])),
        SelectChoice("fixed", str(_l("A fixed value"))),
    ]
    if request.method == "GET":
        if not question.default:
            form.mode.data = "none"
        elif moment_defaults.is_dynamic(question):
            form.mode.data = "now"
        else:
            form.mode.data, form.value.data = "fixed", question.default
    if form.validate_on_submit():
        try:
            wanted = _wanted_default(form, question.type)
            version = settings_edits.set_moment_default(question_id, wanted)
        except EditError as error:
            if error.code == "bad_default":
                form.value.errors = [*form.value.errors, str(BAD_DEFAULT[question.type])]
            else:
                form.mode.errors = [*form.mode.errors, _message(error)]
        else:
            return _done(question.version_id, version, _l("The default answer was saved."))
    return render_template(
        "authoring/moment_default.html",
        form=form,
        question=question,
        texts=load_texts(question.version_id, g.lang),
        example=EXAMPLES[question.type],
    )


EXAMPLES = {"date": "2025-03-15", "time": "14:30", "datetime": "2025-03-15 14:30"}
