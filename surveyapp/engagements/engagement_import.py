"""Importing engagements from a CSV or XLSX file, all or nothing.

Columns are found by their header, in English or in any of the app's languages;
municipalities, partners, kinds, statuses and domains by code or by name as people
write them, in any language and script (``outreach.name_matching.fold``). Every bad
row is reported with its line and why, and nothing is stored until the file is
clean. A row for the same municipality, kind and day as an engagement already in
the log updates it (so a corrected file can be imported again); a row repeated in
the file is taken once, and a repeat that says something else is an error.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from datetime import date
from typing import Any

from sqlalchemy import select, tuple_
from sqlalchemy.orm import selectinload

from surveyapp.core.database import write_transaction
from surveyapp.core.safe_text import lazy_gettext as _l
from surveyapp.core.uploaded_tables import Table, TableRefused, read_table
from surveyapp.engagements.import_words import (
    REQUIRED_COLUMNS,
    Indexes,
    find_domain,
    header_column,
    load_indexes,
    parse_day,
)
from surveyapp.engagements.records import (
    MAX_NOTE_LENGTH,
    MAX_PARTNERS,
    clean_note,
    date_problem,
)
from surveyapp.extensions import db
from surveyapp.languages.registry import SOURCE_LANGUAGE
from surveyapp.models import (
    Country,
    Domain,
    Engagement,
    Municipality,
)
from surveyapp.models.base import utcnow
from surveyapp.outreach.contact_import import FILE_PROBLEMS as CONTACT_FILE_PROBLEMS
from surveyapp.outreach.name_matching import Places, fold

#: Most engagements one file may hold.
MAX_ROWS = 5_000
#: Most errors listed (the count says how many there were).
MAX_LISTED_ERRORS = 200

#: A file refused whole: the contact import's messages (the same safe reading), with
#: this list's own word for what an .xlsx holds.
FILE_PROBLEMS = {
    **CONTACT_FILE_PROBLEMS,
    "too_many_parts": _l("The .xlsx file has too many parts to be a list of engagements."),
}


@dataclass(frozen=True)
class ImportProblem:
    """One problem: its line (None: the whole file) and what is wrong (a lazy message)."""

    line: int | None
    message: Any


@dataclass
class ImportReport:
    problems: list[ImportProblem] = field(default_factory=list)
    more_problems: int = 0
    #: Headers that name none of our columns (ignored).
    ignored_headers: list[str] = field(default_factory=list)
    rows: int = 0
    created: int = 0
    updated: int = 0
    unchanged: int = 0
    merged: int = 0

    @property
    def ok(self) -> bool:
        return not self.problems

    def add(self, line: int | None, message: Any) -> None:
        if len(self.problems) < MAX_LISTED_ERRORS:
            self.problems.append(ImportProblem(line, message))
        else:
            self.more_problems += 1


@dataclass
class _Row:
    line: int
    town: Municipality
    kind: str
    held_on: date
    status: str
    domains: list[Domain]
    partners: list[Municipality]
    note: str

    def key(self) -> tuple[int, str, date]:
        return (self.town.id, self.kind, self.held_on)

    def content(self) -> tuple:
        return (
            self.status,
            tuple(sorted(d.id for d in self.domains)),
            tuple(sorted(m.id for m in self.partners)),
            self.note,
        )


def _columns(table: Table, report: ImportReport) -> dict[str, int] | None:
    found: dict[str, int] = {}
    for index, header in enumerate(table.headers):
        if not header:
            continue
        column = header_column(header)
        if column is None:
            report.ignored_headers.append(header)
        elif column in found:
            report.add(1, _l("Two columns are headed “%(header)s”: keep only one.", header=header))
        else:
            found[column] = index
    missing = [column for column in REQUIRED_COLUMNS if column not in found]
    if missing:
        report.add(
            1,
            _l(
                "The first row must name the columns municipality, kind and date (status, "
                "domains, partners, note and country are optional). Not found: %(columns)s.",
                columns=", ".join(missing),
            ),
        )
    return None if report.problems else found


def _parts(text: str) -> list[str]:
    return [part.strip() for part in re.split(r"[;\n|]", text) if part.strip()]


def _town(
    text: str, country: Country | None, places: Places, number: int, report: ImportReport
) -> Municipality | None:
    found = places.municipalities(text, country)
    if len(found) == 1:
        return found[0]
    if not found:
        report.add(
            number,
            _l(
                "Unknown municipality “%(value)s”: give its name or its code "
                "(as in the invitation lists).",
                value=text[:80],
            ),
        )
        return None
    choices = ", ".join(
        f"{town.name(SOURCE_LANGUAGE)} ({town.code})"
        for town in sorted(found, key=lambda town: town.code)
    )
    report.add(
        number,
        _l(
            "“%(value)s” could be several municipalities: %(choices)s. Write one of "
            "these names or codes instead, or add a country column.",
            value=text[:80],
            choices=choices,
        ),
    )
    return None


def _partners(
    text: str, places: Places, number: int, report: ImportReport
) -> list[Municipality] | None:
    partners: list[Municipality] = []
    ok = True
    for part in _parts(text):
        pieces = [part] if places.municipalities(part) else [p.strip() for p in part.split(",")]
        for piece in pieces:
            if not piece:
                continue
            town = _town(piece, None, places, number, report)
            if town is None:
                ok = False
            elif town not in partners:
                partners.append(town)
    return partners if ok else None


def _domains(text: str, index: dict[str, Domain], number: int, report: ImportReport):
    domains: list[Domain] = []
    ok = True
    for part in _parts(text):
        whole = find_domain(part, index) is not None
        pieces = [part] if whole else [p.strip() for p in part.split(",")]
        for piece in pieces:
            if not piece:
                continue
            domain = find_domain(piece, index)
            if domain is None:
                ok = False
                report.add(
                    number,
                    _l(
                        "Unknown domain “%(value)s”: use the domains of the needs profiles, "
                        "separated by semicolons.",
                        value=piece[:80],
                    ),
                )
            elif domain not in domains:
                domains.append(domain)
    return sorted(domains, key=lambda d: (d.position, d.id)) if ok else None


def _check_row(
    number: int,
    cells: list[str],
    columns: dict[str, int],
    indexes: Indexes,
    report: ImportReport,
    today: date,
) -> _Row | None:
    def cell(column: str) -> str:
        return cells[columns[column]].strip() if column in columns else ""

    before = len(report.problems) + report.more_problems
    country = None
    if cell("country"):
        country = indexes.places.country(cell("country"))
        if country is None:
            report.add(number, _l("Unknown country “%(value)s”.", value=cell("country")[:80]))
    town = None
    if not cell("municipality"):
        report.add(number, _l("The municipality is missing."))
    else:
        town = _town(cell("municipality"), country, indexes.places, number, report)
    kind = indexes.kinds.get(fold(cell("kind")))
    if not cell("kind"):
        report.add(number, _l("The kind of engagement is missing."))
    elif kind is None:
        report.add(
            number,
            _l(
                "Unknown kind “%(value)s”: use roundtable, workshop, peer exchange, training, "
                "study visit, action plan, safety council or other (in any of the app's "
                "languages).",
                value=cell("kind")[:80],
            ),
        )
    day = parse_day(cell("date")) if cell("date") else None
    if not cell("date"):
        report.add(number, _l("The date is missing."))
    elif day is None:
        report.add(
            number,
            _l(
                "“%(value)s” is not a date: write it as 2026-03-15 or 15.03.2026.",
                value=cell("date")[:80],
            ),
        )
    status = indexes.statuses.get(fold(cell("status"))) if cell("status") else None
    if cell("status") and status is None:
        report.add(
            number,
            _l("Unknown status “%(value)s”: use planned or done.", value=cell("status")[:80]),
        )
    if status is None and day is not None:
        status = "done" if day <= today else "planned"
    if day is not None and status is not None:
        problem = date_problem(day, status, today)
        if problem == "out_of_range":
            report.add(number, _l("The date %(value)s is not a plausible year.", value=day))
        elif problem == "done_in_future":
            report.add(
                number,
                _l(
                    "The engagement is marked done, but its date %(value)s is still to come.",
                    value=day.isoformat(),
                ),
            )
    domains = _domains(cell("domains"), indexes.domains, number, report)
    partners = _partners(cell("partners"), indexes.places, number, report)
    if partners is not None and town is not None and town in partners:
        report.add(number, _l("The municipality cannot be its own partner."))
    if partners is not None and len(partners) > MAX_PARTNERS:
        report.add(number, _l("At most %(max)d partner municipalities.", max=MAX_PARTNERS))
    note = clean_note(cell("note"))
    if len(note) > MAX_NOTE_LENGTH:
        report.add(number, _l("The note is longer than %(max)d characters.", max=MAX_NOTE_LENGTH))
    if len(report.problems) + report.more_problems > before:
        return None
    if town is None or kind is None or day is None or status is None:
        return None
    return _Row(number, town, kind, day, status, domains or [], partners or [], note)


def check_file(data: bytes, today: date | None = None) -> tuple[ImportReport, list[_Row]]:
    """Read and check a whole file; the rows to import once the report is clean."""
    today = today or utcnow().date()
    report = ImportReport()
    try:
        table = read_table(data, max_rows=MAX_ROWS)
    except TableRefused as refused:
        report.add(None, FILE_PROBLEMS[refused.code] % {"limit": refused.limit or 0})
        return report, []
    columns = _columns(table, report)
    if columns is None:
        return report, []
    if not table.rows:
        report.add(None, _l("The file has a header row but no engagements."))
        return report, []
    indexes = load_indexes()
    rows: dict[tuple, _Row] = {}
    for number, cells in table.rows:
        report.rows += 1
        row = _check_row(number, cells, columns, indexes, report, today)
        if row is None:
            continue
        earlier = rows.get(row.key())
        if earlier is None:
            rows[row.key()] = row
        elif earlier.content() != row.content():
            report.add(
                number,
                _l(
                    "The same municipality, kind and date as on line %(line)d, but with "
                    "something else said: keep one of the two rows.",
                    line=earlier.line,
                ),
            )
        else:
            report.merged += 1
    return report, list(rows.values())


@write_transaction()
def import_engagements(data: bytes, recorded_by_id: int | None) -> ImportReport:
    """Check the file, and store it only when nothing is wrong with it."""
    report, rows = check_file(data)
    if not report.ok:
        return report
    keys = [row.key() for row in rows]
    existing: dict[tuple, Engagement] = {}
    for first in range(0, len(keys), 500):
        chunk = keys[first : first + 500]
        for engagement in db.session.scalars(
            select(Engagement)
            .where(
                tuple_(Engagement.municipality_id, Engagement.kind, Engagement.held_on).in_(chunk)
            )
            .options(selectinload(Engagement.domains), selectinload(Engagement.partners))
        ):
            existing.setdefault(
                (engagement.municipality_id, engagement.kind, engagement.held_on), engagement
            )
    for row in rows:
        engagement = existing.get(row.key())  # type: ignore[assignment]
        if engagement is None:
            db.session.add(
                Engagement(
                    municipality=row.town,
                    kind=row.kind,
                    held_on=row.held_on,
                    status=row.status,
                    domains=row.domains,
                    partners=row.partners,
                    note=row.note,
                    recorded_by_id=recorded_by_id,
                )
            )
            report.created += 1
            continue
        before = (
            engagement.status,
            tuple(sorted(d.id for d in engagement.domains)),
            tuple(sorted(m.id for m in engagement.partners)),
            engagement.note,
        )
        if before == row.content():
            report.unchanged += 1
            continue
        engagement.status = row.status
        engagement.domains = row.domains
        engagement.partners = row.partners
        engagement.note = row.note
        report.updated += 1
    db.session.commit()
    return report
