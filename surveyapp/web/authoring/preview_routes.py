"""The editor's preview: the questionnaire as a respondent walks it, in any language
(or regional variant: Albanian as Kosovo says it), with its skip logic applied to
the answers typed in the preview; nothing is saved."""

from __future__ import annotations

from flask import abort, render_template, request

from surveyapp.languages.registry import LANGUAGES, VARIANTS
from surveyapp.responses import preview as walk
from surveyapp.web.authoring import bp
from surveyapp.web.authoring.editor_routes import _version_or_404
from surveyapp.web.staff import requires


@bp.route(
    "/<lang>/staff/questionnaires/<int:version_id>/preview/<target>/<int:number>",
    methods=["GET", "POST"],
)
@requires("edit_questionnaires")
def preview(version_id: int, target: str, number: int):
    """GET: page ``number`` with no answers yet. POST: that page sent with the answers
    typed so far ("next", "back" or another language); ``number`` one past the last
    page is the end, which can only go back."""
    version = _version_or_404(version_id)
    last = len(version.pages) + (1 if request.method == "POST" else 0)
    if (target not in LANGUAGES and target not in VARIANTS) or not 1 <= number <= last:
        abort(404)
    if request.method == "POST":
        state = walk.send(version, target, number, request.form)
    else:
        state = walk.start(version, target, number)
    return render_template(
        "authoring/preview.html",
        version=version,
        state=state,
        texts=state.texts,
        target=VARIANTS.get(state.target) or LANGUAGES[state.target],
        variants=VARIANTS,
    )
