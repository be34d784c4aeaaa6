"""Loading the built-in content from data files: countries, municipalities,
the "City needs and priorities" questionnaire and a demo campaign.

Every loader is idempotent: it adds what is missing and leaves the rest."""

from __future__ import annotations

import csv
import json
import secrets
from pathlib import Path
from typing import Any

from sqlalchemy import select

from surveyapp.core.database import write_transaction
from surveyapp.extensions import db
from surveyapp.languages.registry import AUTHORED_LANGUAGES, SOURCE_LANGUAGE
from surveyapp.languages.transliteration import cyrillic_to_latin, normalise_text
from surveyapp.models import (
    QUESTION_TYPES,
    Campaign,
    Choice,
    ChoiceList,
    Country,
    Domain,
    Municipality,
    Page,
    Question,
    Questionnaire,
    QuestionnaireVersion,
    TextEntry,
)
from surveyapp.models.base import utcnow
from surveyapp.questionnaires.texts import source_hash

DATA_DIR = Path(__file__).resolve().parents[1] / "data"
BUILTIN_QUESTIONNAIRE = DATA_DIR / "questionnaires" / "city_needs.json"


# --- reference data ----------------------------------------------------------


@write_transaction()
def load_reference_data() -> dict[str, int]:
    """Countries and municipalities; returns how many municipalities each country has."""
    countries = {c.code: c for c in db.session.scalars(select(Country))}
    for position, row in enumerate(json.loads((DATA_DIR / "countries.json").read_text("utf-8"))):
        country = countries.get(row["code"])
        if country is None:
            country = countries[row["code"]] = Country(code=row["code"])
            db.session.add(country)
        # Serbian Latin is derived, like everything else in Serbian Latin.
        country.names = {**row["names"], "sr-Latn": cyrillic_to_latin(row["names"]["sr"])}
        country.languages = row["languages"]
        country.position = position
    db.session.flush()

    known = set(db.session.scalars(select(Municipality.code)))
    with (DATA_DIR / "municipalities.csv").open(encoding="utf-8", newline="") as fp:
        for row in csv.DictReader(fp):
            if row["code"] in known:
                continue
            db.session.add(
                Municipality(
                    country_id=countries[row["country"]].id,
                    code=row["code"],
                    entity=row["entity"] or None,
                    name_latn=normalise_text(row["name"]),
                    name_cyrl=normalise_text(row["name_cyrl"]) or None,
                    name_sq=normalise_text(row["name_sq"]) or None,
                )
            )
    db.session.commit()
    return {
        code: db.session.scalar(
            select(db.func.count())
            .select_from(Municipality)
            .where(Municipality.country_id == country.id)
        )
        for code, country in countries.items()
    }


# --- questionnaires ----------------------------------------------------------


def _add_texts(version: QuestionnaireVersion, key: str, texts: dict[str, str] | None) -> None:
    if not texts:
        return
    source = normalise_text(texts[SOURCE_LANGUAGE])
    for lang in AUTHORED_LANGUAGES:
        text = texts.get(lang)
        if not text:
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
    _add_texts(version, "questionnaire.title", data["title"])
    _add_texts(version, "questionnaire.description", data.get("description"))
    _add_texts(version, "privacy.text", data["privacy_notice"]["text"])
    _add_texts(version, "privacy.consent", data["privacy_notice"]["consent"])

    lists: dict[str, ChoiceList] = {}
    for list_name, choices in data.get("choice_lists", {}).items():
        choice_list = lists[list_name] = ChoiceList(name=list_name)
        version.choice_lists.append(choice_list)
        for position, choice in enumerate(choices):
            choice_list.choices.append(
                Choice(value=choice["value"], score=choice.get("score"), position=position)
            )
            _add_texts(version, f"choice.{list_name}.{choice['value']}.label", choice["label"])

    for page_position, page_data in enumerate(data["pages"]):
        page = Page(name=page_data["name"], position=page_position)
        version.pages.append(page)
        _add_texts(version, f"page.{page.name}.title", page_data["title"])
        _add_texts(version, f"page.{page.name}.intro", page_data.get("intro"))
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
                )
            )
            _add_texts(version, f"q.{q['name']}.label", q["label"])
            _add_texts(version, f"q.{q['name']}.hint", q.get("hint"))
    db.session.commit()
    return version


@write_transaction()
def ensure_demo_campaign(version: QuestionnaireVersion) -> Campaign:
    """A campaign with an open link, so a fresh install has something to answer."""
    campaign = db.session.scalar(select(Campaign).order_by(Campaign.id))
    if campaign is None:
        campaign = Campaign(
            name="City needs and priorities (demo)",
            version=version,
            open_token=secrets.token_urlsafe(12),
        )
        db.session.add(campaign)
        db.session.commit()
    return campaign
