"""Answers that are files: storing a page's new files, keeping or dropping the old
ones, deleting them with their response, and the zip of a campaign's files.

A file question inside a repeat has a file per entry: its row's ``entry_index`` is the
entry's number (0 outside repeats), kept in step with the entry when an entry before
it is removed (``store_entry_files``).

The bytes live in ``surveyapp.uploads.storage``; a ``StoredFile`` row per file, and
the answer's text is its key. A file goes when its answer is replaced or cleared,
when the question is skipped at submission, and with its response (the eraser
below runs in every deletion of ``erasure`` and ``retention``).
"""

from __future__ import annotations

import csv
import io
import zipfile
from collections.abc import Callable
from pathlib import Path
from typing import Any

from sqlalchemy import Connection, and_, insert, select, update

from surveyapp.extensions import db
from surveyapp.models import Answer, Question, Response, StoredFile, counts_in_profiles
from surveyapp.models.base import utcnow
from surveyapp.questionnaires.question_types import TYPES
from surveyapp.questionnaires.question_types.uploads import UploadedFile
from surveyapp.responses.erasure import erases_attached_data
from surveyapp.uploads import storage


def keep_stored(form: Any, page_questions: list[Question], response_id: int) -> None:
    """A page sent back without a new file for an upload question (and without
    "remove") keeps the file stored: its key goes back into the field."""
    waiting = {
        q.id: form[q.name]
        for q in page_questions
        if q.answerable and TYPES[q.type].upload and getattr(form[q.name], "kept", False)
    }
    if not waiting:
        return
    stored = db.session.execute(
        select(Answer.question_id, Answer.text).where(
            Answer.response_id == response_id, Answer.question_id.in_(waiting)
        )
    ).all()
    for question_id, key in stored:
        if storage.is_key(key):
            waiting[question_id].data = key


def write_page_files(questions: dict[str, Question], values: dict[str, Any]) -> dict[str, Any]:
    """Before the page's transaction (no database lock held while bytes are copied):
    write each new, checked file to the folder; (key, sha256) by question name. A
    save that then stores nothing leaves them to the orphan sweep."""
    written: dict[str, Any] = {}
    for name, value in values.items():
        if isinstance(value, UploadedFile) and TYPES[questions[name].type].upload:
            if value.checked is None:  # never stored unchecked
                raise ValueError("an upload stored before it was checked")
            written[name] = storage.write(value.storage.stream)
    return written


def discard_written(written: dict[str, Any]) -> None:
    """Files written for a save that stored nothing (the response was submitted meanwhile)."""
    storage.remove(key for key, _digest in written.values())


def store_page_files(
    conn: Connection,
    response_id: int,
    questions: dict[str, Question],
    values: dict[str, Any],
    written: dict[str, Any],
    entry: int = 0,
) -> None:
    """In the page's save transaction: a row for each file ``write_page_files`` wrote
    (the value becomes its key), and the rows of files replaced or cleared dropped
    (their files go when the transaction commits). A kept file (its key) stays.
    ``entry``: the repeat entry the values are (0 outside repeats)."""
    for name, value in values.items():
        question = questions.get(name)
        if question is None or not TYPES[question.type].upload:
            continue
        of_question = and_(
            StoredFile.response_id == response_id,
            StoredFile.question_id == question.id,
            StoredFile.entry_index == entry,
        )
        if isinstance(value, UploadedFile) and name in written:
            key, digest = written[name]
            checked = value.checked
            storage.rows_gone(conn, of_question)
            conn.execute(
                insert(StoredFile).values(
                    key=key,
                    response_id=response_id,
                    question_id=question.id,
                    entry_index=entry,
                    original_name=checked.name,
                    content_type=checked.content_type,
                    size=checked.size,
                    sha256=digest,
                    created_at=utcnow(),
                )
            )
            values[name] = key
        elif not value:
            storage.rows_gone(conn, of_question)


def write_entry_files(
    questions: dict[str, Question], entries: list[dict[str, Any]]
) -> list[dict[str, Any]]:
    """``write_page_files`` for each entry of a repeat page, in order."""
    return [write_page_files(questions, entry) for entry in entries]


def discard_entry_files(written: list[dict[str, Any]]) -> None:
    for files in written:
        discard_written(files)


def store_entry_files(
    conn: Connection,
    response_id: int,
    questions: dict[str, Question],
    entries: list[dict[str, Any]],
    written: list[dict[str, Any]],
) -> None:
    """In a repeat page's save transaction, with its entries as they are to be stored
    (entry 1 first): the files of entries removed, and those replaced or cleared, are
    dropped; a kept file (its key) moves with its entry (``entry_index`` renumbered);
    a new file gets its row (``store_page_files``), its key becoming the value."""
    uploads = [q for q in questions.values() if TYPES[q.type].upload]
    if not uploads:
        return
    kept: dict[str, int] = {}
    for number, entry in enumerate(entries, start=1):
        for question in uploads:
            value = entry.get(question.name)
            if isinstance(value, str) and not isinstance(value, UploadedFile):
                if storage.is_key(value):
                    kept[value] = number
    of_page = and_(
        StoredFile.response_id == response_id,
        StoredFile.question_id.in_([q.id for q in uploads]),
        StoredFile.entry_index > 0,
    )
    storage.rows_gone(conn, and_(of_page, StoredFile.key.not_in(list(kept))))
    for key, number in kept.items():
        conn.execute(
            update(StoredFile).where(of_page, StoredFile.key == key).values(entry_index=number)
        )
    for number, (entry, files) in enumerate(zip(entries, written, strict=False), start=1):
        store_page_files(conn, response_id, questions, entry, files, entry=number)


def drop_unanswered(conn: Connection, response_id: int) -> None:
    """Files whose answer is gone (a question skipped at submission) go too."""
    answered = select(Answer.text).where(
        Answer.response_id == response_id, Answer.text.is_not(None)
    )
    storage.rows_gone(
        conn, and_(StoredFile.response_id == response_id, StoredFile.key.not_in(answered))
    )


@erases_attached_data
def erase_files(conn: Connection, response_ids: list[int]) -> None:
    storage.rows_gone(conn, StoredFile.response_id.in_(response_ids))


def file_for_staff(key: str) -> tuple[StoredFile, Path] | None:
    """A stored file and its path, if both exist."""
    if not storage.is_key(key):
        return None
    found = db.session.scalar(select(StoredFile).where(StoredFile.key == key))
    if found is None:
        return None
    path = storage.path_of(found.key)
    return (found, path) if path.is_file() else None


def response_files(response_id: int) -> dict[tuple[int, int], StoredFile]:
    """A response's files by (question id, entry number; 0 outside repeats): the
    review page's download links."""
    return {
        (f.question_id, f.entry_index): f
        for f in db.session.scalars(select(StoredFile).where(StoredFile.response_id == response_id))
    }


def _campaign_files(campaign_id: int, leave_out_self_registered: bool):
    return db.session.execute(
        select(StoredFile, Question.name, Response.submission_id)
        .join(Response, Response.id == StoredFile.response_id)
        .join(Question, Question.id == StoredFile.question_id)
        .where(
            Response.campaign_id == campaign_id,
            Response.status == "submitted",
            counts_in_profiles(),
            *([Response.self_registered.is_(False)] if leave_out_self_registered else []),
        )
        .order_by(StoredFile.response_id, StoredFile.question_id, StoredFile.entry_index)
    ).all()


def count_campaign_files(campaign_id: int, leave_out_self_registered: bool = False) -> int:
    return len(_campaign_files(campaign_id, leave_out_self_registered))


def write_zip(
    campaign_id: int,
    target: Path,
    leave_out_self_registered: bool = False,
    progress: Callable[[int], None] | None = None,
) -> int:
    """The files of a campaign's submitted responses that count (as the exports
    choose them) in one zip: ``<response id>/<question>-<file name>``, and
    ``files.csv`` listing them (response, submission id, question, repeat entry, name,
    type, size, SHA-256). A repeat entry's file is ``<question>-<entry>-<file name>``.
    Returns how many files."""
    rows = _campaign_files(campaign_id, leave_out_self_registered)
    listing = io.StringIO()
    writer = csv.writer(listing)
    writer.writerow(
        [
            "response",
            "submission_id",
            "question",
            "entry",
            "file",
            "content_type",
            "size",
            "sha256",
        ]
    )
    folder = storage.upload_folder()
    done = 0
    with zipfile.ZipFile(target, "w", compression=zipfile.ZIP_DEFLATED) as archive:
        for stored, question_name, submission_id in rows:
            path = storage.path_of(stored.key, folder)
            if not path.is_file():
                continue
            entry = f"{stored.entry_index}-" if stored.entry_index else ""
            inside = f"{stored.response_id}/{question_name}-{entry}{stored.original_name}"
            archive.write(path, inside)
            writer.writerow(
                [
                    stored.response_id,
                    submission_id,
                    question_name,
                    stored.entry_index or "",
                    inside,
                    stored.content_type,
                    stored.size,
                    stored.sha256,
                ]
            )
            done += 1
            if progress is not None:
                progress(done)
        archive.writestr("files.csv", "\ufeff" + listing.getvalue())
    return done
