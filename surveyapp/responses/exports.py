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
columns (no ORM objects; the answers and ticked options as the driver's own tuples,
``answer_cells``), so memory stays flat however many responses there are.
"""

from __future__ import annotations

import io
import os
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from datetime import datetime

from sqlalchemy import func, select
from sqlalchemy.orm import joinedload

from surveyapp.campaigns.roles import role_name_in
from surveyapp.core.spreadsheets import Sheet, csv_field, csv_utc
from surveyapp.core.xlsx_stream import stream_workbook
from surveyapp.extensions import db
from surveyapp.languages.registry import SOURCE_LANGUAGE
from surveyapp.models import ROLES, Campaign, Municipality, Response, counts_in_profiles
from surveyapp.questionnaires.texts import load_texts
from surveyapp.responses import answer_cells
from surveyapp.responses.answer_cells import AnswerCells, utc
from surveyapp.responses.export_columns import FIXED_COLUMNS, codebook_rows, plan_columns

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

#: Responses read per batch (each batch: three queries, ``answer_cells``); 1,000 cost
#: about 20 MB more at the peak for little time (bench/README.md).
BATCH = 300

RESPONSE_COLUMNS = answer_cells.RESPONSE_COLUMNS
#: Public names kept here for the callers that import them from the exports.
code_cell = answer_cells.code_cell


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
    campaign_id: int,
    labels_lang: str | None,
    leave_out_self_registered: bool = False,
    for_csv: bool = False,
) -> Iterator[list[object]]:
    """The header, then one list per submitted response, in id order, batch by batch.

    ``labels_lang``: choices (and roles) as labels in that language; None: as codes.
    Responses held for review (or rejected) or marked as a test or invalid are left
    out; so are the ones that came through the open link with
    ``leave_out_self_registered``. ``for_csv``: every cell as its CSV field's text
    (``spreadsheets.csv_field``), for ``csv_chunks(rows, prepared=True)``; a choice's
    label is prepared once, not once per cell.
    """
    campaign = db.session.get(Campaign, campaign_id)
    texts = load_texts(campaign.version_id, labels_lang) if labels_lang else None
    plan = plan_columns(campaign.version_id)
    prepare: Callable[[object], object] = csv_field if for_csv else _as_it_is
    when: Callable[[datetime | None], object] = csv_utc if for_csv else utc
    yield [prepare(name) for name in plan.header]
    place_names = {
        m.id: [
            prepare(cell)
            for cell in (m.country.code, m.code, m.name(labels_lang or SOURCE_LANGUAGE))
        ]
        for m in db.session.scalars(select(Municipality).options(joinedload(Municipality.country)))
    }
    role_names = {
        role: prepare(role_name_in(labels_lang, role) if labels_lang else role) for role in ROLES
    }
    cells_of = AnswerCells(plan, texts, csv_field if for_csv else None)
    no_answers: list[object] = [cells_of.empty] * cells_of.width
    yes, no = prepare(1), prepare(0)
    last_id = 0
    while True:
        # No connection kept across batches: a caller may commit between them (the
        # export jobs write their progress). Core rows: the ORM's layer cost more.
        batch = (
            db.session.connection()
            .execute(
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
            )
            .all()
        )
        if not batch:
            return
        cells = cells_of.of_batch([response[0] for response in batch])
        for response in batch:
            (rid, submission, place, role, language, started, submitted, self_registered) = response
            yield [
                prepare(rid),
                prepare(submission),
                *place_names[place],
                role_names[role] if role in role_names else prepare(role),
                prepare(language),
                when(started),
                when(submitted),
                yes if self_registered else no,
                *cells.get(rid, no_answers),
            ]
        last_id = batch[-1][0]


def _as_it_is(cell: object) -> object:
    return cell


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
    target: str | os.PathLike | None = None,
    passed_through: Callable[[Iterator[list[object]]], Iterator[list[object]]] | None = None,
) -> io.BytesIO | None:
    """The XLSX export: a "responses" sheet (``response_rows``) and a "codebook" sheet
    in ``codebook_lang``: into the file ``target`` names (as the export jobs write it),
    or without one in memory, positioned at its start (a small export's download).
    ``passed_through`` may wrap the rows (the jobs count them for their progress)."""
    campaign = db.session.get(Campaign, campaign_id)
    widths = column_widths(campaign.version_id)
    rows = response_rows(campaign_id, labels_lang, leave_out_self_registered)
    if passed_through is not None:
        rows = passed_through(rows)
    from surveyapp.responses.repeat_exports import repeat_sheets

    return stream_workbook(
        [
            Sheet("responses", rows, widths),
            *repeat_sheets(campaign_id, labels_lang, leave_out_self_registered),
            Sheet("codebook", codebook(campaign_id, codebook_lang), CODEBOOK_WIDTHS),
        ],
        target,
    )
