"""Importing a list of contacts from a CSV or XLSX file, all or nothing.

Columns are found by their header (``name_matching.HEADERS``: English or any of the
app's languages), municipalities by code or by name in any language (a country
column settles a name two countries share). Every bad row is reported with its line
and why, and nothing is imported until the file is clean. Rows are merged by e-mail
address: a repeated row within the file once (a repeat that says something else is
an error), and a row whose address is a contact already updates that contact.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

from sqlalchemy import select

from surveyapp.campaigns.tokens import new_token
from surveyapp.core.database import write_transaction
from surveyapp.core.safe_text import lazy_gettext as _l
from surveyapp.core.uploaded_tables import Table, TableRefused, read_table
from surveyapp.extensions import db
from surveyapp.languages.registry import SOURCE_LANGUAGE
from surveyapp.mail.outbox import normalise_address
from surveyapp.models import Contact, Municipality
from surveyapp.outreach import name_matching
from surveyapp.outreach.audit import Actor, note
from surveyapp.outreach.contacts import (
    MAX_NAME_LENGTH,
    clean_name,
    email_problem,
    name_problem,
)
from surveyapp.places.town_languages import town_languages

#: Most contacts one file may hold.
MAX_ROWS = 10_000
#: Most errors listed (the count says how many there were).
MAX_LISTED_ERRORS = 200

FILE_PROBLEMS = {
    "empty": _l("The file is empty."),
    "xls": _l("This is an Excel 97–2003 (.xls) file: please save it as .xlsx or as CSV."),
    "damaged": _l("The file could not be read: it is damaged, or not a spreadsheet or CSV file."),
    "too_large": _l("The file is too large (more than %(limit)d MB once unpacked)."),
    "too_many_parts": _l("The .xlsx file has too many parts to be a list of contacts."),
    "compressed": _l("The .xlsx file is refused: a part of it is compressed suspiciously well."),
    "doctype": _l(
        "The .xlsx file is refused: a part of it has a document type declaration (DTD), "
        "which a workbook never needs."
    ),
    "not_utf8": _l(
        "The CSV file is not in UTF-8. In Excel, save it as “CSV UTF-8”; in LibreOffice, "
        "choose the character set “Unicode (UTF-8)”."
    ),
    "too_many_rows": _l("The file has more than %(limit)d rows."),
    "too_many_columns": _l("The file has more than %(limit)d columns."),
}


@dataclass(frozen=True)
class ImportProblem:
    """One problem: its line (None: the whole file) and what is wrong (a lazy message)."""

    line: int | None
    message: Any


@dataclass
class ImportReport:
    problems: list[ImportProblem] = field(default_factory=list)
    #: Problems beyond those listed.
    more_problems: int = 0
    #: Headers that name none of our columns (ignored).
    ignored_headers: list[str] = field(default_factory=list)
    rows: int = 0
    created: int = 0
    updated: int = 0
    unchanged: int = 0
    #: Rows that repeated an earlier row of the file (merged into it).
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
    name: str
    role: str
    email: str
    language: str | None


def _columns(table: Table, report: ImportReport) -> dict[str, int] | None:
    found: dict[str, int] = {}
    for index, header in enumerate(table.headers):
        if not header:
            continue
        column = name_matching.header_column(header)
        if column is None:
            report.ignored_headers.append(header)
        elif column in found:
            report.add(1, _l("Two columns are headed “%(header)s”: keep only one.", header=header))
        else:
            found[column] = index
    missing = [column for column in name_matching.REQUIRED_COLUMNS if column not in found]
    if missing:
        report.add(
            1,
            _l(
                "The first row must name the columns e-mail, name, role and municipality "
                "(language and country are optional). Not found: %(columns)s.",
                columns=", ".join(missing),
            ),
        )
    return None if report.problems else found


EMAIL_PROBLEMS = {
    "required": _l("The e-mail address is missing."),
    "too_long": _l("The e-mail address is too long."),
    "invalid": _l("“%(value)s” is not an e-mail address."),
}
NAME_PROBLEMS = {
    "required": _l("The name is missing."),
    "too_long": _l("The name is longer than %(max)d characters."),
    "one_line": _l("The name must be one line, without tabs or control characters."),
}


def _check_row(
    number: int,
    cells: list[str],
    columns: dict[str, int],
    indexes: tuple[dict[str, str], dict[str, str], name_matching.Places],
    report: ImportReport,
) -> _Row | None:
    roles, languages, places = indexes

    def cell(column: str) -> str:
        return cells[columns[column]].strip() if column in columns else ""

    before = len(report.problems) + report.more_problems
    email = cell("email")
    if problem := email_problem(email):
        report.add(number, EMAIL_PROBLEMS[problem] % {"value": email[:80]})
    name = clean_name(cell("name"))
    if problem := name_problem(name):
        report.add(number, NAME_PROBLEMS[problem] % {"max": MAX_NAME_LENGTH})
    role = roles.get(name_matching.fold(cell("role")))
    if not cell("role"):
        report.add(number, _l("The role is missing."))
    elif role is None:
        report.add(
            number,
            _l(
                "Unknown role “%(value)s”: use mayor, deputy mayor, councillor or municipal "
                "staff (in any of the app's languages).",
                value=cell("role")[:80],
            ),
        )
    language = None
    if cell("language"):
        language = name_matching.find_language(cell("language"), languages)
        if language is None:
            report.add(number, _l("Unknown language “%(value)s”.", value=cell("language")[:80]))
    country = None
    if cell("country"):
        country = places.country(cell("country"))
        if country is None:
            report.add(number, _l("Unknown country “%(value)s”.", value=cell("country")[:80]))
    town = None
    if not cell("municipality"):
        report.add(number, _l("The municipality is missing."))
    else:
        found = places.municipalities(cell("municipality"), country)
        if len(found) == 1:
            town = found[0]
        elif not found:
            report.add(
                number,
                _l(
                    "Unknown municipality “%(value)s”: give its name or its code "
                    "(as in the invitation lists).",
                    value=cell("municipality")[:80],
                ),
            )
        else:
            choices = ", ".join(
                f"{town.name(SOURCE_LANGUAGE)} ({town.code})"
                for town in sorted(found, key=lambda town: town.code)
            )
            message = (
                _l(
                    "“%(value)s” could be several municipalities: %(choices)s. Write one of "
                    "these names or codes instead.",
                    value=cell("municipality")[:80],
                    choices=choices,
                )
                if country is not None
                else _l(
                    "“%(value)s” could be several municipalities: %(choices)s. Write one of "
                    "these names or codes instead, or add a country column.",
                    value=cell("municipality")[:80],
                    choices=choices,
                )
            )
            report.add(number, message)
    if len(report.problems) + report.more_problems > before or town is None or role is None:
        return None
    return _Row(number, town, name, role, normalise_address(email), language)


def check_file(data: bytes) -> tuple[ImportReport, list[_Row]]:
    """Read and check a whole file; the rows to import once the report is clean."""
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
        report.add(None, _l("The file has a header row but no contacts."))
        return report, []
    indexes = (
        name_matching.role_index(),
        name_matching.language_index(),
        name_matching.Places.load(),
    )
    rows: dict[str, _Row] = {}
    for number, cells in table.rows:
        report.rows += 1
        row = _check_row(number, cells, columns, indexes, report)
        if row is None:
            continue
        earlier = rows.get(row.email)
        if earlier is None:
            rows[row.email] = row
            continue
        differ = [
            label
            for label, a, b in (
                ("municipality", earlier.town.id, row.town.id),
                ("name", earlier.name, row.name),
                ("role", earlier.role, row.role),
                ("language", earlier.language, row.language),
            )
            if a != b
        ]
        if differ:
            report.add(
                number,
                _l(
                    "The same e-mail address as on line %(line)d, but with another "
                    "%(columns)s: keep one of the two rows.",
                    line=earlier.line,
                    columns=", ".join(differ),
                ),
            )
        else:
            report.merged += 1
    return report, list(rows.values())


@write_transaction()
def import_contacts(data: bytes, actor: Actor) -> ImportReport:
    """Check the file, and import it only when nothing is wrong with it."""
    report, rows = check_file(data)
    if not report.ok:
        return report
    existing = {
        contact.email: contact
        for contact in db.session.scalars(
            select(Contact).where(Contact.email.in_([row.email for row in rows]))
        )
    }
    for row in rows:
        language = (
            row.language or (town_languages(row.town.code, row.town.country.languages) or ["en"])[0]
        )
        contact = existing.get(row.email)
        if contact is None:
            db.session.add(
                Contact(
                    municipality=row.town,
                    name=row.name,
                    role=row.role,
                    email=row.email,
                    language=language,
                    opt_out_token=new_token(),
                )
            )
            report.created += 1
            continue
        after = (row.town.id, row.name, row.role, row.language or contact.language)
        if after == (contact.municipality_id, contact.name, contact.role, contact.language):
            report.unchanged += 1
            continue
        contact.municipality = row.town
        contact.name, contact.role = row.name, row.role
        contact.language = row.language or contact.language
        report.updated += 1
    note(
        "contacts_imported",
        "contacts",
        actor,
        rows=report.rows,
        created=report.created,
        updated=report.updated,
        unchanged=report.unchanged,
        merged=report.merged,
    )
    db.session.commit()
    return report
