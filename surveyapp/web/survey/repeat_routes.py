"""A repeat page of the respondent's path (``surveyapp.responses.repeat_page``): the views
of ``routes`` hand a page that is a repeat over to these functions."""

from __future__ import annotations

from collections.abc import Callable

from flask import redirect, request
from flask_wtf.csrf import ValidationError, validate_csrf
from werkzeug.datastructures import CombinedMultiDict
from werkzeug.wrappers import Response as HTTPResponse

from surveyapp.models import Page
from surveyapp.responses import repeat_page
from surveyapp.responses.navigation import Step
from surveyapp.responses.reads import ResponseState


def show(visit, response: ResponseState, page: Page, number: int, render, url_of: Callable):
    """The repeat page, or a redirect when the answers so far skip it."""
    state = repeat_page.page_state(
        visit.version,
        response,
        page,
        number,
        visit.page_form(page),
        visit.texts,
        check=bool(request.args.get("check")),
    )
    if isinstance(state, Step):
        return redirect(url_of(state, visit.token))
    return render(visit, page, number, state, stale=False)


def save(visit, response: ResponseState, page: Page, number: int, render, url_of: Callable):
    """The repeat page sent back: stored, then where the respondent goes next."""
    form_class = visit.page_form(page)
    # A page with a file question is multipart: each entry's file is in request.files.
    sent: CombinedMultiDict = CombinedMultiDict([request.files, request.form])
    try:
        validate_csrf(request.form.get("csrf_token"))
    except ValidationError:
        # Nothing from an unverified request is stored: the page again, filled.
        state = repeat_page.as_sent(visit.version, response, page, form_class, visit.texts, sent)
        return render(visit, page, number, state, stale=True)
    outcome = repeat_page.next_step(
        visit.version,
        response,
        page,
        number,
        form_class,
        visit.texts,
        action=request.form.get("action", "next"),
        raw=sent,
        offered=visit.offered,
    )
    target = url_of(outcome.step, visit.token)
    return HTTPResponse(status=303, headers={"Location": target})
