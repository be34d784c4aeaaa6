"""A questionnaire with a repeat, a loop and a fixed repeat_count, imported from an
XLSForm, and a campaign with an invitation to it (English and Macedonian)."""

from __future__ import annotations

import io

import openpyxl
from sqlalchemy import select

from surveyapp.campaigns.tokens import new_token
from surveyapp.extensions import db
from surveyapp.models import Campaign, Invitation, Municipality
from surveyapp.questionnaires.xlsform.importer import import_xlsform

SURVEY = [
    ["type", "name", "label::English (en)", "label::Македонски (mk)", "relevant",
     "calculation", "required", "repeat_count", "constraint"],
    ["begin group", "intro", "About the municipality", "За општината"],
    ["integer", "staff", "How many staff work on youth?", "Колку вработени работат со млади?",
     "", "", "yes"],
    ["end group"],
    ["begin repeat", "programme", "Youth programmes", "Програми за млади"],
    ["text", "pname", "Name of the programme", "Име на програмата", "", "", "yes"],
    ["select_one target", "target", "Target group", "Целна група"],
    ["integer", "funding", "Yearly funding (EUR)", "Годишно финансирање (EUR)", "", "", "",
     "", ". >= 0"],
    ["text", "funder", "Who funds it?", "Кој ја финансира?", "${funding} > 0"],
    ["end repeat"],
    ["begin group", "totals", "Totals", "Вкупно"],
    ["calculate", "programmes", "", "", "", "count(${programme})"],
    ["calculate", "total_funding", "", "", "", "sum(${funding})"],
    ["note", "summary", "You listed ${programmes} programmes.",
     "Наведовте ${programmes} програми."],
    ["text", "comment", "Anything else?", "Нешто друго?"],
    ["end group"],
    ["begin loop over target", "per_target", "Per target group", "По целна група"],
    ["integer", "reached", "How many %(label)s did you reach?", "Колку %(label)s опфативте?"],
    ["end loop"],
    ["begin repeat", "contact", "Contacts", "Контакти", "", "", "", "2"],
    ["text", "cname", "Contact name", "Име на контакт"],
    ["end repeat"],
]  # fmt: skip
CHOICES = [
    ["list_name", "name", "label::English (en)", "label::Македонски (mk)"],
    ["target", "youth", "young people", "млади"],
    ["target", "schools", "schools", "училишта"],
]
SETTINGS = [
    ["title::English (en)", "title::Македонски (mk)", "form_id"],
    ["Youth programmes", "Програми за млади", "youth_programmes"],
]


def repeat_workbook(survey=None, choices=None, settings=None) -> bytes:
    book = openpyxl.Workbook()
    book.remove(book.active)
    sheets = (
        ("survey", survey or SURVEY),
        ("choices", choices or CHOICES),
        ("settings", settings or SETTINGS),
    )
    for title, rows in sheets:
        sheet = book.create_sheet(title)
        for row in rows:
            sheet.append(row)
    buffer = io.BytesIO()
    book.save(buffer)
    return buffer.getvalue()


def published_campaign(app, workbook: bytes, filename: str, name: str) -> tuple[int, int]:
    """(campaign id, version id) of a campaign on an XLSForm ``workbook``, imported and
    published."""
    with app.app_context():
        result = import_xlsform(workbook, filename)
        assert result.ok, [str(e) for e in result.errors]
        version = result.version
        version.status = "published"
        demo = db.session.scalar(select(Campaign).order_by(Campaign.id))
        campaign = Campaign(name=name, version=version, opens_at=demo.opens_at)
        db.session.add(campaign)
        db.session.commit()
        return campaign.id, version.id


def invitation_to(app, campaign_id: int, language: str | None = None) -> str:
    """The token of a new invitation of Čair's mayor to the campaign."""
    with app.app_context():
        town = db.session.scalar(select(Municipality).where(Municipality.code == "mk-cair"))
        token = new_token()
        db.session.add(
            Invitation(
                token=token,
                campaign_id=campaign_id,
                municipality=town,
                role="mayor",
                language=language,
            )
        )
        db.session.commit()
        return token


def repeat_campaign(app, survey=None, **sheets) -> tuple[int, int]:
    """(campaign id, version id) of a campaign on the repeat questionnaire (``sheets``:
    other ``choices`` or ``settings`` rows)."""
    return published_campaign(app, repeat_workbook(survey, **sheets), "youth.xlsx", "Youth")


def repeat_invitation(app, campaign_id: int, language: str | None = None) -> str:
    return invitation_to(app, campaign_id, language)


#: A draft with one of each setting the editor's settings forms change: a hidden
#: question's value, an upload question's limits, a repeat's number of entries, and a
#: date question's default (tests/test_editor_settings.py and the walks over every page).
SETTINGS_SURVEY = [
    ["type", "name", "label::English (en)", "label::Македонски (mk)", "default"],
    ["begin group", "about", "About the municipality", "За општината"],
    ["integer", "staff", "How many staff work on youth?", "Колку вработени работат со млади?"],
    ["hidden", "round", "", "", "pilot"],
    ["image", "site_photo", "A photo of the youth centre", "Фотографија од младинскиот центар"],
    ["date", "visited", "When was it opened?", "Кога е отворен?", "today()"],
    ["end group"],
    ["begin repeat", "programme", "Youth programmes", "Програми за млади"],
    ["text", "pname", "Name of the programme", "Име на програмата"],
    ["end repeat"],
]  # fmt: skip


def settings_draft(app) -> int:
    """The id of a draft version imported from ``SETTINGS_SURVEY``."""
    with app.app_context():
        result = import_xlsform(repeat_workbook(SETTINGS_SURVEY), "youth.xlsx")
        assert result.ok, [str(e) for e in result.errors]
        return result.version.id
