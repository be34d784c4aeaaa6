"""The question form of the editor: new and existing questions.

The form shows the settings of the question's type only (``QuestionType.editor_fields``)
and the skip-rule builder (``skip_rule_form``). Without JavaScript, choosing another
type, adding or removing a condition, or changing a condition's question sends the
form and draws it again, saving nothing; "Save question" saves.
"""

from __future__ import annotations

from flask import g, redirect, render_template, request, url_for
from sqlalchemy import select

from surveyapp.core.safe_text import lazy_gettext as _l
from surveyapp.extensions import db
from surveyapp.languages.registry import AUTHORED_LANGUAGES, SOURCE_LANGUAGE
from surveyapp.models import Domain, Page, Question
from surveyapp.questionnaires import date_limits
from surveyapp.questionnaires.editing import conditions, structure, text_edits
from surveyapp.questionnaires.editing.conditions import ConditionError
from surveyapp.questionnaires.editing.errors import EditError
from surveyapp.questionnaires.question_types import EDITOR_FIELDS, TYPES
from surveyapp.questionnaires.texts import load_texts
from surveyapp.web.authoring import bp, skip_rule_form
from surveyapp.web.authoring.editor_forms import TYPE_LABELS, QuestionForm, TextsForm
from surveyapp.web.authoring.editor_routes import after_change, error_text
from surveyapp.web.staff import requires

#: The type the form is drawn for when the request names none it knows (a tampered form).
DEFAULT_TYPE = "single_choice"


def _stored_values(form: QuestionForm, question: Question) -> None:
    """Fill the form with a saved question's settings."""
    form.name.data = question.name
    form.type.data = question.type
    form.required.data = question.required
    form.domain.data = question.domain.code if question.domain else ""
    form.measure.data = question.measure or ""
    form.min_value.data, form.max_value.data = question.min_value, question.max_value
    form.integer_only.data = question.integer_only
    form.max_length.data = question.max_length
    form.relevant.data = question.relevant or ""
    form.constraint.data = question.constraint or ""
    form.calculation.data = question.calculation or ""
    form.min_date.data, form.max_date.data = question.min_date or "", question.max_date or ""
    if question.choice_list:
        source = load_texts(question.version_id, SOURCE_LANGUAGE)
        form.choices.data = "\n".join(
            f"{c.value} | {'' if c.score is None else f'{c.score:g}'} | "
            f"{source.choice(question.choice_list.name, c.value)}"
            for c in question.choice_list.distinct_choices
        )


def _only_type_fields(form: QuestionForm, type_code: str) -> frozenset[str]:
    """Drop from this form object the settings ``type_code`` does not use, so they are
    neither drawn nor checked; the fields it uses are returned."""
    used = TYPES[type_code].editor_fields
    for name in EDITOR_FIELDS:
        if name not in used and name in form:
            del form[name]
    return used


def _spec(form: QuestionForm, relevant: str | None) -> structure.QuestionSpec:
    def data(name: str, default=None):
        return form[name].data if name in form else default

    max_length = data("max_length")
    return structure.QuestionSpec(
        name=form.name.data.strip(),
        type=form.type.data,
        required=bool(data("required", False)),
        domain=data("domain") or None,
        measure=data("measure") or None,
        min_value=data("min_value"),
        max_value=data("max_value"),
        max_length=int(max_length) if max_length else None,
        integer_only=bool(data("integer_only", False)),
        relevant=relevant,
        constraint=(data("constraint") or "").strip() or None,
        calculation=(data("calculation") or "").strip() or None,
        min_date=date_limits.parse_limit(data("min_date")),
        max_date=date_limits.parse_limit(data("max_date")),
        choices=getattr(form, "parsed_choices", None),
    )


class QuestionPage:
    """The question form of one request: its fields, builder and what to tell."""

    def __init__(self, page: Page, question: Question | None) -> None:
        self.page, self.question = page, question
        self.form = QuestionForm()
        domains = list(db.session.scalars(select(Domain).order_by(Domain.position)))
        self.form.set_choices(domains, g.lang)
        self.texts = load_texts(page.version_id, g.lang)
        candidates = conditions.candidates(page, question)
        self.form.new_condition.choices = skip_rule_form.question_choices(
            page, candidates, self.texts
        )
        self.error: str | None = None
        self.notice: str | None = None
        if request.method == "GET":
            self._start(candidates)
        else:
            self.builder = skip_rule_form.from_request(request.form, candidates)
        # An unknown type (only a tampered form sends one) is refused when saving.
        chosen, drawn = self.form.type.data, self.form.shown_type.data
        self.drawn_type = chosen if chosen in TYPES else drawn if drawn in TYPES else DEFAULT_TYPE
        if request.method == "GET":
            self.form.type.data = self.drawn_type
        self.fields = _only_type_fields(self.form, self.drawn_type)

    def _start(self, candidates) -> None:
        if self.question is not None:
            _stored_values(self.form, self.question)
        else:
            self.form.type.data = request.args.get("type")
        stored = self.question.relevant if self.question else None
        self.builder, self.form.rule_mode.data, self.form.join.data = (
            skip_rule_form.from_expression(stored, candidates)
        )

    def submitted(self) -> structure.QuestionSpec | None:
        """The spec to save, or None when the form is to be drawn again (another type
        chosen, a condition added, removed or changed, or something to correct)."""
        action = request.form.get("action", "save")
        builder, form = self.builder, self.form
        drawn_type = form.shown_type.data
        if skip_rule_form.apply_action(builder, action, form.new_condition.data):
            if action == "add_condition":
                form.rule_mode.data = "builder"
            builder.settle()
            return None
        builder.settle()
        chosen = form.type.data
        if action == "retype" or (chosen in TYPES and drawn_type in TYPES and drawn_type != chosen):
            self.notice = str(
                _l(
                    "These are the settings of a question of type “%(type)s”. Nothing is "
                    "saved yet: check them and press “Save question”.",
                    type=TYPE_LABELS[self.drawn_type],
                )
            )
            return None
        if any(row.redrawn for row in builder.rows):
            self.notice = str(
                _l(
                    "A condition now asks about another question or kind of answer: check "
                    "its comparison and value, then press “Save question”."
                )
            )
            return None
        valid = form.validate()
        try:
            relevant = self._relevant()
        except ConditionError as error:
            self.error = skip_rule_form.condition_error_text(error)
            return None
        return _spec(form, relevant) if valid else None

    def _relevant(self) -> str | None:
        """The skip rule to save, as the chosen way of giving it says; ConditionError
        when the builder's conditions cannot be written (the row at fault is marked)."""
        mode = self.form.rule_mode.data
        if mode == "builder":
            return self.builder.write(self.form.join.data)
        if mode == "expression":
            return (self.form.relevant.data or "").strip() or None
        return None

    def render(self, **context) -> str:
        form, builder = self.form, self.builder
        if form.rule_mode.data not in ("always", "builder", "expression"):
            form.rule_mode.data = "always"
        written = builder.written(form.join.data) if builder.rows else None
        if form.rule_mode.data == "builder" and written:
            form.relevant.data = written
        form.shown_type.data = self.drawn_type
        return render_template(
            "authoring/question.html",
            form=form,
            page=self.page,
            question=self.question,
            error=self.error,
            notice=self.notice,
            fields=self.fields,
            builder=builder,
            written=written,
            operator_labels=skip_rule_form.OPERATOR_LABELS,
            value_kind=builder.kind_of,
            choice_labels=skip_rule_form.choice_labels(builder, self.texts),
            max_conditions=skip_rule_form.MAX_CONDITIONS,
            **context,
        )


@bp.route("/<lang>/staff/pages/<int:page_id>/questions/new", methods=["GET", "POST"])
@requires("edit_questionnaires")
def new_question(page_id: int):
    page = db.get_or_404(Page, page_id)
    if request.method == "GET" and request.args.get("type") not in TYPES:
        # First the kind of question, so that the form shows its settings only.
        return render_template(
            "authoring/question_type.html",
            page=page,
            number=page.version.pages.index(page) + 1,
            texts=load_texts(page.version_id, g.lang),
            type_labels=TYPE_LABELS,
        )
    state = QuestionPage(page, None)
    if request.method == "POST" and (spec := state.submitted()) is not None:
        try:
            question = structure.add_question(page_id, spec, state.form.label.data or "")
        except EditError as problem:
            state.error = error_text(problem)
        else:
            after_change(page.version_id, question.version, _l("The question was added."))
            return redirect(url_for("authoring.edit_question", question_id=question.id), 303)
    return state.render(rows=[])


@bp.route("/<lang>/staff/questions/<int:question_id>", methods=["GET", "POST"])
@requires("edit_questionnaires")
def edit_question(question_id: int):
    question = db.get_or_404(Question, question_id)
    state = QuestionPage(question.page, question)
    if request.method == "POST" and (spec := state.submitted()) is not None:
        try:
            changed = structure.update_question(question_id, spec)
        except EditError as problem:
            state.error = error_text(problem)
        else:
            after_change(question.version_id, changed.version, _l("The question was saved."))
            return redirect(url_for("authoring.edit_question", question_id=changed.id), 303)
    rows = text_edits.text_table(
        question.version_id, text_edits.question_keys(question), AUTHORED_LANGUAGES
    )
    return state.render(rows=rows, texts_form=TextsForm())
