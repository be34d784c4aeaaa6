"""Privacy rules of the needs profiles: small role groups are never shown.

``role_breakdown`` hides role groups smaller than ``min_group`` and applies
complementary suppression (``suppressed_groups``: see its docstring for the
rule); ``figures`` applies the same breakdown to role-filtered profiles.
"""

from __future__ import annotations

from collections.abc import Mapping

from surveyapp.models import ROLES
from surveyapp.profiles.results import DomainRow, RoleCell, RoleRow, Scope
from surveyapp.profiles.scale_counts import ScaleStats, domain_row, scale_stats
from surveyapp.profiles.selection import selection_for

#: Reports never show a role group with fewer respondents than this.
MIN_GROUP = 5


def suppressed_groups(sizes: Mapping[str, int], min_group: int = MIN_GROUP) -> set[str]:
    """The groups of one table row to hide, given each group's respondents.

    1. A group with 1 to ``min_group - 1`` respondents is hidden.
    2. If that leaves exactly one hidden group, the total would give it away
       by subtraction, so the smallest group still shown is hidden too (the
       first in ``sizes`` order on a tie). If no group is left to hide, an
       empty group is hidden instead, so that readers cannot tell which of
       the two holds the respondents.

    Groups with no respondents are not hidden (they are shown as empty) unless
    rule 2 needs them.
    """
    hidden = {g for g, n in sizes.items() if 0 < n < min_group}
    if len(hidden) == 1:
        order = list(sizes)
        shown = [g for g, n in sizes.items() if g not in hidden and n >= min_group]
        empty = [g for g, n in sizes.items() if n == 0]
        if shown:
            hidden.add(min(shown, key=lambda g: (sizes[g], order.index(g))))
        elif empty:
            hidden.add(empty[0])
    return hidden


def role_breakdown(
    scope: Scope, campaign_id: int | None = None, min_group: int = MIN_GROUP
) -> list[RoleRow]:
    """Per domain and respondent role: respondents, mean need, mean capacity.

    Privacy rule (``suppressed_groups``): in each domain's row, a role group
    with fewer than ``min_group`` respondents is "suppressed" (no numbers). If
    exactly one group of a row is suppressed, the next-smallest group is
    suppressed as well, since the row total (shown elsewhere) minus the
    visible groups would reveal it; where no group is left to hide, an empty
    group is marked suppressed instead. A role with no respondents is
    "empty": no numbers, not even 0. Rows are in domain order.
    """
    return role_rows(scale_stats(selection_for(scope, campaign_id)), min_group)


def role_rows(stats: ScaleStats, min_group: int) -> list[RoleRow]:
    rows = []
    for domain in stats.catalog.scored_domains():
        sizes = {role: stats.respondents.get((role, domain), 0) for role in ROLES}
        hidden = suppressed_groups(sizes, min_group)
        cells = []
        for role in ROLES:
            if role in hidden:
                cells.append(RoleCell(role, "suppressed"))
            elif sizes[role] == 0:
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
