"""How people write the columns and values of an engagement list: headers, kinds,
statuses, domains and days, in English or in any of the app's languages and scripts
(compared folded: ``outreach.name_matching.fold``)."""

from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import date

from sqlalchemy import select

from surveyapp.engagements.kinds import kind_name_in, status_name_in
from surveyapp.extensions import db
from surveyapp.languages.registry import LANGUAGES
from surveyapp.models import ENGAGEMENT_KINDS, ENGAGEMENT_STATUSES, Domain
from surveyapp.outreach.name_matching import HEADERS as CONTACT_HEADERS
from surveyapp.outreach.name_matching import Places, fold

#: Column → the headers that name it (folded when compared).
HEADERS: dict[str, tuple[str, ...]] = {
    "municipality": (*CONTACT_HEADERS["municipality"], "host", "city or municipality"),
    "country": CONTACT_HEADERS["country"],
    "kind": (
        "kind", "type", "activity", "engagement", "kind of engagement", "format", "vrsta",
        "tip", "aktivnost", "vrsta aktivnosti", "oblik podrške", "врста", "тип", "активност",
        "вид", "вид на активност", "врста активности", "lloji", "aktiviteti",
        "lloji i aktivitetit",
    ),
    "date": (
        "date", "day", "planned date", "when", "datum", "dan", "planirani datum", "датум",
        "ден", "дан", "data", "dita", "data e planifikuar",
    ),
    "status": ("status", "state", "stanje", "статус", "состојба", "стање", "statusi", "gjendja"),
    "domains": (
        "domains", "domain", "themes", "theme", "topics", "topic", "oblasti", "oblast",
        "teme", "tema", "područja", "područje", "области", "област", "теми", "тема", "теме",
        "fusha", "fushat",
        "temat", "tema",
    ),
    "partners": (
        "partners", "partner", "partner municipalities", "partner cities", "with",
        "partneri", "partnerske općine", "partnerske opštine", "partnerske opštine",
        "партнери", "партнерске општине", "партнерски општини", "partnerët",
        "komunat partnere", "bashkitë partnere",
    ),
    "note": (
        "note", "notes", "description", "comment", "comments", "napomena", "opis",
        "komentar", "bilješka", "белешка", "забелешка", "напомена", "опис", "коментар",
        "shënim", "shënime", "përshkrim", "koment",
    ),
}  # fmt: skip
REQUIRED_COLUMNS = ("municipality", "kind", "date")

#: Words for kinds and statuses besides their names in the app's languages.
KIND_WORDS: dict[str, tuple[str, ...]] = {
    "roundtable": ("round table", "okrugli sto", "okrugli stol", "округли сто",
                   "тркалезна маса", "tryeza e rrumbullakët"),
    "workshop": ("radionica", "радионица", "работилница", "punëtori"),
    "peer_exchange": ("exchange", "razmjena", "razmena", "размена", "размјена",
                      "shkëmbim", "razmjena iskustava"),
    "training": ("obuka", "trening", "обука", "тренинг", "обука", "trajnim"),
    "study_visit": ("visit", "studijska posjeta", "studijska poseta", "студијска посета",
                    "студиска посета", "vizitë studimore"),
    "action_plan": ("action plan", "strategy", "akcioni plan", "strategija",
                    "акциони план", "акциски план", "стратегија", "plan veprimi", "strategji"),
    "safety_council": ("local safety council", "lsc", "community action team", "cat",
                       "savjet za sigurnost", "savet za bezbednost", "савет за безбедност",
                       "совет за безбедност", "këshilli lokal për siguri", "këshill sigurie",
                       "këshilli i sigurisë", "vijeće za sigurnost", "savjet za bezbjednost"),
    "other": ("drugo", "друго", "tjetër"),
}  # fmt: skip
STATUS_WORDS: dict[str, tuple[str, ...]] = {
    "planned": ("plan", "to come", "upcoming", "planirano", "planiran", "планирано",
                "планиран", "i planifikuar", "planifikuar"),
    "done": ("held", "took place", "completed", "realised", "realized", "održano",
             "realizovano", "završeno", "одржано", "реализовано", "завршено",
             "реализирано", "одржана", "i mbajtur", "u mbajt", "realizuar", "përfunduar"),
}  # fmt: skip


@dataclass
class Indexes:
    places: Places
    kinds: dict[str, str]
    statuses: dict[str, str]
    domains: dict[str, Domain]


def word_index(codes: tuple[str, ...], words: dict[str, tuple[str, ...]], name_in) -> dict:
    index: dict[str, str] = {}
    for code in codes:
        index[fold(code)] = code
        for lang in LANGUAGES:
            index.setdefault(fold(name_in(lang, code)), code)
        for word in words.get(code, ()):
            index.setdefault(fold(word), code)
    return index


def load_indexes() -> Indexes:
    domains: dict[str, Domain] = {}
    for domain in db.session.scalars(select(Domain)):
        domains[fold(domain.code)] = domain
        for label in domain.labels.values():
            if label:
                domains.setdefault(fold(label), domain)
    return Indexes(
        Places.load(),
        word_index(ENGAGEMENT_KINDS, KIND_WORDS, kind_name_in),
        word_index(ENGAGEMENT_STATUSES, STATUS_WORDS, status_name_in),
        domains,
    )


def header_column(header: str) -> str | None:
    folded = fold(header)
    for column, words in HEADERS.items():
        if folded in {fold(word) for word in words}:
            return column
    return None


_ISO = re.compile(r"(\d{4})-(\d{1,2})-(\d{1,2})(?:[T ].*)?")
_LOCAL = re.compile(r"(\d{1,2})[./](\d{1,2})[./](\d{4})\.?")


def parse_day(text: str) -> date | None:
    """A day as people write it: 2026-03-15, 15.03.2026 (or 15.03.2026.), 15/03/2026."""
    text = text.strip()
    if match := _ISO.fullmatch(text):
        year, month, day = (int(part) for part in match.groups())
    elif match := _LOCAL.fullmatch(text):
        day, month, year = (int(part) for part in match.groups())
    else:
        return None
    try:
        return date(year, month, day)
    except ValueError:
        return None


def find_domain(text: str, index: dict[str, Domain]) -> Domain | None:
    """The domain ``text`` names: its code or label in any language, or the start of one
    label that no other domain's label starts with ("Schools" for "Schools and education")."""
    key = fold(text)
    if key in index:
        return index[key]
    if len(key) < 4:
        return None
    found = {domain.id: domain for name, domain in index.items() if name.startswith(key)}
    return next(iter(found.values())) if len(found) == 1 else None
