"""The API's URLs: thin views that parse (flask-smorest, from the schemas), call the
domain (``surveyapp.api_access.resources``, ``surveyapp.responses.paging``) and answer
JSON or CSV, with validators for conditional requests."""

from __future__ import annotations

from datetime import UTC, datetime

from flask import url_for

from surveyapp.api_access import resources
from surveyapp.extensions import db
from surveyapp.models import Campaign
from surveyapp.profiles import report as profile_report
from surveyapp.profiles.results import UnknownScope
from surveyapp.responses import paging
from surveyapp.web.api import bp
from surveyapp.web.api import schemas as s
from surveyapp.web.api.access import (
    body_tag,
    csv_response,
    error,
    not_modified,
    reads,
    tag,
    validators,
    wants_csv,
)

ERRORS = (400, 401, 403, 429)
SECURITY: list[dict[str, list[str]]] = [{"bearerAuth": []}]


def documented(not_found: bool = False):
    """The answers every data URL may give besides its JSON, in the OpenAPI document
    (its CSV: ``web.api.document_csv``)."""

    def decorator(view):
        responses = {"304": {"description": "Not modified (If-None-Match matched)."}}
        view = bp.doc(security=SECURITY, responses=responses)(view)
        for code in (*ERRORS, *((404,) if not_found else ())):
            view = bp.alt_response(code, schema=s.ErrorSchema, description="Error")(view)
        return view

    return decorator


def _small(data, rows, args):
    """A small resource: an ETag of its data; JSON (through the schema) or CSV."""
    etag = body_tag(data)
    unchanged = not_modified(etag)
    if unchanged is not None:
        return unchanged
    headers = validators(etag)
    if wants_csv(args):
        return csv_response(rows, headers)
    return data, 200, headers


def _cell(value: object) -> object:
    """A CSV cell: lists joined, yes/no as 1/0 (as in the exports)."""
    if isinstance(value, list):
        return ", ".join(str(v) for v in value)
    if isinstance(value, bool):
        return int(value)
    return value


def _table(items: list[dict], columns: list[str]) -> list[list[object]]:
    rows: list[list[object]] = [list(columns)]
    for item in items:
        rows.append([_cell(item[c]) for c in columns])
    return rows


@bp.route("/campaigns")
@documented()
@reads("campaigns")
@bp.arguments(s.CampaignArgs, location="query", unknown=None)
@bp.response(200, s.CampaignSchema(many=True))
def campaigns(args):
    """Campaigns, newest first."""
    data = resources.campaigns(args["archived"])
    return _small(data, _table(data, resources.CAMPAIGN_COLUMNS), args)


@bp.route("/municipalities")
@documented()
@reads("municipalities")
@bp.arguments(s.MunicipalityArgs, location="query", unknown=None)
@bp.response(200, s.MunicipalitySchema(many=True))
def municipalities(args):
    """Municipalities with their codes and names in each language."""
    data = resources.municipalities(args.get("country"))
    return _small(data, _table(data, resources.MUNICIPALITY_COLUMNS), args)


@bp.route("/questionnaires")
@documented()
@reads("questionnaires")
@bp.arguments(s.FormatArgs, location="query", unknown=None)
@bp.response(200, s.QuestionnaireSchema(many=True))
def questionnaires(args):
    """Questionnaire versions, newest first, with the languages each is translated into."""
    data = resources.questionnaire_versions()
    return _small(data, _table(data, resources.QUESTIONNAIRE_COLUMNS), args)


@bp.route("/questionnaires/<int:version_id>")
@documented(not_found=True)
@reads("questionnaires")
@bp.arguments(s.QuestionnaireArgs, location="query", unknown=None)
@bp.response(200, s.QuestionnaireDetailSchema)
def questionnaire(args, version_id: int):
    """One version: pages, questions and choices, with their texts per language (CSV: a
    row per question and choice, a label column per language)."""
    data = resources.questionnaire_version(version_id, args.get("lang"))
    if data is None:
        return error(404, "No questionnaire version with this id.")
    return _small(data, resources.questionnaire_rows(data), args)


@bp.route("/responses")
@documented(not_found=True)
@reads("responses")
@bp.arguments(s.ResponseArgs, location="query", unknown=None)
@bp.response(200, s.ResponsePageSchema)
def responses(args):
    """One page of a campaign's responses (those that count, as in the export), in id
    order, with the export's columns; choices as codes or labels in a language."""
    query = paging.ResponseQuery(
        campaign_id=args["campaign"],
        country=args.get("country"),
        municipality=args.get("municipality"),
        role=args.get("role"),
        status=args["status"],
        since=args.get("since"),
        until=args.get("until"),
        labels=None if args["labels"] == "codes" else args["labels"],
        page=args["page"],
        per_page=args["per_page"],
    )
    try:
        fresh = paging.freshness(query)
    except paging.UnknownFilter as unknown:
        return error(404, f"No {unknown.args[0]} with this code or id.")
    etag = tag(fresh.tag())
    unchanged = not_modified(etag, fresh.last_change)
    if unchanged is not None:
        return unchanged
    headers = validators(etag, fresh.last_change)
    page = paging.response_page(query, total=fresh.total)
    next_url = None
    if page.page < page.pages:
        next_url = url_for(
            "api.responses", **{**_query_args(args), "page": page.page + 1}, _external=True
        )
        headers["Link"] = f'<{next_url}>; rel="next"'
    if wants_csv(args):
        return csv_response([page.header, *page.rows], headers)
    header = page.header
    return (
        {
            "campaign": query.campaign_id,
            "page": page.page,
            "pages": page.pages,
            "per_page": query.per_page,
            "total": page.total,
            "next": next_url,
            "columns": header,
            "responses": [_json_row(header, row, page.time_columns) for row in page.rows],
        },
        200,
        headers,
    )


def _query_args(args: dict) -> dict:
    """The parsed parameters back as a query string's values (for the next page's URL)."""
    result = {}
    for name, value in args.items():
        if value is None:
            continue
        result[name] = value.isoformat() if hasattr(value, "isoformat") else value
    return result


def _json_row(header: list[str], row: list[object], times: list[int]) -> dict[str, object]:
    """A response as JSON's object: its dates and times as ISO 8601 text (times in UTC)."""
    for index in times:
        if row[index] is not None:
            row[index] = _json_value(row[index])
    return dict(zip(header, row, strict=True))


def _json_value(value: object) -> object:
    if isinstance(value, datetime):
        return value.astimezone(UTC).isoformat(timespec="seconds").replace("+00:00", "Z")
    if hasattr(value, "isoformat"):
        return value.isoformat()
    return value


@bp.route("/profiles")
@documented(not_found=True)
@reads("profiles")
@bp.arguments(s.ProfileArgs, location="query", unknown=None)
@bp.response(200, s.ProfileSchema)
def profile(args):
    """A campaign's needs profile for the region, a country or a municipality (and a
    role): exactly what the profile page shows, and nothing it hides. CSV: the domain
    table."""
    campaign = db.session.get(Campaign, args["campaign"])
    if campaign is None:
        return error(404, "No campaign with this id.")
    try:
        scope = profile_report.scope_from(args.get("area"))
    except UnknownScope:
        return error(404, "No country or municipality with this code.")
    etag = tag(resources.profile_fingerprint(campaign))
    unchanged = not_modified(etag)
    if unchanged is not None:
        return unchanged
    data = resources.profile(
        campaign, scope, args.get("role"), args["lang"], args["leave_out_self_registered"]
    )
    headers = validators(etag)
    if wants_csv(args):
        return csv_response(resources.profile_rows(data), headers)
    return data, 200, headers
