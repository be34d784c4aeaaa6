"""SPSS (.sav) and Stata (.dta) exports, read back with pyreadstat: valid and stable
variable names, variable and value labels in the chosen language (Cyrillic intact),
"don't know" declared missing, scales ordinal, one 0/1 variable per option."""

from __future__ import annotations

import math
import sys
from datetime import datetime
from pathlib import Path

import pyreadstat
import pytest
from sqlalchemy import select

from surveyapp.extensions import db
from surveyapp.jobs import queue
from surveyapp.models import Campaign, ExportFile
from surveyapp.responses.variables import (
    NAME_LIMITS,
    choice_values,
    plan_variables,
    unique_names,
    variable_name,
)

READ = {"sav": pyreadstat.read_sav, "dta": pyreadstat.read_dta}
LONG = "social_cohesion_tensions_capacity"  # 33 characters: too long for Stata


def _campaign_id(app) -> int:
    with app.app_context():
        return db.session.scalar(select(Campaign.id))


def _export(app, analyst, fmt: str, lang: str, tmp_path: Path) -> tuple:
    """Start an export on the page, let a worker run it, download and read it back."""
    page = f"/{lang}/staff/campaigns/{_campaign_id(app)}/export"
    started = analyst.post_form(page, {"format": fmt, "values": "codes", "language": lang})
    assert started.status_code == 303 and "/exports/" in started.location
    assert queue.run_pending(app) >= 1
    job_page = analyst.client.get(started.location).get_data(as_text=True)
    assert "/download" in job_page, job_page
    with app.app_context():
        export = db.session.scalars(select(ExportFile).order_by(ExportFile.id.desc())).first()
        assert export.status == "ready" and export.format == fmt
    with analyst.client.get(started.location + "/download") as reply:
        assert reply.status_code == 200
        data = reply.get_data()
    path = tmp_path / f"export-{export.id}.{fmt}"
    path.write_bytes(data)
    return READ[fmt](str(path), user_missing=True)


@pytest.mark.parametrize("fmt", ["sav", "dta"])
def test_statistical_files_carry_labels_in_the_chosen_language_and_declared_missing(
    app, staff, make_response, tmp_path, fmt
):
    make_response(
        municipality="mk-bitola",
        social_cohesion_tensions_need="4",
        social_cohesion_tensions_capacity="dk",
        support_wanted=["peer_exchange", "coordination"],
        years_experience=12,
        good_practice="Совет за безбедност",
    )
    make_response(municipality="mk-ohrid", role="councillor", variant=1)
    analyst = staff("analyst")
    frame, meta = _export(app, analyst, fmt, "mk", tmp_path)
    names = list(frame.columns)
    assert len(frame) == 2
    # names valid for the format and unique
    for name in names:
        assert len(name.encode()) <= NAME_LIMITS[fmt] and name[0].isalpha(), name
        assert all(c.isascii() and (c.isalnum() or c == "_") for c in name), name
    assert len({n.lower() for n in names}) == len(names)
    long_name = LONG if fmt == "sav" else variable_name(LONG, "dta")
    assert long_name in names and (fmt == "sav" or len(long_name) == NAME_LIMITS["dta"])
    # the multiple-choice question: one 0/1 variable per option, no joined text
    assert "support_wanted" not in names
    first = frame.iloc[0]
    assert first["support_wanted_peer_exchange"] == 1
    assert first["support_wanted_coordination"] == 1
    assert first["support_wanted_staff_training"] == 0
    labels = meta.column_names_to_labels
    assert labels["municipality"] == "Општина"
    assert labels["support_wanted_peer_exchange"].startswith(
        labels.get("support_wanted_other", "")[:10]
    )
    assert any(ch in labels[long_name] for ch in "абвгдежзиклмнопрстуфхцчшѓќљњџ"), "Cyrillic"
    value_labels = meta.variable_value_labels
    scale_labels = value_labels[long_name]
    assert set(scale_labels.values()) >= {"Не знам"} or any(
        "знам" in v for v in scale_labels.values()
    )
    assert value_labels["support_wanted_peer_exchange"] == {0: "не е означено", 1: "означено"}
    assert meta.variable_value_labels["role"][1] == "Градоначалник"
    assert frame.iloc[0]["municipality"] == "Битола", "place names in the chosen language"
    assert frame.iloc[0]["good_practice"] == "Совет за безбедност", "typed text intact"
    assert frame.iloc[0]["years_experience"] == 12
    assert isinstance(frame.iloc[0]["submitted_at"], datetime), "a date-time variable"
    # "don't know" is declared missing; a scored answer is its number
    assert frame.iloc[0]["social_cohesion_tensions_need"] == 4
    if fmt == "sav":
        assert frame.iloc[0][long_name] == -1
        assert meta.missing_ranges[long_name] == [{"lo": -1.0, "hi": -1.0}]
        assert meta.variable_measure[long_name] == "ordinal"
        assert meta.variable_measure["years_experience"] == "scale"
        assert meta.variable_measure["support_wanted_peer_exchange"] == "nominal"
        assert scale_labels[-1.0] == "Не знам" or "знам" in scale_labels[-1.0]
    else:
        assert frame.iloc[0][long_name] == "a"
        assert meta.missing_user_values[long_name] == ["a"]
        assert "знам" in scale_labels["a"]


@pytest.mark.parametrize("fmt", ["sav", "dta"])
def test_variable_names_are_the_same_in_every_export(app, staff, make_response, tmp_path, fmt):
    make_response(municipality="mk-bitola")
    analyst = staff("analyst")
    first, _ = _export(app, analyst, fmt, "en", tmp_path)
    make_response(municipality="al-tirane", variant=1)
    second, meta = _export(app, analyst, fmt, "sq", tmp_path)
    assert list(first.columns) == list(second.columns)
    assert len(second) == 2
    assert meta.column_names_to_labels["municipality"] != "Municipality", "Albanian labels"


def test_an_unanswered_question_is_system_missing(app, staff, make_response, tmp_path):
    make_response(municipality="mk-bitola", years_experience=None)
    frame, _ = _export(app, staff("analyst"), "sav", "en", tmp_path)
    assert math.isnan(frame.iloc[0]["years_experience"])


@pytest.mark.parametrize(
    ("column", "fmt", "expected"),
    [
        ("years_experience", "dta", "years_experience"),
        ("support_wanted/peer_exchange", "sav", "support_wanted_peer_exchange"),
        ("опис_проблема", "sav", "opis_problema"),
        ("2nd_round", "dta", "v_2nd_round"),
        ("with", "sav", "v_with"),
        ("_n", "dta", "n"),
        ("if", "dta", "v_if"),
    ],
)
def test_names_are_made_valid_for_each_format(column, fmt, expected):
    assert variable_name(column, fmt) == expected


def test_long_names_keep_their_beginning_and_stay_apart():
    a = "trust_institutions_municipal_council_capacity_a"
    b = "trust_institutions_municipal_council_capacity_b"
    names = unique_names([a, b], "dta")
    assert names[a] != names[b]
    assert all(
        len(n) == NAME_LIMITS["dta"] and n.startswith("trust_institutions_mun")
        for n in names.values()
    )
    assert unique_names([a, b], "dta") == names, "the same every time"
    clash = unique_names(["Region", "region"], "sav")
    assert clash == {"Region": "Region", "region": "region_2"}


def test_choice_values_numbers_stay_numbers_and_words_are_numbered():
    assert choice_values(["1", "2", "3", "4", "5", "dk"]) == {
        "1": 1, "2": 2, "3": 3, "4": 4, "5": 5, "dk": -1,
    }  # fmt: skip
    assert choice_values(["yes_active", "yes_inactive", "no", "dk"]) == {
        "yes_active": 1, "yes_inactive": 2, "no": 3, "dk": 4,
    }  # fmt: skip


def test_scales_are_ordinal_with_their_unscored_choices_missing(app):
    with app.app_context():
        version_id = db.session.get(Campaign, _campaign_id(app)).version_id
        variables = {v.column: v for v in plan_variables(version_id)}
    scale = variables[LONG]
    assert scale.measure == "ordinal" and scale.missing == [-1]
    assert (
        variables["safety_council"].measure == "nominal"
        and variables["safety_council"].missing == []
    )
    assert variables["support_wanted/other"].option == "other"


@pytest.mark.parametrize("fmt", ["sav", "dta"])
def test_a_long_typed_text_reaches_the_file_whole(app, staff, make_response, tmp_path, fmt):
    """Stata's str# holds 2,045 bytes, SPSS's short strings 255; a longer answer
    (Cyrillic: two bytes a letter) goes whole (a strL; SPSS's very long string, written
    by pyreadstat), beside short texts in the same column."""
    long_text = ("Совет за безбедност во заедницата. " * 80).strip()
    assert len(long_text.encode()) > 4000
    make_response(municipality="mk-bitola", good_practice=long_text)
    make_response(municipality="mk-ohrid", good_practice="Кратко")
    frame, _ = _export(app, staff("analyst"), fmt, "mk", tmp_path)
    assert list(frame["good_practice"]) == [long_text, "Кратко"]


@pytest.mark.parametrize("fmt", ["sav", "dta"])
def test_a_statistical_export_does_not_need_pandas(
    app, staff, make_response, tmp_path, monkeypatch, fmt
):
    """The .sav and .dta are written row by row, not from a pandas data frame: the
    worker that writes them does not take on pandas (tens of MB for the process's life)
    nor the whole table (bench/README.md)."""
    make_response(municipality="mk-bitola", years_experience=7)
    analyst = staff("analyst")
    page = f"/en/staff/campaigns/{_campaign_id(app)}/export"
    started = analyst.post_form(page, {"format": fmt, "values": "codes", "language": "en"})
    monkeypatch.setitem(sys.modules, "pandas", None)  # importing it now fails
    assert queue.run_pending(app) >= 1
    monkeypatch.undo()
    with app.app_context():
        export = db.session.scalars(select(ExportFile).order_by(ExportFile.id.desc())).first()
        assert export.status == "ready", export.status
    with analyst.client.get(started.location + "/download") as reply:
        (tmp_path / f"export.{fmt}").write_bytes(reply.get_data())
    frame, _ = READ[fmt](str(tmp_path / f"export.{fmt}"))
    assert list(frame["years_experience"]) == [7]


def test_spss_short_names_stay_apart(tmp_path):
    """SPSS keeps a short name (8 characters) beside each long one; names that begin
    alike, or a made-up one that is another variable's, must not clash."""
    from surveyapp.responses.spss_file import SpssColumn, write_sav

    names = ["v3", "support_wanted_peer", "support_wanted_staff", "with_text"]
    columns = [SpssColumn(name, "number") for name in names[:3]] + [SpssColumn(names[3], "text")]
    written, _ = write_sav(tmp_path / "names.sav", columns, [[1.0, 2.0, 3.0, "да"]], "names")
    assert written
    frame, _ = pyreadstat.read_sav(str(tmp_path / "names.sav"))
    assert list(frame.columns) == names
    assert frame.iloc[0].tolist() == [1.0, 2.0, 3.0, "да"]
