"""Questionnaire texts go out as .po catalogs and come back checked, whole or not at all."""

from __future__ import annotations

import io

import pytest
from babel.messages.pofile import read_po, write_po
from sqlalchemy import select

from surveyapp.extensions import db
from surveyapp.models import TextEntry
from surveyapp.questionnaires.texts import offered_languages, source_hash, translation_status
from surveyapp.questionnaires.translation.po_files import export_catalog, import_catalog
from tests.plans import builtin_version

TITLE = "questionnaire.title"


def _version_id(app) -> int:
    with app.app_context():
        return builtin_version().id


def _export(app, lang: str | None):
    with app.app_context():
        data = export_catalog(_version_id(app), lang)
    return read_po(io.BytesIO(data)), data


def _po_bytes(catalog) -> bytes:
    buffer = io.BytesIO()
    write_po(buffer, catalog, width=0)
    return buffer.getvalue()


def _text(app, key: str, lang: str) -> str:
    with app.app_context():
        return db.session.scalar(
            select(TextEntry.text).where(
                TextEntry.version_id == _version_id(app),
                TextEntry.key == key,
                TextEntry.lang == lang,
            )
        )


def test_export_gives_every_text_with_context_and_translator_comments(app):
    catalog, data = _export(app, "mk")
    assert b'"Language: mk\\n"' in data
    assert b"Plural-Forms: nplurals=2; plural=(n%10==1 && n%100!=11 ? 0 : 1);" in data
    messages = {m.context: m for m in catalog if m.id}
    assert messages[TITLE].string == _text(app, TITLE, "mk")
    label = next(
        m for key, m in messages.items() if key.startswith("q.") and key.endswith(".label")
    )
    assert label.auto_comments and label.auto_comments[0].startswith("Page 1")
    template, _ = _export(app, None)
    assert all(not m.string for m in template if m.id)
    assert len([m for m in template if m.id]) == len(messages)


def test_round_trip_a_translation_reaches_the_respondent_page(app, runner, respondent, tmp_path):
    path = tmp_path / "city_needs.mk.po"
    export = ["translate", "export-questionnaire", "city_needs", "--language=mk", f"-o{path}"]
    assert runner.invoke(args=export).exit_code == 0
    catalog = read_po(io.BytesIO(path.read_bytes()))
    catalog.get(_source(app, TITLE), context=TITLE).string = "Потреби и приоритети на општината"
    path.write_bytes(_po_bytes(catalog))
    result = runner.invoke(args=["translate", "import-questionnaire", "city_needs", str(path)])
    assert result.exit_code == 0, result.output
    assert "mk: 1 texts updated." in result.output
    page = respondent("mk").get().get_data(as_text=True)
    assert "Потреби и приоритети на општината" in page


def _source(app, key: str) -> str:
    return _text(app, key, "en")


def _changed_title_catalog(app, lang: str = "mk"):
    catalog, _ = _export(app, lang)
    catalog.get(_source(app, TITLE), context=TITLE).string = "Нов наслов"
    return catalog


@pytest.mark.parametrize(
    "spoil",
    ["unknown id", "broken placeholder", "fuzzy", "wrong language", "changed source"],
)
def test_a_refused_import_changes_nothing_and_says_where(app, spoil):
    before = _text(app, TITLE, "mk")
    catalog = _changed_title_catalog(app)
    expected_lang = "mk"
    if spoil == "unknown id":
        catalog.add("Something else", "Нешто друго", context="q.no_such_question.label")
    elif spoil == "broken placeholder":
        label = next(m for m in catalog if m.context and m.context.endswith(".label"))
        label.string += " %(name)s"
    elif spoil == "fuzzy":
        next(m for m in catalog if m.context == "privacy.consent").flags.add("fuzzy")
    elif spoil == "wrong language":
        expected_lang = "sr"
    elif spoil == "changed source":
        message = catalog.get(_source(app, "privacy.consent"), context="privacy.consent")
        catalog.delete(message.id, context="privacy.consent")
        catalog.add("I agree.", message.string, context="privacy.consent")
    data = _po_bytes(catalog)
    with app.app_context():
        report = import_catalog(_version_id(app), data, expected_lang)
    assert not report.applied
    assert report.problems and all(p.line >= 1 for p in report.problems)
    assert _text(app, TITLE, "mk") == before


def test_bad_encoding_is_refused_with_its_line(app):
    catalog = _changed_title_catalog(app, "sr")
    data = _po_bytes(catalog).decode("utf-8").encode("cp1251", errors="replace")
    with app.app_context():
        report = import_catalog(_version_id(app), data)
    assert not report.applied
    first_non_ascii = next(
        number
        for number, line in enumerate(data.split(b"\n"), start=1)
        if max(line, default=0) > 127
    )
    assert "UTF-8" in str(report.problems[0].message)
    assert report.problems[0].line == first_non_ascii


def test_a_file_that_is_not_a_catalog_is_refused(app):
    with app.app_context():
        report = import_catalog(_version_id(app), b"PK\x03\x04 this is a zip file", "mk")
    assert not report.applied and report.problems


def test_a_changed_source_marks_translations_out_of_date_until_reviewed(app, respondent):
    key = TITLE
    with app.app_context():
        version_id = _version_id(app)
        source = db.session.scalar(
            select(TextEntry).where(
                TextEntry.version_id == version_id, TextEntry.key == key, TextEntry.lang == "en"
            )
        )
        source.text = "Local needs and priorities"
        source.source_hash = source_hash(source.text)
        db.session.commit()
        status = translation_status(version_id)
        assert status["mk"].outdated == 1 and not status["mk"].complete
        # An out-of-date translation stays live, marked for review (#14: a wording
        # fix in English must not take five languages offline).
        assert "mk" in offered_languages(version_id)
    person = respondent("mk")
    assert person.get().status_code == 200

    catalog, data = _export(app, "mk")
    message = catalog.get("Local needs and priorities", context=key)
    assert message.fuzzy, "an outdated translation is exported as fuzzy for review"
    message.flags.discard("fuzzy")
    with app.app_context():
        report = import_catalog(version_id, _po_bytes(catalog))
        assert report.applied, report.problems
        assert translation_status(version_id)["mk"].complete
        assert "mk" in offered_languages(version_id)


def _change_english(app, key: str, text: str) -> None:
    with app.app_context():
        source = db.session.scalar(
            select(TextEntry).where(
                TextEntry.version_id == _version_id(app),
                TextEntry.key == key,
                TextEntry.lang == "en",
            )
        )
        source.text = text
        source.source_hash = source_hash(text)
        db.session.commit()


def test_a_wording_fix_in_english_keeps_every_language_live_for_a_respondent_half_way(
    app, respondent, staff
):
    """The trap of #14: "in part" → "partly" took five languages offline, and a
    Macedonian respondent half-way through was switched to English without a word."""
    person = respondent("mk")
    person.consent()
    first = person.get("/p/1").get_data(as_text=True)
    _change_english(app, TITLE, "City needs and priorities (revised)")
    page = person.get("/p/1")
    assert page.status_code == 200, page.location
    assert 'lang="mk"' in page.get_data(as_text=True)
    with app.app_context():
        assert offered_languages(_version_id(app)) == offered_languages(_version_id(app))
        assert set(offered_languages(_version_id(app))) >= {
            "sq",
            "bs",
            "mk",
            "sr",
            "sr-Latn",
            "cnr",
        }
    # Staff see which translations wait for review.
    translator = staff("translator")
    status = translator.client.get("/en/staff/translations").get_data(as_text=True)
    assert "out of date" in status and "City needs and priorities (revised)" in status
    assert 'lang="mk"' in first


def test_a_language_is_withdrawn_only_by_a_deliberate_act_and_never_under_a_respondent(
    app, respondent, staff
):
    halfway = respondent("sq")
    halfway.consent()
    version_id = _version_id(app)
    translator = staff("translator")
    withdrawn = translator.post_form(
        f"/en/staff/translations/{version_id}/languages",
        {"language": "sq", "action": "withdraw"},
        form_page="/en/staff/translations",
    )
    assert withdrawn.status_code == 303
    with app.app_context():
        assert "sq" not in offered_languages(version_id)
    # A new respondent is not offered Albanian any more ...
    newcomer = respondent("sq")
    assert newcomer.get().status_code in (302, 303)
    # ... but the one half-way through keeps it.
    page = halfway.get("/p/1")
    assert page.status_code == 200 and 'lang="sq"' in page.get_data(as_text=True)
    status = translator.client.get("/en/staff/translations").get_data(as_text=True)
    assert "withdrawn" in status.lower()
    offered_again = translator.post_form(
        f"/en/staff/translations/{version_id}/languages",
        {"language": "sq", "action": "offer"},
        form_page="/en/staff/translations",
    )
    assert offered_again.status_code == 303
    with app.app_context():
        assert "sq" in offered_languages(version_id)
