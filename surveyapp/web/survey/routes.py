"""Views of the respondent's path. Each parses the request, calls one use case
in ``surveyapp.responses.respondent`` and renders or redirects (303 after every POST)."""

from __future__ import annotations

from dataclasses import dataclass
from functools import cached_property

from flask import Blueprint, abort, current_app, g, redirect, render_template, request, url_for
from werkzeug.datastructures import MultiDict
from werkzeug.exceptions import Gone, NotFound
from werkzeug.wrappers import Response as HTTPResponse

from surveyapp import places
from surveyapp.campaigns.roles import role_choices
from surveyapp.core.form_fields import ActionForm
from surveyapp.extensions import csrf, limiter
from surveyapp.languages.current import preferred_language
from surveyapp.models import Invitation, Page, QuestionnaireVersion
from surveyapp.questionnaires import rules, version_cache
from surveyapp.questionnaires.page_forms import (
    PageForm,
    check_page,
    initial_data,
    make_page_form,
    raw_values,
)
from surveyapp.questionnaires.texts import Texts
from surveyapp.responses import reads, respondent
from surveyapp.responses.reads import Link, ResponseState
from surveyapp.web.survey.display import answer_text, question_block, role_label
from surveyapp.web.survey.forms import RegistrationForm

bp = Blueprint("survey", __name__)
bp.add_app_template_global(answer_text)
bp.add_app_template_global(question_block)
bp.add_app_template_global(role_label)

# Respondent forms check their CSRF token themselves, so that an expired token
# brings the respondent back to the filled-in page instead of an error page.
csrf.exempt(bp)


class InvitationNotFound(NotFound):
    description_key = "invitation"


class CampaignClosed(Gone):
    description_key = "closed"


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

    @property
    def token(self) -> str:
        return self.link.token

    @cached_property
    def invitation(self) -> Invitation:
        """The invitation with its campaign, municipality and role (read when first used)."""
        return respondent.invitation_of(self.link)

    def reads_other_pages(self, page: Page) -> bool:
        """Whether the questionnaire's rules refer to answers given elsewhere than ``page``."""
        names = self.cached.memo("referenced", lambda: rules.referenced_names(self.version))
        return bool(names - {q.name for q in page.questions})

    def page_form(self, page: Page) -> type[PageForm]:
        """The form class of a page in the visit's language, made once per process."""
        return self.cached.memo(
            ("form", page.id, self.texts.lang), lambda: make_page_form(page, self.texts)
        )


def _visit(token: str, *, allow_closed: bool = False, with_answers: bool = False) -> Visit:
    link = reads.find_link(token, with_answers=with_answers)
    if link is None:
        raise InvitationNotFound()
    response = link.response
    submitted = response is not None and response.status == "submitted"
    if not link.campaign_is_open() and not (allow_closed or submitted):
        raise CampaignClosed()
    cached = version_cache.get(link.version_id, link.version_stamp)
    offered = cached.offered
    if g.lang not in offered:
        # Only fully translated languages are offered for a questionnaire.
        abort(redirect(url_for(request.endpoint, **{**request.view_args, "lang": offered[0]})))
    if response is not None and response.language != g.lang:
        respondent.set_language(response, g.lang)
    return Visit(link, cached.version, response, cached.texts(g.lang), offered, cached)


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
    invitation = respondent.find_invitation(token)
    if invitation is None:
        raise InvitationNotFound()
    response = respondent.response_for(invitation)
    lang = preferred_language(response.language if response else None, invitation.language)
    return redirect(url_for("survey.start", lang=lang, token=token))


@bp.get("/o/<open_token>")
def open_campaign_link(open_token: str):
    return redirect(url_for("survey.register", lang=g.lang, open_token=open_token))


# --- open link: who is answering ----------------------------------------------


def _open_link_key() -> str:
    return "open-link:" + (request.view_args or {}).get("open_token", "")


@bp.route("/<lang>/o/<open_token>", methods=["GET", "POST"])
@limiter.limit(lambda: current_app.config["OPEN_LINK_LIMITS_PER_ADDRESS"], methods=["POST"])
@limiter.limit(
    lambda: current_app.config["OPEN_LINK_LIMITS_PER_LINK"],
    key_func=_open_link_key,
    methods=["POST"],
)
def register(open_token: str):
    campaign = respondent.find_open_campaign(open_token)
    if campaign is None:
        raise InvitationNotFound()
    if not campaign.is_open():
        raise CampaignClosed()
    countries = places.countries_with_municipalities()
    country_code = request.values.get("country", "")
    country = next((c for c in countries if c.code == country_code), None)
    form = RegistrationForm()
    municipalities = sorted(country.municipalities, key=lambda m: m.name(g.lang)) if country else []
    form.set_choices([(m.code, m.name(g.lang)) for m in municipalities], role_choices())
    notice = None
    if request.method == "POST" and country is not None and form.validate():
        if form.looks_automated():
            notice = "again"
        else:
            try:
                invitation = respondent.register_through_open_link(
                    campaign, form.municipality.data, form.role.data, g.lang
                )
            except respondent.CapReached:
                notice = "full"
            else:
                return see_other("survey.start", token=invitation.token)
    form.stamp()
    return render_template(
        "survey/register.html",
        campaign=campaign,
        countries=countries,
        country=country,
        form=form,
        stale=bool(form.csrf_token.errors),
        notice=notice,
        texts=version_cache.get(campaign.version_id).texts(g.lang),
    )


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
def consent(token: str):
    visit = _visit(token)
    form = ActionForm()
    if not form.validate():
        return _render("survey/start.html", visit, form=form, stale=True)
    if request.form.get("action") != "accept":
        return see_other("survey.declined", token=token)
    respondent.start_response(visit.invitation, g.lang)
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
    saved = reads.link_answers(visit.link, visit.version)
    earlier = respondent.answers_by_name(response, visit.version, saved)
    values = rules.all_values(visit.version, earlier)
    shown = rules.shown_questions(page_, values)
    if not shown:
        # Skipped by the answers given so far: go on to the next page that applies.
        following = rules.next_page_number(visit.version, number, values)
        if following is None:
            return redirect(url_for("survey.review", token=token))
        return redirect(url_for("survey.page", token=token, number=following))
    form_class = visit.page_form(page_)
    draft = respondent.draft_for(response, page_)
    if draft is not None:
        form = form_class(formdata=MultiDict([(k, v) for k, vs in draft.items() for v in vs]))
        form.validate()
        form.csrf_token.errors = []
        check_page(form, page_, visit.texts, earlier, require=True)
    else:
        form = form_class(formdata=None, data=initial_data(page_, saved))
        if request.args.get("check"):
            check_page(form, page_, visit.texts, earlier, require=True)
    return _render_page(visit, page_, number, form, shown, stale=False)


def _render_page(visit: Visit, page_, number: int, form, shown, *, stale: bool) -> str:
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
    )


@bp.post("/<lang>/r/<token>/p/<int:number>")
def save_page(token: str, number: int):
    visit = _visit(token)
    response = _started(visit, token)
    if isinstance(response, HTTPResponse):
        return response
    page_ = _page_or_404(visit, number)
    # The other pages' answers matter only to rules that read them.
    earlier = (
        respondent.answers_by_name(response, visit.version)
        if visit.reads_other_pages(page_)
        else {}
    )
    form = visit.page_form(page_)()
    form.validate()
    if form.csrf_token.errors:
        # The page sat open too long (or the session was lost). Nothing from an
        # unverified request is stored; the respondent gets the page back, filled.
        form.csrf_token.errors = []
        shown = rules.shown_questions(page_, rules.all_values(visit.version, earlier))
        return _render_page(visit, page_, number, form, shown, stale=True)

    action = request.form.get("action", "next")
    checked = check_page(form, page_, visit.texts, earlier, require=action == "next")
    if checked.invalid:
        saved = respondent.save_draft(response, page_, raw_values(request.form, page_))
    else:
        saved = respondent.save_page(response, page_, checked.values)
    if not saved:
        # Submitted meanwhile, from another tab: what was submitted stands.
        return see_other("survey.thanks", token=token)
    values = rules.all_values(visit.version, {**earlier, **checked.values})

    if action.startswith("lang:") and action[5:] in visit.offered:
        return see_other("survey.page", token=token, number=number, lang=action[5:])
    if action == "back":
        previous = rules.next_page_number(visit.version, number, values, step=-1)
        return see_other("survey.page", token=token, number=previous or number)
    if action == "later":
        return see_other("survey.saved", token=token)
    if checked.invalid:
        return see_other("survey.page", token=token, number=number)
    if checked.missing:
        return see_other("survey.page", token=token, number=number, check=1)
    following = rules.next_page_number(visit.version, number, values)
    if following is not None:
        return see_other("survey.page", token=token, number=following)
    return see_other("survey.review", token=token)


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
    values = rules.all_values(
        visit.version, respondent.answers_by_name(response, visit.version, answers)
    )
    asked = {
        q.id
        for page_ in visit.version.pages
        for q in rules.relevant_questions(page_, values)
        if q.answerable
    }
    return _render(
        "survey/review.html",
        visit,
        answers=answers,
        asked=asked,
        gap=respondent.first_gap(response, visit.version),
        form=form,
        stale=stale,
    )


@bp.post("/<lang>/r/<token>/submit")
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
    return _render("survey/thanks.html", visit)
