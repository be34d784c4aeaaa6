"""The repeats of an export: one table per repeat page, one row per entry, keyed to its
response (``response_id`` and ``submission_id``, as the main table's first columns) and
its entry number, as KoboToolbox does. A loop's rows also name their choice
(``entry_label``). XLSX: a sheet per repeat after "responses"; CSV: a zip of the main
CSV and one CSV per repeat.

The same responses as the main table (``exports.response_rows``: submitted, counting,
without the open link's if asked); choices as labels or codes alike. SPSS and Stata
files leave repeat questions out (their codebook says so): a variable per entry would
change with the data; the XLSX or CSV export has them.
"""

from __future__ import annotations

import io
import zipfile
from collections.abc import Iterator

from sqlalchemy import select

from surveyapp.core.spreadsheets import Sheet, csv_chunks
from surveyapp.extensions import db
from surveyapp.models import Answer, AnswerSelection, Campaign, Page, Response, counts_in_profiles
from surveyapp.questionnaires import repeats
from surveyapp.questionnaires.question_types import TYPES
from surveyapp.questionnaires.texts import Texts, load_texts
from surveyapp.questionnaires.versions import load_version
from surveyapp.responses.answer_cells import choice_labels
from surveyapp.responses.export_columns import JOINED_BY, choice_codes, is_exported, option_column

#: Longest sheet name Excel takes.
SHEET_NAME = 31
KEY_COLUMNS = ["response_id", "submission_id", "entry"]


def has_repeats(version_id: int) -> bool:
    version = load_version(version_id)
    return bool(version and repeats.repeat_pages(version))


def _header(
    page: Page,
) -> tuple[list[str], dict[int, int], dict[int, dict[str, int]], dict[int, list[int]]]:
    """The header; each question's column, its options' columns, its extra columns (the
    "Other" text, a location's latitude and longitude), in the main table's order."""
    header = list(KEY_COLUMNS) + (["entry_label"] if page.repeat.get("kind") == "loop" else [])
    position: dict[int, int] = {}
    options: dict[int, dict[str, int]] = {}
    extras: dict[int, list[int]] = {}
    for question in page.questions:
        if not is_exported(question):
            continue
        position[question.id] = len(header)
        header.append(question.name)
        for suffix, _kind in TYPES[question.type].extra_columns_of(question):
            extras.setdefault(question.id, []).append(len(header))
            header.append(f"{question.name}{suffix}")
        if TYPES[question.type].multiple:
            options[question.id] = {}
            for code in choice_codes(question):
                options[question.id][code] = len(header)
                header.append(option_column(question, code))
    return header, position, options, extras


def repeat_rows(
    campaign_id: int, page: Page, labels_lang: str | None, leave_out_self_registered: bool
) -> Iterator[list[object]]:
    """The header, then one row per entry of ``page`` (a repeat page of the campaign's
    version), by response id and entry."""
    texts: Texts | None = load_texts(page.version_id, labels_lang) if labels_lang else None
    header, position, options, extras = _header(page)
    yield header
    label = {q.id: choice_labels(q, texts) for q in page.questions}
    kinds = {q.id: TYPES[q.type] for q in page.questions}
    loop = repeats.loop_choices(page)
    responses = db.session.execute(
        select(Response.id, Response.submission_id, Response.repeat_entries).where(
            Response.campaign_id == campaign_id,
            Response.status == "submitted",
            counts_in_profiles(),
            *([Response.self_registered.is_(False)] if leave_out_self_registered else []),
        )
    ).all()
    keys = {rid: submission for rid, submission, _ in responses}
    rows: dict[tuple[int, int], list[object]] = {}

    def row_of(rid: int, entry: int) -> list[object]:
        row = rows.get((rid, entry))
        if row is None:
            row = rows[(rid, entry)] = [None] * len(header)
            row[:3] = [rid, keys[rid], entry]
            if loop:
                chosen = loop[entry - 1] if entry <= len(loop) else None
                row[3] = (
                    (
                        texts.choice_label((page.repeat or {}).get("list", ""), chosen.value)
                        if texts
                        else chosen.value
                    )
                    if chosen
                    else None
                )
        return row

    for rid, _submission, counts in responses:
        for entry in range(1, int((counts or {}).get(page.name, 0)) + 1):
            row_of(rid, entry)
    answers = db.session.execute(
        select(
            Answer.id, Answer.response_id, Answer.question_id, Answer.entry, Answer.choice,
            Answer.number, Answer.text,
        ).where(Answer.question_id.in_(list(position)), Answer.entry > 0)
    ).all()  # fmt: skip
    ticked: dict[int, tuple[int, int, int]] = {}
    for answer_id, rid, question_id, entry, choice, number, text in answers:
        if rid not in keys:
            continue
        row = row_of(rid, entry)
        if question_id in extras:
            cells = kinds[question_id].extra_cells(choice, number, text)
            for place, cell in zip(extras[question_id], cells, strict=False):
                row[place] = cell
        if question_id in options:
            ticked[answer_id] = (rid, entry, question_id)
            for column in options[question_id].values():
                row[column] = 0
            continue
        row[position[question_id]] = kinds[question_id].export_cell(
            choice, number, text, label[question_id]
        )
    if ticked:
        chosen: dict[int, list[str]] = {}
        for answer_id, value in db.session.execute(
            select(AnswerSelection.answer_id, AnswerSelection.value).where(
                AnswerSelection.answer_id.in_(list(ticked))
            )
        ):
            chosen.setdefault(answer_id, []).append(value)
        for answer_id, values in chosen.items():
            rid, entry, question_id = ticked[answer_id]
            row = rows[(rid, entry)]
            row[position[question_id]] = JOINED_BY.join(
                str(label[question_id](v)) for v in sorted(values)
            )
            for value in values:
                if value in options[question_id]:
                    row[options[question_id][value]] = 1
    for key in sorted(rows):
        yield rows[key]


def _titles(pages: list[Page]) -> list[str]:
    """Sheet names: the page's name, cut to Excel's 31 characters, never twice the same
    and never "responses" or "codebook"."""
    taken = {"responses", "codebook"}
    titles = []
    for page in pages:
        title, n = page.name[:SHEET_NAME], 1
        while title.lower() in taken:
            n += 1
            title = f"{page.name[: SHEET_NAME - len(str(n)) - 1]}_{n}"
        taken.add(title.lower())
        titles.append(title)
    return titles


def repeat_sheets(
    campaign_id: int, labels_lang: str | None, leave_out_self_registered: bool
) -> list[Sheet]:
    """One sheet per repeat page of the campaign's version (none without repeats)."""
    campaign = db.session.get(Campaign, campaign_id)
    pages = repeats.repeat_pages(load_version(campaign.version_id))
    return [
        Sheet(title, repeat_rows(campaign_id, page, labels_lang, leave_out_self_registered))
        for title, page in zip(_titles(pages), pages, strict=True)
    ]


def csv_zip(
    main_rows: Iterator[list[object]], sheets: list[Sheet], stem: str, prepared: bool = False
) -> io.BytesIO:
    """The main CSV and one CSV per repeat in a zip, in memory, at its start (``prepared``:
    ``main_rows`` come prepared for the CSV, ``exports.response_rows``' ``for_csv``)."""
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w", zipfile.ZIP_DEFLATED) as archive:
        archive.writestr(f"{stem}.csv", "".join(csv_chunks(main_rows, prepared)))
        for sheet in sheets:
            archive.writestr(f"{stem}-{sheet.title}.csv", "".join(csv_chunks(iter(sheet.rows))))
    buffer.seek(0)
    return buffer
