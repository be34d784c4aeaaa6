"""Domain labels for readers: the label in the reader's language, else in
English, else the domain's code."""

from __future__ import annotations

from sqlalchemy import select

from surveyapp.extensions import db
from surveyapp.languages.registry import LANGUAGES, SOURCE_LANGUAGE
from surveyapp.languages.transliteration import cyrillic_to_latin
from surveyapp.models import Domain


def domain_label(domain: Domain, lang: str) -> str:
    """The domain's label in ``lang``, else its English label, else its code.

    A language derived by transliteration (Serbian in Latin script) reads its
    source's label transliterated, unless the domain has one of its own.
    """
    own = domain.labels.get(lang)
    if own:
        return own
    source = LANGUAGES[lang].derived_from if lang in LANGUAGES else None
    if source and domain.labels.get(source):
        return cyrillic_to_latin(domain.labels[source])
    return domain.labels.get(SOURCE_LANGUAGE) or domain.code


def domain_labels(lang: str) -> dict[str, str]:
    """Code -> ``domain_label`` of every domain (one query)."""
    return {d.code: domain_label(d, lang) for d in db.session.scalars(select(Domain))}
