"""Reading what people type in a contact list: column headers, roles, languages,
countries and municipalities, in English or in any of the app's languages.

Everything is compared in a folded form (``fold``): Serbian Cyrillic made Latin, no
accents, lower case, letters and digits only. So "E-mail", "e-mail" and "EMAIL" are
one header, and "Čair", "Cair" and "Чаир" one municipality.
"""

from __future__ import annotations

import unicodedata
from dataclasses import dataclass

from sqlalchemy import select
from sqlalchemy.orm import selectinload

from surveyapp.campaigns.roles import role_name_in
from surveyapp.extensions import db
from surveyapp.languages.registry import LANGUAGES
from surveyapp.languages.transliteration import cyrillic_to_latin, normalise_text
from surveyapp.models import ROLES, Country, Municipality

#: Letters that have no accent to take off.
_PLAIN = str.maketrans({"đ": "dj", "Đ": "dj", "ł": "l", "ø": "o", "ß": "ss"})


def fold(text: str) -> str:
    """``text`` in the form it is compared in (see the module's docstring)."""
    text = cyrillic_to_latin(normalise_text(text or "")).translate(_PLAIN)
    text = unicodedata.normalize("NFKD", text)
    return "".join(ch for ch in text.casefold() if ch.isalnum())


#: Column → the headers that name it (folded when compared).
HEADERS: dict[str, tuple[str, ...]] = {
    "email": (
        "email", "e-mail address", "mail", "email adresa", "adresa e-pošte", "e-pošta",
        "adresa elektronske pošte", "е-пошта", "е-маил", "електронска пошта", "имејл",
        "адреса е-поште", "emaili", "adresa e emailit", "posta elektronike",
    ),
    "name": (
        "name", "full name", "contact", "contact name", "contact person", "ime",
        "ime i prezime", "kontakt osoba", "име", "име и презиме", "лице за контакт",
        "emri", "emri dhe mbiemri", "emri i plotë", "personi kontaktues",
        "osoba za kontakt",
    ),
    "role": (
        "role", "function", "position", "uloga", "funkcija", "pozicija", "улога",
        "функција", "позиција", "roli", "funksioni", "pozita",
    ),
    "language": (
        "language", "preferred language", "lang", "jezik", "језик", "јазик", "gjuha",
        "gjuha e preferuar",
    ),
    "municipality": (
        "municipality", "municipality code", "municipality name", "code", "city",
        "local government", "općina", "opština", "grad", "lokalna samouprava",
        "општина", "град", "bashkia", "komuna", "bashkia / komuna", "komuna / bashkia",
    ),
    "country": ("country", "država", "држава", "shteti", "vendi"),
}  # fmt: skip
REQUIRED_COLUMNS = ("email", "name", "role", "municipality")

#: Words for the roles besides their labels in the app's languages.
ROLE_WORDS: dict[str, tuple[str, ...]] = {
    "mayor": (
        "mayor", "načelnik", "načelnica", "gradonačelnik", "gradonačelnica",
        "predsjednik opštine", "predsjednica opštine", "председник општине",
        "председница општине", "градоначелник", "градоначалник", "kryetar",
        "kryetare", "kryetari", "kryetarja", "kryetar i komunës", "kryetar i bashkisë",
    ),
    "deputy_mayor": (
        "deputy mayor", "deputy", "vice mayor", "zamjenik načelnika", "zamjenica načelnika",
        "zamjenik gradonačelnika", "potpredsjednik opštine", "potpredsjednica opštine",
        "заменик председника општине", "заменик градоначелника", "заменик градоначалник",
        "заменик-градоначалник", "nënkryetar", "nënkryetare", "zëvendëskryetar",
        "zëvendëskryetare", "zamjenica gradonačelnika", "zamjenik općinskog načelnika",
        "zamjenica općinske načelnice",
    ),
    "councillor": (
        "councillor", "councilor", "council member", "member of the council", "vijećnik",
        "vijećnica", "odbornik", "odbornica", "одборник", "одборница", "советник",
        "советничка", "член на совет", "член на советот", "këshilltar", "këshilltare",
        "anëtar i kuvendit", "anëtar i këshillit", "asamblist", "asambliste",
    ),
    "municipal_staff": (
        "staff", "municipal staff", "official", "civil servant", "employee", "uposlenik",
        "uposlenica", "službenik", "službenica", "zaposleni", "zaposlena", "запослени",
        "запослена", "службеник", "службеница", "вработен", "вработена", "administracija",
        "punonjës", "punonjëse", "nëpunës", "nëpunëse", "zyrtar", "zyrtare",
        "djelatnik", "djelatnica", "zaposlenik", "zaposlenica", "djelatnik općinske uprave",
    ),
}  # fmt: skip

#: Names of languages besides codes, autonyms and the registry's aliases.
LANGUAGE_WORDS: dict[str, tuple[str, ...]] = {
    "en": ("english", "engleski", "anglisht", "англиски", "енглески"),
    "sq": ("albanian", "shqip", "shqipe", "albanski", "албански", "gjuha shqipe"),
    "bs": ("bosnian", "bosanski", "boshnjakisht", "босански"),
    "mk": ("macedonian", "makedonski", "maqedonisht", "македонски"),
    "sr": ("serbian cyrillic", "srpski ćirilica", "српски ћирилица", "ćirilica", "ћирилица"),
    "sr-Latn": ("srpski", "srpski latinica", "serbian latin", "latinica", "sr_latn", "serbisht"),
    "cnr": ("montenegrin", "crnogorski", "malazezisht", "црногорски"),
    "hr": ("croatian", "hrvatski", "hrvatski jezik", "kroatisht", "хрватски"),
}
#: Words before a municipality's name that are not part of it.
TOWN_PREFIXES = tuple(
    fold(word)
    for word in (
        "municipality of", "city of", "općina", "opština", "opstina", "grad", "општина",
        "град", "bashkia", "bashkia e", "komuna", "komuna e",
    )
)  # fmt: skip


def header_column(header: str) -> str | None:
    """The column a header names (None: not one of ours)."""
    folded = fold(header)
    for column, words in HEADERS.items():
        if folded in {fold(word) for word in words}:
            return column
    return None


def role_index() -> dict[str, str]:
    """Folded word → role: codes, labels in every language, other usual words."""
    index: dict[str, str] = {}
    for role in ROLES:
        index[fold(role)] = role
        index[fold(role.replace("_", " "))] = role
        for word in ROLE_WORDS.get(role, ()):
            index[fold(word)] = role
        for lang in LANGUAGES:
            label = role_name_in(lang, role)
            index[fold(label)] = role
            for part in label.split("/"):
                index.setdefault(fold(part), role)
    return index


def language_index() -> dict[str, str]:
    """Folded name → language code (Latin words are not transliterated here, so
    "Srpski" is Serbian Latin and "Српски" Serbian Cyrillic)."""
    index: dict[str, str] = {}
    for code, language in LANGUAGES.items():
        for word in (code, language.autonym, *language.aliases, *LANGUAGE_WORDS.get(code, ())):
            index[_fold_in_script(word)] = code
    return index


def find_language(text: str, index: dict[str, str]) -> str | None:
    return index.get(_fold_in_script(text))


def _fold_in_script(text: str) -> str:
    """``fold`` without making Cyrillic Latin (a language's name says its script)."""
    text = unicodedata.normalize("NFKD", normalise_text(text or "").translate(_PLAIN))
    return "".join(ch for ch in text.casefold() if ch.isalnum())


@dataclass
class Places:
    """Countries and municipalities by every name they go by."""

    countries: dict[str, Country]
    towns: dict[str, list[Municipality]]
    by_code: dict[str, Municipality]

    @classmethod
    def load(cls) -> Places:
        countries: dict[str, Country] = {}
        towns: dict[str, list[Municipality]] = {}
        by_code: dict[str, Municipality] = {}
        for country in db.session.scalars(
            select(Country).options(selectinload(Country.municipalities))
        ):
            countries[fold(country.code)] = country
            for name in country.names.values():
                countries.setdefault(fold(name), country)
            for town in country.municipalities:
                by_code[town.code.lower()] = town
                names = {town.name_latn, town.name_cyrl or "", town.name_sq or ""}
                names |= {town.name(code) for code in LANGUAGES}
                for key in {fold(name) for name in names if name}:
                    towns.setdefault(key, []).append(town)
        return cls(countries, towns, by_code)

    def country(self, text: str) -> Country | None:
        return self.countries.get(fold(text))

    def municipalities(self, text: str, country: Country | None = None) -> list[Municipality]:
        """Municipalities ``text`` may mean (by code, or by name in any language),
        narrowed to ``country`` when given; several when the name is shared."""
        town = self.by_code.get(text.strip().lower())
        if town is not None:
            found = [town]
        else:
            key = fold(text)
            found = self.towns.get(key, [])
            if not found:
                for prefix in TOWN_PREFIXES:
                    if key.startswith(prefix) and key != prefix:
                        found = self.towns.get(key[len(prefix) :], [])
                        if found:
                            break
        if country is not None:
            found = [town for town in found if town.country_id == country.id]
        return list({town.id: town for town in found}.values())
