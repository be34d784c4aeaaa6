"""A respondent withdraws before submitting, or asks for the answers to be deleted
after (staff decide: surveyapp.responses.erasure)."""

from __future__ import annotations

from flask import redirect, request, url_for

from surveyapp.core.form_fields import ActionForm
from surveyapp.core.lost_connections import repeatable
from surveyapp.responses import erasure
from surveyapp.web.survey import bp
from surveyapp.web.survey.routes import _render, _visit, see_other


@bp.route("/<lang>/r/<token>/withdraw", methods=["GET", "POST"])
@repeatable  # a second run finds the work of the first done
def withdraw(token: str):
    """Confirm, then delete a response in progress (the link starts anew)."""
    visit = _visit(token, allow_closed=True)
    if visit.response is None:
        return see_other("survey.withdrawn", token=token)
    if visit.response.status == "submitted":
        return see_other("survey.thanks", token=token)
    form = ActionForm()
    if request.method == "POST":
        if form.validate():
            erasure.withdraw(visit.response.id)
            return see_other("survey.withdrawn", token=token)
        return _render("survey/withdraw.html", visit, form=form, stale=True), 400
    return _render("survey/withdraw.html", visit, form=form, stale=False)


@bp.get("/<lang>/r/<token>/withdrawn")
def withdrawn(token: str):
    visit = _visit(token, allow_closed=True)
    if visit.response is not None:
        return redirect(url_for("survey.start", token=token))
    return _render("survey/withdrawn.html", visit)


@bp.route("/<lang>/r/<token>/deletion", methods=["GET", "POST"])
@repeatable  # a second run finds the work of the first done
def request_deletion(token: str):
    """Confirm, then record a request to delete submitted answers (staff decide)."""
    visit = _visit(token, allow_closed=True)
    if visit.response is None or visit.response.status != "submitted":
        return see_other("survey.start", token=token)
    earlier = erasure.request_for(visit.response.id)
    if earlier is not None and earlier.status == "pending":
        return see_other("survey.thanks", token=token)
    form = ActionForm()
    if request.method == "POST":
        if form.validate():
            erasure.request_deletion(visit.response.id)
            return see_other("survey.thanks", token=token)
        return _render("survey/deletion_request.html", visit, form=form, stale=True), 400
    return _render("survey/deletion_request.html", visit, form=form, stale=False)
