"""A questionnaire with cascading selects (country, then municipality) written as form
authors write them in XLSForm, and a campaign with an invitation to it (English,
Bosnian and Macedonian).

Page 1 asks the country, page 2 the municipality (``choice_filter`` reading page 1);
page 3 asks both on one page (the filter reads an answer on its own page); page 4 is a
repeat of study visits, each entry with its country and municipality. "Centar" is
a municipality of Sarajevo and of Skopje: the list has it twice
(``allow_choice_duplicates``), the Skopje row first."""

from __future__ import annotations

import io

import openpyxl

from tests.repeat_support import invitation_to, published_campaign

SURVEY = [
    ["type", "name", "label::English (en)", "label::Bosanski (bs)", "label::Македонски (mk)",
     "required", "choice_filter"],
    ["begin group", "where", "Country", "Država", "Држава"],
    ["select_one country", "country", "In which country is your municipality?",
     "U kojoj je državi vaša općina?", "Во која држава е вашата општина?", "yes"],
    ["end group"],
    ["begin group", "town", "Municipality", "Općina", "Општина"],
    ["select_one municipality", "municipality", "Which municipality?", "Koja općina?",
     "Која општина?", "yes", "country = ${country}"],
    ["end group"],
    ["begin group", "partnership", "Partner municipality", "Partnerska općina",
     "Партнерска општина"],
    ["select_one country", "partner_country", "Partner's country", "Država partnera",
     "Држава на партнерот"],
    ["select_one municipality", "partner", "Partner municipality", "Partnerska općina",
     "Партнерска општина", "", "country = ${partner_country}"],
    ["end group"],
    ["begin repeat", "visits", "Study visits", "Studijske posjete", "Студиски посети"],
    ["select_one country", "visit_country", "Country visited", "Posjećena država",
     "Посетена држава"],
    ["select_one municipality", "visited", "Municipality visited", "Posjećena općina",
     "Посетена општина", "", "country = ${visit_country}"],
    ["end repeat"],
]  # fmt: skip
CHOICES = [
    ["list_name", "name", "label::English (en)", "label::Bosanski (bs)",
     "label::Македонски (mk)", "country"],
    ["country", "ba", "Bosnia and Herzegovina", "Bosna i Hercegovina", "Босна и Херцеговина"],
    ["country", "mk", "North Macedonia", "Sjeverna Makedonija", "Северна Македонија"],
    ["municipality", "centar", "Centar", "Centar", "Центар", "mk"],
    ["municipality", "cair", "Čair", "Čair", "Чаир", "mk"],
    ["municipality", "kisela_voda", "Kisela Voda", "Kisela Voda", "Кисела Вода", "mk"],
    ["municipality", "novi_grad", "Novi Grad", "Novi Grad", "Нови Град", "ba"],
    ["municipality", "centar", "Centar", "Centar", "Центар", "ba"],
    ["municipality", "ilidza", "Ilidža", "Ilidža", "Илиџа", "ba"],
]  # fmt: skip
SETTINGS = [
    ["title::English (en)", "title::Bosanski (bs)", "title::Македонски (mk)", "form_id",
     "allow_choice_duplicates"],
    ["Partners", "Partneri", "Партнери", "partners", "yes"],
]  # fmt: skip

#: The municipalities of each country, in the list's order.
IN = {
    "mk": ["centar", "cair", "kisela_voda"],
    "ba": ["novi_grad", "centar", "ilidza"],
}


def cascade_workbook() -> bytes:
    book = openpyxl.Workbook()
    book.remove(book.active)
    for title, rows in (("survey", SURVEY), ("choices", CHOICES), ("settings", SETTINGS)):
        sheet = book.create_sheet(title)
        for row in rows:
            sheet.append(row)
    buffer = io.BytesIO()
    book.save(buffer)
    return buffer.getvalue()


def cascade_campaign(app) -> tuple[int, int]:
    """(campaign id, version id) of a campaign on the cascading questionnaire."""
    return published_campaign(app, cascade_workbook(), "partners.xlsx", "Partners")


def cascade_invitation(app, campaign_id: int, language: str | None = None) -> str:
    return invitation_to(app, campaign_id, language)
