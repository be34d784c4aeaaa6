"""Repeats in XLSForms: imported (repeat, loop, repeat_count, texts in every language),
refused when nested, exported and imported back unchanged; their texts in the .po export."""

from __future__ import annotations

from pathlib import Path

import pytest
from sqlalchemy import select

from surveyapp.extensions import db
from surveyapp.models import QuestionnaireVersion, TextEntry
from surveyapp.questionnaires.translation.po_files import export_catalog
from surveyapp.questionnaires.xlsform.exporter import export_xlsform
from surveyapp.questionnaires.xlsform.importer import import_xlsform
from tests.repeat_support import repeat_workbook
from tests.test_xlsform import messages, snapshot

EXAMPLES = Path(__file__).resolve().parents[2] / "shared" / "xlsforms"
needs_examples = pytest.mark.skipif(
    not EXAMPLES.is_dir(),
    reason=f"the example XLSForms are not there ({EXAMPLES}): CI puts shared/ beside the checkout",
)


@pytest.fixture
def ctx(app):
    with app.app_context():
        yield


def pages(version: QuestionnaireVersion) -> list[tuple]:
    return [
        (page.name, page.repeat, page.relevant, [q.name for q in page.questions])
        for page in version.pages
    ]


def test_repeats_loops_and_counts_become_repeat_pages_with_every_language(ctx):
    result = import_xlsform(repeat_workbook(), "youth.xlsx")
    assert result.ok, messages(result.errors)
    assert pages(result.version) == [
        ("intro", None, None, ["staff"]),
        ("programme", {"kind": "repeat"}, None, ["pname", "target", "funding", "funder"]),
        ("totals", None, None, ["programmes", "total_funding", "summary", "comment"]),
        ("per_target", {"kind": "loop", "list": "target"}, None, ["reached"]),
        ("contact", {"kind": "repeat", "count": "2"}, None, ["cname"]),
    ]
    rows = db.session.scalars(select(TextEntry).where(TextEntry.version_id == result.version.id))
    texts = {(row.key, row.lang): row.text for row in rows}
    assert texts[("page.programme.title", "mk")] == "Програми за млади"
    assert texts[("q.pname.label", "mk")] == "Име на програмата"
    assert texts[("q.reached.label", "en")] == "How many %(label)s did you reach?"


def test_a_repeat_inside_a_group_splits_the_group_and_keeps_its_relevance(ctx):
    survey = [
        ["type", "name", "label", "relevant", "repeat_count"],
        ["integer", "n", "How many?"],
        ["begin group", "g", "Group", "${n} > 0"],
        ["text", "before", "Before"],
        ["begin repeat", "r", "Repeat", "${n} < 10", "${n}"],
        ["text", "inside", "Inside"],
        ["end repeat"],
        ["text", "after", "After"],
        ["end group"],
    ]
    result = import_xlsform(repeat_workbook(survey), "g.xlsx")
    assert result.ok, messages(result.errors)
    assert pages(result.version) == [
        ("page_1", None, None, ["n"]),
        ("g", None, "${n} > 0", ["before"]),
        ("r", {"kind": "repeat", "count": "${n}"}, "(${n} > 0) and (${n} < 10)", ["inside"]),
        ("page_4", None, "${n} > 0", ["after"]),
    ]


def test_a_loop_over_a_missing_list_and_a_bad_count_are_refused(ctx):
    survey = [
        ["type", "name", "label", "repeat_count"],
        ["begin loop over nowhere", "l", "Loop"],
        ["text", "a", "A"],
        ["end loop"],
        ["begin repeat", "r", "Repeat", "0"],
        ["text", "b", "B"],
        ["end repeat"],
        ["begin repeat", "s", "Repeat", "${missing} + 1"],
        ["text", "c", "C"],
        ["end repeat"],
    ]
    result = import_xlsform(repeat_workbook(survey), "bad.xlsx")
    assert not result.ok
    said = messages(result.errors)
    assert "There is no choice list “nowhere”" in said
    assert "Write a whole number from 1 to 1000" in said
    assert "unknown question ${missing}" in said


def test_a_form_with_repeats_round_trips_unchanged(ctx):
    first = import_xlsform(repeat_workbook(), "youth.xlsx")
    assert first.ok, messages(first.errors)
    again = import_xlsform(export_xlsform(first.version.id), "export.xlsx", name="again")
    assert again.ok, messages(again.errors)
    assert not again.warnings, messages(again.warnings)
    assert snapshot(again.version.id) == snapshot(first.version.id)
    assert pages(again.version) == pages(first.version)


def test_the_po_export_covers_the_texts_inside_repeats(ctx):
    version = import_xlsform(repeat_workbook(), "youth.xlsx").version
    catalog = export_catalog(version.id, "mk").decode()
    assert 'msgctxt "q.pname.label"' in catalog and 'msgstr "Име на програмата"' in catalog
    assert 'msgctxt "page.programme.title"' in catalog
    assert "asked once per entry" in catalog
    assert "училишта" in catalog  # the loop's choices, its entries' headings


@needs_examples
def test_the_shared_loop_and_repeat_forms_read_their_repeats(ctx):
    simple = import_xlsform((EXAMPLES / "simple_loop.xls").read_bytes(), "simple_loop.xls")
    assert simple.ok, messages(simple.errors)
    assert [p.repeat for p in simple.version.pages] == [{"kind": "loop", "list": "my_columns"}]
    # These two still hold rows other work takes (or_other; notes without a name and
    # choices labelled by an image only): none of their errors is about a repeat.
    for name in ("loop.xlsx", "repeat_date_test.xls"):
        result = import_xlsform((EXAMPLES / name).read_bytes(), name)
        said = messages(result.errors).lower()
        assert "repeat" not in said and "loop" not in said, said
