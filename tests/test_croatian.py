"""Croatian (hr): its own texts in Croatian words, Croatian dates, a Mostar respondent's
whole path in Croatian, and Croatian first in Bosnia and Herzegovina's Croat-majority
municipalities."""

from __future__ import annotations

import csv
import io
import json
import re
import tomllib
from datetime import date

import pytest
from babel.messages.pofile import read_po
from flask_babel import format_date
from sqlalchemy import func, select

from surveyapp.extensions import db
from surveyapp.languages.catalog_files import po_path
from surveyapp.models import Campaign, Contact, Municipality
from surveyapp.outreach.contact_import import import_contacts
from surveyapp.outreach.languages import mail_language
from surveyapp.outreach.writing import sample_addressee
from surveyapp.places.reference_data import DATA_DIR
from surveyapp.places.town_languages import CROATIAN_MAJORITY, town_languages
from tests.outreach_support import STAFF
from tests.plans import answer_plan, builtin_version
from tests.test_language_rendering import CYRILLIC, _main_text

#: Words (stems) that Bosnian or Serbian use where Croatian says otherwise: a Croatian
#: text with one of them is a respelled Bosnian one. Croatian: tjedan, tisuća, povijest,
#: ako, tko, što, točno, uvjet, izvješće, općina, suradnja, sudjelovanje, zaposlenik,
#: osobni, izraditi, ponovno, razina, tablica, stupac, gumb, računalo, prevoditelj,
#: primatelj, obavijest, poveznica, sučelje, poslužitelj, popis, znamenka, šifrarnik,
#: područje, djelomično, utjecaj, proračun, akcijski, postotak, preglednik, Spremi.
NOT_CROATIAN = re.compile(
    r"\b(?:ko|šta|niko|neko)\b"
    r"|\b(?:sedmic|hiljad|histori|ukoliko|tačn|uslov|izvještaj|opštin|saradnj|učešć|učestvu|"
    r"uposlen|lični|lično|kreira|ponovo|nivo|tabel|kolon|dugme|računar|prevodilac|"
    r"prevodioc|primalac|primaoc|pošiljalac|obavještenj|link|interfejs|server|spisak|spisk|"
    r"cifr|šifarnik|oblast|djelimično|uticaj|budžet|akcion|procenat|pretraživač|pregledač|"
    r"sačuvaj|generiše|informiše|reaguj|bezbjed|podršk)\w*",
    re.IGNORECASE,
)
PLACEHOLDER = re.compile(r"%\(\w+\)[sd]|\{\w+\}")


def _croatian_texts() -> dict[str, str]:
    """Every Croatian text the app ships: interface, questionnaire, mails, demo answers."""
    texts: dict[str, str] = {}
    catalog = read_po(io.BytesIO(po_path("hr").read_bytes()))
    for message in catalog:
        if message.id:
            forms = message.string if message.pluralizable else (message.string,)
            for number, form in enumerate(forms):
                texts[
                    f"po:{message.id if isinstance(message.id, str) else message.id[0]}:{number}"
                ] = form

    def walk(node, path: str) -> None:
        if isinstance(node, dict):
            if isinstance(node.get("hr"), str):
                texts[f"questionnaire:{path}"] = node["hr"]
            for key, value in node.items():
                walk(value, f"{path}/{key}")
        elif isinstance(node, list):
            for number, value in enumerate(node):
                walk(value, f"{path}/{number}")

    walk(json.loads((DATA_DIR / "questionnaires" / "city_needs.json").read_text("utf-8")), "")
    mails = tomllib.loads((DATA_DIR / "mail_templates.toml").read_text("utf-8"))
    for kind in ("invitation", "reminder"):
        for part, text in mails[kind]["hr"].items():
            texts[f"mail:{kind}.{part}"] = text
    demo = json.loads((DATA_DIR / "demo_patterns.json").read_text("utf-8"))
    for key, per_language in demo["free_text"].items():
        for number, text in enumerate(per_language["hr"]):
            texts[f"demo:{key}:{number}"] = text
    return texts


def test_every_croatian_text_is_there_and_in_croatian_words():
    texts = _croatian_texts()
    assert len([k for k in texts if k.startswith("questionnaire:")]) >= 97
    assert {k for k in texts if k.startswith("mail:")} == {
        "mail:invitation.subject",
        "mail:invitation.body",
        "mail:reminder.subject",
        "mail:reminder.body",
    }
    empty = [key for key, text in texts.items() if not text.strip()]
    assert not empty, empty
    found = {
        key: match.group(0)
        for key, text in texts.items()
        if (match := NOT_CROATIAN.search(PLACEHOLDER.sub(" ", text)))
    }
    assert not found, found
    assert not any(CYRILLIC.search(text) for text in texts.values())


def test_croatian_texts_are_written_not_respelled_from_bosnian():
    """Croatian and Bosnian share grammar and much vocabulary, so short texts are often
    the same (Odgovor, Kampanja, Lozinka, "Ne znam", counts). A sentence of any length
    is written differently in a Croatian text (infinitive for "da" + present, Croatian
    words): fewer than 1 in 10 of the long ones may match the Bosnian text word for word."""
    croatian = read_po(io.BytesIO(po_path("hr").read_bytes()))
    bosnian = read_po(io.BytesIO(po_path("bs").read_bytes()))

    def text(string) -> str:
        return string if isinstance(string, str) else " ".join(string)

    long = [m for m in croatian if m.id and len(text(m.string)) > 80 * (1 + m.pluralizable)]
    same = [m.id for m in long if bosnian.get(m.id).string == m.string]
    assert len(long) > 150 and len(same) < len(long) / 10, same
    questionnaire = json.loads((DATA_DIR / "questionnaires" / "city_needs.json").read_text("utf-8"))
    questions = [q for page in questionnaire["pages"] for q in page["questions"]]
    alike = [
        q["name"]
        for q in questions
        if q["label"]["hr"] == q["label"]["bs"] and len(q["label"]["hr"]) > 40
    ]
    assert len(questions) > 20 and not alike, alike


def test_croatian_dates_have_croatian_months(app):
    months = [date(2026, month, 15) for month in range(1, 13)]
    with app.test_request_context("/hr/"):
        app.preprocess_request()
        assert format_date(date(2026, 3, 15), "long") == "15. ožujka 2026."
        assert format_date(date(2026, 3, 15), "full") == "nedjelja, 15. ožujka 2026."
        assert [format_date(day, "LLLL") for day in months] == [
            "siječanj", "veljača", "ožujak", "travanj", "svibanj", "lipanj",
            "srpanj", "kolovoz", "rujan", "listopad", "studeni", "prosinac",
        ]  # fmt: skip


def test_a_mostar_respondent_answers_in_croatian_from_start_to_thanks(app, client, respondent):
    person = respondent("hr", municipality="ba-mostar", role="councillor", language="hr")
    opened = client.get(f"/r/{person.token}")
    assert opened.location.endswith(f"/hr/r/{person.token}")
    start = person.get().get_data(as_text=True)
    assert '<html lang="hr"' in start
    text = _main_text(start)
    assert not CYRILLIC.search(text), text
    assert "Mostar" in text and "Bosna i Hercegovina" in text
    assert "Sudjelovanje je dobrovoljno" in text  # the privacy notice, in Croatian
    assert "Slažem se i započinjem upitnik" in start
    assert not NOT_CROATIAN.search(text), NOT_CROATIAN.search(text).group(0)

    with app.app_context():
        plans = answer_plan(builtin_version(), variant=3)
    assert person.consent().status_code == 303
    first = _main_text(person.get("/p/1").get_data(as_text=True))
    assert "O Vašoj općini i Vašoj ulozi" in first and "Dalje" in first
    person.answer_every_page(plans)
    review = _main_text(person.get("/review").get_data(as_text=True))
    assert "U kojoj je mjeri Vaša općina sposobna" in review
    assert "Pošalji odgovore" in review
    assert not NOT_CROATIAN.search(review), NOT_CROATIAN.search(review)
    assert person.submit().location.endswith("/thanks")
    thanks = _main_text(person.get("/thanks").get_data(as_text=True))
    assert "Hvala, Vaši su odgovori zaprimljeni" in thanks
    assert re.search(
        r"\d{1,2}\. (siječnja|veljače|ožujka|travnja|svibnja|lipnja|srpnja|"
        r"kolovoza|rujna|listopada|studenoga|prosinca) \d{4}\.",
        thanks,
    ), thanks


def test_the_invitation_language_can_be_croatian(app, staff, client):
    analyst = staff("analyst")
    with app.app_context():
        campaign_id = db.session.scalar(select(Campaign.id))
    url = f"/en/staff/campaigns/{campaign_id}/invite"
    form = analyst.client.get(url).get_data(as_text=True)
    assert re.search(r'<option value="hr">Hrvatski</option>', form), "hr is offered"
    made = analyst.post_form(
        url, {"municipalities": ["ba-livno"], "roles": ["mayor"], "language": "hr"}
    )
    assert made.status_code == 303
    with analyst.client.get(f"/en/staff/campaigns/{campaign_id}/invitations.csv") as got:
        (row,) = list(csv.DictReader(io.StringIO(got.get_data().decode("utf-8-sig"))))
    assert row["language"] == "hr"
    link = row["link"].replace("http://localhost", "")
    assert client.get(link).location.endswith(f"/hr{link}")


def test_croat_majority_municipalities_take_croatian_first():
    bosnia = ["bs", "sr", "sr-Latn", "hr"]
    for code in ("ba-mostar", "ba-livno", "ba-siroki-brijeg", "ba-citluk", "ba-orasje"):
        assert code in CROATIAN_MAJORITY
        assert town_languages(code, bosnia) == ["hr", "bs", "sr", "sr-Latn"]
    assert town_languages("ba-centar-sarajevo", bosnia) == bosnia
    assert town_languages("ba-istocni-mostar", bosnia) == bosnia  # Republika Srpska
    # A contact whose own language the campaign lacks is written to in Croatian in
    # Mostar, in Bosnian in Sarajevo.
    offered = ["en", "bs", "hr"]
    assert mail_language("sq", town_languages("ba-mostar", bosnia), offered) == "hr"
    assert mail_language("sq", town_languages("ba-centar-sarajevo", bosnia), offered) == "bs"


def test_every_croat_majority_code_is_a_municipality_of_bosnia(app):
    with app.app_context():
        towns = {
            town.code: town.country.code
            for town in db.session.scalars(
                select(Municipality).where(Municipality.code.in_(CROATIAN_MAJORITY))
            )
        }
    assert towns == dict.fromkeys(CROATIAN_MAJORITY, "BA")


def test_an_imported_contact_in_mostar_without_a_language_is_written_to_in_croatian(app):
    data = "\r\n".join(
        [
            "Ime i prezime;E-pošta;Uloga;Općina;Jezik",
            "Ivana Marić;ivana@example.org;Općinski načelnik / gradonačelnik;Mostar;",
            "Ante Kovač;ante@example.org;vijećnik;Livno;hrvatski",
            "Edin Hadžić;edin@example.org;vijećnik;ba-centar-sarajevo;",
        ]
    ).encode("utf-8-sig")
    with app.app_context():
        report = import_contacts(data, STAFF)
        assert report.ok, report
        languages = {c.email: c.language for c in db.session.scalars(select(Contact))}
        preview = sample_addressee("hr")
        assert preview.town.code in CROATIAN_MAJORITY
    assert languages == {
        "ivana@example.org": "hr",
        "ante@example.org": "hr",
        "edin@example.org": "bs",
    }


def test_place_names_on_croatian_pages_fall_back_to_the_bosnian_ones(app):
    with app.app_context():
        for town in db.session.scalars(select(Municipality)):
            name = town.name("hr")
            assert name == town.name("bs"), town.code
            assert not CYRILLIC.search(name), town.code


@pytest.mark.parametrize("lang", ["hr", "bs"])
def test_the_country_is_named_in_the_readers_language(app, lang):
    from surveyapp.models import Country

    with app.app_context():
        bosnia = db.session.scalar(select(Country).where(Country.code == "BA"))
        assert bosnia.name(lang) == "Bosna i Hercegovina"
        assert "hr" in bosnia.languages


def test_croatian_plural_forms_are_cldrs():
    """The catalog's Plural-Forms pick, for every count, the form CLDR's rule for hr
    names (one / few / other), and the catalog says so in its header."""
    from gettext import c2py

    from babel import Locale
    from babel.messages.plurals import get_plural

    from surveyapp.languages.registry import LANGUAGES

    catalog = read_po(io.BytesIO(po_path("hr").read_bytes()))
    assert catalog.plural_forms == LANGUAGES["hr"].plural_forms
    assert catalog.num_plurals == get_plural("hr").num_plurals == 3
    plural = c2py(catalog.plural_expr)
    cldr = Locale.parse("hr").plural_form
    index = {"one": 0, "few": 1, "other": 2}
    for n in range(0, 1200):
        assert plural(n) == index[cldr(n)], n


def test_an_installation_from_before_croatian_gets_the_croatian_texts_on_seed(app):
    """A database seeded before Croatian existed has the built-in questionnaire without
    hr texts; seeding again adds them (and the domains' Croatian names), except for a
    text whose English was edited since: that one waits for a translator."""
    from surveyapp.models import Domain, TextEntry
    from surveyapp.questionnaires import text_keys
    from surveyapp.questionnaires.definition_file import load_questionnaire
    from surveyapp.questionnaires.texts import offered_languages

    with app.app_context():
        version = builtin_version()
        edited = text_keys.question_label("staff_prevention")
        db.session.execute(
            TextEntry.__table__.delete().where(
                TextEntry.version_id == version.id, TextEntry.lang == "hr"
            )
        )
        english = db.session.scalar(
            select(TextEntry).where(
                TextEntry.version_id == version.id,
                TextEntry.key == edited,
                TextEntry.lang == "en",
            )
        )
        english.text = "How many staff of the municipality work on prevention?"
        for domain in db.session.scalars(select(Domain)):
            domain.labels = {k: v for k, v in domain.labels.items() if k != "hr"}
        db.session.commit()
        assert "hr" not in offered_languages(version.id)

        assert load_questionnaire().id == version.id
        croatian = dict(
            db.session.execute(
                select(TextEntry.key, TextEntry.text).where(
                    TextEntry.version_id == version.id, TextEntry.lang == "hr"
                )
            ).all()
        )
        assert croatian[text_keys.PRIVACY_CONSENT] == (
            "Pročitao/Pročitala sam ovu obavijest i pristajem sudjelovati."
        )
        assert edited not in croatian
        bosnian = db.session.scalar(
            select(func.count()).where(TextEntry.version_id == version.id, TextEntry.lang == "bs")
        )
        assert len(croatian) == bosnian - 1
        assert all("hr" in d.labels for d in db.session.scalars(select(Domain)))
        # Seeding once more changes nothing.
        load_questionnaire()
        assert db.session.scalar(
            select(func.count()).where(TextEntry.version_id == version.id, TextEntry.lang == "hr")
        ) == len(croatian)
