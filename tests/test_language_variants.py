"""Regional variants: Albanian as the municipality speaks it ("komuna" in Kosovo and
North Macedonia, "bashkia" in Albania), in the interface and in the questionnaire,
with each variant's missing strings falling back to the language's own."""

from __future__ import annotations

import re
from html import unescape

import pytest
from babel.messages.catalog import Catalog
from babel.messages.mofile import write_mo
from babel.messages.pofile import read_po, write_po
from sqlalchemy import delete, select

from surveyapp.extensions import db
from surveyapp.languages import catalog_files, registry
from surveyapp.languages.catalog_checks import check_variant_po_file
from surveyapp.languages.catalogs import CatalogCache
from surveyapp.languages.registry import VARIANTS, Variant, variant_for
from surveyapp.models import Campaign, TextEntry
from surveyapp.questionnaires import definition_file, text_keys
from tests.conftest import Respondent
from tests.plans import answer_plan, builtin_version

BASHKI = re.compile(r"\bbashki", re.IGNORECASE)
#: "komuna" and its forms, not "komuniteti" (community)
KOMUNA = re.compile(r"\bkomun(a|ë|ës|ën|at|ave|al|ale)\b", re.IGNORECASE)

#: municipality -> (what the municipality is called, its council, on Albanian pages)
PLACES = {
    "xk-ferizaj": ("komuna", "Anëtar i kuvendit komunal"),
    "mk-tetovo": ("komuna", "Anëtar i këshillit komunal"),
    "al-shkoder": ("bashkia", "Anëtar i këshillit bashkiak"),
}


def _text(response) -> str:
    return unescape(response.get_data(as_text=True))


@pytest.mark.parametrize("municipality", list(PLACES))
def test_an_albanian_invitation_speaks_as_its_municipality(
    app, client, make_invitation, municipality
):
    word, council = PLACES[municipality]
    token = make_invitation(municipality=municipality, role="councillor", language="sq")
    person = Respondent(client, token, "sq")
    assert client.get(f"/r/{token}").location.endswith(f"/sq/r/{token}")

    # The privacy notice, the role line and the button: the visible language is Shqip.
    start = _text(person.get())
    assert '<html lang="sq"' in start
    assert council in start
    assert "profile të nevojave të " + ("komunave" if word == "komuna" else "bashkive") in start
    # The questions.
    assert person.consent().status_code == 303
    with app.app_context():
        plans = answer_plan(builtin_version())
    page1 = _text(person.get("/p/1"))
    assert f"{word.capitalize()} juaj" in page1 or f"{word} juaj" in page1
    for number, plan in enumerate(plans, start=1):
        assert person.answer_page(number, plan.form).status_code == 303
    review = _text(person.get("/review"))
    # The thank-you page.
    assert person.submit().status_code == 303
    thanks = _text(person.get("/thanks"))
    assert ("komunat" if word == "komuna" else "bashkitë") in thanks
    if word == "komuna":
        for page in (start, page1, review, thanks):
            assert not BASHKI.search(page), BASHKI.search(page)
    else:
        assert not KOMUNA.search(start + page1 + thanks)


def test_every_albanian_page_of_a_kosovo_respondent_says_komuna(app, client, make_invitation):
    token = make_invitation(municipality="xk-prishtine", role="mayor", language="sq")
    person = Respondent(client, token, "sq")
    person.consent()
    with app.app_context():
        pages = len(builtin_version().pages)
    for number in range(1, pages + 1):
        page = _text(person.get(f"/p/{number}"))
        assert not BASHKI.search(page), (number, BASHKI.search(page))
    # The same respondent in another language reads that language's catalog, untouched.
    bosnian = _text(client.get(f"/bs/r/{token}/p/1"))
    assert "općin" in bosnian


def test_the_open_link_speaks_as_the_chosen_country(app, client):
    with app.app_context():
        token = db.session.scalar(
            select(Campaign.open_token).where(Campaign.open_token.is_not(None))
        )
    albania = _text(client.get(f"/sq/o/{token}?country=AL"))
    kosovo = _text(client.get(f"/sq/o/{token}?country=XK"))
    assert "bashkia dhe roli juaj" in albania
    assert "komuna dhe roli juaj" in kosovo and not BASHKI.search(kosovo)


def test_a_text_the_variant_does_not_override_comes_from_the_language(app, client, make_invitation):
    key = text_keys.page_title("about")
    with app.app_context():
        version = builtin_version()
        db.session.execute(
            delete(TextEntry).where(
                TextEntry.version_id == version.id, TextEntry.key == key, TextEntry.lang == "sq-XK"
            )
        )
        db.session.commit()
    token = make_invitation(municipality="xk-ferizaj", language="sq")
    person = Respondent(client, token, "sq")
    person.consent()
    page = _text(person.get("/p/1"))
    assert "Për bashkinë tuaj dhe rolin tuaj" in page  # the Albanian catalog's title
    assert "komuna juaj" in page  # the variant's intro and questions
    # Loading the built-in questionnaire again gives an older database the overrides.
    with app.app_context():
        definition_file.load_questionnaire()
    assert "Për komunën tuaj dhe rolin tuaj" in _text(person.get("/p/1"))


def _po(path, entries: dict[str, str], lang: str = "sq") -> None:
    catalog = Catalog(locale=lang, fuzzy=False)
    for msgid, msgstr in entries.items():
        catalog.add(msgid, msgstr)
    path.parent.mkdir(parents=True, exist_ok=True)
    with path.open("wb") as fp:
        write_po(fp, catalog)
    with path.with_suffix(".mo").open("wb") as fp:
        write_mo(fp, catalog)


def test_a_string_missing_from_a_variant_falls_back_to_the_language(tmp_path):
    _po(tmp_path / "sq/LC_MESSAGES/messages.po", {"Municipality": "Bashkia", "Next": "Vazhdo"})
    _po(tmp_path / "sq_XK/LC_MESSAGES/messages.po", {"Municipality": "Komuna", "Back": ""})
    catalogs = CatalogCache(tmp_path)
    kosovo = catalogs.get("sq", "sq-XK")
    assert kosovo.gettext("Municipality") == "Komuna"
    assert kosovo.gettext("Next") == "Vazhdo"  # not in the variant: the language's
    assert kosovo.gettext("Back") == "Back"  # empty in the variant, absent in both
    assert catalogs.get("sq").gettext("Municipality") == "Bashkia"
    # North Macedonia's catalog is not there: the language's, whole.
    assert catalogs.get("sq", "sq-MK").gettext("Municipality") == "Bashkia"
    # A variant of another language is ignored.
    assert catalogs.get("bs", "sq-XK").gettext("Municipality") == "Municipality"


def test_a_further_variant_is_a_catalog_and_one_registry_line(tmp_path, monkeypatch):
    """Serbian ijekavian for Republika Srpska: no code, and Serbian Latin follows."""
    ijekavian = Variant("sr-BA", "sr", "BA", "Српски (Република Српска)", entity="RS")
    monkeypatch.setitem(VARIANTS, ijekavian.code, ijekavian)
    assert variant_for("sr", "BA", "RS") == "sr-BA"
    assert variant_for("sr-Latn", "BA", "RS") == "sr-BA"
    assert variant_for("sr", "BA", "FBiH") is None and variant_for("sr", "RS") is None
    assert variant_for("bs", "BA", "RS") is None
    _po(tmp_path / "sr/LC_MESSAGES/messages.po", {"Next": "Даље", "river": "река"}, "sr")
    _po(tmp_path / "sr_BA/LC_MESSAGES/messages.po", {"river": "ријека"}, "sr")
    catalogs = CatalogCache(tmp_path)
    assert catalogs.get("sr", "sr-BA").gettext("river") == "ријека"
    assert catalogs.get("sr-Latn", "sr-BA").gettext("river") == "rijeka"
    assert catalogs.get("sr-Latn", "sr-BA").gettext("Next") == "Dalje"
    assert catalogs.get("sr").gettext("river") == "река"


def test_the_kosovo_and_north_macedonia_catalogs_override_every_bashki_string():
    with catalog_files.po_path("sq").open("rb") as fp:
        albanian = read_po(fp)
    for variant in ("sq-XK", "sq-MK"):
        with catalog_files.variant_po_path(variant).open("rb") as fp:
            overrides = read_po(fp)
        for message in albanian:
            strings = [message.string] if isinstance(message.string, str) else message.string
            if message.id and any(BASHKI.search(s) for s in strings):
                override = overrides.get(message.id, message.context)
                assert override is not None and override.string, (variant, message.id)
        for message in overrides:
            strings = [message.string] if isinstance(message.string, str) else message.string
            # Only where the word itself is the subject: «komuna» instead of «bashkia».
            strings = [s.replace("„bashkia“", "").replace("«bashkia»", "") for s in strings]
            assert not any(BASHKI.search(s) for s in strings), (variant, message.id)


def test_the_builtin_questionnaire_overrides_every_bashki_text(app):
    with app.app_context():
        version = builtin_version()
        rows = db.session.execute(
            select(TextEntry.key, TextEntry.lang, TextEntry.text).where(
                TextEntry.version_id == version.id, TextEntry.lang.in_(["sq", *VARIANTS])
            )
        ).all()
    albanian = {key for key, lang, text in rows if lang == "sq" and BASHKI.search(text)}
    assert len(albanian) > 30
    for variant in VARIANTS:
        overrides = {key: text for key, lang, text in rows if lang == variant}
        assert albanian <= set(overrides), variant
        assert not [key for key, text in overrides.items() if BASHKI.search(text)]


def test_translate_check_covers_the_variants(runner, monkeypatch, tmp_path):
    assert runner.invoke(args=["translate", "check"]).exit_code == 0
    broken = tmp_path / "sq_XK.po"
    text = catalog_files.variant_po_path("sq-XK").read_text("utf-8")
    assert "%(num)d komuna" in text
    broken.write_text(text.replace("%(num)d komuna", "%(numri)d komuna", 1), "utf-8")
    real = catalog_files.variant_po_path
    monkeypatch.setattr(
        catalog_files,
        "variant_po_path",
        lambda variant, directory=catalog_files.TRANSLATIONS: (
            broken if variant == "sq-XK" else real(variant, directory)
        ),
    )
    result = runner.invoke(args=["translate", "check"])
    assert result.exit_code == 1
    assert "numri" in result.output and "sq_XK.po" in result.output
    report = check_variant_po_file(broken, "sq-XK", catalog_files.POT)
    assert any("unknown %(numri)d" in p.message for p in report.problems)


def test_an_override_of_a_string_the_code_no_longer_has_is_reported(tmp_path):
    pot = tmp_path / "messages.pot"
    template = Catalog(fuzzy=False)
    template.add("Municipality")
    with pot.open("wb") as fp:
        write_po(fp, template)
    path = tmp_path / "sq_XK/LC_MESSAGES/messages.po"
    _po(path, {"Municipality": "Komuna", "Old wording": "Fjalë e vjetër"})
    report = check_variant_po_file(path, "sq-XK", pot)
    assert [p.message for p in report.problems] == [
        "override of 'Old wording', which is no longer a source string"
    ]
    # `translate update` keeps the variant small: the gone override becomes obsolete.
    assert catalog_files.update_variant("sq-XK", tmp_path, pot) == ["Old wording"]
    kept = path.read_text("utf-8")
    assert 'msgstr "Komuna"' in kept and '#~ msgid "Old wording"' in kept
    assert '"Language: sq-XK\\n"' in kept
    assert check_variant_po_file(path, "sq-XK", pot).ok


def test_the_registry_describes_the_variants():
    assert registry.VARIANTS["sq-XK"].catalog == "sq_XK"
    assert variant_for("sq", "XK") == "sq-XK" and variant_for("sq", "MK") == "sq-MK"
    assert variant_for("sq", "AL") is None and variant_for("mk", "MK") is None


def test_the_status_page_shows_the_variants_and_their_outdated_overrides(app, staff):
    translator = staff("translator")
    page = _text(translator.client.get("/en/staff/translations"))
    assert "Regional variants" in page
    for variant in VARIANTS.values():
        assert variant.name in page and variant.code in page
    assert "translations/sq_XK/LC_MESSAGES/messages.po" in page
    with catalog_files.variant_po_path("sq-XK").open("rb") as fp:
        interface = sum(1 for m in read_po(fp) if m.id)
    assert f"{interface} texts overridden" in page

    # An English text changes: the Kosovo override is out of date, listed, and fixed there.
    key = text_keys.page_title("about")
    with app.app_context():
        version_id = builtin_version().id
        source = db.session.scalar(
            select(TextEntry).where(
                TextEntry.version_id == version_id, TextEntry.key == key, TextEntry.lang == "en"
            )
        )
        source.text, source.source_hash = "About your municipality", "changed"
        db.session.commit()
    page = _text(translator.client.get("/en/staff/translations"))
    fix = f"/en/staff/translations/{version_id}/sq-XK/edit?key={key}"
    assert fix in page and "1 text out of date" in page
    assert f"/{version_id}/sq-MK/edit?key={key}" in page
    # A text the variant does not override is no gap for it.
    other = text_keys.QUESTIONNAIRE_TITLE
    assert f"/{version_id}/sq-XK/edit?key={other}" not in page
    saved = translator.post_form(fix, {"text": "Për komunën tuaj"})
    assert saved.status_code == 303
    with app.app_context():
        assert (
            db.session.scalar(
                select(TextEntry.text).where(
                    TextEntry.version_id == version_id,
                    TextEntry.key == key,
                    TextEntry.lang == "sq-XK",
                )
            )
            == "Për komunën tuaj"
        )
    assert fix not in _text(translator.client.get("/en/staff/translations"))


@pytest.mark.parametrize(
    ("municipality", "role"),
    [("xk-ferizaj", "Kryetar i komunës"), ("al-shkoder", "Kryetar i bashkisë")],
)
def test_a_mail_in_albanian_names_the_role_as_the_municipality_does(app, municipality, role):
    from surveyapp.models import Municipality
    from surveyapp.models.outreach import MAIL_INVITATION
    from surveyapp.outreach.links import Links
    from surveyapp.outreach.writing import Addressee, MailWriter
    from tests.outreach_support import demo_campaign

    with app.app_context():
        town = db.session.scalar(select(Municipality).where(Municipality.code == municipality))
        writer = MailWriter(demo_campaign(), MAIL_INVITATION, Links("https://survey.example.org"))
        mail = writer.write(Addressee("Arta", "mayor", town, town.country, "tok", "out"), "sq")
        # The same contact written to in Serbian: Serbian's catalog, untouched.
        serbian = writer.write(Addressee("Arta", "mayor", town, town.country, "t", "o"), "sr")
    assert f"Roli: {role}" in mail.text_body
    assert "Председник општине" in serbian.text_body


def _texts_of(app, version_id: int, key: str) -> dict[str, str]:
    with app.app_context():
        rows = db.session.execute(
            select(TextEntry.lang, TextEntry.text).where(
                TextEntry.version_id == version_id, TextEntry.key == key
            )
        )
        return dict(rows.all())


def test_a_variant_questionnaire_catalog_goes_out_and_back_as_po(app, staff):
    import io

    translator = staff("translator")
    with app.app_context():
        version_id = builtin_version().id
    about = text_keys.page_title("about")
    title = text_keys.QUESTIONNAIRE_TITLE
    assert f"/en/staff/translations/{version_id}/sq-XK.po" in _text(
        translator.client.get("/en/staff/translations")
    )
    download = translator.client.get(f"/en/staff/translations/{version_id}/sq-XK.po")
    assert download.status_code == 200
    text = download.get_data(as_text=True)
    assert '"Language: sq-XK\\n"' in text and "nplurals=2" in text
    assert "#. sq: Për bashkinë tuaj dhe rolin tuaj" in text  # the language's text, to compare
    catalog = read_po(io.BytesIO(download.data))
    english = _texts_of(app, version_id, about)["en"]
    assert catalog.get(english, context=about).string == "Për komunën tuaj dhe rolin tuaj"
    # Empty an override (the language's text shows again), add one.
    catalog.get(english, context=about).string = ""
    catalog.get(_texts_of(app, version_id, title)["en"], context=title).string = "Nevojat e komunës"
    buffer = io.BytesIO()
    write_po(buffer, catalog)
    url = f"/en/staff/translations/{version_id}/upload"
    refused = translator.post_form(
        url,
        {"language": "sq", "catalog": (io.BytesIO(buffer.getvalue()), "city_needs.sq-XK.po")},
        content_type="multipart/form-data",
    )
    assert refused.status_code == 422 and "not for" in _text(refused)
    done = translator.post_form(
        url,
        {"language": "", "catalog": (io.BytesIO(buffer.getvalue()), "city_needs.sq-XK.po")},
        content_type="multipart/form-data",
    )
    assert done.status_code == 303
    assert "sq-XK" not in _texts_of(app, version_id, about)
    assert _texts_of(app, version_id, about)["sq"] == "Për bashkinë tuaj dhe rolin tuaj"
    assert _texts_of(app, version_id, title)["sq-XK"] == "Nevojat e komunës"
    assert _texts_of(app, version_id, title)["sq"] == "Nevojat dhe prioritetet vendore"


def test_staff_preview_the_questionnaire_as_kosovo_reads_it(app, staff):
    from tests.conftest import csrf_token

    analyst = staff("analyst")
    with app.app_context():
        version_id = builtin_version().id
    base = f"/en/staff/questionnaires/{version_id}/preview"
    albanian = _text(analyst.client.get(f"{base}/sq/1"))
    assert "Për bashkinë tuaj dhe rolin tuaj" in albanian
    assert 'value="lang:sq-XK"' in albanian and "Shqip (Kosovë)" in albanian
    # The staff page itself stays in the staff member's language and catalog.
    assert "Preview as a respondent" in albanian
    switched = analyst.client.post(
        f"{base}/sq/1",
        data={"csrf_token": csrf_token(albanian), "action": "lang:sq-XK", "staff_prevention": "4"},
    )
    kosovo = _text(switched)
    assert switched.status_code == 200
    assert "Për komunën tuaj dhe rolin tuaj" in kosovo and 'value="4"' in kosovo
    assert f"{base}/sq-XK/1" in kosovo
    assert "Për komunën tuaj" in _text(analyst.client.get(f"{base}/sq-XK/1"))
    assert analyst.client.get(f"{base}/xx-XK/1").status_code == 404


def test_translate_status_lists_the_variants(runner):
    result = runner.invoke(args=["translate", "status"])
    assert result.exit_code == 0, result.output
    lines = result.output.splitlines()
    assert any(line.startswith("sq-XK") and "interface (overrides)" in line for line in lines)
    assert any(line.startswith("sq-MK") and "city_needs v1 (overrides)" in line for line in lines)
