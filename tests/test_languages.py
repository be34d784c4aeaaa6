"""The language registry: transliteration, negotiation, the switcher."""

from __future__ import annotations

import pytest

from surveyapp.languages.negotiation import language_for_tag, negotiate
from surveyapp.languages.registry import LANGUAGES
from surveyapp.languages.transliteration import cyrillic_to_latin


@pytest.mark.parametrize(
    ("cyrillic", "latin"),
    [
        ("Љубав и њива", "Ljubav i njiva"),
        ("ЉУБАВ", "LJUBAV"),
        ("ЊЕГОШ", "NJEGOŠ"),
        ("Џеп", "Džep"),
        ("ЏЕП", "DŽEP"),
        ("Ђурђевдан, ћуприја, жељезница", "Đurđevdan, ćuprija, željeznica"),
        ("Здраво, %(name)s! Имате %(num)d одговора.", "Zdravo, %(name)s! Imate %(num)d odgovora."),
        ("<b>Шабац</b> {count}", "<b>Šabac</b> {count}"),
    ],
)
def test_serbian_cyrillic_transliterates_to_latin(cyrillic, latin):
    assert cyrillic_to_latin(cyrillic) == latin


@pytest.mark.parametrize(
    ("tag", "code"),
    [
        ("sr-Latn", "sr-Latn"),
        ("sr-Latn-RS", "sr-Latn"),
        ("sr", "sr"),
        ("sr-RS", "sr"),
        ("sr-Cyrl-ME", "sr"),
        ("sr-ME", "cnr"),
        ("cnr", "cnr"),
        ("cnr-ME", "cnr"),
        ("hr", "hr"),
        ("hr-HR", "hr"),
        ("hr-BA", "hr"),
        ("sh", "bs"),
        ("bs-BA", "bs"),
        ("mk-MK", "mk"),
        ("sq-XK", "sq"),
        ("en-GB", "en"),
        ("de", None),
    ],
)
def test_accept_language_tags_map_onto_our_languages_by_script(tag, code):
    assert language_for_tag(tag) == code


def test_negotiation_takes_the_best_quality_we_have():
    assert negotiate([("de", 1.0), ("sr-Latn", 0.8), ("en", 0.5)]) == "sr-Latn"
    assert negotiate([("en", 0.3), ("mk", 0.9)]) == "mk"
    assert negotiate([("de", 1.0)]) is None


@pytest.mark.parametrize(
    ("header", "code"),
    [
        ("sr-Latn,en;q=0.5", "sr-Latn"),
        ("sr", "sr"),
        ("sr-ME", "cnr"),
        ("hr-HR,hr;q=0.9,en;q=0.8", "hr"),
        ("hr-BA", "hr"),
        ("fr", "en"),
    ],
)
def test_the_home_page_follows_accept_language(client, header, code):
    assert client.get("/", headers={"Accept-Language": header}).location.endswith(f"/{code}/")


def test_a_croatian_browser_gets_croatian_and_bosnian_only_where_croatian_is_not_offered():
    """Croatian has a catalog of its own: a Croatian browser gets it, not Bosnian; a
    campaign that does not offer Croatian gives Bosnian (Latin, ijekavian) before its
    first language, and Montenegrin when it offers neither."""
    assert negotiate([("de-AT", 1.0), ("hr", 0.7), ("bs", 0.5)]) == "hr"
    assert negotiate([("hr-HR", 1.0)], among=["sq", "bs", "sr"]) == "bs"
    assert negotiate([("hr", 1.0)], among=["sq", "cnr"]) == "cnr"
    assert negotiate([("hr", 1.0)], among=["sq", "mk"]) is None
    assert negotiate([("bs", 1.0)], among=["hr", "sr"]) is None


def test_an_explicit_choice_beats_the_browser_and_sticks(client):
    client.get("/cnr/")
    assert client.get("/", headers={"Accept-Language": "mk"}).location.endswith("/cnr/")


def test_the_switcher_shows_autonyms_on_every_page(client):
    html = client.get("/en/").get_data(as_text=True)
    for language in LANGUAGES.values():
        assert f">{language.autonym}</a>" in html
    assert "Crnogorski" in html and "srpski (latinica, Crna Gora)" not in html


def test_an_unknown_language_in_the_address_gets_a_clear_page(client):
    page = client.get("/xx/", headers={"Accept-Language": "mk"})
    assert page.status_code == 404
    assert '<html lang="mk"' in page.get_data(as_text=True)
