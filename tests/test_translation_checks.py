"""`flask translate check` passes on our catalogs and catches what breaks them."""

from __future__ import annotations

import io

import pytest
from babel.messages.catalog import Catalog
from babel.messages.pofile import read_po

from surveyapp.languages.catalog_checks import check_catalog, check_po_file
from surveyapp.languages.catalog_files import catalog_languages, po_path
from surveyapp.languages.registry import LANGUAGES


@pytest.mark.parametrize("code", catalog_languages())
def test_every_interface_catalog_is_complete_and_consistent(code):
    report = check_po_file(po_path(code), code)
    assert report.ok, "\n".join(map(str, report.problems))
    assert report.translated == report.total > 50


def test_the_check_command_passes(runner):
    result = runner.invoke(args=["translate", "check"])
    assert result.exit_code == 0, result.output


PO = """\
msgid ""
msgstr ""
"Language: {code}\\n"
"Plural-Forms: {plurals}\\n"
"Content-Type: text/plain; charset=utf-8\\n"

msgid "Hello, %(name)s!"
msgstr "Zdravo, %(name)s!"

msgid "%(num)d answer"
msgid_plural "%(num)d answers"
msgstr[0] "%(num)d odgovor"
msgstr[1] "%(num)d odgovora"
msgstr[2] "%(num)d odgovora"
{extra}"""


def _catalog(code: str, plural_forms: str | None = None, extra: str = "") -> Catalog:
    text = PO.format(code=code, plurals=plural_forms or LANGUAGES[code].plural_forms, extra=extra)
    return read_po(io.BytesIO(text.encode()))


def _with(catalog_code: str, entry: str) -> Catalog:
    return _catalog(catalog_code, extra="\n" + entry + "\n")


def test_a_good_catalog_passes():
    assert check_catalog(_catalog("sr"), "sr").ok


def test_a_broken_placeholder_fails():
    catalog = _with(
        "bs", 'msgid "Page %(number)d of %(total)d"\nmsgstr "Stranica %(broj)d od %(total)d"'
    )
    problems = check_catalog(catalog, "bs").problems
    assert any(
        "missing %(number)d" in p.message and "unknown %(broj)d" in p.message for p in problems
    )
    assert [p.line for p in problems] == [16]  # the line of its msgid


def test_a_fuzzy_entry_fails():
    catalog = _with("bs", '#, fuzzy\nmsgid "Back"\nmsgstr "Nazad"')
    assert any("fuzzy" in p.message for p in check_catalog(catalog, "bs").problems)


def test_an_untranslated_entry_fails():
    catalog = _with("bs", 'msgid "Next"\nmsgstr ""')
    assert any("untranslated" in p.message for p in check_catalog(catalog, "bs").problems)


def test_a_wrong_plural_forms_header_fails():
    # What `pybabel init` writes for Macedonian: wrong for 21, 31, ...
    catalog = _catalog("mk", plural_forms="nplurals=2; plural=(n != 1);")
    problems = check_catalog(catalog, "mk").problems
    assert any("Plural-Forms" in p.message for p in problems)


def test_the_check_command_fails_on_a_broken_catalog(runner, monkeypatch, tmp_path):
    import surveyapp.languages.catalog_files as catalogs

    broken = tmp_path / "translations"
    for code in catalog_languages():
        target = po_path(code, broken)
        target.parent.mkdir(parents=True)
        target.write_bytes(po_path(code).read_bytes())
    sq = po_path("sq", broken)
    sq.write_text(sq.read_text("utf-8").replace("%(number)d", "%(numri)d", 1), "utf-8")
    monkeypatch.setattr(
        catalogs, "po_path", lambda code, directory=broken: po_path(code, directory)
    )
    result = runner.invoke(args=["translate", "check"])
    assert result.exit_code == 1
    assert "numri" in result.output
