"""Exports of a campaign's responses: CSV (UTF-8 with BOM, for Excel) and XLSX.

One row per submitted response, a column per question, labels in a chosen
language or raw codes. Rows are produced in batches of responses, each read with
three queries of plain columns (no ORM objects), so memory stays flat however
many responses there are. The writers in ``core.spreadsheets`` neutralise text
that a spreadsheet would run as a formula, in every cell."""

from __future__ import annotations

from collections.abc import Callable, Iterator
from dataclasses import dataclass
from datetime import datetime

from sqlalchemy import select
from sqlalchemy.orm import joinedload

from surveyapp.extensions import db
from surveyapp.languages.registry import SOURCE_LANGUAGE
from surveyapp.models import (
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
from surveyapp.questionnaires.versions import load_version

BATCH = 300


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
    "self_registered",
]


def columns(campaign: Campaign, texts: Texts | None) -> ExportColumns:
    version = load_version(campaign.version_id)
    questions = [q for page in version.pages for q in page.questions]
    header = list(FIXED_COLUMNS)
    header += [texts.label(q) if texts else q.name for q in questions]
    return ExportColumns(questions, header)


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


class _AnswerCells:
    """The question columns of a batch of responses, read as plain rows (no ORM objects)."""

    def __init__(self, questions: list[Question], texts: Texts | None) -> None:
        self.width = len(questions)
        self.position = {q.id: index for index, q in enumerate(questions)}
        self.kind = {q.id: TYPES[q.type] for q in questions}
        self.label = {q.id: _choice_labels(q, texts) for q in questions}

    def of_batch(self, response_ids: list[int]) -> dict[int, list[object]]:
        """Each response's cells, one per question; responses without answers are left out."""
        cells: dict[int, list[object]] = {}
        ticked: dict[int, tuple[int, int]] = {}  # answer id: response id, question id
        answers = db.session.execute(
            select(*ANSWER_COLUMNS).where(Answer.response_id.in_(response_ids))
        )
        for answer_id, response_id, question_id, choice, number, text in answers:
            index = self.position.get(question_id)
            kind = self.kind.get(question_id)
            if index is None:
                continue
            if kind.multiple:
                ticked[answer_id] = (response_id, question_id)  # none ticked: an empty cell
                continue
            value = kind.export_cell(choice, number, text, self.label[question_id])
            self._row(cells, response_id)[index] = value
        if not ticked:
            return cells
        values: dict[int, list[str]] = {}
        selections = db.session.execute(
            select(AnswerSelection.answer_id, AnswerSelection.value).where(
                AnswerSelection.answer_id.in_(list(ticked))
            )
        )
        for answer_id, value in selections:
            values.setdefault(answer_id, []).append(value)
        for answer_id, chosen in values.items():
            response_id, question_id = ticked[answer_id]
            label = self.label[question_id]
            # Python's order, not ORDER BY: PostgreSQL would sort by its collation.
            joined = "; ".join(label(value) for value in sorted(chosen))
            self._row(cells, response_id)[self.position[question_id]] = joined
        return cells

    def _row(self, cells: dict[int, list[object]], response_id: int) -> list[object]:
        row = cells.get(response_id)
        if row is None:
            row = cells[response_id] = [""] * self.width
        return row


def _choice_labels(question: Question, texts: Texts | None) -> Callable[[str | None], object]:
    """Code to cell: the label in ``texts``' language (looked up once per code), or the
    code when the choice has no label."""
    if texts is None:
        return lambda value: value
    list_name = question.choice_list.name if question.choice_list else ""
    known: dict[str | None, str] = {}

    def label(value: str | None) -> str:
        if value not in known:
            known[value] = texts.choice_label(list_name, value) if value else ""
        return known[value]

    return label


def response_rows(
    campaign_id: int, labels_lang: str | None, leave_out_self_registered: bool = False
) -> Iterator[list[object]]:
    """The header, then one list per submitted response, in id order, batch by batch.

    Responses held for review (or rejected) are left out; so are the ones that came
    through the open link with ``leave_out_self_registered``.
    """
    campaign = db.session.get(Campaign, campaign_id)
    texts = load_texts(campaign.version_id, labels_lang) if labels_lang else None
    cols = columns(campaign, texts)
    yield cols.header
    place_names = {
        m.id: (m.country.code, m.code, m.name(labels_lang or SOURCE_LANGUAGE))
        for m in db.session.scalars(select(Municipality).options(joinedload(Municipality.country)))
    }
    answer_cells = _AnswerCells(cols.questions, texts)
    no_answers = [""] * answer_cells.width
    last_id = 0
    while True:
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
                1 if response.self_registered else 0,
            ]
            row += cells.get(response.id, no_answers)
            yield row
        last_id = batch[-1].id


def _iso(moment: datetime | None) -> str:
    return moment.isoformat(timespec="seconds") + "Z" if moment else ""
