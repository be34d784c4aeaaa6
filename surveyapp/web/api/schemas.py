"""The API's query parameters and representations, as marshmallow schemas: flask-smorest
reads them to parse requests, to write the JSON, and to write the OpenAPI document, so
the document describes what the code does."""

from __future__ import annotations

from flask_smorest.error_handler import ErrorSchema
from marshmallow import RAISE, Schema, fields, validate

from surveyapp.languages.registry import LANGUAGES
from surveyapp.models import ROLES
from surveyapp.responses.paging import MAX_PER_PAGE, STATUSES

#: Errors: {"code", "status", "message", "errors"} (flask-smorest's own, in the document).
__all__ = ["ErrorSchema"]

LANGUAGE_CODES = list(LANGUAGES)
FORMATS = ["json", "csv"]


class Strict(Schema):
    class Meta:
        ordered = True


# --- query parameters --------------------------------------------------------------


class FormatArgs(Schema):
    """A parameter the URL does not know is refused (422), not ignored: a misspelt filter
    (``?countyr=MK``) would otherwise quietly return every country's data."""

    class Meta:
        ordered = True
        unknown = RAISE

    format = fields.String(
        validate=validate.OneOf(FORMATS),
        load_default="json",
        metadata={"description": "json, or csv (UTF-8 with BOM, for Excel and Power BI)."},
    )


class CampaignArgs(FormatArgs):
    archived = fields.Boolean(
        load_default=False, metadata={"description": "Include archived campaigns."}
    )


class MunicipalityArgs(FormatArgs):
    country = fields.String(
        validate=validate.Regexp(r"^[A-Z]{2}$"),
        metadata={"description": "Country code (AL, BA, XK, ME, MK, RS)."},
    )


class QuestionnaireArgs(FormatArgs):
    lang = fields.List(
        fields.String(validate=validate.OneOf(LANGUAGE_CODES)),
        metadata={
            "description": "Languages of the texts (repeat it); default: every "
            "language the version is translated into."
        },
    )


class ResponseArgs(FormatArgs):
    campaign = fields.Integer(
        required=True,
        validate=validate.Range(min=1, max=2**31 - 1),
        metadata={"description": "The campaign's id (its questionnaire decides the columns)."},
    )
    country = fields.String(validate=validate.Regexp(r"^[A-Z]{2}$"))
    municipality = fields.String(
        validate=validate.Regexp(r"^[a-z0-9-]{1,64}$"),
        metadata={"description": "Municipality code, e.g. mk-cair."},
    )
    role = fields.String(validate=validate.OneOf(ROLES))
    status = fields.String(validate=validate.OneOf(STATUSES), load_default="submitted")
    since = fields.Date(
        metadata={
            "description": "First day (UTC) of submission; of the start for in-progress responses."
        }
    )
    until = fields.Date(metadata={"description": "Last day (UTC), inclusive."})
    labels = fields.String(
        validate=validate.OneOf(["codes", *LANGUAGE_CODES]),
        load_default="codes",
        metadata={"description": "Choices and roles as codes, or as labels in a language."},
    )
    page = fields.Integer(validate=validate.Range(min=1, max=1_000_000), load_default=1)
    per_page = fields.Integer(validate=validate.Range(min=1, max=MAX_PER_PAGE), load_default=100)


class ProfileArgs(FormatArgs):
    campaign = fields.Integer(required=True, validate=validate.Range(min=1, max=2**31 - 1))
    area = fields.String(
        validate=validate.Regexp(r"^([A-Z]{2}|[a-z0-9-]{1,64})?$"),
        metadata={
            "description": "Empty: the region; a country code (MK); a municipality code (mk-cair)."
        },
    )
    role = fields.String(validate=validate.OneOf(ROLES))
    lang = fields.String(
        validate=validate.OneOf(LANGUAGE_CODES),
        load_default="en",
        metadata={"description": "Language of the labels."},
    )
    leave_out_self_registered = fields.Boolean(load_default=False)


# --- representations ---------------------------------------------------------------


class CampaignSchema(Strict):
    id = fields.Integer(required=True)
    name = fields.String(required=True)
    questionnaire = fields.String(required=True)
    questionnaire_version_id = fields.Integer(required=True)
    opens_at = fields.String(required=True, metadata={"format": "date-time"})
    closes_at = fields.String(required=True, allow_none=True, metadata={"format": "date-time"})
    is_open = fields.Boolean(required=True)
    archived = fields.Boolean(required=True)
    languages = fields.List(fields.String(), required=True)


class MunicipalitySchema(Strict):
    code = fields.String(required=True)
    country = fields.String(required=True)
    entity = fields.String(required=True, allow_none=True)
    name_latn = fields.String(required=True)
    name_cyrl = fields.String(required=True, allow_none=True)
    name_sq = fields.String(required=True, allow_none=True)
    names = fields.Dict(keys=fields.String(), values=fields.String(), required=True)


class QuestionnaireSchema(Strict):
    id = fields.Integer(required=True)
    questionnaire = fields.String(required=True)
    number = fields.Integer(required=True)
    status = fields.String(required=True)
    published_at = fields.String(required=True, allow_none=True)
    languages = fields.List(fields.String(), required=True)
    offered_languages = fields.List(fields.String(), required=True)


def _texts(**kwargs) -> fields.Dict:
    """Text per language code."""
    return fields.Dict(keys=fields.String(), values=fields.String(), **kwargs)


class ChoiceSchema(Strict):
    value = fields.String(required=True)
    score = fields.Float(required=True, allow_none=True)
    label = _texts(required=True)


class QuestionSchema(Strict):
    name = fields.String(required=True)
    type = fields.String(required=True)
    required = fields.Boolean(required=True)
    domain = fields.String(required=True, allow_none=True)
    measure = fields.String(required=True, allow_none=True)
    label = _texts(required=True)
    hint = _texts(required=True)
    choices = fields.List(fields.Nested(ChoiceSchema), required=True)


class PageSchema(Strict):
    name = fields.String(required=True)
    title = _texts(required=True)
    questions = fields.List(fields.Nested(QuestionSchema), required=True)


class QuestionnaireDetailSchema(QuestionnaireSchema):
    title = _texts(required=True)
    pages = fields.List(fields.Nested(PageSchema), required=True)


class ResponsePageSchema(Strict):
    campaign = fields.Integer(required=True)
    page = fields.Integer(required=True)
    pages = fields.Integer(required=True)
    per_page = fields.Integer(required=True)
    total = fields.Integer(required=True)
    next = fields.String(
        required=True, allow_none=True, metadata={"description": "The next page's URL."}
    )
    columns = fields.List(fields.String(), required=True)
    # Raw, described by hand: 500 rows of ~100 cells through marshmallow's Dict field
    # cost a fifth of the page's time (bench/api_bench.py), for no check the rows need.
    responses = fields.Raw(
        required=True,
        metadata={
            "type": "array",
            "items": {"type": "object", "additionalProperties": True},
            "description": "One object per response, keyed by column: numbers, text "
            "(dates and times as ISO 8601, times in UTC) or null.",
        },
    )


class DomainFiguresSchema(Strict):
    domain = fields.String(required=True)
    label = fields.String(required=True)
    suppressed = fields.Boolean(required=True)
    respondents = fields.Integer(required=True, allow_none=True)
    mean_need = fields.Float(required=True, allow_none=True)
    mean_capacity = fields.Float(required=True, allow_none=True)
    gap = fields.Float(required=True, allow_none=True)


class ComparisonRowSchema(Strict):
    domain = fields.String(required=True)
    municipality = fields.Nested(DomainFiguresSchema, required=True)
    country = fields.Nested(DomainFiguresSchema, required=True)
    region = fields.Nested(DomainFiguresSchema, required=True)


class ComparisonSchema(Strict):
    country = fields.String(required=True)
    rows = fields.List(fields.Nested(ComparisonRowSchema), required=True)


class RoleCellSchema(Strict):
    role = fields.String(required=True)
    status = fields.String(required=True, validate=validate.OneOf(["shown", "suppressed", "empty"]))
    respondents = fields.Integer(required=True, allow_none=True)
    mean_need = fields.Float(required=True, allow_none=True)
    mean_capacity = fields.Float(required=True, allow_none=True)


class RoleRowSchema(Strict):
    domain = fields.String(required=True)
    respondents = fields.Integer(required=True)
    cells = fields.List(fields.Nested(RoleCellSchema), required=True)


class ChoiceCountSchema(Strict):
    value = fields.String(required=True)
    label = fields.String(required=True)
    count = fields.Integer(required=True)
    share = fields.Float(required=True, allow_none=True)


class ChoiceSharesSchema(Strict):
    question = fields.String(required=True)
    label = fields.String(required=True)
    respondents = fields.Integer(required=True)
    choices = fields.List(fields.Nested(ChoiceCountSchema), required=True)


class ScaleDistributionSchema(ChoiceSharesSchema):
    domain = fields.String(required=True, allow_none=True)
    measure = fields.String(required=True, allow_none=True)


class ProfileSchema(Strict):
    campaign_id = fields.Integer(required=True)
    area = fields.String(required=True, allow_none=True)
    area_kind = fields.String(required=True)
    area_name = fields.String(required=True, allow_none=True)
    role = fields.String(required=True, allow_none=True)
    min_group = fields.Integer(required=True)
    suppressed = fields.Boolean(
        required=True,
        metadata={
            "description": "The group is hidden (too few respondents, or its "
            "figures could be worked out from others): no figures at all."
        },
    )
    respondents = fields.Integer(required=True, allow_none=True)
    open_link_respondents = fields.Integer(required=True, allow_none=True)
    self_registered_left_out = fields.Boolean(required=True)
    leave_out_refused = fields.Boolean(required=True)
    domains = fields.List(fields.Nested(DomainFiguresSchema), required=True)
    comparison = fields.Nested(ComparisonSchema, required=True, allow_none=True)
    role_breakdown = fields.List(fields.Nested(RoleRowSchema), required=True)
    choice_shares = fields.List(fields.Nested(ChoiceSharesSchema), required=True)
    scale_distributions = fields.List(fields.Nested(ScaleDistributionSchema), required=True)
