"""Which part of surveyapp may import which: the layering of issue #12, checked by
reading every module with ``ast`` (imports inside functions count too).

From top to bottom:

    surveyapp (create_app in __init__, cli.py)
      → surveyapp.web.* (the blueprints)
        → the domain packages: demo above the rest; profiles, responses, campaigns,
          questionnaires, accounts, mail, jobs, places, languages, core (ALLOWED says which of
          them may use which)
          → surveyapp.models
            → surveyapp.extensions

A new edge between domain packages has to be added to ALLOWED on purpose (and must
not close a cycle). ``python -m tests.test_architecture`` (or ``make deps``) prints
the graph as it is today.
"""

from __future__ import annotations

import ast
import sys
from collections.abc import Iterator
from functools import cache
from pathlib import Path
from typing import NamedTuple

import pytest

ROOT = Path(__file__).resolve().parents[1]
PACKAGE = ROOT / "surveyapp"

TOP = "surveyapp"  # the factory and the command line
WEB = "web"
MODELS = "models"
EXTENSIONS = "extensions"
DOMAIN = (
    "api_access",
    "demo",
    "engagements",
    "rounds",
    "outreach",
    "activity",
    "mail",
    "jobs",
    "profiles",
    "responses",
    "campaigns",
    "questionnaires",
    "uploads",
    "accounts",
    "places",
    "languages",
    "core",
)

#: Domain package → the domain packages it may import (models and extensions are
#: always allowed below the web layer). Derived from the imports of the move in #12;
#: add an edge here only on purpose, and never one that closes a cycle.
ALLOWED: dict[str, set[str]] = {
    "demo": {"engagements", "rounds", "profiles", "questionnaires", "places", "languages", "core"},
    # The engagement log: names as people type them (outreach.name_matching), the
    # exchange planner and the count tables and disclosure control (profiles).
    # A municipality's timeline shows the rounds of a series with their gaps (rounds).
    "engagements": {"outreach", "profiles", "rounds", "languages", "core"},
    # Rounds of the assessment: the change per domain, read from the profiles' count tables.
    "rounds": {"profiles", "questionnaires", "places", "languages", "core"},
    # The read-only API: tokens (accounts: what a role may do), and the data of the
    # pages read with the domain's own functions (the profiles' suppression included).
    "api_access": {"accounts", "profiles", "responses", "questionnaires", "core", "languages"},
    # Contacts, mail texts, invitations and reminders by mail (writes the outbox);
    # reminders on a schedule: a periodic job on the job queue.
    "outreach": {"mail", "jobs", "campaigns", "questionnaires", "places", "languages", "core"},
    # The audit log in words: names of campaigns, versions, accounts, responses, roles.
    "activity": {"accounts", "campaigns", "questionnaires", "languages", "core"},
    "profiles": {"questionnaires", "places", "languages", "core"},
    # Large exports are written by workers of the job queue.
    # Answers that are files: stored, kept, erased and zipped through uploads.
    "responses": {
        "profiles",
        "campaigns",
        "questionnaires",
        "uploads",
        "jobs",
        "languages",
        "core",
    },
    # A campaign's title and description are its questionnaire's texts; deleting a
    # campaign deletes its uploaded files.
    "campaigns": {"questionnaires", "uploads", "languages", "core"},
    # The upload question types check a chosen file (uploads.checks) in their form field.
    "questionnaires": {"uploads", "languages", "core"},
    # Uploaded files: kinds and limits, checks by content, storage and its sweep (a job).
    "uploads": {"jobs", "core"},
    # Password reset links go out by mail.
    "accounts": {"mail", "core"},
    # Outgoing mail: the outbox, suppressed addresses, delivery on the job queue.
    "mail": {"jobs", "core"},
    # The job queue (Huey): knows no domain package; they declare their jobs on it.
    "jobs": {"core"},
    "places": {"languages", "core"},
    "languages": set(),  # may only ever add core
    "core": set(),  # may never import a domain package
}

#: The modules outside models and extensions that models may import: the registry, and
#: the letter tables that give a place's name in each script (both import nothing of ours).
MODELS_MAY_IMPORT = ("surveyapp.languages.registry", "surveyapp.languages.transliteration")


class Edge(NamedTuple):
    path: Path
    line: int
    source: str  # the importing module
    target: str  # the imported surveyapp module

    def __str__(self) -> str:
        where = self.path.relative_to(ROOT)
        return (
            f"{where}:{self.line}: {self.source} imports {self.target} "
            f"({part_of(self.source)} → {part_of(self.target)})"
        )


def module_name(path: Path) -> str:
    parts = path.relative_to(ROOT).with_suffix("").parts
    return ".".join(parts[:-1] if parts[-1] == "__init__" else parts)


@cache
def modules() -> dict[str, Path]:
    return {module_name(path): path for path in sorted(PACKAGE.rglob("*.py"))}


def resolve(node: ast.ImportFrom, module: str, is_package: bool) -> str:
    if not node.level:
        return node.module or ""
    base = module.split(".")
    base = base[: len(base) - node.level + (1 if is_package else 0)]
    return ".".join(base + ([node.module] if node.module else []))


def imports_of(module: str, path: Path) -> Iterator[Edge]:
    """Every surveyapp module that ``module`` imports, anywhere in the file."""
    known = modules()
    tree = ast.parse(path.read_bytes(), str(path))
    for node in ast.walk(tree):
        if isinstance(node, ast.Import):
            targets = [alias.name for alias in node.names]
        elif isinstance(node, ast.ImportFrom):
            base = resolve(node, module, path.name == "__init__.py")
            # “from surveyapp.x import y” imports the module surveyapp.x.y when there is one
            targets = [
                f"{base}.{alias.name}" if f"{base}.{alias.name}" in known else base
                for alias in node.names
            ]
        else:
            continue
        for target in targets:
            if target == TOP or target.startswith(TOP + "."):
                yield Edge(path, node.lineno, module, target)


@cache
def edges() -> tuple[Edge, ...]:
    found = {edge for module, path in modules().items() for edge in imports_of(module, path)}
    return tuple(sorted(found, key=lambda e: (str(e.path), e.line, e.target)))


def part_of(module: str) -> str:
    """The layer or domain package a module belongs to ("surveyapp" for the top)."""
    parts = module.split(".")
    if module in (TOP, f"{TOP}.cli"):
        return TOP
    if len(parts) > 1 and parts[1] in (WEB, MODELS, EXTENSIONS, *DOMAIN):
        return parts[1]
    return f"?{module}"  # a module in no layer: see test_every_module_has_a_layer


def forbidden(edge: Edge) -> str | None:
    """Why this import breaks the layering, or None when it is allowed."""
    source, target = part_of(edge.source), part_of(edge.target)
    if source == target or source == TOP:
        return None
    if target == TOP:
        return "only the factory and cli.py are above everything: nothing imports them"
    if target == WEB and source != WEB:
        return "nothing outside web/ and the top level imports surveyapp.web"
    if source == WEB:
        return None
    if source == EXTENSIONS:
        return "surveyapp.extensions imports nothing from surveyapp"
    if source == MODELS:
        if target == EXTENSIONS or edge.target in MODELS_MAY_IMPORT:
            return None
        return f"models import only models, extensions and {', '.join(MODELS_MAY_IMPORT)}"
    # a domain package
    if target in (MODELS, EXTENSIONS):
        return None
    if source == "core":
        return "core imports no domain package"
    if source == "languages" and target != "core":
        return "languages imports only core, extensions and languages"
    if target in ALLOWED.get(source, ()):
        return None
    return (
        f"{source} may not import {target}: add the edge to ALLOWED in "
        "tests/test_architecture.py on purpose (and without a cycle), or move the code"
    )


def cycle(graph: dict[str, set[str]]) -> list[str] | None:
    """A cycle in the graph (as a path that ends where it starts), if there is one."""
    state: dict[str, str] = {}

    def visit(node: str, path: list[str]) -> list[str] | None:
        state[node] = "open"
        for child in sorted(graph.get(node, ())):
            if state.get(child) == "open":
                return path[path.index(child) :] + [child] if child in path else [node, child]
            if child not in state and (found := visit(child, path + [child])):
                return found
        state[node] = "done"
        return None

    for start in sorted(graph):
        if start not in state and (found := visit(start, [start])):
            return found
    return None


def graph() -> dict[str, set[str]]:
    """Layer or domain package → those it imports today."""
    result: dict[str, set[str]] = {}
    for edge in edges():
        source, target = part_of(edge.source), part_of(edge.target)
        result.setdefault(source, set())
        if source != target:
            result[source].add(target)
    return result


# --- the tests ---------------------------------------------------------------------


def test_every_module_has_a_layer():
    lost = [name for name in modules() if part_of(name).startswith("?")]
    if lost:
        pytest.fail(f"modules in no layer (add them to the layering): {lost}", pytrace=False)


def test_imports_follow_the_layering():
    broken = [f"{edge}: {why}" for edge in edges() if (why := forbidden(edge))]
    if broken:
        pytest.fail("imports against the layering:\n" + "\n".join(broken), pytrace=False)


def test_allowed_table_names_domain_packages_and_has_no_cycle():
    assert sorted(ALLOWED) == sorted(DOMAIN)
    for source, targets in ALLOWED.items():
        assert targets <= set(DOMAIN) - {source}, source
    assert not any("demo" in targets for targets in ALLOWED.values()), "demo is on top"
    assert ALLOWED["core"] == set(), "core imports no domain package"
    assert ALLOWED["languages"] <= {"core"}, "languages imports only core (and extensions)"
    assert cycle(ALLOWED) is None, f"a cycle between packages: {' → '.join(cycle(ALLOWED))}"


def test_cycle_is_found():
    assert cycle({"a": {"b"}, "b": {"c"}, "c": {"a"}}) == ["a", "b", "c", "a"]
    assert cycle({"a": {"b", "c"}, "b": {"c"}, "c": set()}) is None


def main() -> None:
    """Print the graph of layers and packages, top first (for the README)."""
    order = [TOP, WEB, *DOMAIN, MODELS, EXTENSIONS]
    today = graph()
    for part in order:
        below = sorted(today.get(part, ()), key=order.index)
        sys.stdout.write(f"{part:<15} → {', '.join(below) or '(nothing)'}\n")


if __name__ == "__main__":
    main()
