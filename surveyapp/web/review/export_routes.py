"""A campaign's export page and its downloads: the responses as XLSX, CSV, SPSS or Stata,
the codebook.

The page asks for the password again when it is not recent (the files hold
individual answers). Its form starts an export: a small CSV or XLSX is sent at once
(the download records it in the audit log), anything larger and every .sav and .dta
is written by a worker (``export_job_routes``: progress, then the download).
"""

from __future__ import annotations

from dataclasses import dataclass, field

from flask import (
    Response,
    current_app,
    flash,
    g,
    redirect,
    render_template,
    request,
    send_file,
    stream_with_context,
    url_for,
)
from flask_login import current_user
from werkzeug.datastructures import MultiDict

from surveyapp.core import spreadsheets
from surveyapp.core.safe_text import lazy_gettext as _l
from surveyapp.extensions import db
from surveyapp.languages.registry import SOURCE_LANGUAGE, is_language
from surveyapp.models import Campaign
from surveyapp.questionnaires.texts import translated_languages
from surveyapp.responses import export_files, exports, repeat_exports, upload_answers
from surveyapp.web.auth.sessions import recent_password_required
from surveyapp.web.review import bp
from surveyapp.web.staff import record_action, requires

#: "zip": the files respondents uploaded, with a list of them (always by a worker).
FORMATS = ("xlsx", "csv", "sav", "dta", "zip")
#: Formats that may be sent within the request when the export is small.
DIRECT_FORMATS = ("xlsx", "csv")
VALUES = ("labels", "codes")
CHOICE_ERRORS = {
    "format": _l("Please choose one of the file formats."),
    "values": _l("Please choose labels or codes."),
    "language": _l("Please choose one of the languages in the list."),
}


@dataclass
class ExportChoice:
    """What staff chose on the export page (defaults: XLSX, labels in the page's language)."""

    format: str = "xlsx"
    values: str = "labels"
    language: str = SOURCE_LANGUAGE
    leave_out_self_registered: bool = False
    #: Field name -> message, for the choices that were not understood.
    errors: dict[str, object] = field(default_factory=dict)

    def download_args(self) -> dict[str, str]:
        args = {
            "labels": self.language if self.values == "labels" else "codes",
            "language": self.language,
        }
        if self.leave_out_self_registered:
            args["leave_out_self_registered"] = "1"
        return args


def parse_choice(args: MultiDict, languages: list[str]) -> ExportChoice:
    """The page's form (or query string) read into a choice; anything not understood is
    an error."""
    choice = ExportChoice(language=g.lang if g.lang in languages else SOURCE_LANGUAGE)
    for name, allowed in (("format", FORMATS), ("values", VALUES), ("language", languages)):
        value = args.get(name)
        if value is None:
            continue
        if value in allowed:
            setattr(choice, name, value)
        else:
            choice.errors[name] = CHOICE_ERRORS[name]
    choice.leave_out_self_registered = args.get("leave_out_self_registered") == "1"
    return choice


@bp.get("/<lang>/staff/campaigns/<int:campaign_id>/export")
@requires("run_campaigns")
@recent_password_required
def export_page(campaign_id: int):
    """The choices (a query string fills them in: a link can preset them) and the
    campaign's export files."""
    campaign = db.get_or_404(Campaign, campaign_id)
    languages = translated_languages(campaign.version_id)
    return _render_page(campaign, languages, parse_choice(request.args, languages))


def _render_page(campaign: Campaign, languages: list[str], choice: ExportChoice):
    return render_template(
        "review/export.html",
        campaign=campaign,
        choice=choice,
        languages_offered=languages,
        counts=exports.export_counts(campaign.id),
        files=export_files.campaign_exports(campaign.id),
        uploaded_files=upload_answers.count_campaign_files(campaign.id),
        percent=export_files.progress_percent,
    )


@bp.post("/<lang>/staff/campaigns/<int:campaign_id>/export")
@requires("run_campaigns")
@recent_password_required
def start_export(campaign_id: int):
    """Start an export: a small CSV or XLSX goes to its download at once; anything else
    is written by a worker, and its page shows the progress."""
    campaign = db.get_or_404(Campaign, campaign_id)
    languages = translated_languages(campaign.version_id)
    choice = parse_choice(request.form, languages)
    if choice.errors or "format" not in request.form:
        choice.errors.setdefault("format", CHOICE_ERRORS["format"])
        return _render_page(campaign, languages, choice)
    rows = exports.export_counts(campaign.id).rows
    if choice.format in DIRECT_FORMATS and rows <= current_app.config["EXPORT_DIRECT_MAX_ROWS"]:
        endpoint = "review.export_xlsx" if choice.format == "xlsx" else "review.export_csv"
        return redirect(url_for(endpoint, campaign_id=campaign.id, **choice.download_args()), 303)
    labels = choice.language if choice.values == "labels" else None
    export = export_files.start_export(
        campaign.id,
        choice.format,
        labels,
        choice.language,
        choice.leave_out_self_registered,
        current_user.id,
    )
    record_action(
        "export",
        f"campaign:{campaign.id}",
        format=choice.format,
        labels=labels,
        leave_out_self_registered=choice.leave_out_self_registered,
        export_file=export.id,
    )
    return redirect(url_for("review.export_job", campaign_id=campaign.id, export_id=export.id), 303)


def _download_choice() -> tuple[str | None, str, bool] | None:
    """A download's (labels language or None for codes, codebook language, leave out
    self-registered); None when the query asks for something unknown."""
    labels = request.args.get("labels", "codes")
    language = request.args.get("language") or (labels if is_language(labels) else g.lang)
    if not (labels == "codes" or is_language(labels)) or not is_language(language):
        return None
    leave_out = request.args.get("leave_out_self_registered") == "1"
    return (labels if labels != "codes" else None), language, leave_out


def _unknown_choice(campaign: Campaign):
    flash(_l("Some export choices were not understood. Please choose again."))
    return redirect(url_for("review.export_page", campaign_id=campaign.id), 303)


def _record(campaign: Campaign, fmt: str, labels: str | None, leave_out: bool) -> None:
    record_action(
        "export",
        f"campaign:{campaign.id}",
        format=fmt,
        labels=labels,
        leave_out_self_registered=leave_out,
    )


@bp.get("/<lang>/staff/campaigns/<int:campaign_id>/responses.csv")
@requires("run_campaigns")
@recent_password_required
def export_csv(campaign_id: int):
    campaign = db.get_or_404(Campaign, campaign_id)
    chosen = _download_choice()
    if chosen is None:
        return _unknown_choice(campaign)
    labels, _language, leave_out = chosen
    _record(campaign, "csv", labels, leave_out)
    rows = exports.response_rows(campaign.id, labels, leave_out, for_csv=True)
    if repeat_exports.has_repeats(campaign.version_id):
        # The main table and one per repeat (rows keyed to response and entry), zipped.
        sheets = repeat_exports.repeat_sheets(campaign.id, labels, leave_out)
        return send_file(
            repeat_exports.csv_zip(rows, sheets, f"responses-{campaign.id}", prepared=True),
            mimetype="application/zip",
            as_attachment=True,
            download_name=f"responses-{campaign.id}.zip",
        )
    return Response(
        stream_with_context(spreadsheets.csv_chunks(rows, prepared=True)),
        mimetype="text/csv; charset=utf-8",
        headers={"Content-Disposition": f'attachment; filename="responses-{campaign.id}.csv"'},
    )


@bp.get("/<lang>/staff/campaigns/<int:campaign_id>/responses.xlsx")
@requires("run_campaigns")
@recent_password_required
def export_xlsx(campaign_id: int):
    campaign = db.get_or_404(Campaign, campaign_id)
    chosen = _download_choice()
    if chosen is None:
        return _unknown_choice(campaign)
    labels, language, leave_out = chosen
    _record(campaign, "xlsx", labels, leave_out)
    output = exports.workbook(campaign.id, labels, leave_out, language)
    return send_file(
        output,
        mimetype="application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
        as_attachment=True,
        download_name=f"responses-{campaign.id}.xlsx",
    )


@bp.get("/<lang>/staff/campaigns/<int:campaign_id>/codebook.csv")
@requires("run_campaigns")
def codebook_csv(campaign_id: int):
    """The questions, types, codes and labels: no answers, so no password asked again."""
    campaign = db.get_or_404(Campaign, campaign_id)
    language = request.args.get("language") or g.lang
    if not is_language(language):
        return _unknown_choice(campaign)
    rows = exports.codebook(campaign.id, language)
    return Response(
        stream_with_context(spreadsheets.csv_chunks(rows)),
        mimetype="text/csv; charset=utf-8",
        headers={
            "Content-Disposition": (f'attachment; filename="codebook-{campaign.id}-{language}.csv"')
        },
    )
