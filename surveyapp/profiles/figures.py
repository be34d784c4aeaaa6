"""Needs profiles: what municipalities say they need, and can do, per domain.

Plain arguments in, plain dataclasses out (``surveyapp.profiles.results``);
no request, no session, no commit. Only submitted responses count.

How the figures are computed
----------------------------

Every figure but free text comes from two count tables that
``surveyapp.profiles.count_tables`` keeps up to date when a response is submitted
(and can rebuild from the answers: ``flask --app surveyapp profiles
rebuild``), keyed by campaign, municipality and role, so a scope is a filter
on those columns (``selection``) and sums over municipalities and roles are
exact:

* ``ProfileCount``: submitted responses per (question, choice), with the
  choice's score, for scale questions (``scale_counts``); scale
  distributions are these counts, and a domain's mean need or capacity is
  sum(score x count) / sum(count) over its scored answers ("don't know" has
  no score and is left out). A scale question inside a repeat (asked once
  per entry) counts once per response: one row whose ``choice`` is
  ``mean:<m>`` and whose score is m, the mean of that response's scored
  entries (``count_tables.repeat_mean``), so a municipality that lists five
  programmes weighs as much as one that lists one; distributions leave these
  rows out (no choice of the list), and so do peer learning's scores and the
  domain's respondents. For multiple-choice questions, one row per
  ticked value and one (``choice`` == ``ANSWERED``) for the responses that
  answered the question (``question_figures``).
* ``ProfileDomainCount``: respondents of a domain, i.e. submitted responses
  with at least one scored answer in it.

Respondents per group are counted in ``ProfileResponseCount`` (the
disclosure control's sizes), free-text answers per question in
``ProfileCount``; only the answers listed are read from the answers, newest
first and limited per question.

Without a role filter the domain figures are the sums over roles, so the
role breakdown costs nothing extra, and a role-filtered profile is one
column of it, with the breakdown's suppression applied (``needs_profile``).

Cost: the count tables grow with municipalities x roles x choices, not with
answers. The region's and a country's profiles read ``ProfileCountryCount``
(the same counts added up per country, kept in the same transaction), a few
thousand rows a campaign however many respond; a municipality's reads its own
rows. Measured times are in bench/README.md (``bench/rounds_bench.py``).

Privacy: ``surveyapp.profiles.disclosure`` decides, once per campaign and
over every area and role a reader can ask for, which groups are hidden;
a hidden group shows no figure at all (respondents, means, distributions,
shares, free text).
"""

from __future__ import annotations

from sqlalchemy import func, select

from surveyapp.extensions import db
from surveyapp.models import ROLES, Country, Municipality, ProfileResponseCount
from surveyapp.profiles.disclosure import Disclosure, disclosure_for
from surveyapp.profiles.free_text import listable_condition
from surveyapp.profiles.privacy import hidden_row, role_rows
from surveyapp.profiles.question_figures import (
    choice_shares_of,
    distributions,
    free_text_groups,
)
from surveyapp.profiles.results import (
    Comparison,
    ComparisonRow,
    DomainRow,
    NeedsProfile,
    Scope,
    UnknownScope,
)
from surveyapp.profiles.scale_counts import domain_row, ranked_by_gap, scale_stats
from surveyapp.profiles.selection import Catalog, Selection, load_catalog, selection_for


def domain_profile(
    scope: Scope, campaign_id: int | None = None, role: str | None = None
) -> list[DomainRow]:
    """Per domain: respondents, mean need, mean capacity and gap, ranked by gap.

    Raw figures: a role-filtered profile here is not suppressed; pages use
    ``needs_profile``, which applies the privacy rules. Every domain with
    scored questions gets a row, with 0 respondents and no means if nobody
    answered.
    """
    stats = scale_stats(selection_for(scope, campaign_id, role))
    roles = [role] if role else ROLES
    domains = stats.catalog.scored_domains()
    return ranked_by_gap([domain_row(stats, d, roles) for d in domains], domains)


def compare(
    municipality_code: str,
    campaign_id: int | None = None,
    role: str | None = None,
    min_group: int | None = None,
    leave_out_self_registered: bool = False,
    disclosure: Disclosure | None = None,
) -> Comparison:
    """A municipality's domain figures next to its country's and the region's.

    Rows are ranked by the municipality's gap. A column whose group (area
    and role) the disclosure control hides has every row suppressed.
    """
    country_code = db.session.scalar(
        select(Country.code)
        .join(Municipality, Municipality.country_id == Country.id)
        .where(Municipality.code == municipality_code)
    )
    if country_code is None:
        raise UnknownScope(f"no municipality {municipality_code!r}")
    scopes = [
        Scope.municipality(municipality_code),
        Scope.country(country_code),
        Scope.region(),
    ]
    catalog = load_catalog(campaign_id)
    leave_out = leave_out_self_registered
    if disclosure is None:
        disclosure = disclosure_for(campaign_id, leave_out, min_group)
    leave_out = leave_out and disclosure.leave_out_allowed
    columns = [
        _profile_rows(
            selection_for(scope, campaign_id, catalog=catalog, leave_out_self_registered=leave_out),
            role,
            disclosure.status(scope, role) == "suppressed",
        )
        for scope in scopes
    ]
    domains = list(columns[0])
    rows = [ComparisonRow(d, columns[0][d], columns[1][d], columns[2][d]) for d in domains]
    ranked = ranked_by_gap([row.municipality for row in rows], domains)
    by_domain = {row.domain_code: row for row in rows}
    return Comparison(municipality_code, country_code, [by_domain[r.domain_code] for r in ranked])


def _profile_rows(selection: Selection, role: str | None, hidden: bool) -> dict[str, DomainRow]:
    domains = selection.catalog.scored_domains()
    if hidden:
        return {d: hidden_row(d) for d in domains}
    stats = scale_stats(selection)
    return {d: domain_row(stats, d, [role] if role else ROLES) for d in domains}


def needs_profile(
    scope: Scope,
    campaign_id: int | None = None,
    role: str | None = None,
    min_group: int | None = None,
    free_text_limit: int = 50,
    leave_out_self_registered: bool = False,
    disclosure: Disclosure | None = None,
) -> NeedsProfile:
    """The whole needs profile of a scope, for the review pages.

    When the disclosure control hides the group (scope and role), nothing
    of it is shown: no respondents, domain figures, shares, distributions,
    role breakdown or free text (``details_suppressed``). Otherwise the role
    breakdown shows the roles it does not hide. Free text (the newest
    ``free_text_limit`` per question; none for 0) is for staff only, and comes only from
    municipalities whose group is shown (``surveyapp.profiles.free_text``). Open-link responses
    are left out only when ``disclosure.leave_out_allowed``.
    """
    if disclosure is None:
        disclosure = disclosure_for(campaign_id, leave_out_self_registered, min_group)
    leave_out = leave_out_self_registered and disclosure.leave_out_allowed
    everyone = selection_for(scope, campaign_id, leave_out_self_registered=leave_out)
    chosen = selection_for(
        scope, campaign_id, role, catalog=everyone.catalog, leave_out_self_registered=leave_out
    )
    domains = everyone.catalog.scored_domains()
    hidden = disclosure.status(scope, role) == "suppressed"
    profile = NeedsProfile(
        scope=scope,
        campaign_id=campaign_id,
        role=role,
        min_group=disclosure.min_group,
        respondents=None,
        domains=[hidden_row(d) for d in domains],
        role_breakdown=[],
        choice_shares=[],
        scale_distributions=[],
        free_text=[],
        details_suppressed=hidden,
        self_registered_left_out=leave_out,
    )
    if hidden:
        return profile
    stats = scale_stats(everyone)
    roles = [role] if role else ROLES
    profile.respondents = disclosure.size(scope, role)
    profile.domains = ranked_by_gap([domain_row(stats, d, roles) for d in domains], domains)
    profile.role_breakdown = role_rows(stats, disclosure, scope)
    profile.choice_shares = choice_shares_of(chosen)
    profile.scale_distributions = distributions(stats, role)
    # Only from municipalities whose group is shown (``free_text``'s docstring says why).
    listable = Selection(
        chosen.catalog,
        [*chosen.filters, listable_condition(disclosure, role)],
        lambda table: [*chosen.counted(table), listable_condition(disclosure, role, table)],
    )
    profile.free_text = free_text_groups(listable, free_text_limit) if free_text_limit else []
    profile.open_link_respondents = 0 if leave_out else _open_link_respondents(chosen)
    return profile


def _open_link_respondents(selection: Selection) -> int:
    c = ProfileResponseCount
    return int(
        db.session.scalar(
            select(func.sum(c.responses)).where(*selection.counted(c), c.self_registered.is_(True))
        )
        or 0
    )


def open_link_respondents(scope: Scope, campaign_id: int | None, role: str | None = None) -> int:
    """Submitted responses of the scope (and role) that came through the open link."""
    no_questions = Catalog({}, [], {}, {})
    return _open_link_respondents(selection_for(scope, campaign_id, role, catalog=no_questions))
