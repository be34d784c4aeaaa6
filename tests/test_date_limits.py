"""Plausible dates (#14): a date question may have a smallest and a largest date
(a fixed day or "today"), set in the editor or read from an XLSForm constraint; a
date outside them is refused with the range in the respondent's language."""

from __future__ import annotations

from datetime import date

import pytest
from babel.dates import format_date
from sqlalchemy import select

from surveyapp.extensions import db
from surveyapp.models import Answer, Question
from surveyapp.questionnaires.xlsform.importer import import_xlsform
from tests.plans import answer_plan, builtin_version
from tests.test_xlsform import question, workbook


@pytest.mark.parametrize(
    ("lang", "locale", "expected_start"),
    [("mk", "mk", "1 јануари 1990\u202fг."), ("cnr", "sr_Latn_ME", "1. januar 1990.")],
)
def test_a_future_date_for_the_last_strategy_is_refused_in_the_respondents_language(
    app, respondent, lang, locale, expected_start
):
    assert format_date(date(1990, 1, 1), "long", locale=locale) == expected_start
    person = respondent(lang)
    person.consent()
    with app.app_context():
        plan = answer_plan(builtin_version())[0]
    refused = person.answer_page(1, {**plan.form, "strategy_date": "2030-05-01"})
    assert refused.status_code == 303 and refused.location.endswith("/p/1")
    page = person.get("/p/1").get_data(as_text=True)
    assert expected_start in page
    assert {"mk": "дозволениот опсег", "cnr": "dozvoljenom rasponu"}[lang] in page
    assert format_date(date.today(), "long", locale=locale) in page
    with app.app_context():
        assert not db.session.scalars(select(Answer)).all(), "no answer of the page was stored"
    # A past date passes.
    assert person.answer_page(1, {**plan.form, "strategy_date": "2019-06-01"}).status_code == 303


def test_the_editor_sets_date_limits_and_refuses_a_bad_one(app, staff):
    analyst = staff("analyst")
    with app.app_context():
        version = builtin_version()
        page_id = version.pages[0].id
    url = f"/en/staff/pages/{page_id}/questions/new"
    base = {"name": "council_founded", "type": "date", "label": "When was the council founded?"}
    bad = analyst.post_form(url, {**base, "min_date": "sometime", "max_date": "today"})
    assert bad.status_code == 200
    assert "a date such as 2000-01-01, or “today”" in bad.get_data(as_text=True)
    reversed_ = analyst.post_form(url, {**base, "min_date": "2020-01-01", "max_date": "2000-01-01"})
    assert reversed_.status_code == 200
    with app.app_context():
        assert db.session.scalar(select(Question).where(Question.name == "council_founded")) is None
    made = analyst.post_form(url, {**base, "min_date": "1945-01-01", "max_date": "today"})
    assert made.status_code == 303
    with app.app_context():
        made_question = db.session.scalar(
            select(Question).where(Question.name == "council_founded")
        )
        assert (made_question.min_date, made_question.max_date) == ("1945-01-01", "today")


def test_an_xlsform_date_constraint_becomes_the_questions_limits(app):
    survey = [
        ["type", "name", "label", "constraint"],
        ["date", "adopted", "When was it adopted?", ". <= today() and . >= date('2000-01-01')"],
        ["date", "next_review", "When is the next review?", ". > today()"],
        ["date", "signed", "When was it signed?", ". <= today() and . != date('2001-01-01')"],
    ]
    with app.app_context():
        version = import_xlsform(workbook(survey=survey), "dates.xlsx").version
        adopted = question(version, "adopted")
        assert (adopted.min_date, adopted.max_date) == ("2000-01-01", "today")
        assert adopted.constraint is None, "the limits say all the constraint said"
        # A strict comparison is not a limit we can show as a range: the constraint stays.
        review = question(version, "next_review")
        assert (review.min_date, review.max_date) == (None, None)
        assert review.constraint == ". > today()"
        # A limit beside another condition: the limit is used, the constraint kept.
        signed = question(version, "signed")
        assert (signed.max_date, signed.constraint) == (
            "today",
            ". <= today() and . != date('2001-01-01')",
        )


def test_limits_set_in_the_editor_go_out_in_the_xlsform_constraint(app):
    import io

    import openpyxl

    from surveyapp.questionnaires.xlsform.exporter import export_xlsform

    with app.app_context():
        version_id = builtin_version().id
        sheet = openpyxl.load_workbook(io.BytesIO(export_xlsform(version_id)))["survey"]
        header = [cell.value for cell in sheet[1]]
        row = next(r for r in sheet.iter_rows(values_only=True) if r[1] == "strategy_date")
        constraint = row[header.index("constraint")]
        assert constraint == ". >= date('1990-01-01') and . <= today()"
        # ... and come back as the same limits.
        again = import_xlsform(
            export_xlsform(version_id), "again.xlsx", name="city_needs_again"
        ).version
        assert (
            question(again, "strategy_date").min_date,
            question(again, "strategy_date").max_date,
        ) == (
            "1990-01-01",
            "today",
        )
