"""Views of the staff's review pages."""

from __future__ import annotations

from flask import (
    Blueprint,
    Response,
    flash,
    g,
    redirect,
    render_template,
    request,
    send_file,
    stream_with_context,
    url_for,
)
from flask_babel import lazy_gettext as _l
from flask_babel import ngettext

from surveyapp import exports, invitations
from surveyapp.auth import roles_required
from surveyapp.extensions import db
from surveyapp.i18n import is_language
from surveyapp.models import Campaign
from surveyapp.responses import countries_with_municipalities
from surveyapp.review.forms import InviteForm

bp = Blueprint("review", __name__)


@bp.get("/<lang>/staff/")
@roles_required()
def dashboard():
    return render_template("review/dashboard.html")


ANALYSTS = ("admin", "analyst")


def _labels_language() -> str | None:
    """?labels=<code> for labels in a language, ?labels=codes for raw codes."""
    choice = request.args.get("labels", "codes")
    return choice if is_language(choice) else None


@bp.get("/<lang>/staff/campaigns/<int:campaign_id>/responses.csv")
@roles_required(*ANALYSTS)
def export_csv(campaign_id: int):
    campaign = db.get_or_404(Campaign, campaign_id)
    rows = exports.response_rows(campaign.id, _labels_language())
    return Response(
        stream_with_context(exports.csv_chunks(rows)),
        mimetype="text/csv; charset=utf-8",
        headers={"Content-Disposition": f'attachment; filename="responses-{campaign.id}.csv"'},
    )


@bp.get("/<lang>/staff/campaigns/<int:campaign_id>/responses.xlsx")
@roles_required(*ANALYSTS)
def export_xlsx(campaign_id: int):
    campaign = db.get_or_404(Campaign, campaign_id)
    output = exports.write_xlsx(exports.response_rows(campaign.id, _labels_language()))
    return send_file(
        output,
        mimetype="application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
        as_attachment=True,
        download_name=f"responses-{campaign.id}.xlsx",
    )


@bp.route("/<lang>/staff/campaigns/<int:campaign_id>/invite", methods=["GET", "POST"])
@roles_required(*ANALYSTS)
def invite(campaign_id: int):
    campaign = db.get_or_404(Campaign, campaign_id)
    countries = countries_with_municipalities()
    form = InviteForm()
    form.set_choices(countries, g.lang)
    error = None
    if form.validate_on_submit():
        chosen = set(form.countries.data or [])
        codes = [m.code for c in countries if c.code in chosen for m in c.municipalities]
        codes += form.municipalities.data or []
        try:
            made = invitations.create_invitations(
                campaign, codes, form.roles.data or [], form.language.data or None
            )
        except invitations.InvitationError as problem:
            error = (
                _l("Unknown: %(items)s", items=", ".join(problem.unknown))
                if problem.unknown
                else _l("Please choose at least one municipality and one role.")
            )
        else:
            flash(
                ngettext(
                    "%(num)d invitation was created.",
                    "%(num)d invitations were created.",
                    len(made),
                )
            )
            return redirect(url_for("review.invite", campaign_id=campaign.id), 303)
    count = invitations.invitation_count(campaign.id)
    return render_template(
        "review/invite.html", campaign=campaign, form=form, error=error, count=count
    )


@bp.get("/<lang>/staff/campaigns/<int:campaign_id>/invitations.csv")
@roles_required(*ANALYSTS)
def invitations_csv(campaign_id: int):
    campaign = db.get_or_404(Campaign, campaign_id)

    def link_for(token: str) -> str:
        return url_for("survey.open_invitation", token=token, _external=True)

    return Response(
        stream_with_context(invitations.invitations_csv(campaign.id, link_for)),
        mimetype="text/csv; charset=utf-8",
        headers={"Content-Disposition": f'attachment; filename="invitations-{campaign.id}.csv"'},
    )
