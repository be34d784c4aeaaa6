"""A campaign's responses table, one response, and marking one as a test or invalid."""

from __future__ import annotations

from flask import abort, flash, g, redirect, render_template, request, url_for

from surveyapp.campaigns.roles import role_choices
from surveyapp.core.safe_text import lazy_gettext as _l
from surveyapp.extensions import db
from surveyapp.languages.registry import LANGUAGES
from surveyapp.models import ANSWERABLE_TYPES, Campaign
from surveyapp.places import countries_with_municipalities
from surveyapp.responses import erasure, listing, upload_answers
from surveyapp.web.review import bp
from surveyapp.web.review.campaign_forms import MarkResponseForm
from surveyapp.web.staff import record_action, requires

STATUS_LABELS = {
    "in_progress": _l("in progress"),
    "submitted": _l("submitted"),
    "held": _l("held for review or rejected"),
    "test": _l("marked as a test"),
    "invalid": _l("marked as invalid"),
}
MARK_ERRORS = {
    "mark": _l("Please choose whether the response is a test or invalid."),
    "reason": _l("Please give a reason (at most 500 characters)."),
}


@bp.get("/<lang>/staff/campaigns/<int:campaign_id>/responses")
@requires("run_campaigns")
def responses_table(campaign_id: int):
    campaign = db.get_or_404(Campaign, campaign_id)
    chosen = listing.parse_filter(request.args, list(LANGUAGES))
    return render_template(
        "review/responses.html",
        campaign=campaign,
        chosen=chosen,
        page=listing.list_responses(campaign.id, chosen),
        countries=countries_with_municipalities(g.lang),
        roles=role_choices(),
        statuses=STATUS_LABELS,
        languages=LANGUAGES,
        test_count=len(erasure.test_response_ids(campaign.id)),
    )


@bp.route(
    "/<lang>/staff/campaigns/<int:campaign_id>/responses/<int:response_id>",
    methods=["GET", "POST"],
)
@requires("run_campaigns")
def response_page(campaign_id: int, response_id: int):
    campaign = db.get_or_404(Campaign, campaign_id)
    form = MarkResponseForm()
    error = None
    if form.validate_on_submit():
        mark = request.form.get("mark") or None
        try:
            found = listing.mark_response(campaign.id, response_id, mark, form.reason.data)
        except listing.MarkError as problem:
            error = MARK_ERRORS[problem.code]
        else:
            if not found:
                abort(404)
            record_action(
                "response_marked" if mark else "response_unmarked",
                f"response:{response_id}",
                campaign=campaign.id,
                mark=mark,
                reason=(form.reason.data or "").strip() or None,
            )
            flash(
                _l("The response no longer counts in profiles, exports and response rates.")
                if mark
                else _l("The response counts again.")
            )
            return redirect(
                url_for("review.response_page", campaign_id=campaign.id, response_id=response_id),
                303,
            )
    detail = listing.response_detail(campaign.id, response_id, g.lang)
    if detail is None:
        abort(404)
    if request.method == "GET":
        record_action("response_viewed", f"response:{response_id}", campaign=campaign.id)
    return render_template(
        "review/response.html",
        campaign=campaign,
        detail=detail,
        form=form,
        error=error,
        statuses=STATUS_LABELS,
        answerable=ANSWERABLE_TYPES,
        files=upload_answers.response_files(response_id),
    )
