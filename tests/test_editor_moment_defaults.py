"""The default answer of a date, time or date-and-time question, edited in the editor
and read from an XLSForm: nothing, the moment the respondent opens the page (in the
municipality's time zone) or a fixed value, filled in on the respondent's page."""

from __future__ import annotations

from datetime import datetime, timedelta
from zoneinfo import ZoneInfo

import pytest
from sqlalchemy import select

from surveyapp.extensions import db
from surveyapp.models import Question
from surveyapp.questionnaires.xlsform.importer import import_xlsform
from tests.repeat_support import repeat_workbook
from tests.test_editor_settings import _changes, _ids, _link_on_editor, _publish_and_invite

SURVEY = [
    ["type", "name", "label::English (en)", "label::Македонски (mk)", "default"],
    ["date", "visit_date", "Date of the visit", "Датум на посетата"],
    ["time", "visit_time", "Time of the visit", "Време на посетата", "10:00"],
    ["dateTime", "meeting", "Next meeting", "Следна средба"],
    ["text", "note", "Anything else?", "Нешто друго?"],
]
SKOPJE = ZoneInfo("Europe/Skopje")


@pytest.fixture
def draft(app) -> int:
    with app.app_context():
        result = import_xlsform(repeat_workbook(SURVEY), "visits.xlsx")
        assert result.ok, [str(e) for e in result.errors]
        return result.version.id


def _default(app, version_id: int, name: str) -> str | None:
    with app.app_context():
        return db.session.scalar(
            select(Question.default).where(Question.version_id == version_id, Question.name == name)
        )


def _url(app, version_id: int, name: str) -> str:
    return f"/en/staff/questions/{_ids(app, version_id)[name]}/default"


def test_the_page_opens_with_today_and_the_time_now(app, client, staff, draft):
    analyst = staff("analyst")
    _link_on_editor(analyst, draft, _url(app, draft, "visit_date"))
    form = analyst.client.get(_url(app, draft, "visit_time")).get_data(as_text=True)
    assert 'value="10:00"' in form and "The time when the respondent opens the page" in form
    for name in ("visit_date", "visit_time"):
        assert analyst.post_form(_url(app, draft, name), {"mode": "now"}).status_code == 303
    assert _default(app, draft, "visit_date") == "today()"
    assert _default(app, draft, "visit_time") == "now()"
    assert _changes(app)[-1]["change"] == "moment_default"
    person = _publish_and_invite(app, client, draft)
    before = datetime.now(SKOPJE)
    page = person.get("/p/1").get_data(as_text=True)
    after = datetime.now(SKOPJE)
    assert f'value="{before.date().isoformat()}"' in page or f'value="{after.date()}"' in page
    assert any(
        f'value="{(before + timedelta(minutes=m)).strftime("%H:%M")}"' in page for m in (0, 1)
    )


def test_a_fixed_default_is_filled_in_and_kept_as_typed(app, client, staff, draft):
    analyst = staff("analyst")
    saved = analyst.post_form(
        _url(app, draft, "meeting"), {"mode": "fixed", "value": "2026-03-15 14:30"}
    )
    assert saved.status_code == 303
    analyst.post_form(_url(app, draft, "visit_time"), {"mode": "fixed", "value": "9.30"})
    analyst.post_form(_url(app, draft, "visit_date"), {"mode": "fixed", "value": "2026-04-01"})
    assert _default(app, draft, "meeting") == "2026-03-15T14:30"
    assert _default(app, draft, "visit_time") == "09:30"
    person = _publish_and_invite(app, client, draft)
    page = person.get("/p/1").get_data(as_text=True)
    assert 'value="2026-03-15T14:30"' in page and 'value="09:30"' in page
    assert 'value="2026-04-01"' in page


def test_nothing_leaves_the_field_empty(app, client, staff, draft):
    analyst = staff("analyst")
    assert analyst.post_form(_url(app, draft, "visit_time"), {"mode": "none"}).status_code == 303
    assert _default(app, draft, "visit_time") is None
    person = _publish_and_invite(app, client, draft)
    assert 'value="10:00"' not in person.get("/p/1").get_data(as_text=True)


@pytest.mark.parametrize(
    ("name", "data", "message"),
    [
        ("visit_date", {"mode": "fixed", "value": "15.03.2026"}, "for example 2025-03-15."),
        ("visit_date", {"mode": "fixed", "value": "2026-02-30"}, "for example 2025-03-15."),
        ("visit_date", {"mode": "fixed", "value": ""}, "for example 2025-03-15."),
        ("visit_time", {"mode": "fixed", "value": "25:00"}, "for example 14:30."),
        ("visit_time", {"mode": "fixed", "value": "now"}, "for example 14:30."),
        ("meeting", {"mode": "fixed", "value": "14:30"}, "for example 2025-03-15 14:30."),
        ("visit_time", {"mode": "later"}, "Please choose how"),
    ],
)
def test_a_bad_default_is_refused_and_changes_nothing(app, staff, draft, name, data, message):
    analyst = staff("analyst")
    before = _default(app, draft, name)
    refused = analyst.post_form(_url(app, draft, name), data)
    assert refused.status_code == 200
    html = refused.get_data(as_text=True)
    assert message in html and 'class="field-error"' in html
    assert _default(app, draft, name) == before
    assert _changes(app) == []


def test_a_published_version_keeps_its_default(app, client, staff, draft):
    analyst = staff("analyst")
    _publish_and_invite(app, client, draft)
    saved = analyst.post_form(_url(app, draft, "visit_time"), {"mode": "now"})
    new_id = int(saved.location.rsplit("/", 1)[1])
    assert new_id != draft
    assert _default(app, draft, "visit_time") == "10:00"
    assert _default(app, new_id, "visit_time") == "now()"


def test_other_questions_have_no_default_form(app, staff, draft):
    analyst = staff("analyst")
    assert analyst.client.get(_url(app, draft, "note")).status_code == 404


def test_an_xlsform_default_of_today_or_now_is_read_and_a_bad_one_left_out(app):
    survey = [
        ["type", "name", "label", "default"],
        ["date", "visit_date", "Date of the visit", "today()"],
        ["time", "visit_time", "Time of the visit", "now()"],
        ["date", "founded", "Founded", "long ago"],
        ["date", "opened", "Opened", "2020-05-04"],
    ]
    with app.app_context():
        result = import_xlsform(repeat_workbook(survey), "defaults.xlsx")
        assert result.ok
        defaults = {q.name: q.default for p in result.version.pages for q in p.questions}
        warnings = [str(w) for w in result.warnings]
    assert defaults == {
        "visit_date": "today()",
        "visit_time": "now()",
        "founded": None,
        "opened": "2020-05-04",
    }
    assert any("“long ago” is not a date: the default was left out." in w for w in warnings)
