"""Privacy rules of the needs profiles, applied to the role breakdown.

Which groups are hidden is decided once per campaign by
``surveyapp.profiles.disclosure`` (see its docstring for the rule); this
module lays a scope's role breakdown out along that decision.
"""

from __future__ import annotations

from surveyapp.models import ROLES
from surveyapp.profiles.disclosure import Disclosure, disclosure_for
from surveyapp.profiles.results import DomainRow, RoleCell, RoleRow, Scope
from surveyapp.profiles.scale_counts import ScaleStats, domain_row, scale_stats
from surveyapp.profiles.selection import selection_for


def role_breakdown(
    scope: Scope, campaign_id: int | None = None, min_group: int | None = None
) -> list[RoleRow]:
    """Per domain and respondent role: respondents, mean need, mean capacity.

    A role's cells are shown only when the campaign's disclosure control
    (``surveyapp.profiles.disclosure``) shows that role in the scope: a group
    under the minimum is "suppressed", and so is any group whose figures
    could be worked out from the others and a total (of the scope, or of the
    same role in sibling areas). A role with no respondents is "empty": no
    numbers, not even 0. A hidden role is hidden in every domain's row, even
    where it gave no answers. Rows are in domain order; none when the scope
    itself is hidden.
    """
    disclosure = disclosure_for(campaign_id, min_group=min_group)
    return role_rows(scale_stats(selection_for(scope, campaign_id)), disclosure, scope)


def role_rows(stats: ScaleStats, disclosure: Disclosure, scope: Scope) -> list[RoleRow]:
    """The role breakdown of a scope's counts, cells hidden as ``disclosure`` says."""
    if disclosure.status(scope) == "suppressed":
        return []
    rows = []
    for domain in stats.catalog.scored_domains():
        sizes = {role: stats.respondents.get((role, domain), 0) for role in ROLES}
        cells = []
        for role in ROLES:
            status = disclosure.status(scope, role)
            if status == "suppressed":
                cells.append(RoleCell(role, "suppressed"))
            elif status == "empty" or sizes[role] == 0:
                cells.append(RoleCell(role, "empty"))
            else:
                figures = domain_row(stats, domain, [role])
                cells.append(
                    RoleCell(role, "shown", sizes[role], figures.mean_need, figures.mean_capacity)
                )
        rows.append(RoleRow(domain, sum(sizes.values()), cells))
    return rows


def cell_of(row: RoleRow, role: str) -> RoleCell:
    """The cell of ``role`` in a row of the role breakdown."""
    return next(cell for cell in row.cells if cell.role == role)


def hidden_row(domain: str) -> DomainRow:
    """A domain's row with its figures hidden."""
    return DomainRow(domain, None, None, None, None, suppressed=True)
