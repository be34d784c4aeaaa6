"""The open link: who is answering (country, municipality, role), with the defences
against flooding (a cap per municipality and role, rate limits, a check that a person
sent the form) and the offer to continue this browser's response."""

from __future__ import annotations

from flask import current_app, g, redirect, render_template, request, url_for

from surveyapp import places
from surveyapp.campaigns.duplicates import remembered_registrations
from surveyapp.campaigns.roles import role_choices
from surveyapp.campaigns.tokens import new_token
from surveyapp.core.lost_connections import repeatable
from surveyapp.extensions import limiter
from surveyapp.languages.current import preferred_language, use_variant_of
from surveyapp.questionnaires import version_cache
from surveyapp.responses import starting
from surveyapp.web.survey import bp, open_link_memory
from surveyapp.web.survey.forms import RegistrationForm
from surveyapp.web.survey.routes import CampaignClosed, InvitationNotFound, see_other


def _open_link_key() -> str:
    return "open-link:" + (request.view_args or {}).get("open_token", "")


@bp.route("/<lang>/o/<open_token>", methods=["GET", "POST"])
@repeatable  # the registration's token is chosen once per request (see below)
@limiter.limit(lambda: current_app.config["OPEN_LINK_LIMITS_PER_ADDRESS"], methods=["POST"])
@limiter.limit(
    lambda: current_app.config["OPEN_LINK_LIMITS_PER_LINK"],
    key_func=_open_link_key,
    methods=["POST"],
)
def register(open_token: str):
    campaign = starting.find_open_campaign(open_token)
    if campaign is None:
        raise InvitationNotFound()
    if not campaign.is_open():
        raise CampaignClosed()
    cached = version_cache.get(campaign.version_id)
    offered = cached.offered_in(campaign.languages)
    if not cached.allows(g.lang, None, campaign.languages):
        # Only the campaign's languages that are complete and not withdrawn are offered:
        # another in the address goes to the closest offered (sr for sr-Latn), or the
        # best for this browser.
        return redirect(
            url_for(
                "survey.register",
                open_token=open_token,
                country=request.args.get("country") or None,
                lang=preferred_language(g.lang, among=offered),
            ),
            303,
        )
    countries = places.countries_with_municipalities(g.lang)
    country_code = request.values.get("country", "")
    country = next((c for c in countries if c.code == country_code), None)
    # Once the country is picked, its wording ("komuna" in Kosovo and North Macedonia).
    variant = use_variant_of(country.code if country else None)
    form = RegistrationForm()
    municipalities = places.by_name(country.municipalities, g.lang) if country else []
    form.set_choices([(m.code, m.name(g.lang)) for m in municipalities], role_choices())
    notice = already = None
    remembered = remembered_registrations(
        campaign.id, open_link_memory.remembered_tokens(campaign.id)
    )
    if request.method == "POST" and country is not None and form.validate():
        already = next(
            (
                invitation
                for invitation in remembered
                if (invitation.municipality.code, invitation.role)
                == (form.municipality.data, form.role.data)
            ),
            None,
        )
        if form.looks_automated():
            notice = "again"
        elif already is not None and not request.form.get("new_person"):
            notice = "already"
        else:
            try:
                invitation = starting.register_through_open_link(
                    campaign,
                    form.municipality.data,
                    form.role.data,
                    g.lang,
                    # One token per request, kept if the request runs again.
                    token=g.setdefault("open_link_token", new_token()),
                )
            except starting.CapReached:
                notice = "full"
            else:
                started = see_other("survey.start", token=invitation.token)
                return open_link_memory.remember(started, campaign.id, invitation.token)
    form.stamp()
    return render_template(
        "survey/register.html",
        campaign=campaign,
        countries=countries,
        country=country,
        form=form,
        stale=bool(form.csrf_token.errors),
        notice=notice,
        remembered=remembered,
        already=already if notice == "already" else None,
        texts=cached.texts(g.lang, variant),
        offered_languages=offered,
    )
