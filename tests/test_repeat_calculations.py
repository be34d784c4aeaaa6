"""A ``calculate`` question inside a repeat: worked out from its own entry's answers (so
the entry's rules can read it), stored per entry at submission, exported per entry."""

from __future__ import annotations

import csv
import io
import zipfile

import pytest
from sqlalchemy import select

from surveyapp.extensions import db
from surveyapp.models import Answer, Question
from tests.conftest import Respondent
from tests.repeat_support import repeat_campaign, repeat_invitation

SURVEY = [
    ["type", "name", "label::English (en)", "label::Македонски (mk)", "relevant",
     "calculation", "required"],
    ["begin repeat", "programme", "Youth programmes", "Програми за млади"],
    ["text", "pname", "Name of the programme", "Име на програмата", "", "", "yes"],
    ["integer", "funding", "Yearly funding (EUR)", "Годишно финансирање (EUR)"],
    ["calculate", "monthly", "", "", "", "${funding} div 12"],
    ["text", "why_big", "Why so much?", "Зошто толку многу?", "${monthly} > 100"],
    ["end repeat"],
    ["text", "comment", "Anything else?", "Нешто друго?"],
]  # fmt: skip


@pytest.fixture
def youth(app, client):
    campaign_id, _version_id = repeat_campaign(app, SURVEY)
    person = Respondent(client, repeat_invitation(app, campaign_id), "en")
    assert person.consent().status_code == 303
    return campaign_id, person


def stored(app, name: str) -> dict[int, object]:
    with app.app_context():
        rows = db.session.execute(
            select(Answer.entry, Answer.number, Answer.text)
            .join(Question, Question.id == Answer.question_id)
            .where(Question.name == name)
        ).all()
        return {entry: number if number is not None else text for entry, number, text in rows}


def test_a_calculation_in_a_repeat_is_worked_out_stored_and_exported_per_entry(app, youth, staff):
    campaign_id, person = youth
    page = person.get("/p/1").get_data(as_text=True)
    person.post(
        "/p/1",
        {"entries": "2", "e1-pname": "Council", "e1-funding": "2400",
         "e2-pname": "Sports", "e2-funding": "600", "action": "later"},
        page,
    )  # fmt: skip
    # The entry's rule reads its own calculation: only the first's "why so much" is kept.
    page = person.get("/p/1").get_data(as_text=True)
    person.post(
        "/p/1",
        {"entries": "2", "e1-pname": "Council", "e1-funding": "2400", "e1-why_big": "Staff",
         "e2-pname": "Sports", "e2-funding": "600", "e2-why_big": "ignored",
         "action": "next"},
        page,
    )  # fmt: skip
    assert stored(app, "why_big") == {1: "Staff"}
    person.answer_page(2, {"comment": ""})
    assert person.submit().location.endswith("/thanks")
    assert stored(app, "monthly") == {1: 200, 2: 50}
    analyst = staff("analyst")
    reply = analyst.client.get(f"/en/staff/campaigns/{campaign_id}/responses.csv?labels=codes")
    with zipfile.ZipFile(io.BytesIO(reply.data)) as archive:
        name = next(n for n in archive.namelist() if "programme" in n)
        table = list(csv.reader(io.StringIO(archive.read(name).decode("utf-8-sig"))))
    header = table[0]
    assert [(r[header.index("entry")], r[header.index("monthly")]) for r in table[1:]] == [
        ("1", "200"),
        ("2", "50"),
    ]
