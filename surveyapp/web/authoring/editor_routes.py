"""Views of the questionnaire editor: questionnaires, pages, moving and deleting
questions, texts, publishing, duplicating. The question form is in
``question_routes``, the preview in ``preview_routes``.

Each calls one use case in ``surveyapp.questionnaires.editing`` (version_edits,
structure, text_edits)."""

from __future__ import annotations

from flask import abort, flash, g, redirect, render_template, request, url_for
from flask_babel import ngettext

from surveyapp.core.form_fields import ActionForm
from surveyapp.core.safe_text import lazy_gettext as _l
from surveyapp.core.url_converters import MAX_DATABASE_ID
from surveyapp.extensions import db
from surveyapp.languages.registry import AUTHORED_LANGUAGES, LANGUAGES, SOURCE_LANGUAGE
from surveyapp.models import Page, Question, QuestionnaireVersion
from surveyapp.questionnaires.editing import repeat_edits, structure, text_edits, version_edits
from surveyapp.questionnaires.editing.errors import EditError
from surveyapp.questionnaires.editing.publish_checks import publish_problems
from surveyapp.questionnaires.moment_defaults import DYNAMIC
from surveyapp.questionnaires.question_types.uploads import UPLOAD_TYPES
from surveyapp.questionnaires.texts import (
    MAX_TEXT_LENGTH,
    MAX_TITLE_LENGTH,
    load_texts,
    translation_status,
)
from surveyapp.questionnaires.versions import load_version
from surveyapp.web.authoring import bp
from surveyapp.web.authoring.editor_forms import (
    TYPE_LABELS,
    DuplicateForm,
    NewPageForm,
    NewQuestionnaireForm,
    TextsForm,
)
from surveyapp.web.staff import record_action, requires

EDIT_ERRORS = {
    "bad_name": _l("A short name starts with a letter and has only letters, digits and _."),
    "bad_question_name": _l(
        "A question's short name starts with a letter or _ and has only letters, digits, _ and -."
    ),
    "exists": _l("That name is already used."),
    "bad_type": _l("Please choose a question type."),
    "bad_measure": _l("Please choose need, capacity or nothing."),
    "bad_domain": _l("Please choose one of the domains."),
    "bad_range": _l("The smallest number must not be larger than the largest."),
    "bad_date_range": _l("The earliest date must not be later than the latest date."),
    "no_choices": _l("A question with answer options needs at least one option."),
    "bad_choices": _l("Option codes must be unique and use letters, digits, _, - or ."),
    "bad_expression": _l("The expression cannot be used: %(detail)s"),
    "no_calculation": _l("A calculation needs an expression."),
    "not_draft": _l("This version is published already."),
    "not_ready": _l(
        "Nothing was published: please fix the problems listed under Before publishing."
    ),
    "empty_page": _l("Every page needs at least one question before publishing."),
    "no_label": _l("Every question needs an English text before publishing."),
    "last_page": _l("A questionnaire needs at least one page."),
    "not_found": _l("This item does not exist any more."),
    "no_page": _l("There is no page there to move the question to."),
    "too_long": _l(
        "Nothing was saved: please use at most %(title)d characters for a title and "
        "%(text)d for any other text.",
        title=MAX_TITLE_LENGTH,
        text=MAX_TEXT_LENGTH,
    ),
}


PUBLISH_PROBLEMS = {
    "empty_page": _l("Page %(detail)s has no question yet."),
    "no_choices": _l("Question %(detail)s has no answer options."),
    # I18N: %(detail)s lists text keys such as privacy.text, q.age.label
    "no_text": _l(
        "These texts are missing in English (the privacy notice and its consent are "
        "needed before respondents can be asked): %(detail)s"
    ),
    # I18N: %(language)s is a language name; %(detail)s lists text keys
    "incomplete_language": _l(
        "%(language)s is only partly translated. Missing: %(detail)s. Finish the "
        "translation, or publish and leave the language out until it is complete."
    ),
}


def publish_problem_text(problem) -> str:
    """One publishing problem as the editor says it, in the staff member's language."""
    language = LANGUAGES[problem.lang].autonym if problem.lang else ""
    return str(PUBLISH_PROBLEMS[problem.code]) % {"detail": problem.detail, "language": language}


def error_text(error: EditError) -> str:
    """An editor's refusal in the staff member's language."""
    return str(EDIT_ERRORS.get(error.code, error.code)) % {"detail": error.detail}


def _version_or_404(version_id: int) -> QuestionnaireVersion:
    """The version, or a 404 page."""
    version = load_version(version_id)
    if version is None:
        abort(404)
    return version


def _flash_errors(form) -> None:
    """The field errors of a form the editor page shows no fields of (it redirects)."""
    for field in form:
        for error in field.errors:
            flash(f"{field.label.text}: {error}", "error")


def _to_editor(version_id: int):
    return redirect(url_for("authoring.editor", version_id=version_id), 303)


def after_change(old_version_id: int, version: QuestionnaireVersion, message) -> None:
    """Tell what became of a change to the questionnaire's structure, and record it."""
    view_args = request.view_args or {}
    ids = {k: v for k, v in view_args.items() if k.endswith("_id")}
    change = (request.endpoint or "").rsplit(".", 1)[-1]
    if "action" in view_args:
        change += ":" + view_args["action"]
    record_action("questionnaire_changed", f"version:{version.id}", change=change, **ids)
    if version.id != old_version_id:
        flash(
            _l(
                "The published version stays as it was; your change is in the new draft, "
                "version %(number)d.",
                number=version.number,
            )
        )
    elif message:
        flash(message)


@bp.route("/<lang>/staff/questionnaires", methods=["GET", "POST"])
@requires("edit_questionnaires")
def questionnaires():
    form = NewQuestionnaireForm()
    if form.validate_on_submit():
        try:
            version = version_edits.create_questionnaire(form.name.data.strip(), form.title.data)
        except EditError as error:
            form.name.errors = [error_text(error)]
        else:
            record_action("questionnaire_created", f"version:{version.id}")
            return _to_editor(version.id)
    rows = version_edits.questionnaires()
    titles = {version.id: load_texts(version.id, g.lang).title() for _q, version, _n in rows}
    return render_template("authoring/questionnaires.html", rows=rows, titles=titles, form=form)


@bp.get("/<lang>/staff/questionnaires/<int:version_id>")
@requires("edit_questionnaires")
def editor(version_id: int):
    version = _version_or_404(version_id)
    return render_template(
        "authoring/editor.html",
        version=version,
        texts=load_texts(version.id, g.lang),
        source=load_texts(version.id, SOURCE_LANGUAGE),
        status=translation_status(version.id),
        problems=publish_problems(version) if version.status == "draft" else [],
        problem_text=publish_problem_text,
        page_form=NewPageForm(),
        duplicate_form=DuplicateForm(),
        type_labels=TYPE_LABELS,
        upload_types=UPLOAD_TYPES,
        moment_types=DYNAMIC,
        languages_authored=AUTHORED_LANGUAGES,
    )


@bp.post("/<lang>/staff/questionnaires/<int:version_id>/pages")
@requires("edit_questionnaires")
def add_page(version_id: int):
    form = NewPageForm()
    if form.validate_on_submit():
        try:
            page = structure.add_page(version_id, form.title.data)
        except EditError as error:
            flash(error_text(error), "error")
        else:
            after_change(version_id, page.version, _l("The page was added."))
            return _to_editor(page.version_id)
    _flash_errors(form)
    return _to_editor(version_id)


@bp.post("/<lang>/staff/pages/<int:page_id>/<any(up, down, delete, repeat, plain):action>")
@requires("edit_questionnaires")
def change_page(page_id: int, action: str):
    page = db.get_or_404(Page, page_id)
    old = page.version_id
    if not ActionForm().validate_on_submit():
        return _to_editor(old)
    try:
        if action == "delete":
            version = structure.delete_page(page_id)
        elif action in ("repeat", "plain"):
            version = repeat_edits.set_repeat(page_id, action == "repeat")
        else:
            version = structure.move_page(page_id, -1 if action == "up" else 1)
    except EditError as error:
        flash(error_text(error), "error")
        return _to_editor(old)
    after_change(old, version, None)
    return _to_editor(version.id)


@bp.post(
    "/<lang>/staff/questions/<int:question_id>/<any(up, down, delete, prev_page, next_page):action>"
)
@requires("edit_questionnaires")
def change_question(question_id: int, action: str):
    question = db.get_or_404(Question, question_id)
    old = question.version_id
    if ActionForm().validate_on_submit():
        try:
            if action == "delete":
                version = structure.delete_question(question_id)
            elif action in ("prev_page", "next_page"):
                delta = -1 if action == "prev_page" else 1
                version = repeat_edits.move_to_page(question_id, delta)
            else:
                version = structure.move_question(question_id, -1 if action == "up" else 1)
        except EditError as error:
            flash(error_text(error), "error")
            return _to_editor(old)
        after_change(old, version, _l("The question was deleted.") if action == "delete" else None)
        return _to_editor(version.id)
    return _to_editor(old)


@bp.route("/<lang>/staff/questionnaires/<int:version_id>/texts", methods=["GET", "POST"])
@requires("edit_questionnaires")
def edit_texts(version_id: int):
    """Texts side by side with the English source, for the whole version or one question."""
    version = _version_or_404(version_id)
    question = None
    if request.values.get("question"):
        question_id = request.values["question"]
        if not question_id.isdigit() or int(question_id) > MAX_DATABASE_ID:
            abort(404)
        question = db.get_or_404(Question, int(question_id))
        if question.version_id != version.id:
            abort(404)
    keys = text_edits.question_keys(question) if question else text_edits.version_keys(version)
    form = TextsForm()
    if form.validate_on_submit():
        edits = {
            (key, code): request.form.get(f"text-{index}-{code}", "")
            for index, key in enumerate(keys)
            for code in AUTHORED_LANGUAGES
            if f"text-{index}-{code}" in request.form
        }
        try:
            changed = text_edits.save_texts(version.id, edits, set(keys))
        except EditError as error:
            flash(error_text(error), "error")
            return redirect(request.full_path, 303)
        record_action("texts_edited", f"version:{version.id}", count=changed)
        flash(ngettext("%(num)d text was saved.", "%(num)d texts were saved.", changed))
        if question:
            return redirect(url_for("authoring.edit_question", question_id=question.id), 303)
        return redirect(url_for("authoring.edit_texts", version_id=version.id), 303)
    rows = text_edits.text_table(version.id, keys, AUTHORED_LANGUAGES)
    return render_template(
        "authoring/texts.html", version=version, rows=rows, form=form, question=question
    )


@bp.post("/<lang>/staff/questionnaires/<int:version_id>/publish")
@requires("edit_questionnaires")
def publish(version_id: int):
    if ActionForm().validate_on_submit():
        try:
            version = version_edits.publish(
                version_id, leave_out_incomplete=bool(request.form.get("leave_out_incomplete"))
            )
        except EditError as error:
            flash(error_text(error), "error")
        else:
            record_action("published", f"version:{version.id}")
            flash(_l("Version %(number)d is published.", number=version.number))
    return _to_editor(version_id)


@bp.post("/<lang>/staff/questionnaires/<int:version_id>/duplicate")
@requires("edit_questionnaires")
def duplicate(version_id: int):
    form = DuplicateForm()
    if form.validate_on_submit():
        try:
            copy = version_edits.duplicate(version_id, form.new_name.data.strip())
        except EditError as error:
            flash(error_text(error), "error")
        else:
            record_action("questionnaire_duplicated", f"version:{copy.id}", source=version_id)
            return _to_editor(copy.id)
    _flash_errors(form)
    return _to_editor(version_id)
