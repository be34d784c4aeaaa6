"""Places as each reader knows them: names in the reader's language and letters, and
lists in the reader's alphabetical order (CLDR's, through ICU), on the pages people
use to pick a municipality."""

from __future__ import annotations

import re
from html import unescape

import icu
import pytest
from sqlalchemy import select

from surveyapp.extensions import db
from surveyapp.languages.registry import LANGUAGES
from surveyapp.models import Campaign, Country
from tests.conftest import csrf_token

#: Letters of Serbian Cyrillic that Macedonian does not have.
SERBIAN_ONLY = re.compile("[ЂђЋћ]")
OPTION = re.compile(r'<option value="([^"]*)"[^>]*>([^<]*)</option>')


def _open_token(app) -> str:
    with app.app_context():
        return db.session.scalar(select(Campaign.open_token).order_by(Campaign.id))


def _picker(client, open_token: str, lang: str, country: str) -> list[tuple[str, str]]:
    """The open link's municipality list for ``country`` on a ``lang`` page: (code, name)."""
    reply = client.get(f"/{lang}/o/{open_token}?country={country}")
    assert reply.status_code == 200, (lang, country, reply.status_code)
    html = reply.get_data(as_text=True)
    select_html = re.search(r'<select[^>]*name="municipality".*?</select>', html, re.S).group(0)
    return [(code, unescape(name)) for code, name in OPTION.findall(select_html)]


def _icu_order(names: list[str], locale: str) -> list[str]:
    collator = icu.Collator.createInstance(icu.Locale(locale))
    return sorted(names, key=collator.getSortKey)


def test_every_municipality_list_is_in_the_readers_alphabetical_order(app, client):
    """The open link's picker, for every country in every language, lists the
    municipalities as ICU's collation for the language's CLDR locale orders them."""
    open_token = _open_token(app)
    with app.app_context():
        countries = list(db.session.scalars(select(Country.code)))
    checked = 0
    for lang, language in LANGUAGES.items():
        for country in countries:
            options = _picker(client, open_token, lang, country)
            assert options[0][0] == "", "the list starts with a choice to make, not a town"
            names = [name for _code, name in options[1:]]
            assert len(names) > 20, (lang, country)
            assert names == _icu_order(names, language.babel_locale), (lang, country)
            checked += 1
    assert checked == len(LANGUAGES) * len(countries)


@pytest.mark.parametrize(
    ("lang", "country", "in_order"),
    [
        # Lj is a letter of its own, after L: Plav, Plužine, Pljevlja.
        ("cnr", "ME", ["Plav", "Plužine", "Pljevlja"]),
        ("sr-Latn", "RS", ["Crna Trava", "Čajetina", "Ćićevac", "Despotovac"]),
        ("bs", "BA", ["Cazin", "Centar Sarajevo", "Čapljina", "Čelinac"]),
        # Cyrillic lists start with А; Ѓ follows Г, Ќ follows К in Macedonian.
        ("mk", "MK", ["Аеродром", "Гостивар", "Ѓорче Петров", "Кривогаштани", "Куманово"]),
        ("sr", "RS", ["Ада", "Ћићевац", "Црна Трава"]),
        # Albanian: Ç after C, Gj after G, Sh after S.
        ("sq", "XK", ["Deçan", "Dragash", "Gjakovë", "Suharekë", "Shtërpcë", "Shtime"]),
    ],
)
def test_letters_of_their_own_sort_where_the_reader_looks_for_them(
    app, client, lang, country, in_order
):
    names = [name for code, name in _picker(client, _open_token(app), lang, country) if code]
    positions = [names.index(name) for name in in_order]
    assert positions == sorted(positions), [names[i] for i in sorted(positions)]
    if lang in ("mk", "sr"):
        assert names[0].startswith("А"), names[:3]


@pytest.mark.parametrize(
    ("lang", "leposavic", "zvecan"),
    [
        ("sr", "Лепосавић", "Звечан"),
        ("sr-Latn", "Leposavić", "Zvečan"),
        ("bs", "Leposavić", "Zvečan"),
        ("cnr", "Leposavić", "Zvečan"),
        ("sq", "Leposaviq", "Zveçan"),
        ("mk", "Лепосавиќ", "Звечан"),
    ],
)
def test_kosovo_municipalities_are_named_in_the_readers_language(
    app, client, lang, leposavic, zvecan
):
    names = dict(_picker(client, _open_token(app), lang, "XK"))
    assert names["xk-leposaviq"] == leposavic
    assert names["xk-zvecan"] == zvecan


def test_no_serbian_only_letter_appears_on_a_macedonian_page(app, client, staff, make_response):
    """Ђ and Ћ are Serbian letters: Macedonian pages write Ѓаковица, Ќуприја, Пеќ."""
    open_token = _open_token(app)
    for country in ("RS", "XK", "BA", "ME", "MK", "AL"):
        names = dict(_picker(client, open_token, "mk", country))
        assert not [name for name in names.values() if SERBIAN_ONLY.search(name)], country
    assert dict(_picker(client, open_token, "mk", "XK"))["xk-gjakove"] == "Ѓаковица"
    assert dict(_picker(client, open_token, "mk", "RS"))["rs-cuprija"] == "Ќуприја"
    make_response(municipality="rs-cuprija")
    admin = staff("admin")
    with app.app_context():
        campaign_id = db.session.scalar(select(Campaign.id).order_by(Campaign.id))
    pages = [
        f"/mk/o/{open_token}",
        f"/mk/staff/campaigns/{campaign_id}/profile",
        f"/mk/staff/campaigns/{campaign_id}/profile?area=RS",
        f"/mk/staff/campaigns/{campaign_id}/responses",
        f"/mk/staff/campaigns/{campaign_id}/invite",
        f"/mk/staff/campaigns/{campaign_id}/peers",
        "/mk/staff/contacts/new",
    ]
    for page in pages:
        reply = admin.client.get(page)
        assert reply.status_code == 200, page
        html = reply.get_data(as_text=True)
        assert not SERBIAN_ONLY.findall(html), (page, SERBIAN_ONLY.findall(html)[:5])
    assert "Ќуприја" in admin.client.get(pages[3]).get_data(as_text=True)
    # The same municipality on a Serbian page keeps its Serbian letters.
    assert "Ћуприја" in admin.client.get(pages[3].replace("/mk/", "/sr/")).get_data(as_text=True)


def test_the_open_link_asks_for_a_municipality_and_a_role_and_preselects_neither(app, client):
    open_token = _open_token(app)
    html = client.get(f"/bs/o/{open_token}?country=BA").get_data(as_text=True)
    for field, label in (("municipality", "Odaberite općinu"), ("role", "Odaberite ulogu")):
        select_html = re.search(rf'<select[^>]*name="{field}".*?</select>', html, re.S).group(0)
        first = OPTION.search(select_html)
        assert first.group(1) == "" and label.casefold() in first.group(2).casefold(), first
        assert "selected" not in select_html.split("</option>")[1]
    sent = client.post(
        f"/bs/o/{open_token}",
        data={"csrf_token": csrf_token(html), "country": "BA", "municipality": "", "role": ""},
    )
    assert sent.status_code == 200
    page = sent.get_data(as_text=True)
    assert "field-error" in page
    from surveyapp.models import Invitation

    with app.app_context():
        assert db.session.scalar(select(db.func.count()).select_from(Invitation)) == 0


def test_domain_labels_are_translated_on_serbian_latin_staff_pages(app, staff):
    """The questionnaire editor names each question's domain in the page's language;
    Serbian Latin reads the Serbian label transliterated, not the English one."""
    admin = staff("admin")
    with app.app_context():
        from surveyapp.models import Domain, QuestionnaireVersion

        version_id = db.session.scalar(select(QuestionnaireVersion.id))
        domain = db.session.scalars(select(Domain).order_by(Domain.position)).first()
        english, serbian = domain.labels["en"], domain.label("sr-Latn")
    assert serbian != english and not re.search("[А-я]", serbian)
    html = admin.client.get(f"/sr-Latn/staff/questionnaires/{version_id}").get_data(as_text=True)
    meta = " ".join(re.findall(r'<span class="meta">(.*?)</span>', html, re.S))
    assert serbian in meta and english not in meta


@pytest.mark.parametrize(
    ("lang", "code", "expected"),
    [
        ("sr", "al-durres", "Драч"),
        ("sr-Latn", "al-durres", "Drač"),
        ("mk", "al-durres", "Драч"),
        ("sq", "al-durres", "Durrës"),
        ("bs", "al-durres", "Durrës"),
        ("mk", "al-pustec", "Пустец"),
        ("sr", "al-belsh", "Belsh"),  # no Serbian name in the data: the official one
    ],
)
def test_a_language_reads_its_own_name_for_a_place(app, client, lang, code, expected):
    names = dict(_picker(client, _open_token(app), lang, "AL"))
    assert names[code] == expected


def test_macedonian_pages_name_belgrade_and_sarajevo_as_macedonian_does(app, client):
    open_token = _open_token(app)
    assert dict(_picker(client, open_token, "mk", "RS"))["rs-beograd"] == "Белград"
    assert dict(_picker(client, open_token, "sr", "RS"))["rs-beograd"] == "Београд"
    assert dict(_picker(client, open_token, "mk", "BA"))["ba-sarajevo"] == "Сараево"


def test_loading_the_data_again_brings_corrected_names_to_an_existing_database(app):
    from surveyapp.models import Municipality
    from surveyapp.places.reference_data import load_reference_data

    with app.app_context():
        town = db.session.scalar(select(Municipality).where(Municipality.code == "al-durres"))
        town.names, town.name_sq = None, "Durres"
        db.session.commit()
        load_reference_data()
        db.session.expire_all()
        town = db.session.scalar(select(Municipality).where(Municipality.code == "al-durres"))
        assert (town.name_sq, town.name("sr"), town.name("mk")) == ("Durrës", "Драч", "Драч")


def test_the_contact_form_preselects_no_municipality_role_or_language(staff):
    admin = staff("admin")
    html = admin.client.get("/sr/staff/contacts/new").get_data(as_text=True)
    for field in ("municipality", "role", "language"):
        select_html = re.search(rf'<select[^>]*name="{field}".*?</select>', html, re.S).group(0)
        first = OPTION.search(select_html)
        assert first.group(1) == "" and first.group(2).startswith("Изаберите"), (field, first)
        assert " selected" not in select_html, field
    municipalities = re.search(r'<select[^>]*name="municipality".*?</select>', html, re.S).group(0)
    # Each country's group in Serbian alphabetical order.
    group = re.search(r'<optgroup label="Србија">(.*?)</optgroup>', municipalities, re.S).group(1)
    names = [unescape(name) for _code, name in OPTION.findall(group)]
    assert names[0] == "Ада" and names == _icu_order(names, "sr")
    sent = admin.post_form(
        "/sr/staff/contacts/new",
        {"name": "Ана", "municipality": "rs-ada", "role": "mayor", "email": "ana@example.org"},
    )
    assert sent.status_code == 422 and "Молимо изаберите језик." in sent.get_data(as_text=True)
