"""Staff pages for erasure: respondents' deletion requests, and deleting a response."""

from __future__ import annotations

from flask import flash, g, redirect, render_template, request, url_for
from flask_login import current_user

from surveyapp import places
from surveyapp.core.form_fields import ActionForm
from surveyapp.core.safe_text import lazy_gettext as _l
from surveyapp.extensions import db
from surveyapp.models import Campaign
from surveyapp.responses import erasure
from surveyapp.web.auth.sessions import recent_password_required
from surveyapp.web.review import bp
from surveyapp.web.review.erasure_forms import DeclineForm, LookupForm
from surveyapp.web.staff import requires


def _back():
    return redirect(url_for("review.deletions"), 303)


@bp.get("/<lang>/staff/deletions")
@requires("run_campaigns")
def deletions():
    lookup = LookupForm(request.args)
    if "submission" in request.args and lookup.validate():
        found = erasure.find_by_submission_id(lookup.submission.data)
        if found is not None:
            return redirect(url_for("review.delete_response", response_id=found.id), 303)
        lookup.submission.errors = [
            _l("No response has this submission id. Please check it in the export.")
        ]
    return render_template(
        "review/deletions.html",
        pending=erasure.pending_requests(),
        decided=erasure.decided_requests(),
        lookup=lookup,
        decline_form=DeclineForm(),
        town_names=places.municipality_names(g.lang),
    )


@bp.route("/<lang>/staff/responses/<int:response_id>/delete", methods=["GET", "POST"])
@requires("run_campaigns")
@recent_password_required
def delete_response(response_id: int):
    summary = erasure.response_summary(response_id)
    if summary is None:
        flash(_l("This response does not exist (any more): nothing was deleted."))
        return _back()
    form = ActionForm()
    if request.method == "POST":
        if not form.validate_on_submit():
            flash(_l("The form had expired: nothing was deleted. Please try again."), "error")
            return redirect(url_for("review.delete_response", response_id=response_id), 303)
        if erasure.delete_response(response_id, current_user.id, request.remote_addr or ""):
            flash(_l("The response was deleted with all its answers; the profiles were updated."))
        return _back()
    return render_template(
        "review/delete_response.html",
        summary=summary,
        form=form,
        town_names=places.municipality_names(g.lang),
    )


@bp.post("/<lang>/staff/deletion-requests/<int:request_id>/decline")
@requires("run_campaigns")
def decline_deletion(request_id: int):
    form = DeclineForm()
    if not form.validate_on_submit():
        if form.reason.errors:
            flash(form.reason.errors[0], "error")
        return _back()
    if erasure.decline_request(
        request_id, current_user.id, form.reason.data, request.remote_addr or ""
    ):
        flash(_l("The request was declined; the respondent's link shows your reason."))
    else:
        flash(_l("This request was already decided: nothing was changed."))
    return _back()


@bp.route(
    "/<lang>/staff/campaigns/<int:campaign_id>/responses/delete-tests", methods=["GET", "POST"]
)
@requires("run_campaigns")
@recent_password_required
def delete_test_responses(campaign_id: int):
    """Delete, after a confirmation, every response of the campaign marked as a test."""
    campaign = db.get_or_404(Campaign, campaign_id)
    back = redirect(url_for("review.responses_table", campaign_id=campaign.id), 303)
    form = ActionForm()
    if request.method == "POST":
        if not form.validate_on_submit():
            flash(_l("The form had expired: nothing was deleted. Please try again."), "error")
            return back
        count = erasure.delete_test_responses(
            campaign.id, current_user.id, request.remote_addr or ""
        )
        if count:
            flash(
                _l(
                    "%(count)d responses marked as a test were deleted; the profiles were updated.",
                    count=count,
                )
            )
        else:
            flash(_l("No response is marked as a test: nothing was deleted."))
        return back
    count = len(erasure.test_response_ids(campaign.id))
    if not count:
        flash(_l("No response is marked as a test: nothing was deleted."))
        return back
    return render_template(
        "review/delete_test_responses.html", campaign=campaign, count=count, form=form
    )
