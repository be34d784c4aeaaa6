"""The built-in questionnaire and reference data, as loaded by the set-up."""

from __future__ import annotations

import json
import re
from collections import Counter

import pytest
from sqlalchemy import func, select

from surveyapp.extensions import db
from surveyapp.languages.registry import AUTHORED_LANGUAGES, LANGUAGES, SOURCE_LANGUAGE
from surveyapp.models import Country, Municipality, Question, TextEntry
from surveyapp.places.reference_data import load_reference_data
from surveyapp.questionnaires.definition_file import BUILTIN_QUESTIONNAIRE
from surveyapp.questionnaires.texts import load_texts, offered_languages
from tests.plans import builtin_version

CYRILLIC = re.compile(r"[\u0400-\u04FF]")
LATIN = re.compile(r"[A-Za-z]")
EMAIL_OR_URL = re.compile(r"\S+@\S+\.\w+|https?://\S+")
TRANSLATIONS = [code for code in AUTHORED_LANGUAGES if code != SOURCE_LANGUAGE]


def test_every_text_of_the_builtin_questionnaire_is_translated(app):
    with app.app_context():
        version = builtin_version()
        rows = db.session.execute(
            select(TextEntry.key, TextEntry.lang, TextEntry.text).where(
                TextEntry.version_id == version.id
            )
        ).all()
    texts: dict[str, dict[str, str]] = {}
    for key, lang, text in rows:
        texts.setdefault(key, {})[lang] = text
    problems = []
    for key, by_lang in sorted(texts.items()):
        source = by_lang[SOURCE_LANGUAGE]
        for lang in TRANSLATIONS:
            text = by_lang.get(lang, "")
            if not text.strip():
                problems.append(f"{key} [{lang}] is missing")
            elif text.strip() == source.strip():
                problems.append(f"{key} [{lang}] is still the English source")
            elif LANGUAGES[lang].script == "Cyrl" and LATIN.search(EMAIL_OR_URL.sub("", text)):
                problems.append(f"{key} [{lang}] has Latin letters: {text!r}")
            elif LANGUAGES[lang].script == "Latn" and CYRILLIC.search(text):
                problems.append(f"{key} [{lang}] has Cyrillic letters: {text!r}")
    assert not problems, "\n".join(problems)


def test_every_language_is_offered_for_the_builtin_questionnaire(app):
    with app.app_context():
        assert offered_languages(builtin_version().id) == list(LANGUAGES)


def test_serbian_latin_is_the_cyrillic_text_transliterated(app):
    with app.app_context():
        version = builtin_version()
        cyrillic, latin = load_texts(version.id, "sr"), load_texts(version.id, "sr-Latn")
        title = cyrillic.title()
        assert CYRILLIC.search(title) and not CYRILLIC.search(latin.title())
        assert latin.title() != title


def test_the_questionnaire_covers_the_domains_with_matching_need_and_capacity_items(app):
    data = json.loads(BUILTIN_QUESTIONNAIRE.read_text("utf-8"))
    assert 5 <= len(data["pages"]) <= 7
    with app.app_context():
        questions = db.session.scalars(
            select(Question).where(Question.version_id == builtin_version().id)
        ).all()
        assert 25 <= len(questions) <= 40
        pairs = Counter((q.domain.code, q.measure) for q in questions if q.measure)
        domains = {code for code, _ in pairs}
        assert len(domains) >= 6
        for code in domains:
            assert pairs[(code, "need")] == pairs[(code, "capacity")] >= 1, code
        scales = {q.choice_list.name for q in questions if q.measure}
        scores = {
            name: sorted(c.score for c in q.choice_list.choices if c.score is not None)
            for q in questions
            if q.measure
            for name in [q.choice_list.name]
        }
        assert len({tuple(s) for s in scores.values()}) == 1, (
            f"need and capacity scales differ: {scales}"
        )
        support = next(q for q in questions if q.type == "multiple_choice")
        assert len(support.choice_list.choices) >= 7
        assert {q.type for q in questions} >= {
            "scale", "single_choice", "multiple_choice", "number", "short_text", "long_text", "date"
        }  # fmt: skip


EXPECTED_MUNICIPALITIES = {"AL": 61, "XK": 38, "MK": 81, "RS": 145, "ME": 25, "BA": 145}


def test_all_municipalities_are_loaded_with_local_names(app):
    with app.app_context():
        counts = dict(
            db.session.execute(
                select(Country.code, func.count(Municipality.id))
                .join(Municipality)
                .group_by(Country.code)
            ).all()
        )
        assert counts == EXPECTED_MUNICIPALITIES
        cair = db.session.scalar(select(Municipality).where(Municipality.code == "mk-cair"))
        assert (cair.name("mk"), cair.name("sq"), cair.name("en")) == ("Чаир", "Çair", "Čair")
        # Loading again adds nothing.
        assert load_reference_data() == EXPECTED_MUNICIPALITIES


@pytest.mark.parametrize("code", list(EXPECTED_MUNICIPALITIES))
def test_every_country_has_a_name_in_every_language(app, code):
    with app.app_context():
        country = db.session.scalar(select(Country).where(Country.code == code))
        assert set(country.names) == set(LANGUAGES)


def test_every_respondent_role_has_a_label():
    from surveyapp.campaigns.roles import RESPONDENT_ROLE_LABELS
    from surveyapp.models import ROLES

    assert set(RESPONDENT_ROLE_LABELS) == set(ROLES)


@pytest.mark.parametrize("lang", list(LANGUAGES))
def test_no_two_municipalities_of_a_country_show_the_same_name(app, lang):
    """Kupres and Trnovo exist in both entities of Bosnia and Herzegovina: lists tell them apart."""
    with app.app_context():
        towns = db.session.scalars(select(Municipality)).all()
        shown = Counter((town.country_id, town.name(lang)) for town in towns)
        names = {town.code: town.name(lang) for town in towns}
    assert [name for name, count in shown.items() if count > 1] == []
    cyrillic = lang in ("mk", "sr")
    assert names["ba-kupres-rs"] == ("Купрес (РС)" if cyrillic else "Kupres (RS)")
    assert names["ba-trnovo-fbih"] == ("Трново (ФБиХ)" if cyrillic else "Trnovo (FBiH)")
    assert "(" not in names["mk-cair"]
