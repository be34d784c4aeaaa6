"""What each language's reader actually sees: scripts, plural forms, dates, numbers."""

from __future__ import annotations

import html as html_lib
import io
import re
from datetime import date

import pytest
from babel.messages.pofile import read_po
from flask_babel import format_date, format_decimal, ngettext

from surveyapp.languages.catalog_files import po_path
from surveyapp.languages.transliteration import cyrillic_to_latin

CYRILLIC = re.compile(r"[\u0400-\u04FF]")
TAG = re.compile(r"<[^>]+>")


def _main_text(page_html: str) -> str:
    """The visible text of <main>, without the language switcher in the header."""
    main = page_html.split('<main id="main"', 1)[1].split("</main>", 1)[0]
    return re.sub(r"\s+", " ", html_lib.unescape(TAG.sub(" ", main.split(">", 1)[1]))).strip()


def test_a_montenegrin_page_is_montenegrin_and_has_no_cyrillic(respondent):
    text = _main_text(respondent("cnr", municipality="me-cetinje").get().get_data(as_text=True))
    assert not CYRILLIC.search(text), text
    assert "Crna Gora" in text
    assert "opštin" in text.lower(), "Montenegrin says opština, not općina"


def test_serbian_is_cyrillic_and_serbian_latin_is_the_same_text_transliterated(respondent):
    person = respondent("sr", municipality="rs-novi-sad")
    cyrillic = _main_text(person.get().get_data(as_text=True))
    latin = _main_text(person.client.get(person.url(lang="sr-Latn")).get_data(as_text=True))
    assert len(CYRILLIC.findall(cyrillic)) > 200
    assert not CYRILLIC.search(latin)
    assert latin == cyrillic_to_latin(cyrillic)


def _plural_forms(code: str, singular: str) -> list[str]:
    catalog = read_po(io.BytesIO(po_path(code).read_bytes()))
    return list(next(m for m in catalog if m.pluralizable and m.id[0] == singular).string)


SINGULAR, PLURAL = "Please check %(num)d answer", "Please check %(num)d answers"


@pytest.mark.parametrize(
    ("lang", "form_for"),
    [
        # Macedonian: one form for 1, 21, 31 ... but not 11 or 111.
        ("mk", {1: 0, 2: 1, 11: 1, 21: 0, 111: 1}),
        # Serbian, Bosnian, Montenegrin, Croatian: one / few / many.
        ("sr", {1: 0, 2: 1, 5: 2, 11: 2, 21: 0, 22: 1, 25: 2, 111: 2}),
        ("bs", {1: 0, 3: 1, 12: 2, 21: 0, 104: 1}),
        ("cnr", {1: 0, 4: 1, 14: 2, 31: 0}),
        # Croatian: CLDR's one / few / many, as Bosnian and Serbian.
        ("hr", {1: 0, 2: 1, 5: 2, 11: 2, 12: 2, 21: 0, 22: 1, 101: 0, 111: 2, 1004: 1}),
        ("sq", {1: 0, 2: 1, 21: 1}),
    ],
)
def test_plural_forms_follow_each_language(app, lang, form_for):
    forms = _plural_forms(lang, SINGULAR)
    with app.test_request_context(f"/{lang}/"):
        app.preprocess_request()
        for number, index in form_for.items():
            assert ngettext(SINGULAR, PLURAL, number) == forms[index] % {"num": number}, number


def test_serbian_latin_plurals_are_the_cyrillic_ones_transliterated(app):
    forms = _plural_forms("sr", SINGULAR)
    with app.test_request_context("/sr-Latn/"):
        app.preprocess_request()
        assert ngettext(SINGULAR, PLURAL, 22) == cyrillic_to_latin(forms[1]) % {"num": 22}


@pytest.mark.parametrize(
    ("lang", "long_date", "number"),
    [
        ("en", "March 15, 2026", "12,345.5"),
        ("sq", "15 mars 2026", "12\u00a0345,5"),
        ("bs", "15. mart 2026.", "12.345,5"),
        ("mk", "15 март 2026 г.", "12.345,5"),
        ("sr", "15. март 2026.", "12.345,5"),
        ("sr-Latn", "15. mart 2026.", "12.345,5"),
        ("cnr", "15. mart 2026.", "12.345,5"),
        ("hr", "15. ožujka 2026.", "12.345,5"),
    ],
)
def test_dates_and_numbers_are_formatted_per_language(app, lang, long_date, number):
    with app.test_request_context(f"/{lang}/"):
        app.preprocess_request()
        spaces = str.maketrans({"\u202f": " ", "\u00a0": " "})
        assert format_date(date(2026, 3, 15), "long").translate(spaces) == long_date
        assert format_decimal(12345.5).replace("\u202f", "\u00a0") == number


def test_montenegrin_weekdays_are_ijekavian(app):
    with app.test_request_context("/cnr/"):
        app.preprocess_request()
        assert format_date(date(2026, 3, 15), "full").startswith("nedjelja")


def test_a_choice_without_a_label_shows_its_value_and_everything_is_escaped(app):
    from flask_wtf import FlaskForm
    from wtforms import RadioField, SelectChoice

    from surveyapp.web.survey.display import choice_inputs

    class Form(FlaskForm):
        pick = RadioField(choices=[SelectChoice("a", ""), SelectChoice("b&", "<b>Bold</b>")])

    with app.test_request_context():
        html = str(
            choice_inputs(Form(formdata=None, data={"pick": "b&"}, meta={"csrf": False}).pick)
        )
    assert '<label for="pick-0">a</label>' in html
    assert 'checked id="pick-1" name="pick" type="radio" value="b&amp;"' in html
    assert "&lt;b&gt;Bold&lt;/b&gt;" in html and "<b>" not in html


@pytest.mark.parametrize("lang", ["mk", "sr-Latn", "en"])
def test_template_messages_read_as_jinja_would_write_them(app, lang):
    """``_()`` in templates: the request's catalog, variables escaped, "%%" read as "%"."""
    from flask import g, render_template_string

    from surveyapp.languages.current import CATALOGS_KEY

    with app.test_request_context(f"/{lang}/"):
        g.lang = lang
        catalog = app.extensions[CATALOGS_KEY].get(lang)
        page = catalog.gettext("Page %(number)d of %(total)d") % {"number": 2, "total": 5}
        out = render_template_string(
            '{{ _("Page %(number)d of %(total)d", number=2, total=5) }}|{{ _("Next") }}|'
            '{{ _("%(name)s", name="<b>&") }}|{{ _("100%% sure") }}'
        )
    next_ = html_lib.escape(catalog.gettext("Next"))
    assert out == f"{html_lib.escape(page)}|{next_}|&lt;b&gt;&amp;|100% sure"
    if lang != "en":
        assert catalog.gettext("Next") != "Next"
