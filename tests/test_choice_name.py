"""``jr:choice-name``: a calculation that shows the label of a chosen answer gives it
in the respondent's language, on the server and in the live page's rules."""

from __future__ import annotations

import io

import openpyxl

from surveyapp.models import QuestionnaireVersion
from surveyapp.questionnaires import rules
from surveyapp.questionnaires.live_rules import page_rules
from surveyapp.questionnaires.texts import load_texts
from surveyapp.questionnaires.versions import load_version
from surveyapp.questionnaires.xlsform.importer import import_xlsform


def _form() -> bytes:
    book = openpyxl.Workbook()
    survey = book.active
    survey.title = "survey"
    for row in (
        ["type", "name", "label::English (en)", "label::Shqip (sq)", "calculation"],
        ["select_one sector", "sector", "Sector", "Sektori", ""],
        ["calculate", "sector_name", "", "", "jr:choice-name(${sector}, '${sector}')"],
        ["note", "said", "You chose ${sector_name}", "Zgjodhët ${sector_name}", ""],
    ):
        survey.append(row)
    choices = book.create_sheet("choices")
    for row in (
        ["list_name", "name", "label::English (en)", "label::Shqip (sq)"],
        ["sector", "youth", "Youth", "Të rinjtë"],
        ["sector", "schools", "Schools", "Shkollat"],
    ):
        choices.append(row)
    buffer = io.BytesIO()
    book.save(buffer)
    return buffer.getvalue()


def test_choice_name_gives_the_label_in_the_respondents_language(app):
    with app.app_context():
        result = import_xlsform(_form(), "sectors.xlsx")
        assert result.ok, [str(e) for e in result.errors]
        version = load_version(result.version.id)
        albanian = load_texts(version.id, "sq")
        values = rules.all_values(version, {"sector": "youth"}, albanian)
        assert values["sector_name"] == "Të rinjtë"
        assert rules.all_values(version, {"sector": "schools"})["sector_name"] == "Schools"
        assert rules.all_values(version, {"sector": None})["sector_name"] == ""
        made = page_rules(version, version.pages[0], albanian)
        assert made["cl"] == {"sector": {"youth": "Të rinjtë", "schools": "Shkollat"}}
        assert isinstance(version, QuestionnaireVersion)
