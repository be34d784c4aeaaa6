"""Names of what audit entries concern, found in bulk: one query per kind of object on
a page of entries, never one per entry. An object deleted since is named as such
("deleted campaign #12")."""

from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass, field

from sqlalchemy import select

from surveyapp.campaigns.roles import RESPONDENT_ROLE_LABELS
from surveyapp.core.safe_text import lazy_gettext as _l
from surveyapp.extensions import db
from surveyapp.models import (
    Campaign,
    Country,
    Municipality,
    Questionnaire,
    QuestionnaireVersion,
    Response,
    User,
)
from surveyapp.questionnaires.texts import version_titles

#: Kinds of object an entry's target (``"campaign:3"``) or details can name by id.
KINDS = ("campaign", "version", "user", "response")


@dataclass(frozen=True)
class Named:
    """An object as the audit log shows it."""

    kind: str  #: one of KINDS, "municipality" or "country"
    id: int | None
    label: str
    #: False when it was deleted since (the label says so): nothing to link to.
    exists: bool = True
    #: Shown next to the label: a staff member's e-mail address under their name.
    hint: str = ""
    #: A response's campaign (its page is under the campaign's).
    campaign_id: int | None = None


def parse_target(target: str) -> tuple[str, int] | None:
    """``"campaign:3"`` → ("campaign", 3); None for a target that names no object by id
    (a typed e-mail address, a file name)."""
    kind, _, number = (target or "").partition(":")
    if kind in KINDS and number.isdigit() and len(number) < 19:
        return kind, int(number)
    return None


@dataclass
class Wanted:
    """What a page of entries names: ids per kind, and place codes."""

    ids: dict[str, set[int]] = field(default_factory=lambda: defaultdict(set))
    places: set[str] = field(default_factory=set)
    #: Names recorded with a deletion (``campaign_deleted``'s ``name``), by (kind, id).
    recorded: dict[tuple[str, int], str] = field(default_factory=dict)

    def add(self, kind: str, value: object) -> None:
        if isinstance(value, int) and not isinstance(value, bool) and 0 < value < 2**63:
            self.ids[kind].add(value)

    def add_place(self, code: object) -> None:
        if isinstance(code, str) and 0 < len(code) <= 64:
            self.places.add(code)


@dataclass
class Names:
    """The objects of a page of entries, by (kind, id) and places by code."""

    objects: dict[tuple[str, int], Named]
    places: dict[str, Named]

    def get(self, kind: str, ident: int) -> Named:
        """The object, or a label saying it was deleted."""
        found = self.objects.get((kind, ident))
        return found if found is not None else _deleted(kind, ident)


def _deleted(kind: str, ident: int, recorded: str = "") -> Named:
    if kind == "campaign" and recorded:
        label = _l("deleted campaign “%(name)s” (#%(num)d)", name=recorded, num=ident)
    elif kind == "campaign":
        label = _l("deleted campaign #%(num)d", num=ident)
    elif kind == "version":
        label = _l("deleted questionnaire version #%(num)d", num=ident)
    elif kind == "user":
        label = _l("deleted staff account #%(num)d", num=ident)
    elif kind == "response":
        label = _l("deleted response #%(num)d", num=ident)
    else:
        return Named(kind, ident, f"{kind} #{ident}", exists=False)
    return Named(kind, ident, str(label), exists=False)


def find_names(wanted: Wanted, lang: str) -> Names:
    """Everything ``wanted`` names, in ``lang``: one query per kind asked for."""
    objects: dict[tuple[str, int], Named] = {}
    ids = wanted.ids
    if ids.get("campaign"):
        for ident, name in db.session.execute(
            select(Campaign.id, Campaign.name).where(Campaign.id.in_(ids["campaign"]))
        ):
            objects["campaign", ident] = Named("campaign", ident, name)
    if ids.get("version"):
        titles = version_titles(ids["version"], lang)
        for ident, number, name in db.session.execute(
            select(QuestionnaireVersion.id, QuestionnaireVersion.number, Questionnaire.name)
            .join(Questionnaire, Questionnaire.id == QuestionnaireVersion.questionnaire_id)
            .where(QuestionnaireVersion.id.in_(ids["version"]))
        ):
            title = titles.get(ident) or name
            label = _l("%(title)s, version %(number)d", title=title, number=number)
            objects["version", ident] = Named("version", ident, str(label))
    if ids.get("user"):
        for ident, name, email in db.session.execute(
            select(User.id, User.name, User.email).where(User.id.in_(ids["user"]))
        ):
            objects["user", ident] = Named("user", ident, name or email, hint=email if name else "")
    if ids.get("response"):
        for ident, campaign_id, role, town in db.session.execute(
            select(Response.id, Response.campaign_id, Response.role, Municipality)
            .join(Municipality, Municipality.id == Response.municipality_id)
            .where(Response.id.in_(ids["response"]))
        ):
            label = _l(
                "Response #%(num)d, %(municipality)s, %(role)s",
                num=ident,
                municipality=town.name(lang),
                role=str(RESPONDENT_ROLE_LABELS.get(role, role)),
            )
            objects["response", ident] = Named(
                "response", ident, str(label), campaign_id=campaign_id
            )
    for (kind, ident), recorded in wanted.recorded.items():
        if (kind, ident) not in objects:
            objects[kind, ident] = _deleted(kind, ident, recorded)
    return Names(objects, _places(wanted.places, lang))


def _places(codes: set[str], lang: str) -> dict[str, Named]:
    """Countries ("MK") and municipalities ("mk-cair") by code, named in ``lang``."""
    if not codes:
        return {}
    places = {
        country.code: Named("country", country.id, country.name(lang))
        for country in db.session.scalars(select(Country).where(Country.code.in_(codes)))
    }
    for town in db.session.scalars(select(Municipality).where(Municipality.code.in_(codes))):
        places[town.code] = Named("municipality", town.id, town.name(lang))
    return places
