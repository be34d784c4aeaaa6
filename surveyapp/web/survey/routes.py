"""Views of the respondent's path. Each parses the request, calls one use case
(``surveyapp.responses.respondent``; ``surveyapp.responses.navigation`` for the
way through the pages) and renders or redirects (303 after every POST).

Every POST here is ``repeatable``: consent returns the response a first run made,
a page's answers are upserted, a submitted response never changes and submitting
it again does nothing, so a request run again after a lost database connection
(``core.lost_connections``) stores what one run stores."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date
from functools import cached_property

from flask import abort, g, jsonify, redirect, render_template, request, url_for
from werkzeug.exceptions import Gone, NotFound
from werkzeug.wrappers import Response as HTTPResponse

from surveyapp.core.form_fields import ActionForm
from surveyapp.core.lost_connections import repeatable
from surveyapp.languages.current import preferred_language, use_variant_of
from surveyapp.models import Invitation, Page, QuestionnaireVersion
from surveyapp.questionnaires import live_rules, rules, version_cache
from surveyapp.questionnaires.page_forms import RespondentPageForm, make_page_form
from surveyapp.questionnaires.texts import Texts
from surveyapp.responses import (
    erasure,
    navigation,
    reads,
    repeat_page,
    respondent,
    starting,
    upload_answers,
)
from surveyapp.responses.navigation import AUTOSAVE, THANKS, Step
from surveyapp.responses.reads import Link, ResponseState
from surveyapp.web.survey import bp, repeat_routes


class InvitationNotFound(NotFound):
    description_key = "invitation"


class CampaignClosed(Gone):
    description_key = "closed"


class AnswersDeleted(Gone):
    description_key = "deleted"


def see_other(endpoint: str, **values) -> HTTPResponse:
    return redirect(url_for(endpoint, **values), code=303)


@dataclass
class Visit:
    """Everything a respondent page needs about the link it was opened with."""

    link: Link
    version: QuestionnaireVersion
    response: ResponseState | None
    texts: Texts
    offered: list[str]
    #: The version as this process keeps it (read-only), for things made once per page.
    cached: version_cache.CachedVersion
    #: How earlier answers through this link were erased (read only when it has no response).
    erasure: str | None = None

    @property
    def token(self) -> str:
        return self.link.token

    @cached_property
    def invitation(self) -> Invitation:
        """The invitation with its campaign, municipality and role (read when first used)."""
        return starting.invitation_of(self.link)

    def reads_other_pages(self, page: Page) -> bool:
        """Whether the questionnaire's rules refer to answers given elsewhere than ``page``."""
        names = self.cached.memo("referenced", lambda: rules.referenced_names(self.version))
        return bool(names - {q.name for q in page.questions})

    @property
    def scope(self) -> str:
        """What names this link's answers in the browser's storage."""
        return live_rules.invitation_scope(self.token)

    def live_rules(self, page: Page, number: int, values: rules.Values) -> str:
        """The page's rules as JSON for its script, with the answers they read; the trees
        and messages are made once per page and language in this process."""
        made = self.cached.memo(
            ("live", page.id, self.texts.lang),
            lambda: live_rules.page_rules(self.version, page, self.texts),
        )
        return live_rules.page_payload(
            made, values, scope=self.scope, number=number, today=date.today()
        )

    def page_form(self, page: Page) -> type[RespondentPageForm]:
        """The form class of a page in the visit's language, made once per process."""
        return self.cached.memo(
            ("form", page.id, self.texts.lang, self.texts.variant),
            lambda: make_page_form(page, self.texts),
        )


def _visit(token: str, *, allow_closed: bool = False, with_answers: bool = False) -> Visit:
    link = reads.find_link(token, with_answers=with_answers)
    if link is None:
        raise InvitationNotFound()
    response = link.response
    erased = erasure.erasure_of(link.invitation_id) if response is None else None
    if erased == erasure.DELETED:
        raise AnswersDeleted()
    submitted = response is not None and response.status == "submitted"
    if not link.campaign_is_open() and not (allow_closed or submitted):
        raise CampaignClosed()
    cached = version_cache.get(link.version_id, link.version_stamp)
    offered = cached.offered_in(link.campaign_languages)
    started_in = response.language if response is not None else None
    if not cached.allows(g.lang, started_in, link.campaign_languages):
        # Only the campaign's languages that are translated and not withdrawn are
        # offered; one a respondent started in stays theirs. Another language in the
        # address goes to the closest one offered (sr for sr-Latn), or the best for them.
        allowed = [*offered, started_in] if started_in in cached.translated else offered
        lang = preferred_language(g.lang, started_in, among=allowed)
        abort(redirect(url_for(request.endpoint, **{**request.view_args, "lang": lang})))
    if (
        started_in is not None
        and started_in not in offered
        and cached.allows(started_in, started_in)
    ):
        offered = [*offered, started_in]
    if response is not None and response.language != g.lang:
        respondent.set_language(response, g.lang)
    # The language as the municipality speaks it ("komuna" in Kosovo): the interface
    # and the questionnaire's texts alike.
    variant = use_variant_of(link.country, link.entity)
    texts = cached.texts(g.lang, variant)
    return Visit(link, cached.version, response, texts, offered, cached, erased)


def _render(template: str, visit: Visit, **context) -> str:
    return render_template(
        template,
        visit=visit,
        texts=visit.texts,
        offered_languages=visit.offered,
        page_count=len(visit.version.pages),
        **context,
    )


# --- entry points without a language in the URL -------------------------------


@bp.get("/r/<token>")
def open_invitation(token: str):
    link = reads.find_link(token)
    if link is None:
        raise InvitationNotFound()
    started_in = link.response.language if link.response else None
    cached = version_cache.get(link.version_id, link.version_stamp)
    offered = cached.offered_in(link.campaign_languages)
    allowed = [*offered, started_in] if started_in in cached.translated else offered
    lang = preferred_language(started_in, link.invitation_language, among=allowed)
    return redirect(url_for("survey.start", lang=lang, token=token))


@bp.get("/o/<open_token>")
def open_campaign_link(open_token: str):
    campaign = starting.find_open_campaign(open_token)
    lang = g.lang
    if campaign is not None:
        offered = version_cache.get(campaign.version_id).offered_in(campaign.languages)
        lang = preferred_language(among=offered)
    return redirect(url_for("survey.register", lang=lang, open_token=open_token))


# --- consent ------------------------------------------------------------------


@bp.get("/<lang>/r/<token>")
def start(token: str):
    visit = _visit(token)
    if visit.response is not None:
        if visit.response.status == "submitted":
            return see_other("survey.thanks", token=token)
        gap = respondent.first_gap(visit.response, visit.version)
        return redirect(url_for("survey.page", token=token, number=gap.page_number if gap else 1))
    return _render("survey/start.html", visit, form=ActionForm(), stale=False)


@bp.post("/<lang>/r/<token>/consent")
@repeatable
def consent(token: str):
    visit = _visit(token)
    form = ActionForm()
    if not form.validate():
        return _render("survey/start.html", visit, form=form, stale=True)
    if request.form.get("action") != "accept":
        return see_other("survey.declined", token=token)
    starting.start_response(visit.invitation, g.lang)
    return see_other("survey.page", token=token, number=1)


@bp.get("/<lang>/r/<token>/declined")
def declined(token: str):
    visit = _visit(token, allow_closed=True)
    return _render("survey/declined.html", visit)


# --- pages --------------------------------------------------------------------


def _page_or_404(visit: Visit, number: int):
    if not 1 <= number <= len(visit.version.pages):
        abort(404)
    return visit.version.pages[number - 1]


def _started(visit: Visit, token: str) -> ResponseState | HTTPResponse:
    """The response, or where to go when there is none to edit."""
    if visit.response is None:
        return redirect(url_for("survey.start", token=token))
    if visit.response.status == "submitted":
        return redirect(url_for("survey.thanks", token=token))
    return visit.response


@bp.get("/<lang>/r/<token>/p/<int:number>")
def page(token: str, number: int):
    visit = _visit(token, with_answers=True)
    response = _started(visit, token)
    if isinstance(response, HTTPResponse):
        return response
    page_ = _page_or_404(visit, number)
    if page_.repeat:
        return repeat_routes.show(visit, response, page_, number, _render_repeat, _url_of)
    state = navigation.page_state(
        visit.link,
        visit.version,
        response,
        page_,
        number,
        visit.page_form(page_),
        visit.texts,
        check=bool(request.args.get("check")),
    )
    if isinstance(state, Step):
        return redirect(_url_of(state, token))
    live = visit.live_rules(page_, number, state.values)
    return _render_page(
        visit, page_, number, state.form, state.shown, stale=False, live=live, labels=state.labels
    )


def _url_of(step: Step, token: str) -> str:
    values: dict[str, int | str] = {} if step.number is None else {"number": step.number}
    if step.check:
        values["check"] = 1
    if step.lang:
        values["lang"] = step.lang
    return url_for(f"survey.{step.to}", token=token, **values)


def _render_page(
    visit: Visit,
    page_,
    number: int,
    form,
    shown,
    *,
    stale: bool,
    live: str | None = None,
    labels: dict[str, str] | None = None,
) -> str:
    errors = [(form[q.name], q) for q in shown if q.answerable and form[q.name].errors]
    return _render(
        "survey/page.html",
        visit,
        page=page_,
        number=number,
        form=form,
        shown=shown,
        errors=errors,
        stale=stale,
        live=live,
        labels=labels or {},
        locates=any(q.type == "geopoint" for q in shown),
    )


def _render_repeat(visit: Visit, page_, number: int, state, *, stale: bool) -> str:
    """A repeat page: its questions once per entry (``responses.repeat_page``), with the
    script that saves them in the background."""
    return _render(
        "survey/repeat_page.html",
        visit,
        page=page_,
        number=number,
        state=state,
        errors=state.errors,
        stale=stale,
        live=repeat_routes.live(visit, page_, number, state),
    )


@bp.post("/<lang>/r/<token>/p/<int:number>")
@repeatable
def save_page(token: str, number: int):
    visit = _visit(token)
    response = _started(visit, token)
    if isinstance(response, HTTPResponse):
        return response
    page_ = _page_or_404(visit, number)
    if page_.repeat:
        return repeat_routes.save(visit, response, page_, number, _render_repeat, _url_of)
    form = visit.page_form(page_)()
    if form._sends_files:
        upload_answers.keep_stored(form, page_.questions, response.id)
    action = request.form.get("action", "next")
    outcome = navigation.next_step(
        visit.version,
        response,
        page_,
        number,
        form,
        visit.texts,
        action=action,
        raw=request.form,
        offered=visit.offered,
        reads_other_pages=visit.reads_other_pages(page_),
    )
    if action == AUTOSAVE:
        # The page's script saving in the background: it only needs to know whether
        # the answers were kept (it keeps them in the browser until they are).
        if outcome.stale:
            # The page sat open past the security token's lifetime: nothing was stored.
            # The script gets a fresh token (readable by this site's pages only, as on
            # any page), so that what the respondent types still reaches the server.
            return jsonify(saved=False, reason="stale", csrf=form.csrf_token.current_token), 409
        if outcome.step == THANKS:
            return jsonify(saved=False, reason="submitted"), 409
        return "", 204
    if outcome.stale:
        return _render_page(
            visit, page_, number, form, outcome.shown, stale=True, labels=outcome.labels
        )
    return redirect(_url_of(outcome.step, token), code=303)


@bp.get("/<lang>/r/<token>/saved")
def saved(token: str):
    visit = _visit(token)
    return _render(
        "survey/saved.html",
        visit,
        link=url_for("survey.open_invitation", token=token, _external=True),
    )


# --- review and submit ----------------------------------------------------------


@bp.get("/<lang>/r/<token>/review")
def review(token: str):
    visit = _visit(token)
    response = _started(visit, token)
    if isinstance(response, HTTPResponse):
        return response
    return _render_review(visit, response, ActionForm(), stale=False)


def _render_review(visit: Visit, response: ResponseState, form, *, stale: bool) -> str:
    answers = reads.saved_answers(response, visit.version)
    asked = navigation.asked_questions(visit.version, response, answers)
    return _render(
        "survey/review.html",
        visit,
        answers=answers,
        asked=asked,
        labels=navigation.review_labels(visit.version, response, answers, visit.texts),
        gap=respondent.first_gap(response, visit.version),
        repeat_entries=repeat_page.review_entries(visit.version, response, visit.texts),
        form=form,
        stale=stale,
    )


@bp.post("/<lang>/r/<token>/submit")
@repeatable
def submit(token: str):
    visit = _visit(token)
    if visit.response is None:
        return see_other("survey.start", token=token)
    if visit.response.status == "submitted":
        return see_other("survey.thanks", token=token)
    form = ActionForm()
    if not form.validate():
        return _render_review(visit, visit.response, form, stale=True)
    gap = respondent.first_gap(visit.response, visit.version)
    if gap is not None:
        return see_other("survey.page", token=token, number=gap.page_number, check=1)
    respondent.submit(visit.response, visit.version)
    return see_other("survey.thanks", token=token)


@bp.get("/<lang>/r/<token>/thanks")
def thanks(token: str):
    visit = _visit(token, allow_closed=True)
    if visit.response is None or visit.response.status != "submitted":
        return redirect(url_for("survey.start", token=token))
    return _render("survey/thanks.html", visit, deletion=erasure.request_for(visit.response.id))
