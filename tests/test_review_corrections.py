"""Corrections from the native-speaker review that could quietly come back: each
checks what a reader sees, in every language it concerns."""

from __future__ import annotations

import json
import re
from datetime import datetime

import pytest
from babel.messages.pofile import read_po

from surveyapp.core.data_files import DATA_DIR
from surveyapp.extensions import db
from surveyapp.languages.catalogs import CatalogCache
from surveyapp.languages.registry import LANGUAGES
from surveyapp.models import Invitation, Response

TRANSLATIONS = DATA_DIR.parents[1] / "translations"
QUESTIONNAIRE = json.loads((DATA_DIR / "questionnaires" / "city_needs.json").read_text("utf-8"))


def _catalog(lang: str):
    with (TRANSLATIONS / lang / "LC_MESSAGES" / "messages.po").open("rb") as fp:
        return read_po(fp)


def _questionnaire_texts(lang: str) -> list[str]:
    """Every text of the built-in questionnaire in ``lang``."""
    found: list[str] = []

    def walk(node) -> None:
        if isinstance(node, dict):
            if isinstance(node.get(lang), str) and "en" in node:
                found.append(node[lang])
            for value in node.values():
                walk(value)
        elif isinstance(node, list):
            for value in node:
                walk(value)

    walk(QUESTIONNAIRE)
    return found


@pytest.mark.parametrize("hour", [9, 11, 15, 23])
@pytest.mark.parametrize("lang", list(LANGUAGES))
def test_the_receipt_time_ends_its_sentence_once(app, client, make_response, lang, hour):
    """Albanian times end in "p.d."/"m.d.": the receipt never reads "11:28 p.d..";
    the same holds for every language at any hour."""
    response_id = make_response(municipality="al-tirane", lang=lang)
    with app.app_context():
        response = db.session.get(Response, response_id)
        response.submitted_at = datetime(2026, 3, 5, hour, 28)
        token = db.session.get(Invitation, response.invitation_id).token
        db.session.commit()
    html = client.get(f"/{lang}/r/{token}/thanks").get_data(as_text=True)
    receipt = re.search(r"<p>([^<]*28[^<]*)</p>", html)
    assert receipt, html[:2000]
    text = receipt.group(1)
    assert ".." not in text and ". ." not in text, text


@pytest.mark.parametrize(
    ("lang", "words"),
    [
        ("bs", ["među glavnim potrebama u 1 općini", "u 3 općine", "u 7 općina", "u 21 općini"]),
        ("cnr", ["među glavnim potrebama u 1 opštini", "u 3 opštine", "u 7 opština"]),
        ("sr", ["међу главним потребама у 1 општини", "у 3 општине", "у 7 општина"]),
        ("sr-Latn", ["među glavnim potrebama u 1 opštini", "u 3 opštine", "u 7 opština"]),
        ("mk", ["меѓу најголемите потреби во 1 општина", "во 7 општини"]),
        ("sq", ["ndër nevojat kryesore në 1 bashki", "në 7 bashki"]),
    ],
)
def test_a_top_need_is_among_the_top_needs_of_n_municipalities(lang, words):
    """Not "the main need for N municipalities": a theme is one of their top needs."""
    catalog = CatalogCache(TRANSLATIONS).get(lang)
    said = " | ".join(
        catalog.ngettext(
            "a top need in %(num)d municipality", "a top need in %(num)d municipalities", n
        )
        % {"num": n}
        for n in (1, 3, 7, 21)
    )
    for expected in words:
        assert expected in said, said


CONSENT = {
    "bs": "Slažem se i započinjem upitnik",
    "cnr": "Slažem se i započinjem upitnik",
    "sr": "Слажем се и започињем упитник",
    "mk": "Се согласувам и го започнувам прашалникот",
    "sq": "Pajtohem dhe filloj pyetësorin",
}
#: Informal imperatives that once stood beside formal ones on respondents' screens.
INFORMAL_ON_RESPONDENT_SCREENS = {
    "bs": ["Nastavi", "Odaberi", "Sačuvaj", "Pošalji", "Idi", "započni", "Izmijeni"],
    "cnr": ["Nastavi", "Izaberi", "Sačuvaj", "Pošalji", "Idi", "počni", "Izmijeni"],
    "sr": ["Настави", "Изабери", "Сачувај", "Пошаљи", "Иди", "започни", "Измени"],
}
RESPONDENT_BUTTONS = [
    "I agree, start the questionnaire",
    "Continue",
    "Continue now",
    "Choose another country",
    "Save and continue later",
    "Submit my answers",
    "Review my answers",
    "Go to page %(number)d",
    "Change answers on this page",
    "Start a new response (I am someone else)",
]


@pytest.mark.parametrize("lang", sorted(CONSENT))
def test_consent_and_respondent_buttons_keep_one_register(lang):
    catalog = _catalog(lang)
    assert catalog["I agree, start the questionnaire"].string == CONSENT[lang]
    for msgid in RESPONDENT_BUTTONS:
        text = catalog[msgid].string
        for informal in INFORMAL_ON_RESPONDENT_SCREENS.get(lang, []):
            assert not re.search(rf"(^|\s){re.escape(informal)}(\s|$)", text), (msgid, text)


#: The word each language uses for "strong capacity" on the scale respondents answer.
STRONG = {"bs": "snažn", "cnr": "snažn", "sr": "снажн", "mk": "силен", "sq": "fortë"}


@pytest.mark.parametrize("lang", sorted(STRONG))
def test_strong_capacity_is_one_term_in_the_scale_and_the_interface(lang):
    scale = {
        str(c["value"]): c["label"][lang] for c in QUESTIONNAIRE["choice_lists"]["capacity_scale"]
    }
    assert STRONG[lang] in scale["5"].casefold()
    texts = [m.string for m in _catalog(lang) if m.id and "strong capacity" in str(m.id)]
    assert len(texts) >= 3
    for text in texts:
        assert STRONG[lang] in text.casefold(), text


#: "Pressing" in each language: interface, scale and questions say it one way.
PRESSING = {"bs": "hit", "cnr": "hit", "sr": "хит", "mk": "ит"}


@pytest.mark.parametrize("lang", sorted(PRESSING))
def test_pressing_is_one_term_in_questions_scale_and_interface(lang):
    stem = PRESSING[lang]
    for page in QUESTIONNAIRE["pages"]:
        for question in page.get("questions", []):
            if question.get("measure") == "need":
                label = question["label"][lang].casefold()
                assert re.search(rf"\b{stem}(а|ан|ен|ни|na|an|ni|en)\b", label), label
    scale = {str(c["value"]): c["label"][lang] for c in QUESTIONNAIRE["choice_lists"]["need_scale"]}
    assert re.search(rf"\b{stem}", scale["5"].casefold()), scale["5"]
    for word in ("gorući", "горући", "горлив", "izražen", "изражен", "изразен"):
        assert not [t for t in _questionnaire_texts(lang) if word in t.casefold()], word
    texts = [m.string for m in _catalog(lang) if m.id and "pressing" in str(m.id)]
    assert texts and all(stem in text.casefold() for text in texts), texts


def test_albanian_uses_albanian_words_and_quotation_marks():
    catalog = _catalog("sq")
    assert catalog["Next"].string == "Vazhdoni" and catalog["Back"].string == "Prapa"
    texts = [m.string for m in catalog if m.id and m.string]
    texts = [t if isinstance(t, str) else " ".join(t) for t in texts]
    texts += _questionnaire_texts("sq")
    assert not [t for t in texts if re.search(r"\bdraft", t, re.I)]
    assert not [t for t in texts if re.search("[“”„]", t)], "Albanian quotes are « »"


def test_montenegrin_says_cijeli_and_pregledac():
    texts = [m.string for m in _catalog("cnr") if m.id and isinstance(m.string, str)]
    assert not [t for t in texts if re.search(r"\bcio\b", t)]
    assert not [t for t in texts if "pretraživač" in t]
    assert "pregledača" in _catalog("cnr")["The respondent's browser decides"].string


def test_macedonian_wording_and_letters():
    catalog = _catalog("mk")
    assert "ажурни" in catalog["Share of texts translated and up to date, per language"].string
    assert not [m.id for m in catalog if m.id and "Заради" in str(m.string)]
    for lang_texts in ([str(m.string) for m in catalog if m.id], _questionnaire_texts("mk")):
        assert not [t for t in lang_texts if re.search("[ЂђЋћ]", t)]


def test_bosnian_verbs_keep_one_ending():
    texts = [str(m.string) for m in _catalog("bs") if m.id] + _questionnaire_texts("bs")
    assert not [t for t in texts if re.search(r"reagova|pomiče", t)]


#: Informal (ti) imperatives that buttons and links used beside formal (Vi) hints and
#: messages on the same screen; buttons now address staff and respondents as Vi too.
INFORMAL_BUTTON_VERBS = {
    "bs": "Dodaj Izbriši Kreiraj Preuzmi Sačuvaj Prikaži Provjeri Uredi Odbij Prihvati Otkaži "
    "Zatvori Učitaj Pozovi Označi Pomjeri Objavi Nastavi Pošalji",
    "cnr": "Dodaj Izbriši Obriši Kreiraj Preuzmi Sačuvaj Prikaži Provjeri Uredi Odbij Prihvati "
    "Otkaži Zatvori Učitaj Otpremi Pozovi Označi Objavi Nastavi Pošalji",
    "sr": "Додај Избриши Направи Преузми Сачувај Прикажи Провери Уреди Одбиј Прихвати Откажи "
    "Затвори Учитај Отпреми Позови Означи Објави Настави Пошаљи",
    "mk": "Прифати Одбиј Избриши Пронајди Понуди Вчитај Прегледај Зачувај Повлечи",
    "sq": "Pranoje Refuzo Refuzoje Fshije Fshiji Gjeje Ofroje Lexo Ruaj Tërhiqe Kthehu",
}


@pytest.mark.parametrize("lang", sorted(INFORMAL_BUTTON_VERBS))
def test_buttons_and_links_address_the_reader_formally(lang):
    verbs = set(INFORMAL_BUTTON_VERBS[lang].split())
    informal = [
        m.string
        for m in _catalog(lang)
        if m.id and isinstance(m.string, str) and m.string and m.string.split()[0] in verbs
    ]
    assert not informal, informal[:10]
