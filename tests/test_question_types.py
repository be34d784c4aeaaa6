"""The question type registry's contract: one entry per type the models know,
and each entry's field, storage, read-back, display, export and summary."""

from __future__ import annotations

import subprocess  # nosec B404: runs this interpreter on a fixed script
import sys
from datetime import date
from pathlib import Path
from types import SimpleNamespace

import pytest
from wtforms import RadioField, StringField, TextAreaField

from surveyapp.core.form_fields import LocalDateField, MultiCheckboxField, NumberField
from surveyapp.models import ANSWERABLE_TYPES, QUESTION_TYPES
from surveyapp.models.questionnaire import CHOICE_TYPES
from surveyapp.questionnaires.question_types import TYPES, UNKNOWN, codes, type_of


def question(kind: str, **fields) -> SimpleNamespace:
    defaults = {
        "id": 7,
        "type": kind,
        "choice_list": SimpleNamespace(name="agree", choices=[], distinct_choices=[]),
        "choice_list_id": 3,
        "min_value": None,
        "max_value": None,
        "max_length": None,
        "integer_only": False,
        "source_type": None,
        "min_date": None,
        "max_date": None,
    }
    return SimpleNamespace(**{**defaults, **fields})


class FakeTexts:
    def choice_label(self, list_name: str, value: str) -> str:
        return f"{list_name}:{value}"


SCORES = {(3, "4"): 4.0, (3, "dk"): None}


def test_one_entry_per_model_type_in_the_models_order():
    assert tuple(TYPES) == QUESTION_TYPES
    assert all(TYPES[code].code == code for code in QUESTION_TYPES)
    assert codes(answerable=True) == ANSWERABLE_TYPES
    assert set(codes(choices=True)) == set(CHOICE_TYPES)
    assert all(str(kind.label) for kind in TYPES.values())


@pytest.mark.parametrize("first", ["base", "choices", "simple", "more", "uploads"])
def test_the_registry_is_whole_whichever_family_is_imported_first(first):
    """A worker or a script importing one family (say ``more``, for its time zones)
    before anything else still finds every type, in the models' order."""
    script = (
        f"import surveyapp.questionnaires.question_types.{first}\n"
        "from surveyapp.models import QUESTION_TYPES\n"
        "from surveyapp.questionnaires.question_types.base import TYPES\n"
        "assert tuple(TYPES) == QUESTION_TYPES, tuple(TYPES)\n"
    )
    root = Path(__file__).resolve().parent.parent
    done = subprocess.run(  # nosec B603
        [sys.executable, "-c", script], cwd=root, capture_output=True, text=True, check=False
    )
    assert done.returncode == 0, done.stderr


def test_what_each_type_is():
    recorded = ("hidden", "start", "end", "today")
    assert codes(answerable=False) == ("note", "calculate", *recorded)
    assert codes(shown=False) == ("calculate", *recorded)
    assert codes(calculated=True) == ("calculate", *recorded)
    assert codes(fieldset=True) == ("geopoint",)
    assert codes(multiple=True) == ("multiple_choice",)
    assert codes(grouped=True) == ("single_choice", "multiple_choice", "scale")
    assert TYPES["scale"].options_class == "scale"
    assert TYPES["single_choice"].options_class == ""


def test_profile_summaries():
    assert codes(summary="scores") == ("scale",)
    assert codes(summary="ticks") == ("multiple_choice",)
    assert codes(summary="texts") == ("short_text", "long_text")
    assert codes(summary="shares") == ("single_choice",)
    assert codes(summary="quantiles") == ("number",)
    assert codes(summary="years") == ("date",)
    # A time of day, a moment, a place, the recorded values and files (listed on the review
    # page and exported as links) are listed in the exports, not summarised.
    assert codes(summary=None) == (
        "note", "calculate", "time", "datetime", "geopoint", "hidden", "start", "end", "today",
        "image", "audio", "video", "file",
    )  # fmt: skip


@pytest.mark.parametrize(
    ("kind", "value", "columns", "read_back"),
    [
        ("single_choice", "yes", ("yes", None, None), "yes"),
        ("scale", "4", ("4", 4.0, None), "4"),
        ("scale", "dk", ("dk", None, None), "dk"),
        ("number", "12", (None, 12.0, None), 12.0),
        ("short_text", "Skopje", (None, None, "Skopje"), "Skopje"),
        ("long_text", "two\nlines", (None, None, "two\nlines"), "two\nlines"),
        ("date", date(2024, 3, 1), (None, None, "2024-03-01"), date(2024, 3, 1)),
        ("multiple_choice", ["b", "a", "b"], (None, None, None), None),
    ],
)
def test_storage_round_trip(kind, value, columns, read_back):
    stored = TYPES[kind].columns(question(kind), value, SCORES)
    assert stored == columns
    assert TYPES[kind].value(*stored) == read_back


def test_multiple_choice_is_stored_as_sorted_distinct_selections():
    assert TYPES["multiple_choice"].selections(["b", "a", "b"]) == ["a", "b"]
    with pytest.raises(TypeError):
        TYPES["single_choice"].selections(["a"])


def test_calculations_keep_number_and_text():
    calculate = TYPES["calculate"]
    assert calculate.columns(question("calculate"), 2.5, {}) == (None, 2.5, "2.5")
    assert calculate.columns(question("calculate"), "high", {}) == (None, None, "high")
    assert calculate.value(None, 2.5, "2.5") == "2.5"


def test_a_date_row_without_text_reads_as_no_answer():
    assert TYPES["date"].value(None, None, None) is None


def test_unknown_or_missing_types_read_as_text():
    assert type_of(None) is UNKNOWN and type_of("hologram") is UNKNOWN
    assert type_of("number") is TYPES["number"]
    assert type_of(None).value("c", 1.0, "t") == "t"
    assert not type_of(None).multiple


@pytest.mark.parametrize(
    ("kind", "field_class"),
    [
        ("single_choice", RadioField),
        ("scale", RadioField),
        ("multiple_choice", MultiCheckboxField),
        ("number", NumberField),
        ("date", LocalDateField),
        ("short_text", StringField),
        ("long_text", TextAreaField),
    ],
)
def test_form_fields(kind, field_class):
    field = TYPES[kind].field(question(kind), FakeTexts(), {"label": "L"})
    assert field.field_class is field_class


def test_a_date_field_checks_its_limits_with_today_resolved_when_checked(app):
    from datetime import date, timedelta

    from wtforms.validators import StopValidation

    field = TYPES["date"].field(
        question("date", min_date="2000-01-01", max_date="today"), FakeTexts(), {}
    )
    within = next(v for v in field.kwargs["validators"] if hasattr(v, "largest"))
    assert field.kwargs["render_kw"] == {"type": "date", "min": "2000-01-01"}
    with app.test_request_context("/en/"):
        for day, accepted in [
            (date.today(), True),
            (date(2000, 1, 1), True),
            (date.today() + timedelta(days=1), False),
            (date(1999, 12, 31), False),
        ]:
            checked = SimpleNamespace(data=day, errors=[])
            try:
                within(None, checked)
            except StopValidation as refusal:
                assert not accepted and "January 1, 2000" in str(refusal)
            else:
                assert accepted


def test_text_fields_default_lengths_and_choice_labels():
    def max_length(kind, **fields):
        field = TYPES[kind].field(question(kind, **fields), FakeTexts(), {})
        return next(v.max for v in field.kwargs["validators"] if hasattr(v, "max"))

    assert max_length("short_text") == 200
    assert max_length("long_text") == 4000
    assert max_length("short_text", max_length=50) == 50
    one = [SimpleNamespace(value="1")]
    options = SimpleNamespace(name="agree", choices=one, distinct_choices=one)
    field = TYPES["scale"].field(question("scale", choice_list=options), FakeTexts(), {})
    assert [(c.value, c.label) for c in field.kwargs["choices"]] == [("1", "agree:1")]


@pytest.mark.parametrize("kind", ["note", "calculate"])
def test_unanswerable_types_have_no_field(kind):
    with pytest.raises(TypeError):
        TYPES[kind].field(question(kind), FakeTexts(), {})


def test_page_inputs():
    assert TYPES["number"].input_attrs == {"inputmode": "decimal", "class": "short"}
    assert TYPES["long_text"].input_attrs == {"rows": 6}
    assert TYPES["short_text"].input_attrs == {}


def test_export_cells_keep_numbers_and_dates_as_such():
    def label(code):
        return f"<{code}>"

    def cell(kind, *columns):
        return TYPES[kind].export_cell(*columns, label)

    assert cell("scale", "4", 4.0, None) == "<4>"
    assert cell("single_choice", "yes", None, None) == "<yes>"
    assert cell("single_choice", None, None, None) is None
    three = cell("number", None, 3.0, None)
    assert three == 3 and type(three) is int, "a whole number as an int"
    assert cell("number", None, 2.5, None) == 2.5
    assert cell("date", None, None, "2024-03-01") == date(2024, 3, 1)
    assert cell("short_text", None, None, None) is None
    assert cell("short_text", None, None, "=1") == "=1", "the writers neutralise formulas"
    assert cell("calculate", None, 2.5, "2.5") == 2.5
    assert cell("calculate", None, None, "yes") == "yes"


def test_xlsform_types():
    assert TYPES["scale"].xlsform_type(question("scale")) == "select_one agree"
    assert TYPES["single_choice"].xlsform_type(question("x", choice_list=None)) == "select_one "
    assert TYPES["multiple_choice"].xlsform_type(question("x")) == "select_multiple agree"
    assert TYPES["number"].xlsform_type(question("number")) == "decimal"
    assert TYPES["number"].xlsform_type(question("number", integer_only=True)) == "integer"
    assert TYPES["number"].xlsform_type(question("number", source_type="range")) == "range"
    assert TYPES["short_text"].xlsform_type(question("short_text")) == "text"
    phone = question("short_text", source_type="phone number")
    assert TYPES["short_text"].xlsform_type(phone) == "phone number"
    assert [TYPES[k].xlsform_type(question(k)) for k in ("date", "note", "calculate")] == [
        "date",
        "note",
        "calculate",
    ]
    assert codes(xlsform_appearance="multiline") == ("long_text",)


def test_review_texts(app):
    texts = FakeTexts()
    with app.test_request_context():
        assert TYPES["scale"].answer_text(question("scale"), "4", texts) == "agree:4"
        multiple = TYPES["multiple_choice"].answer_text(question("x"), ["a", "b"], texts)
        assert multiple == "agree:a; agree:b"
        assert TYPES["number"].answer_text(question("number"), 12345.5, texts) == "12,345.5"
        assert TYPES["number"].answer_text(question("number"), 1234.5, texts) == "1234.5"
        assert TYPES["date"].answer_text(question("date"), date(2024, 3, 1), texts) == (
            "March 1, 2024"
        )
        assert TYPES["short_text"].answer_text(question("short_text"), "hi", texts) == "hi"


@pytest.mark.parametrize(
    ("lang", "year", "count"), [("mk", "2019", "12.000"), ("sq", "2019", "12\u00a0000")]
)
def test_a_year_reads_as_a_year_and_large_numbers_are_grouped(app, lang, year, count):
    """The review page showed the year 2019 as "2.019" in Macedonian."""
    texts = FakeTexts()
    with app.test_request_context(f"/{lang}/"):
        app.preprocess_request()
        number = TYPES["number"]
        assert number.answer_text(question("number"), 2019, texts) == year
        assert (
            number.answer_text(question("number"), 12000, texts).replace("\u202f", "\u00a0")
            == count
        )
