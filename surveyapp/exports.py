"""Exports of a campaign's responses: CSV (UTF-8 with BOM, for Excel) and XLSX.

One row per submitted response, a column per question, labels in a chosen
language or raw codes. Rows are produced in batches (a few queries per batch of
responses), so memory stays flat however many responses there are. Text that a
spreadsheet would run as a formula is neutralised.
"""

from __future__ import annotations

import csv
import io
import tempfile
from collections.abc import Iterator
from dataclasses import dataclass
from datetime import datetime

from openpyxl import Workbook
from sqlalchemy import select
from sqlalchemy.orm import joinedload, selectinload

from surveyapp.content import Texts, load_texts
from surveyapp.extensions import db
from surveyapp.models import Answer, Campaign, Municipality, Question, Response
from surveyapp.responses import load_version

BATCH = 500
FORMULA_STARTS = ("=", "+", "-", "@", "\t", "\r")


def neutralise(value: object) -> object:
    """Text starting like a formula gets a leading apostrophe; numbers and other values pass."""
    if isinstance(value, str) and value.startswith(FORMULA_STARTS) and not _is_number(value):
        return "'" + value
    return value


def _is_number(text: str) -> bool:
    try:
        float(text)
    except ValueError:
        return False
    return text.strip() == text and "\t" not in text


@dataclass
class ExportColumns:
    questions: list[Question]
    header: list[str]


FIXED_COLUMNS = [
    "response_id",
    "submission_id",
    "country",
    "municipality_code",
    "municipality",
    "role",
    "language",
    "started_at",
    "submitted_at",
]


def columns(campaign: Campaign, texts: Texts | None) -> ExportColumns:
    version = load_version(campaign.version_id)
    questions = [q for page in version.pages for q in page.questions]
    header = list(FIXED_COLUMNS)
    header += [texts.label(q) if texts else q.name for q in questions]
    return ExportColumns(questions, header)


def _value(question: Question, answer: Answer | None, texts: Texts | None) -> object:
    if answer is None:
        return ""
    list_name = question.choice_list.name if question.choice_list else ""
    if question.type in ("single_choice", "scale"):
        return texts.choice(list_name, answer.choice) if texts else answer.choice
    if question.type == "multiple_choice":
        values = sorted(s.value for s in answer.selections)
        return "; ".join(texts.choice(list_name, v) if texts else v for v in values)
    if question.type == "number":
        return answer.number
    return answer.text or ""


def response_rows(campaign_id: int, labels_lang: str | None) -> Iterator[list[object]]:
    """The header, then one list per submitted response, batch by batch."""
    campaign = db.session.get(Campaign, campaign_id)
    texts = load_texts(campaign.version_id, labels_lang) if labels_lang else None
    cols = columns(campaign, texts)
    yield cols.header
    place_names = {
        m.id: (m.country.code, m.code, m.name(labels_lang or "en"))
        for m in db.session.scalars(select(Municipality).options(joinedload(Municipality.country)))
    }
    last_id = 0
    while True:
        batch = db.session.scalars(
            select(Response)
            .where(
                Response.campaign_id == campaign_id,
                Response.status == "submitted",
                Response.id > last_id,
            )
            .order_by(Response.id)
            .limit(BATCH)
            .options(selectinload(Response.answers).selectinload(Answer.selections))
        ).all()
        if not batch:
            return
        for response in batch:
            by_question = {a.question_id: a for a in response.answers}
            country, code, name = place_names[response.municipality_id]
            row: list[object] = [
                response.id,
                response.submission_id,
                country,
                code,
                name,
                response.role,
                response.language,
                _iso(response.started_at),
                _iso(response.submitted_at),
            ]
            row += [_value(q, by_question.get(q.id), texts) for q in cols.questions]
            yield [neutralise(value) for value in row]
        last_id = batch[-1].id
        db.session.expunge_all()  # keep the identity map from growing


def _iso(moment: datetime | None) -> str:
    return moment.isoformat(timespec="seconds") + "Z" if moment else ""


def csv_chunks(rows: Iterator[list[object]]) -> Iterator[str]:
    """CSV text in chunks, starting with a BOM so Excel reads UTF-8 (Cyrillic) right."""
    buffer = io.StringIO()
    writer = csv.writer(buffer, lineterminator="\r\n")
    yield "\ufeff"
    for number, row in enumerate(rows, start=1):
        writer.writerow(["" if value is None else value for value in row])
        if number % 200 == 0:
            yield buffer.getvalue()
            buffer.seek(0)
            buffer.truncate()
    yield buffer.getvalue()


def csv_text(rows: list[list[object]]) -> str:
    """A small CSV (profiles, peer lists) as text with a BOM; formulas neutralised."""
    return "".join(csv_chunks(iter([[neutralise(cell) for cell in row] for row in rows])))


def write_xlsx(
    rows: Iterator[list[object]], title: str = "responses"
) -> tempfile.SpooledTemporaryFile:
    """An XLSX in a temporary file (openpyxl's write-only mode keeps memory flat)."""
    workbook = Workbook(write_only=True)
    sheet = workbook.create_sheet(title[:31])
    for row in rows:
        sheet.append(row)
    output = tempfile.SpooledTemporaryFile(max_size=8 * 1024 * 1024)
    workbook.save(output)
    output.seek(0)
    return output
