"""The texts of a version as the editor changes them: one source text, the
side-by-side table of a question's or a version's texts in every language, and
keeping texts with a question or choice that is renamed.

Text and translation fixes apply to any version directly, published or not."""

from __future__ import annotations

from sqlalchemy import select

from surveyapp.core.database import write_transaction
from surveyapp.extensions import db
from surveyapp.languages.registry import SOURCE_LANGUAGE
from surveyapp.languages.transliteration import normalise_text
from surveyapp.models import (
    Question,
    QuestionnaireVersion,
    TextEntry,
)
from surveyapp.questionnaires import text_keys
from surveyapp.questionnaires.editing.errors import EditError
from surveyapp.questionnaires.texts import max_text_length, source_hash


def source_texts(version_id: int) -> dict[str, str]:
    return dict(
        db.session.execute(
            select(TextEntry.key, TextEntry.text).where(
                TextEntry.version_id == version_id, TextEntry.lang == SOURCE_LANGUAGE
            )
        ).all()
    )


def set_text(version_id: int, key: str, lang: str, text: str) -> None:
    text = normalise_text((text or "").strip())
    row = db.session.scalar(
        select(TextEntry).where(
            TextEntry.version_id == version_id, TextEntry.key == key, TextEntry.lang == lang
        )
    )
    if row is None:
        if not text:
            return
        row = TextEntry(version_id=version_id, key=key, lang=lang, text=text)
        db.session.add(row)
    row.text = text
    if lang == SOURCE_LANGUAGE:
        row.source_hash = source_hash(text)


@write_transaction()
def set_source_text(version_id: int, key: str, text: str) -> None:
    """Change an English text; its translations become out of date (not lost)."""
    set_text(version_id, key, SOURCE_LANGUAGE, text)
    db.session.commit()


def copy_texts(version_id: int, from_key: str, to_key: str) -> None:
    for row in db.session.scalars(
        select(TextEntry).where(TextEntry.version_id == version_id, TextEntry.key == from_key)
    ):
        if row.lang != SOURCE_LANGUAGE:
            set_text(version_id, to_key, row.lang, row.text)
            copied = db.session.scalar(
                select(TextEntry).where(
                    TextEntry.version_id == version_id,
                    TextEntry.key == to_key,
                    TextEntry.lang == row.lang,
                )
            )
            if copied is not None:
                copied.source_hash = row.source_hash


def rename_texts(version_id: int, old_prefix: str, new_prefix: str) -> None:
    for row in db.session.scalars(
        select(TextEntry).where(
            TextEntry.version_id == version_id, TextEntry.key.startswith(old_prefix)
        )
    ):
        row.key = new_prefix + row.key[len(old_prefix) :]


def question_keys(question: Question) -> list[str]:
    keys = [text_keys.question_text(question.name, part) for part in text_keys.QUESTION_PARTS]
    if question.choice_list:
        keys += [
            text_keys.choice_label(question.choice_list.name, c.value)
            for c in question.choice_list.distinct_choices
        ]
    return keys


def version_keys(version: QuestionnaireVersion) -> list[str]:
    keys = list(text_keys.VERSION_TEXTS)
    for page in version.pages:
        keys += [text_keys.page_title(page.name), text_keys.page_intro(page.name)]
    return keys


def text_table(
    version_id: int, keys: list[str], langs: list[str]
) -> list[tuple[str, dict[str, str]]]:
    """Rows of (key, {language: text}) for the side-by-side editor."""
    found: dict[str, dict[str, str]] = {key: {} for key in keys}
    for key, lang, text in db.session.execute(
        select(TextEntry.key, TextEntry.lang, TextEntry.text).where(
            TextEntry.version_id == version_id, TextEntry.key.in_(keys), TextEntry.lang.in_(langs)
        )
    ):
        found[key][lang] = text
    return [(key, found[key]) for key in keys]


@write_transaction()
def save_texts(version_id: int, edits: dict[tuple[str, str], str], allowed_keys: set[str]) -> int:
    """Store the texts that changed; English changes make translations out of date.

    A translation saved here counts as made from the current English text.
    Returns how many texts changed.
    """
    current = {
        (row.key, row.lang): row
        for row in db.session.scalars(
            select(TextEntry).where(
                TextEntry.version_id == version_id, TextEntry.key.in_(allowed_keys)
            )
        )
    }
    sources = {key: row for (key, lang), row in current.items() if lang == SOURCE_LANGUAGE}
    if any(len(text) > max_text_length(key) for (key, _lang), text in edits.items()):
        raise EditError("too_long", "")
    changed = 0
    # English first, so translations saved together count as made from the new text.
    for (key, lang), text in sorted(edits.items(), key=lambda item: item[0][1] != SOURCE_LANGUAGE):
        if key not in allowed_keys:
            continue
        text = normalise_text(text.strip())
        row = current.get((key, lang))
        if (row.text if row else "") == text:
            continue
        set_text(version_id, key, lang, text)
        if lang != SOURCE_LANGUAGE:
            source = sources.get(key) or db.session.scalar(
                select(TextEntry).where(
                    TextEntry.version_id == version_id,
                    TextEntry.key == key,
                    TextEntry.lang == SOURCE_LANGUAGE,
                )
            )
            stored = db.session.scalar(
                select(TextEntry).where(
                    TextEntry.version_id == version_id, TextEntry.key == key, TextEntry.lang == lang
                )
            )
            if stored is not None and source is not None:
                stored.source_hash = source.source_hash
        changed += 1
    db.session.commit()
    return changed
