"""Questionnaire text in one language, and which languages a version offers.

Texts are stored per language in ``TextEntry`` rows keyed by a stable id
(the ``msgctxt`` of the .po catalogs). Serbian Latin has no rows of its own:
it is the Serbian Cyrillic text, transliterated.
"""

from __future__ import annotations

import hashlib
from dataclasses import dataclass

from sqlalchemy import and_, case, func, select
from sqlalchemy.orm import aliased

from surveyapp.core.database import write_transaction
from surveyapp.extensions import db
from surveyapp.languages.registry import (
    AUTHORED_LANGUAGES,
    LANGUAGES,
    SOURCE_LANGUAGE,
    VARIANTS,
)
from surveyapp.languages.transliteration import cyrillic_to_latin, normalise_text
from surveyapp.models import (
    Page,
    Question,
    Questionnaire,
    QuestionnaireVersion,
    TextEntry,
)
from surveyapp.questionnaires import text_keys

#: Longest questionnaire or page title, and longest other text (label, hint, option, note).
MAX_TITLE_LENGTH = 300
MAX_TEXT_LENGTH = 5000


def max_text_length(key: str) -> int:
    """The longest text allowed under ``key`` (a title is short)."""
    return MAX_TITLE_LENGTH if key.endswith("title") else MAX_TEXT_LENGTH


def storage_language(lang: str) -> str:
    """The language whose rows hold ``lang``'s text (sr for sr-Latn)."""
    return LANGUAGES[lang].derived_from or lang


class Texts:
    """A version's texts in one language, falling back to the source text.

    With a regional variant (``registry.VARIANTS``, e.g. "sq-XK"), the variant's
    overrides replace the language's texts where it has them; ``lang`` stays the
    language ("sq")."""

    def __init__(
        self,
        entries: dict[str, str],
        source: dict[str, str],
        lang: str,
        variant: str | None = None,
    ) -> None:
        self._entries = entries
        self._source = source
        self.lang = lang
        self.variant = variant

    def get(self, key: str) -> str:
        return self._entries.get(key) or self._source.get(key, "")

    def has(self, key: str) -> bool:
        return bool(self.get(key))

    # Keys, spelled once.
    def title(self) -> str:
        return self.get(text_keys.QUESTIONNAIRE_TITLE)

    def page_title(self, page: Page) -> str:
        return self.get(text_keys.page_title(page.name))

    def page_intro(self, page: Page) -> str:
        return self.get(text_keys.page_intro(page.name))

    def label(self, question: Question) -> str:
        return self.get(text_keys.question_label(question.name))

    def hint(self, question: Question) -> str:
        return self.get(text_keys.question_hint(question.name))

    def choice(self, list_name: str, value: str) -> str:
        return self.get(text_keys.choice_label(list_name, value))

    def choice_label(self, list_name: str, value: str) -> str:
        """What a reader sees for a choice: its label, or its code when it has none."""
        return self.choice(list_name, value) or value


def _entries(version_id: int, lang: str) -> dict[str, str]:
    rows = db.session.execute(
        select(TextEntry.key, TextEntry.text).where(
            TextEntry.version_id == version_id, TextEntry.lang == lang
        )
    )
    return {key: text for key, text in rows}


def load_texts(version_id: int, lang: str, variant: str | None = None) -> Texts:
    """All texts of a version in ``lang`` (two queries), as spoken in ``variant`` (a
    regional variant of ``lang``: its overrides where it has them, one more query)."""
    source = _entries(version_id, SOURCE_LANGUAGE)
    if lang == SOURCE_LANGUAGE:
        return Texts(source, source, lang)
    entries = _entries(version_id, storage_language(lang))
    if variant in VARIANTS and VARIANTS[variant].language == storage_language(lang):
        entries.update({key: text for key, text in _entries(version_id, variant).items() if text})
    else:
        variant = None
    if LANGUAGES[lang].derived_from:
        entries = {key: cyrillic_to_latin(text) for key, text in entries.items()}
    return Texts(entries, source, lang, variant)


def version_titles(version_ids: set[int], lang: str) -> dict[int, str]:
    """The questionnaire title of each version in ``lang`` (falling back to the source
    text), in one query."""
    if not version_ids:
        return {}
    stored = storage_language(lang)
    rows = db.session.execute(
        select(TextEntry.version_id, TextEntry.lang, TextEntry.text).where(
            TextEntry.version_id.in_(version_ids),
            TextEntry.key == text_keys.QUESTIONNAIRE_TITLE,
            TextEntry.lang.in_({SOURCE_LANGUAGE, stored}),
        )
    )
    titles: dict[int, str] = {}
    for version_id, row_lang, text in rows:
        if not text or (row_lang == SOURCE_LANGUAGE != stored and version_id in titles):
            continue
        if row_lang == stored and LANGUAGES[lang].derived_from:
            text = cyrillic_to_latin(text)
        titles[version_id] = text
    return titles


@dataclass
class LanguageStatus:
    """How far one language's translation of a version has come."""

    total: int
    current: int
    outdated: int

    @property
    def missing(self) -> int:
        return self.total - self.current - self.outdated

    @property
    def complete(self) -> bool:
        """Every text translated from the current source."""
        return self.current == self.total

    @property
    def translated(self) -> bool:
        """Every text has a translation; some may wait for review (out of date)."""
        return self.missing == 0

    @property
    def percent(self) -> int:
        return 100 if not self.total else int(100 * self.current / self.total)


def translation_status(version_id: int) -> dict[str, LanguageStatus]:
    """Per authored language: texts translated from the current source, out of date, missing.

    One GROUP BY query: a translation is current when the source hash it was
    made from equals the source text's hash now.
    """
    source = aliased(TextEntry)
    is_current = case((TextEntry.source_hash == source.source_hash, 1), else_=0)
    rows = db.session.execute(
        select(TextEntry.lang, func.sum(is_current), func.count())
        .join(
            source,
            and_(
                source.version_id == TextEntry.version_id,
                source.key == TextEntry.key,
                source.lang == SOURCE_LANGUAGE,
            ),
        )
        .where(TextEntry.version_id == version_id, TextEntry.text != "", source.text != "")
        .group_by(TextEntry.lang)
    ).all()
    counts = {lang: (int(current or 0), int(count)) for lang, current, count in rows}
    total = counts.get(SOURCE_LANGUAGE, (0, 0))[1]
    return {
        code: LanguageStatus(
            total,
            counts.get(code, (0, 0))[0],
            counts.get(code, (0, 0))[1] - counts.get(code, (0, 0))[0],
        )
        for code in AUTHORED_LANGUAGES
    }


def translated_languages(version_id: int) -> list[str]:
    """Languages with a translation of every source text, current or out of date.

    In registry order; the source language is always there, and Serbian Latin
    follows Serbian Cyrillic. An out-of-date translation (its source text changed
    since) is still the municipality's language: it stays, marked for review.
    """
    status = translation_status(version_id)
    return [code for code in LANGUAGES if status[storage_language(code)].translated]


def offered_languages(version_id: int, withdrawn: list[str] | None = None) -> list[str]:
    """Languages offered to new respondents: translated, and not withdrawn by staff.

    ``withdrawn`` is the version's ``withdrawn_languages`` (read when not given);
    withdrawing a language withdraws the languages derived from it.
    """
    if withdrawn is None:
        withdrawn = (
            db.session.scalar(
                select(QuestionnaireVersion.withdrawn_languages).where(
                    QuestionnaireVersion.id == version_id
                )
            )
            or []
        )
    return [
        code
        for code in translated_languages(version_id)
        if code not in withdrawn and storage_language(code) not in withdrawn
    ]


@write_transaction()
def set_language_withdrawn(version_id: int, lang: str, withdrawn: bool) -> QuestionnaireVersion:
    """Take ``lang`` away from new respondents of a version, or offer it again.

    The source language cannot be withdrawn (KeyError for an unknown language or
    version, ValueError for the source). Respondents who already answer in it
    keep it (``CachedVersion.allows``).
    """
    if lang not in LANGUAGES or lang == SOURCE_LANGUAGE:
        raise (KeyError if lang not in LANGUAGES else ValueError)(lang)
    version = db.session.get(QuestionnaireVersion, version_id)
    if version is None:
        raise KeyError(version_id)
    current = [code for code in (version.withdrawn_languages or []) if code != lang]
    version.withdrawn_languages = sorted({*current, lang}) if withdrawn else current
    db.session.commit()
    return version


def latest_versions() -> list[QuestionnaireVersion]:
    """The newest version of every questionnaire, by name."""
    questionnaires = db.session.scalars(select(Questionnaire).order_by(Questionnaire.name))
    return [q.versions[-1] for q in questionnaires if q.versions]


def latest_version(name: str) -> QuestionnaireVersion | None:
    return next((v for v in latest_versions() if v.questionnaire.name == name), None)


@dataclass
class TranslationGap:
    """A text of a version that still needs a translator in one language."""

    key: str
    source: str
    #: "missing" or "outdated"
    state: str
    current: str = ""


def translation_gaps(version_id: int, lang: str) -> list[TranslationGap]:
    """Missing and out-of-date texts of ``lang`` (an authored language), by key."""
    source_rows = {
        row.key: row
        for row in db.session.scalars(
            select(TextEntry).where(
                TextEntry.version_id == version_id,
                TextEntry.lang == SOURCE_LANGUAGE,
                TextEntry.text != "",
            )
        )
    }
    translated = {
        row.key: row
        for row in db.session.scalars(
            select(TextEntry).where(TextEntry.version_id == version_id, TextEntry.lang == lang)
        )
    }
    gaps = []
    for key, source in sorted(source_rows.items()):
        row = translated.get(key)
        if row is None or not row.text:
            gaps.append(TranslationGap(key, source.text, "missing"))
        elif row.source_hash != source.source_hash:
            gaps.append(TranslationGap(key, source.text, "outdated", row.text))
    return gaps


@write_transaction()
def save_translation(version_id: int, key: str, lang: str, text: str) -> None:
    """Store one reviewed translation, made from the current source text."""
    source = db.session.scalar(
        select(TextEntry).where(
            TextEntry.version_id == version_id,
            TextEntry.key == key,
            TextEntry.lang == SOURCE_LANGUAGE,
        )
    )
    if source is None:
        raise KeyError(key)
    row = db.session.scalar(
        select(TextEntry).where(
            TextEntry.version_id == version_id, TextEntry.key == key, TextEntry.lang == lang
        )
    )
    if row is None:
        row = TextEntry(version_id=version_id, key=key, lang=lang)
        db.session.add(row)
    row.text = normalise_text(text.strip())
    row.source_hash = source.source_hash
    db.session.commit()


def source_hash(text: str) -> str:
    return hashlib.sha256(text.encode("utf-8")).hexdigest()[:16]


@dataclass
class VariantStatus:
    """A regional variant's overrides of a version's texts (``registry.VARIANTS``)."""

    overrides: int
    #: Overrides made from an English text that has changed since.
    outdated: int


def variant_status(version_id: int) -> dict[str, VariantStatus]:
    """Per regional variant: how many texts it overrides, how many of them out of date
    (one GROUP BY query, as ``translation_status``)."""
    source = aliased(TextEntry)
    is_outdated = case((TextEntry.source_hash != source.source_hash, 1), else_=0)
    rows = db.session.execute(
        select(TextEntry.lang, func.count(), func.sum(is_outdated))
        .join(
            source,
            and_(
                source.version_id == TextEntry.version_id,
                source.key == TextEntry.key,
                source.lang == SOURCE_LANGUAGE,
            ),
        )
        .where(
            TextEntry.version_id == version_id,
            TextEntry.lang.in_(list(VARIANTS)),
            TextEntry.text != "",
        )
        .group_by(TextEntry.lang)
    ).all()
    counts = {lang: VariantStatus(int(count), int(outdated or 0)) for lang, count, outdated in rows}
    return {code: counts.get(code, VariantStatus(0, 0)) for code in VARIANTS}


def variant_gaps(version_id: int, variant: str) -> list[TranslationGap]:
    """A variant's overrides whose English text changed since: to review. A text the
    variant does not override is no gap: it reads the language's."""
    return [gap for gap in translation_gaps(version_id, variant) if gap.state == "outdated"]
