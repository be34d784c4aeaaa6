"""The answer columns of responses, read as plain rows: shared by the exports
(``exports.response_rows``) and the API's pages (``paging.response_page``).

A batch of responses is read with two queries of plain columns, never ORM objects:
its answers, and the options ticked in its multiple-choice answers; each comes as
the database driver's own tuples (``plain_rows``). Every answer becomes cells through
its question type (``question_types``' ``export_cell``), in the columns that
``export_columns.plan_columns`` gives it, so a new question type needs no change here.

Measured at 100,000 responses (bench/README.md): most of an export's time is here,
reading 3.5 million answer rows and putting each in its place, so the loop does as
little per answer as it can: one dictionary look-up for the question's slot, and for
a choice of a list a second one for the cell, its label looked up once per code.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Iterable, Iterator
from contextlib import contextmanager
from datetime import UTC, datetime

from sqlalchemy import Dialect, Select, select

from surveyapp.extensions import db
from surveyapp.models import Answer, AnswerSelection, Question, Response
from surveyapp.questionnaires.question_types import TYPES
from surveyapp.questionnaires.texts import Texts
from surveyapp.responses.export_columns import JOINED_BY, ColumnPlan, choice_codes

__all__ = ["RESPONSE_COLUMNS", "AnswerCells", "choice_labels", "code_cell", "plain_rows", "utc"]

#: A choice code that reads as a number is exported as one ("3", "-1", "2.5"; not "03").
NUMERIC_CODE = re.compile(r"-?(0|[1-9][0-9]{0,14})(\.[0-9]{1,6})?")

#: A response's fixed columns, in the order the export writes them (``FIXED_COLUMNS``).
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

#: What a cell becomes before it is placed (``AnswerCells``' ``prepare``).
Prepare = Callable[[object], object]

#: Not in a table of codes (a choice's cell may be None).
_MISSING = object()


def code_cell(code: str | None) -> object:
    """A choice code as a cell: a number when it reads as one, else the text."""
    if code is None:
        return None
    if NUMERIC_CODE.fullmatch(code):
        return int(code) if "." not in code else float(code)
    return code


def utc(moment: datetime | None) -> datetime | None:
    """A stored time (naive, UTC) marked as UTC, so a CSV writes it with its zone."""
    return moment.replace(tzinfo=UTC) if moment else None


class _Slot:
    """Where one question's answer goes, and how it becomes a cell."""

    __slots__ = (
        "index", "table", "cell_of", "label", "options", "columns", "span", "zeros", "extra",
        "extra_cells",
    )  # fmt: skip

    def __init__(
        self, plan: ColumnPlan, question: Question, texts: Texts | None, prepare: Prepare
    ) -> None:
        kind = TYPES[question.type]
        self.index = plan.position[question.id]
        self.label = choice_labels(question, texts)
        self.cell_of = kind.export_cell
        #: Columns beside the question's own ("Other, specify", latitude ...), or None.
        self.extra: list[int] | None = plan.extras.get(question.id)
        self.extra_cells = kind.extra_cells
        #: One-answer choice questions: code -> cell, every code of the list looked up (and
        #: prepared) now.
        self.table: dict[str | None, object] | None = None
        if kind.choices and not kind.multiple:
            self.table = {code: prepare(self.label(code)) for code in choice_codes(question)}
        #: Multiple choice: code -> its 0/1 column; answered, every option is 0 until ticked.
        self.options: dict[str, int] | None = plan.options.get(question.id)
        if kind.multiple:
            self.options = self.options or {}
        self.columns = sorted(self.options.values()) if self.options else []
        self.zeros = [prepare(0)] * len(self.columns)
        #: The options' columns as one slice when they are side by side (as planned now).
        first = self.columns[0] if self.columns else 0
        side_by_side = self.columns == list(range(first, first + len(self.columns)))
        self.span = slice(first, first + len(self.columns)) if side_by_side else None


class AnswerCells:
    """The answer columns (``plan.width`` of them) of batches of responses.

    ``prepare``: applied to every cell that is not a 0/1 of a ticked option, once per
    code of a list for the choices (``spreadsheets.csv_field``: cells as their CSV fields'
    text); without it, cells keep their type.
    """

    def __init__(
        self, plan: ColumnPlan, texts: Texts | None, prepare: Prepare | None = None
    ) -> None:
        self.plan = plan
        self.width = plan.width
        self.prepare = prepare = prepare or _as_it_is
        #: An unanswered cell, an option not ticked, one ticked.
        self.empty, self.zero, self.one = prepare(None), prepare(0), prepare(1)
        self.slots = {q.id: _Slot(plan, q, texts, prepare) for q in plan.questions}
        self.multiple = {qid for qid, slot in self.slots.items() if slot.options is not None}
        #: (question id, ticked options...) -> (the joined cell, the options' columns).
        self.ticked: dict[tuple, tuple[object, list[int]]] = {}
        #: The one-answer choice questions without columns beside their own: question id ->
        #: (column, code -> cell), so that such an answer costs two look-ups.
        self.simple = {
            qid: (slot.index, slot.table)
            for qid, slot in self.slots.items()
            if slot.table is not None and slot.extra is None
        }

    def of_batch(self, response_ids: list[int]) -> dict[int, list[object]]:
        """Each response's cells; responses without answers are left out."""
        cells: dict[int, list[object]] = {}
        if not response_ids:
            return cells
        with plain_rows(_ANSWERS, response_ids) as answers:
            self._place(cells, answers)
        if self.multiple:
            with plain_rows(_SELECTIONS, response_ids, self.multiple) as selections:
                self._tick(cells, selections)
        return cells

    def _place(self, cells: dict[int, list[object]], answers: Iterable[tuple]) -> None:
        """Each answer in its response's row (made on its first answer)."""
        slots, width, simple, prepare = self.slots, self.width, self.simple, self.prepare
        empty, zero = self.empty, self.zero
        no_row: list[object] = []
        current: int | None = None
        row = no_row
        for response_id, question_id, choice, number, text in answers:
            if response_id != current:  # the answers come response by response (the index)
                current = response_id
                row = cells.get(response_id, no_row)
                if row is no_row:
                    row = cells[response_id] = [empty] * width
            fast = simple.get(question_id)
            if fast is not None:  # most answers: a choice of a one-answer list
                cell = fast[1].get(choice, _MISSING)
                if cell is not _MISSING:
                    row[fast[0]] = cell
                    continue
            slot = slots.get(question_id)
            if slot is None:
                continue
            if slot.extra is not None:
                for place, cell in zip(
                    slot.extra, slot.extra_cells(choice, number, text), strict=False
                ):
                    row[place] = prepare(cell)
            table = slot.table
            if table is not None:
                cell = table.get(choice, _MISSING)
                if cell is not _MISSING:
                    row[slot.index] = cell
                    continue
            elif slot.options is not None:
                if slot.span is not None:
                    row[slot.span] = slot.zeros
                else:
                    for column in slot.columns:
                        row[column] = zero
                continue
            row[slot.index] = prepare(slot.cell_of(choice, number, text, slot.label))

    def _tick(self, cells: dict[int, list[object]], selections: Iterable[tuple]) -> None:
        """The multiple-choice answers: the joined cell, and 1 in each ticked option."""
        chosen: dict[tuple[int, int], list[str]] = {}
        for response_id, question_id, value in selections:
            key = (response_id, question_id)
            values = chosen.get(key)
            if values is None:
                chosen[key] = [value]
            else:
                values.append(value)
        slots, one, ticked = self.slots, self.one, self.ticked
        if len(ticked) > TICKED_KEPT:
            ticked.clear()
        for (response_id, question_id), values in chosen.items():
            slot = slots.get(question_id)
            row = cells.get(response_id)
            if slot is None or slot.options is None or row is None:
                continue
            # Python's order, not ORDER BY: PostgreSQL would sort by its collation.
            values.sort()
            key = (question_id, *values)
            cell_columns = ticked.get(key)
            if cell_columns is None:
                cell_columns = ticked[key] = self._ticked(slot, values)
            row[slot.index] = cell_columns[0]
            for column in cell_columns[1]:
                row[column] = one

    def _ticked(self, slot: _Slot, values: list[str]) -> tuple[object, list[int]]:
        """The joined cell of the options ``values`` (sorted), and their 0/1 columns."""
        label, options = slot.label, slot.options or {}
        cell = self.prepare(JOINED_BY.join([str(label(value)) for value in values]))
        return cell, [options[value] for value in values if value in options]


#: The most sets of ticked options kept (``AnswerCells.ticked``), the cells of each set
#: made once; past it, they are forgotten.
TICKED_KEPT = 10_000


#: The export's two big reads, of a batch of responses (``plain_rows``): their answers,
#: and the options ticked in the answers to the multiple-choice questions (only theirs:
#: the unique index on response and question finds them without visiting every answer).
_ANSWERS = select(
    Answer.response_id, Answer.question_id, Answer.choice, Answer.number, Answer.text
).where(Answer.response_id.in_([-1]))
_SELECTIONS = (
    select(Answer.response_id, Answer.question_id, AnswerSelection.value)
    .join(Answer, Answer.id == AnswerSelection.answer_id)
    .where(Answer.response_id.in_([-1]), Answer.question_id.in_([-2]))
)
#: Where ids go in a compiled read: its IN lists, of ``-1`` (the responses') and ``-2``.
_ID_LISTS = re.compile(r" IN \((-1|-2)\)")


@contextmanager
def plain_rows(statement: Select, *id_lists: Iterable[int]) -> Iterator[Iterable[tuple]]:
    """The rows of ``statement`` (``_ANSWERS`` or ``_SELECTIONS``) for ``id_lists`` (the
    batch's response ids, then the questions'): the database driver's cursor, whose rows
    are its own tuples, read one by one on the session's connection (so in its
    transaction); closed on leaving.

    For the export's two big reads (answers and ticked options): building SQLAlchemy's
    Row objects took more time than the database's read (bench/README.md), and a list
    of every row of a batch more memory than reading them one by one. The statement is
    compiled once per dialect, and the ids, ints only, are written into its IN lists
    (compiling 300 literal values per batch was a tenth of a CSV export's time).
    """
    connection = db.session.connection()
    pieces = _compiled(statement, connection.dialect)
    if len(pieces) != len(id_lists) + 1:
        raise ValueError(f"{len(pieces) - 1} lists of ids to fill, {len(id_lists)} given")
    sql = [pieces[0]]
    for ids, after in zip(id_lists, pieces[1:], strict=True):
        sql.append(" IN (" + ",".join([str(int(i)) for i in ids]) + ")" + after)
    cursor = connection.connection.driver_connection.cursor()
    try:
        cursor.execute("".join(sql))
        yield cursor
    finally:
        cursor.close()


_COMPILED: dict[tuple[int, str], list[str]] = {}


def _compiled(statement: Select, dialect: Dialect) -> list[str]:
    """``statement``'s SQL in ``dialect``, in pieces around its IN lists of ids."""
    key = (id(statement), dialect.name)
    pieces = _COMPILED.get(key)
    if pieces is None:
        sql = str(statement.compile(dialect=dialect, compile_kwargs={"literal_binds": True}))
        split = _ID_LISTS.split(sql)  # the text between the lists, and each list's marker
        if split[1::2] != ["-1", "-2"][: len(split) // 2]:
            raise ValueError(f"the IN lists of ids are not in order: {sql}")
        pieces = _COMPILED[key] = split[0::2]
    return pieces


def _as_it_is(cell: object) -> object:
    return cell


def choice_labels(question: Question, texts: Texts | None) -> Callable[[str | None], object]:
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
