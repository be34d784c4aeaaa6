"""Disclosure control: which (area, role) groups of a campaign a reader may see.

A reader can ask for any area (the region, a country, a municipality), any
role or all roles, as a page, a printout or a CSV, and can subtract one
answer from another. So the decision is taken once for the whole table of
groups, not one view at a time:

* A **cell** is an area and a role (``None``: all roles). Its size is the
  number of submitted responses counted in profiles.
* **Lines** are the sums a reader can form: an area's all-roles cell is the
  sum of its role cells; a country's (the region's) cell of a role is the sum
  of its municipalities' (countries') cells of that role.
* **Rule 1**: a cell with 1 to ``min_group - 1`` respondents is hidden.
* **Rule 2** (complementary): in every line whose total is shown, the hidden
  parts with respondents are either none, or at least two that together have
  at least ``min_group`` respondents; otherwise the smallest part still shown
  is hidden too (and, when none is left, the total). In a line whose total is
  hidden, at least one part with respondents is hidden as well, so the total
  cannot be added up. Rules are applied until nothing changes.
* A cell with no respondents is shown as empty, never as a hidden group.

Everything a cell shows (respondents, domain means, distributions, shares,
free text) follows its decision: pages, printouts, CSVs and peer learning
read the same ``Disclosure``. The sizes come from one grouped query
(municipality x role); the decision is pure Python over those few rows. The sizes are read from the
count table kept at submit (``ProfileResponseCount``), not from the responses,
so the cost does not grow with their number.

Open-link responses can be left out of the figures only when, in every
municipality and role, they are none or at least ``min_group``: then the
difference of any two views of the same groups is itself a group of none or
of at least ``min_group`` respondents.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from typing import Literal

from flask import current_app, has_app_context
from sqlalchemy import func, select

from surveyapp.extensions import db
from surveyapp.models import ROLES, Campaign, Country, Municipality, ProfileResponseCount
from surveyapp.profiles.results import Scope
from surveyapp.profiles.selection import Catalog, selection_for

#: The minimum group size when the configuration does not set one.
DEFAULT_MIN_GROUP_SIZE = 5

Role = str | None
#: (scope kind, code, role): plain tuples, fast to hash (a page decides ~2,500 cells).
Cell = tuple[str, str | None, Role]
Status = Literal["shown", "suppressed", "empty"]


def min_group_size(campaign_id: int | None = None) -> int:
    """The smallest group of respondents any report may show (config ``MIN_GROUP_SIZE``).

    The one place that says it. A campaign may raise it (``Campaign.min_group_size``),
    never lower it below the application's, which the privacy notice promises.
    """
    if not has_app_context():
        return DEFAULT_MIN_GROUP_SIZE
    floor = int(current_app.config.get("MIN_GROUP_SIZE", DEFAULT_MIN_GROUP_SIZE))
    if campaign_id is None:
        return floor
    own = db.session.scalar(select(Campaign.min_group_size).where(Campaign.id == campaign_id))
    return max(floor, own or 0)


@dataclass
class Disclosure:
    """The hidden cells of one campaign's profiles (one view: with or without open link)."""

    min_group: int
    sizes: Mapping[Cell, int]
    hidden: set[Cell] = field(default_factory=set)
    #: False when open-link responses may not be left out (see the module docstring).
    leave_out_allowed: bool = True

    def size(self, scope: Scope, role: Role = None) -> int:
        """Respondents of the group (whether shown or not)."""
        return self.sizes.get((scope.kind, scope.code, role), 0)

    def status(self, scope: Scope, role: Role = None) -> Status:
        cell = (scope.kind, scope.code, role)
        if cell in self.hidden:
            return "suppressed"
        return "shown" if self.sizes.get(cell, 0) else "empty"

    def shown(self, scope: Scope, role: Role = None) -> bool:
        return self.status(scope, role) == "shown"


Atoms = Mapping[tuple[str, str, str], int]


def disclosure_for(
    campaign_id: int | None,
    leave_out_self_registered: bool = False,
    min_group: int | None = None,
) -> Disclosure:
    """The hidden cells of a campaign, read with one grouped query.

    With ``leave_out_self_registered`` the decision is taken on the invited
    responses only; ``leave_out_allowed`` says whether that view may be shown.
    """
    if min_group is None:
        min_group = min_group_size(campaign_id)
    no_questions = Catalog({}, [], {}, {})
    counted = selection_for(Scope.region(), campaign_id, catalog=no_questions).counted
    c = ProfileResponseCount
    rows = db.session.execute(
        select(Municipality.code, Country.code, c.role, c.self_registered, func.sum(c.responses))
        .join(Municipality, c.municipality_id == Municipality.id)
        .join(Country, Municipality.country_id == Country.id)
        .where(*counted(c), c.responses > 0)
        .group_by(Municipality.code, Country.code, c.role, c.self_registered)
    )
    everyone: dict[tuple[str, str, str], int] = defaultdict(int)
    invited: dict[tuple[str, str, str], int] = defaultdict(int)
    open_link: dict[tuple[str, str, str], int] = defaultdict(int)
    for town, country, role, self_registered, count in rows:
        everyone[(town, country, role)] += count
        (open_link if self_registered else invited)[(town, country, role)] += count
    allowed = all(n == 0 or n >= min_group for n in open_link.values())
    atoms = invited if leave_out_self_registered and allowed else everyone
    result = decide(atoms, min_group)
    result.leave_out_allowed = allowed
    return result


def decide(atoms: Atoms, min_group: int) -> Disclosure:
    """The hidden cells given the respondents per (municipality, country, role).

    The decision is a pure function of ``atoms`` and ``min_group``; the last few
    are kept, keyed by exactly those (a page of three rounds decides three
    campaigns, and the next page the same again).
    """
    key = (min_group, tuple(sorted(atoms.items())))
    kept = _DECIDED.get(key)
    if kept is None:
        kept = _decide(atoms, min_group)
        _DECIDED[key] = kept
        while len(_DECIDED) > _KEEP:
            _DECIDED.pop(next(iter(_DECIDED)))
    return Disclosure(kept.min_group, kept.sizes, set(kept.hidden))


#: Decisions kept (``decide``), oldest first.
_DECIDED: dict[tuple, Disclosure] = {}
_KEEP = 16


def _decide(atoms: Atoms, min_group: int) -> Disclosure:
    sizes = cell_sizes(atoms)
    order = {cell: i for i, cell in enumerate(sorted(sizes, key=_cell_key))}
    hidden = {cell for cell, n in sizes.items() if 0 < n < min_group}
    lines = list(_lines(atoms))
    changed = True
    while changed:
        changed = False
        for total, parts in lines:
            more = _complement(total, parts, hidden, sizes, min_group, order)
            if more is not None:
                hidden.add(more)
                changed = True
    return Disclosure(min_group, sizes, hidden)


def cell_sizes(atoms: Atoms) -> dict[Cell, int]:
    """Respondents of every cell: each area with each role and with all roles."""
    sizes: dict[Cell, int] = defaultdict(int)
    for (town, country, role), count in atoms.items():
        for kind, code in (("municipality", town), ("country", country), ("region", None)):
            sizes[(kind, code, role)] += count
            sizes[(kind, code, None)] += count
    return dict(sizes)


def _lines(atoms: Atoms) -> Iterable[tuple[Cell, list[Cell]]]:
    """(total, parts) of every sum a reader can form."""
    towns: dict[str, set[str]] = defaultdict(set)
    for town, country, _role in atoms:
        towns[country].add(town)
    areas: list[tuple[str, str | None]] = [("region", None)]
    areas += [("country", c) for c in sorted(towns)]
    areas += [("municipality", t) for c in sorted(towns) for t in sorted(towns[c])]
    for kind, code in areas:
        yield (kind, code, None), [(kind, code, role) for role in ROLES]
    for role in [None, *ROLES]:
        yield ("region", None, role), [("country", c, role) for c in sorted(towns)]
        for country in sorted(towns):
            parts = [("municipality", t, role) for t in sorted(towns[country])]
            yield ("country", country, role), parts


def _complement(
    total: Cell,
    parts: list[Cell],
    hidden: set[Cell],
    sizes: Mapping[Cell, int],
    min_group: int,
    order: Mapping[Cell, int],
) -> Cell | None:
    """The next cell a line needs hidden, or None when the line gives nothing away."""
    counted = [p for p in parts if sizes.get(p, 0) > 0]
    hidden_parts = [p for p in counted if p in hidden]
    still_shown = [p for p in counted if p not in hidden]
    if total in hidden:
        needs_more = sizes.get(total, 0) > 0 and not hidden_parts
    else:
        hidden_sum = sum(sizes[p] for p in hidden_parts)
        needs_more = bool(hidden_parts) and (len(hidden_parts) < 2 or hidden_sum < min_group)
    if not needs_more:
        return None
    if still_shown:
        return min(still_shown, key=lambda p: (sizes[p], order[p]))
    return total


_KINDS = {"region": 0, "country": 1, "municipality": 2}


def _cell_key(cell: Cell) -> tuple[int, str, int]:
    kind, code, role = cell
    return _KINDS[kind], code or "", -1 if role is None else ROLES.index(role)
