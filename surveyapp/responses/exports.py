"""Exports of a campaign's responses: CSV (UTF-8 with BOM, for Excel) and XLSX.

One row per submitted response that counts (not held for review, rejected, or
marked as a test or invalid), a column per question (``export_columns``), and
the choices as labels in a chosen language or as their codes. Cells keep their
type (each question type's ``export_cell``): numbers are ints or floats, dates
are ``date``, the times a response started and was submitted are ``datetime``
in UTC; the writers in ``core.spreadsheets`` make them real numbers and dates in
XLSX and ISO text in CSV, and neutralise text that a spreadsheet would run as a
formula.

Rows are produced in batches of responses, each read with three queries of plain
columns (no ORM objects; the two big ones as the driver's own tuples, ``plain_rows``),
so memory stays flat however many responses there are.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from datetime import UTC, datetime

from sqlalchemy import Select, func, select
from sqlalchemy.orm import joinedload

from surveyapp.campaigns.roles import role_name_in
from surveyapp.core.spreadsheets import Sheet, write_workbook
from surveyapp.extensions import db
from surveyapp.languages.registry import SOURCE_LANGUAGE
from surveyapp.models import (
    ROLES,
    Answer,
    AnswerSelection,
    Campaign,
    Municipality,
    Question,
    Response,
    counts_in_profiles,
)
from surveyapp.questionnaires.question_types import TYPES
from surveyapp.questionnaires.texts import Texts, load_texts
from surveyapp.responses.export_columns import (
    FIXED_COLUMNS,
    JOINED_BY,
    ColumnPlan,
    choice_codes,
    codebook_rows,
    plan_columns,
)

__all__ = [
    "BATCH",
    "FIXED_COLUMNS",
    "ExportCounts",
    "code_cell",
    "codebook",
    "export_counts",
    "response_rows",
    "workbook",
]

#: Responses read per batch (each batch: three queries). 1,000 saved little time and
#: cost about 10 MB more at the peak (bench/README.md).
BATCH = 300

#: A choice code that reads as a number is exported as one ("3", "-1", "2.5"; not "03").
NUMERIC_CODE = re.compile(r"-?(0|[1-9][0-9]{0,14})(\.[0-9]{1,6})?")

RESPONSE_COLUMNS = (
    Response.id,
    Response.submission_id,
    Response.municipality_id,
    Response.role,
    Response.language,
    Response.started_at,
    Response.submitted_at,
    Response.self_registered,
)
ANSWER_COLUMNS = (
    Answer.id,
    Answer.response_id,
    Answer.question_id,
    Answer.choice,
    Answer.number,
    Answer.text,
)


def code_cell(code: str | None) -> object:
    """A choice code as a cell: a number when it reads as one, else the text."""
    if code is None:
        return None
    if NUMERIC_CODE.fullmatch(code):
        return int(code) if "." not in code else float(code)
    return code


class _AnswerCells:
    """The question columns of a batch of responses, read as plain rows (no ORM objects)."""

    def __init__(self, plan: ColumnPlan, texts: Texts | None) -> None:
        self.plan = plan
        self.width = plan.width
        self.kind = {q.id: TYPES[q.type] for q in plan.questions}
        self.label = {q.id: _choice_labels(q, texts) for q in plan.questions}
        self.multiple = {q.id for q in plan.questions if TYPES[q.type].multiple}
        self.cell_of = {q.id: TYPES[q.type].export_cell for q in plan.questions}
        #: One-answer choice questions: code -> cell, every code of the list looked up now.
        self.choice_cells = {
            q.id: {code: self.label[q.id](code) for code in choice_codes(q)}
            for q in plan.questions
            if TYPES[q.type].choices and not TYPES[q.type].multiple
        }

    def of_batch(self, response_ids: list[int]) -> dict[int, list[object]]:
        """Each response's cells; responses without answers are left out."""
        cells: dict[int, list[object]] = {}
        ticked: dict[int, tuple[int, int]] = {}  # answer id: response id, question id
        answers = plain_rows(select(*ANSWER_COLUMNS).where(Answer.response_id.in_(response_ids)))
        position, multiple, options = self.plan.position, self.multiple, self.plan.options
        cell_of, label_of, width = self.cell_of, self.label, self.width
        choice_cells = self.choice_cells
        extras, kind_of = self.plan.extras, self.kind
        for answer_id, response_id, question_id, choice, number, text in answers:
            index = position.get(question_id)
            if index is None:
                continue
            row = cells.get(response_id)
            if row is None:
                row = cells[response_id] = [None] * width
            extra = extras.get(question_id)
            if extra is not None:
                cells_of = kind_of[question_id].extra_cells(choice, number, text)
                for place, cell in zip(extra, cells_of, strict=False):
                    row[place] = cell
            if question_id in multiple:
                ticked[answer_id] = (response_id, question_id)
                # Answered: every option 0 until its selection is read (none ticked: all 0).
                for option in options[question_id].values():
                    row[option] = 0
                continue
            table = choice_cells.get(question_id)
            if table is not None and choice in table:
                row[index] = table[choice]  # most answers: a choice of the list
            else:
                row[index] = cell_of[question_id](choice, number, text, label_of[question_id])
        if not ticked:
            return cells
        values: dict[int, list[str]] = {}
        selections = plain_rows(
            select(AnswerSelection.answer_id, AnswerSelection.value).where(
                AnswerSelection.answer_id.in_(list(ticked))
            )
        )
        for answer_id, value in selections:
            values.setdefault(answer_id, []).append(value)
        for answer_id, chosen in values.items():
            response_id, question_id = ticked[answer_id]
            row = cells[response_id]
            label = self.label[question_id]
            # Python's order, not ORDER BY: PostgreSQL would sort by its collation.
            row[self.plan.position[question_id]] = JOINED_BY.join(
                str(label(value)) for value in sorted(chosen)
            )
            columns = self.plan.options[question_id]
            for value in chosen:
                if value in columns:
                    row[columns[value]] = 1
        return cells


def plain_rows(statement: Select) -> Iterator[tuple]:
    """The rows of ``statement`` as the database driver's own tuples, one by one, read on
    the session's connection (so in its transaction).

    For the export's two big reads (answers and ticked options): building SQLAlchemy's
    Row objects took more time than the database's read (bench/README.md), and a list
    of every row of a batch more memory than reading them one by one. The statement is
    compiled with its values written in (``literal_binds``): only ids (ints) are ever
    passed, never text.
    """
    connection = db.session.connection()
    sql = str(statement.compile(connection, compile_kwargs={"literal_binds": True}))
    cursor = connection.connection.driver_connection.cursor()
    try:
        cursor.execute(sql)
        yield from cursor
    finally:
        cursor.close()


def _choice_labels(question: Question, texts: Texts | None) -> Callable[[str | None], object]:
    """Code to cell: the label in ``texts``' language (looked up once per code; the code
    when the choice has no label), or without ``texts`` the code, a number if it is one."""
    known: dict[str | None, object] = {}
    list_name = question.choice_list.name if question.choice_list else ""

    def label(value: str | None) -> object:
        if value not in known:
            if texts is None:
                known[value] = code_cell(value)
            else:
                known[value] = texts.choice_label(list_name, value) if value else ""
        return known[value]

    return label


@dataclass(frozen=True)
class ExportCounts:
    """What an export of a campaign holds: ``rows`` responses, ``self_registered`` of
    them through the open link; ``left_out`` submitted ones do not count (held for
    review, rejected, or marked as a test or invalid)."""

    rows: int
    self_registered: int
    left_out: int


def export_counts(campaign_id: int) -> ExportCounts:
    """The counts the export page shows, in one query."""
    rows, self_registered, submitted = db.session.execute(
        select(
            func.count(Response.id).filter(counts_in_profiles()),
            func.count(Response.id).filter(counts_in_profiles(), Response.self_registered),
            func.count(Response.id),
        ).where(Response.campaign_id == campaign_id, Response.status == "submitted")
    ).one()
    return ExportCounts(rows or 0, self_registered or 0, (submitted or 0) - (rows or 0))


def response_rows(
    campaign_id: int, labels_lang: str | None, leave_out_self_registered: bool = False
) -> Iterator[list[object]]:
    """The header, then one list per submitted response, in id order, batch by batch.

    ``labels_lang``: choices (and roles) as labels in that language; None: as codes.
    Responses held for review (or rejected) or marked as a test or invalid are left
    out; so are the ones that came through the open link with
    ``leave_out_self_registered``.
    """
    campaign = db.session.get(Campaign, campaign_id)
    texts = load_texts(campaign.version_id, labels_lang) if labels_lang else None
    plan = plan_columns(campaign.version_id)
    yield list(plan.header)
    place_names = {
        m.id: (m.country.code, m.code, m.name(labels_lang or SOURCE_LANGUAGE))
        for m in db.session.scalars(select(Municipality).options(joinedload(Municipality.country)))
    }
    role_names = {role: role_name_in(labels_lang, role) for role in ROLES} if labels_lang else {}
    answer_cells = _AnswerCells(plan, texts)
    no_answers: list[object] = [None] * answer_cells.width
    last_id = 0
    while True:
        # No connection kept across batches: a caller may commit between them (the
        # export jobs write their progress).
        batch = db.session.execute(
            select(*RESPONSE_COLUMNS)
            .where(
                Response.campaign_id == campaign_id,
                Response.status == "submitted",
                counts_in_profiles(),
                Response.id > last_id,
                *([Response.self_registered.is_(False)] if leave_out_self_registered else []),
            )
            .order_by(Response.id)
            .limit(BATCH)
        ).all()
        if not batch:
            return
        cells = answer_cells.of_batch([response.id for response in batch])
        for response in batch:
            (rid, submission, place, role, language, started, submitted, self_registered) = response
            country, code, name = place_names[place]
            row: list[object] = [
                rid,
                submission,
                country,
                code,
                name,
                role_names.get(role, role),
                language,
                _utc(started),
                _utc(submitted),
                1 if self_registered else 0,
            ]
            row += cells.get(rid, no_answers)
            yield row
        last_id = batch[-1].id


def _utc(moment: datetime | None) -> datetime | None:
    """A stored time (naive, UTC) marked as UTC, so a CSV writes it with its zone."""
    return moment.replace(tzinfo=UTC) if moment else None


def codebook(campaign_id: int, lang: str) -> Iterator[list[object]]:
    """The codebook of a campaign's export in ``lang`` (see ``export_columns``)."""
    campaign = db.session.get(Campaign, campaign_id)
    return codebook_rows(campaign.version_id, load_texts(campaign.version_id, lang))


#: Column widths in characters: the fixed columns', then by the answer column's type.
FIXED_WIDTHS = [10, 14, 8, 18, 20, 16, 9, 19, 19, 8]
TYPE_WIDTHS = {"short_text": 30, "long_text": 45, "date": 12, "option": 8}
CODEBOOK_WIDTHS = [30, 60, 24, 12, 40]


def column_widths(version_id: int) -> list[float]:
    """The responses sheet's column widths: wide enough for the header (within reason)
    and for what the column holds."""
    plan = plan_columns(version_id)
    answers = [TYPE_WIDTHS.get(kind, 12) for kind in plan.types]
    return [
        min(max(base, len(name) + 3), 45)
        for base, name in zip(FIXED_WIDTHS + answers, plan.header, strict=True)
    ]


def workbook(
    campaign_id: int,
    labels_lang: str | None,
    leave_out_self_registered: bool,
    codebook_lang: str,
):
    """The XLSX export: a "responses" sheet (``response_rows``) and a "codebook" sheet
    in ``codebook_lang``, in a temporary file positioned at its start."""
    campaign = db.session.get(Campaign, campaign_id)
    widths = column_widths(campaign.version_id)
    rows = response_rows(campaign_id, labels_lang, leave_out_self_registered)
    from surveyapp.responses.repeat_exports import repeat_sheets

    return write_workbook(
        [
            Sheet("responses", rows, widths),
            *repeat_sheets(campaign_id, labels_lang, leave_out_self_registered),
            Sheet("codebook", codebook(campaign_id, codebook_lang), CODEBOOK_WIDTHS),
        ]
    )
