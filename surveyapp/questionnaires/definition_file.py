"""Loading a questionnaire definition file (JSON) as a published version, such as
the built-in "City needs and priorities" questionnaire.

Idempotent: a questionnaire that exists already keeps its structure and its texts; it
only gains the file's translations into languages it has no text in yet (a language
added to the app after the questionnaire was loaded, such as Croatian) and the regional
variants' overrides (``"sq-XK"`` texts) it lacks, for texts whose English is still the
file's."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

from sqlalchemy import select

from surveyapp.core.data_files import DATA_DIR
from surveyapp.core.database import write_transaction
from surveyapp.extensions import db
from surveyapp.languages.registry import AUTHORED_LANGUAGES, SOURCE_LANGUAGE, VARIANTS
from surveyapp.languages.transliteration import normalise_text
from surveyapp.models import (
    QUESTION_TYPES,
    Choice,
    ChoiceList,
    Domain,
    Page,
    Question,
    Questionnaire,
    QuestionnaireVersion,
    TextEntry,
)
from surveyapp.models.base import utcnow
from surveyapp.questionnaires import text_keys
from surveyapp.questionnaires.texts import source_hash

BUILTIN_QUESTIONNAIRE = DATA_DIR / "questionnaires" / "city_needs.json"


def _add_texts(
    version: QuestionnaireVersion,
    key: str,
    texts: dict[str, str] | None,
    only: set[str] | None = None,
) -> None:
    """The texts of one key: every authored language's, and the regional variants'
    overrides ("sq-XK": only where the wording differs from the language's); ``only``:
    just these languages."""
    if not texts:
        return
    source = normalise_text(texts[SOURCE_LANGUAGE])
    for lang in (*AUTHORED_LANGUAGES, *VARIANTS):
        text = texts.get(lang)
        if not text or (only is not None and lang not in only):
            continue
        text = normalise_text(text)
        db.session.add(
            TextEntry(
                version=version,
                key=key,
                lang=lang,
                text=text,
                # A translation records the source it was made from; the source its own hash.
                source_hash=source_hash(source),
            )
        )


def _keyed_texts(data: dict[str, Any]) -> list[tuple[str, dict[str, str]]]:
    """(key, texts per language) of every text of a definition file."""
    keyed = [
        (text_keys.QUESTIONNAIRE_TITLE, data["title"]),
        (text_keys.QUESTIONNAIRE_DESCRIPTION, data.get("description")),
        (text_keys.PRIVACY_TEXT, data["privacy_notice"]["text"]),
        (text_keys.PRIVACY_CONSENT, data["privacy_notice"]["consent"]),
    ]
    for list_name, choices in data.get("choice_lists", {}).items():
        keyed += [(text_keys.choice_label(list_name, c["value"]), c["label"]) for c in choices]
    for page in data["pages"]:
        keyed += [
            (text_keys.page_title(page["name"]), page["title"]),
            (text_keys.page_intro(page["name"]), page.get("intro")),
        ]
        for q in page["questions"]:
            keyed += [
                (text_keys.question_label(q["name"]), q["label"]),
                (text_keys.question_hint(q["name"]), q.get("hint")),
            ]
    return [(key, texts) for key, texts in keyed if texts]


def _add_missing_variant_texts(version: QuestionnaireVersion, data: dict[str, Any]) -> None:
    """Give a database loaded before a regional variant existed its overrides: those
    of the file's first version that the version has none of, where its source text
    is still the file's (a text edited since is left to the translators)."""
    rows = db.session.execute(
        select(TextEntry.key, TextEntry.lang, TextEntry.text).where(
            TextEntry.version_id == version.id,
            TextEntry.lang.in_([SOURCE_LANGUAGE, *VARIANTS]),
        )
    ).all()
    sources = {key: text for key, lang, text in rows if lang == SOURCE_LANGUAGE}
    present = {(key, lang) for key, lang, _text in rows}
    for key, texts in _keyed_texts(data):
        if sources.get(key) != normalise_text(texts[SOURCE_LANGUAGE]):
            continue
        missing = {v for v in VARIANTS if texts.get(v) and (key, v) not in present}
        if missing:
            _add_texts(version, key, texts, only=missing)


def _upsert_domains(rows: list[dict[str, Any]]) -> dict[str, Domain]:
    domains = {d.code: d for d in db.session.scalars(select(Domain))}
    for position, row in enumerate(rows):
        domain = domains.get(row["code"])
        if domain is None:
            domain = domains[row["code"]] = Domain(code=row["code"])
            db.session.add(domain)
        domain.position = position
        domain.labels = row["label"]
        domain.descriptions = row.get("description") or {}
    db.session.flush()
    return domains


@write_transaction()
def load_questionnaire(path: Path = BUILTIN_QUESTIONNAIRE) -> QuestionnaireVersion:
    """Load a questionnaire definition file as a published version 1.

    If a questionnaire of that name exists, its newest version is returned
    and nothing changes.
    """
    data = json.loads(path.read_text("utf-8"))
    existing = db.session.scalar(select(Questionnaire).where(Questionnaire.name == data["name"]))
    if existing is not None and existing.versions:
        for version in existing.versions:
            _add_missing_variant_texts(version, data)
        _add_missing_translations(existing, data)
        db.session.commit()
        return existing.versions[-1]

    domains = _upsert_domains(data.get("domains", []))
    questionnaire = existing or Questionnaire(name=data["name"])
    version = QuestionnaireVersion(
        questionnaire=questionnaire,
        number=1,
        status="published",
        published_at=utcnow(),
        privacy_version=data["privacy_notice"]["version"],
    )
    db.session.add(version)
    _add_texts(version, text_keys.QUESTIONNAIRE_TITLE, data["title"])
    _add_texts(version, text_keys.QUESTIONNAIRE_DESCRIPTION, data.get("description"))
    _add_texts(version, text_keys.PRIVACY_TEXT, data["privacy_notice"]["text"])
    _add_texts(version, text_keys.PRIVACY_CONSENT, data["privacy_notice"]["consent"])

    lists: dict[str, ChoiceList] = {}
    for list_name, choices in data.get("choice_lists", {}).items():
        choice_list = lists[list_name] = ChoiceList(name=list_name)
        version.choice_lists.append(choice_list)
        for position, choice in enumerate(choices):
            choice_list.choices.append(
                Choice(value=choice["value"], score=choice.get("score"), position=position)
            )
            _add_texts(version, text_keys.choice_label(list_name, choice["value"]), choice["label"])

    for page_position, page_data in enumerate(data["pages"]):
        page = Page(name=page_data["name"], position=page_position)
        version.pages.append(page)
        _add_texts(version, text_keys.page_title(page.name), page_data["title"])
        _add_texts(version, text_keys.page_intro(page.name), page_data.get("intro"))
        for position, q in enumerate(page_data["questions"]):
            if q["type"] not in QUESTION_TYPES:
                raise ValueError(f"{path.name}: unknown question type {q['type']!r}")
            domain = domains[q["domain"]] if q.get("domain") else None
            page.questions.append(
                Question(
                    version=version,
                    name=q["name"],
                    type=q["type"],
                    position=position,
                    required=bool(q.get("required")),
                    domain=domain,
                    measure=q.get("measure"),
                    choice_list=lists[q["choices"]] if q.get("choices") else None,
                    min_value=q.get("min"),
                    max_value=q.get("max"),
                    max_length=q.get("max_length"),
                    min_date=q.get("min_date"),
                    max_date=q.get("max_date"),
                )
            )
            _add_texts(version, text_keys.question_label(q["name"]), q["label"])
            _add_texts(version, text_keys.question_hint(q["name"]), q.get("hint"))
    db.session.commit()
    return version


def _file_texts(data: dict[str, Any]) -> dict[str, dict[str, str]]:
    """Text key -> {language: text} of a definition file, as load_questionnaire stores them."""
    texts = {
        text_keys.QUESTIONNAIRE_TITLE: data["title"],
        text_keys.QUESTIONNAIRE_DESCRIPTION: data.get("description"),
        text_keys.PRIVACY_TEXT: data["privacy_notice"]["text"],
        text_keys.PRIVACY_CONSENT: data["privacy_notice"]["consent"],
    }
    for list_name, choices in data.get("choice_lists", {}).items():
        for choice in choices:
            texts[text_keys.choice_label(list_name, choice["value"])] = choice["label"]
    for page in data["pages"]:
        texts[text_keys.page_title(page["name"])] = page["title"]
        texts[text_keys.page_intro(page["name"])] = page.get("intro")
        for q in page["questions"]:
            texts[text_keys.question_label(q["name"])] = q["label"]
            texts[text_keys.question_hint(q["name"])] = q.get("hint")
    return {key: value for key, value in texts.items() if value}


def _add_missing_translations(questionnaire: Questionnaire, data: dict[str, Any]) -> None:
    """The file's translations into languages a version has no text in, for each text
    whose English in the version is the file's (an edited text keeps waiting for a
    translator); domain names in those languages likewise."""
    wanted = _file_texts(data)
    added = False
    for version in questionnaire.versions:
        have = {
            (entry.key, entry.lang): entry
            for entry in db.session.scalars(
                select(TextEntry).where(TextEntry.version_id == version.id)
            )
        }
        for key, texts in wanted.items():
            english = have.get((key, SOURCE_LANGUAGE))
            source = normalise_text(texts[SOURCE_LANGUAGE])
            if english is None or normalise_text(english.text) != source:
                continue
            for lang in AUTHORED_LANGUAGES:
                if (key, lang) in have or not texts.get(lang):
                    continue
                db.session.add(
                    TextEntry(
                        version=version,
                        key=key,
                        lang=lang,
                        text=normalise_text(texts[lang]),
                        source_hash=source_hash(source),
                    )
                )
                added = True
    domains = {d.code: d for d in db.session.scalars(select(Domain))}
    for row in data.get("domains", []):
        domain = domains.get(row["code"])
        if domain is None:
            continue
        for field, given in (("labels", row["label"]), ("descriptions", row.get("description"))):
            current = dict(getattr(domain, field) or {})
            english = current.get(SOURCE_LANGUAGE)
            if not given or (english is not None and english != given.get(SOURCE_LANGUAGE)):
                continue
            missing = {lang: text for lang, text in given.items() if lang not in current}
            if missing:
                setattr(domain, field, {**current, **missing})
                added = True
    if added:
        db.session.commit()
