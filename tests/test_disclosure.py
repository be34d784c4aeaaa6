"""Disclosure control: no group under the minimum can be read, or subtracted out.

The attacker here asks for every area (the region, each country and
municipality) with every role filter, through the public functions and
through the CSV and print routes, and subtracts: a total minus the parts
shown (region minus countries, country minus municipalities, all roles
minus the roles). Whatever remains must be nobody or at least the minimum.
"""

from __future__ import annotations

import csv
import io
import json
import re
from collections import Counter
from fractions import Fraction
from pathlib import Path

import pytest
from sqlalchemy import select

from surveyapp.extensions import db
from surveyapp.models import ROLES, Campaign
from surveyapp.profiles import disclosure, peer_exports
from surveyapp.profiles.figures import needs_profile
from surveyapp.profiles.results import Scope

MIN = 5
TOWNS = {
    "MK": ["mk-bitola", "mk-cair", "mk-kumanovo", "mk-ohrid", "mk-stip"],
    "AL": ["al-durres", "al-elbasan", "al-shkoder", "al-tirane", "al-vlore"],
    "ME": ["me-podgorica"],
}
#: (municipality, role, how many)
SEED = [
    *[(town, "mayor", 1) for town in TOWNS["MK"]],
    ("mk-bitola", "councillor", 3),  # Bitola: 4 respondents
    ("mk-cair", "councillor", 3),
    *[(town, "mayor", 1) for town in TOWNS["AL"]],
    ("al-tirane", "municipal_staff", 5),
    ("me-podgorica", "mayor", 1),  # the one Montenegrin mayor
    ("me-podgorica", "councillor", 6),
]
SIZES = Counter()
for _town, _role, _count in SEED:
    SIZES[(_town, _role)] += _count


@pytest.fixture
def seeded(app, make_response) -> int:
    """The campaign of SEED; every respondent writes a free text of their own."""
    n = 0
    for town, role, count in SEED:
        for _ in range(count):
            n += 1
            make_response(
                municipality=town, role=role, variant=n % 4, top_priority=f"TXT-{town}-{role}-{n}"
            )
    with app.app_context():
        return db.session.scalar(select(Campaign.id).order_by(Campaign.id))


def areas() -> list[Scope]:
    return [
        Scope.region(),
        *[Scope.country(c) for c in TOWNS],
        *[Scope.municipality(t) for towns in TOWNS.values() for t in towns],
    ]


def lines() -> list[tuple[tuple[Scope, str | None], list[tuple[Scope, str | None]]]]:
    """Every (total, parts) a reader can subtract."""
    result = []
    for area in areas():
        result.append(((area, None), [(area, role) for role in ROLES]))
    for role in [None, *ROLES]:
        result.append(((Scope.region(), role), [(Scope.country(c), role) for c in TOWNS]))
        for country, towns in TOWNS.items():
            result.append(
                ((Scope.country(country), role), [(Scope.municipality(t), role) for t in towns])
            )
    return result


def true_size(area: Scope, role: str | None) -> int:
    def inside(town: str) -> bool:
        if area.kind == "municipality":
            return town == area.code
        if area.kind == "country":
            return town in TOWNS[area.code or ""]
        return True

    return sum(n for (town, r), n in SIZES.items() if inside(town) and role in (None, r))


def figures_of(profile) -> Counter | None:
    """Everything additive a view shows, as counts; None when the view is hidden."""
    if profile.respondents is None:
        assert not profile.free_text and not profile.scale_distributions
        assert not profile.choice_shares and all(row.suppressed for row in profile.domains)
        return None
    counts: Counter = Counter({("respondents",): profile.respondents})
    for dist in profile.scale_distributions:
        for choice in dist.choices:
            counts[("scale", dist.question_name, choice.value)] += choice.count
    for shares in profile.choice_shares:
        counts[("answered", shares.question_name)] += shares.respondents
        for choice in shares.choices:
            counts[("ticked", shares.question_name, choice.value)] += choice.count
    for row in profile.domains:
        counts[("domain", row.domain_code)] += row.respondents or 0
    for group in profile.free_text:
        for answer in group.answers:
            counts[("text", answer.text)] += 1
    return counts


def assert_no_small_remainder(views: dict, label: str) -> None:
    """Total minus the parts shown, for every line: nobody, or at least MIN respondents."""
    for total, parts in lines():
        whole = views[total]
        if whole is None:
            continue
        remainder = Counter(whole)
        for part in parts:
            if views[part] is not None:
                remainder.subtract(views[part])
        people = remainder[("respondents",)]
        assert people == 0 or people >= MIN, (label, total, people)
        for key, value in remainder.items():
            # every respondent answers every question here, so no figure rests on fewer
            assert value == 0 or key[0] in ("scale", "ticked", "text") or value >= MIN, (
                label,
                total,
                key,
                value,
            )
        texts = sum(v for k, v in remainder.items() if k[0] == "text")
        assert texts == 0 or texts >= MIN, (label, total, "free text", texts)
        for question in {k[1] for k in remainder if k[0] == "scale"}:
            answers = sum(v for k, v in remainder.items() if k[:2] == ("scale", question))
            assert answers == 0 or answers >= MIN, (label, total, question, answers)


def assert_no_cell_can_be_solved(known: dict) -> None:
    """Linear audit: no hidden group of 1 to MIN - 1 is determined by all the sums shown."""
    hidden = [cell for cell, value in known.items() if value is None]
    index = {cell: i for i, cell in enumerate(hidden)}
    equations = []
    for total, parts in lines():
        row = [Fraction(0)] * (len(hidden) + 1)
        for cell, sign in [(total, 1), *[(p, -1) for p in parts]]:
            if known[cell] is None:
                row[index[cell]] += sign
            else:
                row[-1] -= sign * known[cell]
        if any(row[:-1]):
            equations.append(row[:-1])
    base = rank(equations)
    for cell in hidden:
        if 0 < true_size(*cell) < MIN:
            unit = [Fraction(int(i == index[cell])) for i in range(len(hidden))]
            assert rank([*equations, unit]) > base, f"{cell} can be worked out"


def rank(rows: list[list[Fraction]]) -> int:
    rows = [list(r) for r in rows]
    found = 0
    for col in range(len(rows[0]) if rows else 0):
        pivot = next((i for i in range(found, len(rows)) if rows[i][col]), None)
        if pivot is None:
            continue
        rows[found], rows[pivot] = rows[pivot], rows[found]
        for i in range(len(rows)):
            if i != found and rows[i][col]:
                factor = rows[i][col] / rows[found][col]
                rows[i] = [a - factor * b for a, b in zip(rows[i], rows[found], strict=True)]
        found += 1
    return found


def test_differencing_the_profiles_recovers_no_small_group(app, seeded):
    with app.app_context():
        views = {
            (area, role): figures_of(needs_profile(area, seeded, role))
            for area in areas()
            for role in [None, *ROLES]
        }
    # The finding of #13: region minus Macedonia's and Albania's mayors.
    assert views[(Scope.country("ME"), "mayor")] is None
    assert_no_small_remainder(views, "needs_profile")
    assert_no_cell_can_be_solved(
        {cell: None if v is None else v[("respondents",)] for cell, v in views.items()}
    )
    # Not everything is hidden: the rule keeps what it safely can.
    assert views[(Scope.region(), None)][("respondents",)] == 28
    assert views[(Scope.country("AL"), None)][("respondents",)] == 10
    assert views[(Scope.municipality("me-podgorica"), None)][("respondents",)] == 7


def area_code(area: Scope) -> str:
    return area.code or ""


def test_differencing_the_csv_exports_and_printouts_recovers_no_small_group(app, staff, seeded):
    analyst = staff("analyst")
    views, printed = {}, {}
    for area in areas():
        for role in [None, *ROLES]:
            query = f"area={area_code(area)}&role={role or ''}"
            reply = analyst.client.get(f"/en/staff/campaigns/{seeded}/profile.csv?{query}")
            text = reply.get_data().decode("utf-8-sig")
            rows = list(csv.DictReader(io.StringIO(text)))
            if all(row["respondents"] == "" for row in rows):
                views[(area, role)] = None
            else:
                views[(area, role)] = Counter(
                    {(row["domain"],): int(row["respondents"] or 0) for row in rows}
                )
            page = analyst.client.get(f"/en/staff/campaigns/{seeded}/profile?{query}&print=1")
            meta = re.search(r'<p class="meta">.*?</p>', page.get_data(as_text=True), re.S)
            people = re.search(r"(\d+) respondents?\b", meta.group(0))
            printed[(area, role)] = Counter({("all",): int(people.group(1))}) if people else None
    for label, seen in (("csv", views), ("print", printed)):
        for total, parts in lines():
            if seen[total] is None:
                continue
            for key, people in seen[total].items():
                rest = people - sum(seen[p][key] for p in parts if seen[p] is not None)
                assert rest == 0 or rest >= MIN, (label, total, key, rest)
        assert seen[(Scope.country("ME"), "mayor")] is None


def test_a_municipality_of_four_shows_no_figures_anywhere(app, staff, seeded):
    analyst = staff("analyst")
    base = f"/en/staff/campaigns/{seeded}"
    for print_ in ("", "&print=1"):
        page = analyst.client.get(f"{base}/profile?area=mk-bitola{print_}").get_data(as_text=True)
        assert "No figures are shown for this group" in page
        assert "<svg" not in page and "4 respondents" not in page and "TXT-" not in page
    text = analyst.client.get(f"{base}/profile.csv?area=mk-bitola").get_data().decode("utf-8-sig")
    assert all(row["respondents"] == "" for row in csv.DictReader(io.StringIO(text)))
    # Peer learning neither shows Bitola's figures nor suggests it to anyone.
    peers_page = analyst.client.get(f"{base}/peers?area=mk-bitola").get_data(as_text=True)
    assert "4 respondents" not in peers_page and "respondents hidden (small group)" in peers_page
    with app.app_context():
        mine = peer_exports.peer_csv_rows(seeded, "mk-bitola", "en")
        assert mine == [list(peer_exports.PEER_HEADER)]
        for town in [t for towns in TOWNS.values() for t in towns]:
            listed = {row[2] for row in peer_exports.peer_csv_rows(seeded, town, "en")[1:]}
            assert "mk-bitola" not in listed
        planned = peer_exports.exchange_csv_rows(seeded, "en")
        assert "mk-bitola" not in {row[4] for row in planned[1:]}


def test_free_text_of_a_hidden_group_is_never_listed_under_it(app, staff, seeded):
    analyst = staff("analyst")
    base = f"/en/staff/campaigns/{seeded}/profile"
    for area in areas():
        for role in [None, *ROLES]:
            page = analyst.client.get(f"{base}?area={area_code(area)}&role={role or ''}")
            html = page.get_data(as_text=True)
            if area.kind == "municipality" and area.code == "mk-bitola":
                assert "TXT-" not in html
            # Bitola's answers may count in a larger group, never under Bitola's name.
            for item in re.findall(r"<li><span lang=.*?</li>", html, re.S):
                if "TXT-mk-bitola" in item:
                    assert "Bitola" not in item, (area, role)
                if "TXT-me-podgorica-mayor" in item and role == "mayor":
                    assert "Podgorica" not in item


def test_a_group_under_the_minimum_and_its_complements_are_hidden():
    """The #13 finding, as sizes: one Montenegrin mayor among many."""
    atoms = {
        ("mk-cair", "MK", "mayor"): 6,
        ("al-tirane", "AL", "mayor"): 5,
        ("al-tirane", "AL", "councillor"): 9,
        ("me-podgorica", "ME", "mayor"): 1,
        ("me-podgorica", "ME", "councillor"): 8,
    }
    decided = disclosure.decide(atoms, 5)
    region, me, al = Scope.region(), Scope.country("ME"), Scope.country("AL")
    assert decided.status(me, "mayor") == "suppressed"
    assert decided.status(region, "mayor") == "shown"
    # region minus the countries shown must leave at least 5 mayors hidden
    hidden = [c for c in ("MK", "AL", "ME") if not decided.shown(Scope.country(c), "mayor")]
    assert len(hidden) >= 2
    assert sum(n for (_t, c, r), n in atoms.items() if r == "mayor" and c in hidden) >= 5
    # and in Montenegro, all roles minus councillors would give the mayor away
    assert decided.status(me, "councillor") == "suppressed"
    assert decided.status(al, None) == "shown"


def test_the_minimum_is_one_setting(app, seeded):
    app.config["MIN_GROUP_SIZE"] = 8
    with app.app_context():
        profile = needs_profile(Scope.country("ME"), seeded)
        assert profile.min_group == 8 and profile.respondents is None  # 7 respondents
        assert disclosure.disclosure_for(seeded).min_group == 8


def test_the_privacy_notice_promises_the_minimum_the_reports_keep():
    notice = json.loads(
        (Path(__file__).parents[1] / "surveyapp/data/questionnaires/city_needs.json").read_text()
    )
    text = json.dumps(notice)
    assert f"groups of fewer than {disclosure.DEFAULT_MIN_GROUP_SIZE} respondents" in text
