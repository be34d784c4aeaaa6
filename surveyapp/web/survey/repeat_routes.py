"""A repeat page of the respondent's path (``surveyapp.responses.repeat_page``): the views
of ``routes`` hand a page that is a repeat over to these functions."""

from __future__ import annotations

from collections.abc import Callable

from flask import jsonify, redirect, request
from flask_wtf.csrf import ValidationError, generate_csrf, validate_csrf
from werkzeug.datastructures import CombinedMultiDict
from werkzeug.wrappers import Response as HTTPResponse

from surveyapp.models import Page
from surveyapp.questionnaires import live_rules
from surveyapp.responses import repeat_page
from surveyapp.responses.navigation import AUTOSAVE, THANKS, Step
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


def live(visit, page: Page, number: int, state: repeat_page.RepeatPage) -> str:
    """The page's JSON for its script (``live.js``): each entry's fields, so that what
    the respondent types is saved in the background as on any page."""
    fields = [
        (entry.form[question.name].name, question)
        for entry in state.entries
        for question in entry.shown
        if question.answerable
    ]
    return live_rules.repeat_payload(page, fields, scope=visit.scope, number=number)


def save(visit, response: ResponseState, page: Page, number: int, render, url_of: Callable):
    """The repeat page sent back: stored, then where the respondent goes next."""
    form_class = visit.page_form(page)
    # A page with a file question is multipart: each entry's file is in request.files.
    sent: CombinedMultiDict = CombinedMultiDict([request.files, request.form])
    action = request.form.get("action", "next")
    try:
        validate_csrf(request.form.get("csrf_token"))
    except ValidationError:
        if action == AUTOSAVE:
            # The page sat open past its security token's lifetime: nothing stored; the
            # script gets a fresh token, as on any page (``routes.save_page``).
            return jsonify(saved=False, reason="stale", csrf=generate_csrf()), 409
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
        action=action,
        raw=sent,
        offered=visit.offered,
    )
    if action == AUTOSAVE:
        # The script saving in the background: it only needs to know whether it was kept.
        if outcome.step == THANKS:
            return jsonify(saved=False, reason="submitted"), 409
        if outcome.stale:
            return jsonify(saved=False, reason="stale", csrf=generate_csrf()), 409
        return "", 204
    target = url_of(outcome.step, visit.token)
    return HTTPResponse(status=303, headers={"Location": target})
