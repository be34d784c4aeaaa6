"""The 27 XLSForms of ../shared/xlsforms, written by others, end to end.

Each file either imports, or is refused for a reason that README.md lists as
deliberately unsupported ("XLSForm: what is supported"), or waits for a branch of
issue #20 that is not merged here. Each imported form is answered through the test
client (every answerable question of every page shown, with a value made from its
type, choices and constraint), its answers exported to XLSX and CSV and read back,
and it is exported to XLSForm and imported again unchanged. A refused form whose
problems are all on rows that can be left out goes the same way after importing the
rest (the author's choice).

``OUTCOMES`` is the one table to update when a branch is merged.
"""

from __future__ import annotations

import csv
import io
import re
from dataclasses import dataclass
from datetime import UTC, date, datetime
from pathlib import Path

import openpyxl
import pytest
from sqlalchemy import select

from surveyapp.core.spreadsheets import csv_chunks
from surveyapp.extensions import db
from surveyapp.models import Campaign, Invitation, Municipality, Question, QuestionnaireVersion
from surveyapp.questionnaires import rules
from surveyapp.questionnaires.expressions import ExpressionError, parse
from surveyapp.questionnaires.xlsform.exporter import export_xlsform
from surveyapp.questionnaires.xlsform.importer import import_xlsform
from surveyapp.responses import exports
from tests.conftest import csrf_token
from tests.test_xlsform import snapshot

ROOT = Path(__file__).resolve().parents[1]
EXAMPLES = ROOT.parent / "shared" / "xlsforms"
README = ROOT / "README.md"


@dataclass(frozen=True)
class Refused:
    """Refused whole for a feature README.md lists as deliberately unsupported."""

    #: the feature as README's table names it (its row says why)
    feature: str
    #: words the import's errors must contain
    says: str


@dataclass(frozen=True)
class Waiting:
    """Refused here for a feature another branch of issue #20 brings (README: supported);
    the coordinator turns the entry into IMPORTS (or Refused) when that branch is merged."""

    branch: str
    says: str


IMPORTS = "imports"

OUTCOMES: dict[str, str | Refused | Waiting] = {
    "yes_or_no_question.xlsx": IMPORTS,
    "text_and_integer.xlsx": IMPORTS,
    "group.xlsx": IMPORTS,
    "group.xls": IMPORTS,
    "allow_comment_rows_test.xls": IMPORTS,
    "calculate.xls": IMPORTS,
    "cascading_select_test_equivalent.xls": IMPORTS,
    "extra_sheet_names.xlsx": IMPORTS,
    "ict_survey_fails.xls": IMPORTS,
    "style_settings.xls": IMPORTS,
    "xl_date_ambiguous_v1.xlsx": IMPORTS,
    "choice_filter_test.xlsx": Refused(
        "Two choices of one list with the same name", "“king” is already a choice"
    ),
    "include.xlsx": Refused("include", "“include” is not supported"),
    "or_other.xlsx": Refused(
        "A bare name in choice_filter that is not a column of the choices sheet",
        "unknown choice column 'yes'",
    ),
    "case_insensitivity.xlsx": Refused("osm", "“osm c1” is not supported"),
    "attribute_columns_test.xlsx": Refused(
        "Names with a hyphen", "“label-test” is not a valid name"
    ),
    "UCL_Biomass_Plot_Form.xlsx": Refused(
        "A regular expression that can backtrack badly", "regular expression refused"
    ),
    "choice_name_as_type.xls": Waiting("types", "“select_one_external type” is not supported"),
    "default_time_demo.xls": Waiting("types", "“time” is not supported"),
    "gps.xls": Waiting("types", "“gps” is not supported"),
    "hidden.xls": Waiting("types", "“hidden” is not supported"),
    "table-list.xls": Waiting("types", "The choice has no label"),
    "xml_escaping.xls": Waiting("types", "The choice has no label"),
    "loop.xlsx": Waiting("repeats", "“begin loop over toilet_type” is not supported"),
    "simple_loop.xls": Waiting("repeats", "“begin loop over my_columns” is not supported"),
    "repeat_date_test.xls": Waiting("repeats", "Repeats are not supported"),
    "sms_info.xls": Waiting("uploads", "“image” is not supported"),
}

needs_examples = pytest.mark.skipif(
    not EXAMPLES.is_dir(),
    reason=f"the example XLSForms are not there ({EXAMPLES}): CI puts shared/ beside the checkout",
)


def _supported_section() -> str:
    text = README.read_text(encoding="utf-8")
    start = text.index("## XLSForm: what is supported")
    end = text.find("\n## ", start + 1)
    return text[start : end if end > 0 else None]


@needs_examples
def test_every_example_file_has_an_expected_outcome():
    assert sorted(p.name for p in EXAMPLES.glob("*.xls*")) == sorted(OUTCOMES)


def test_every_refusal_is_a_deliberately_unsupported_row_of_the_readme():
    section = _supported_section()
    rows = [line for line in section.splitlines() if line.startswith("|")]
    for outcome in OUTCOMES.values():
        if isinstance(outcome, Refused):
            row = next((r for r in rows if outcome.feature in r), None)
            assert row is not None, f"README has no row for {outcome.feature!r}"
            assert "deliberately unsupported" in row, row


@needs_examples
@pytest.mark.parametrize("filename", sorted(OUTCOMES))
def test_example_form_imports_answers_exports_and_round_trips(app, client, filename):
    outcome = OUTCOMES[filename]
    data = (EXAMPLES / filename).read_bytes()
    with app.app_context():
        result = import_xlsform(data, filename, name=_name(filename))
        said = "\n".join(str(issue) for issue in result.errors)
        if outcome == IMPORTS:
            assert result.ok, said
        else:
            assert not result.ok, f"{filename} imports now: mark it IMPORTS in OUTCOMES"
            assert outcome.says in said, said
            if not result.can_import_rest:
                return
            # The author's choice: import what can be taken, and go on with that.
            result = import_xlsform(data, filename, name=_name(filename), import_rest=True)
            assert result.ok, "\n".join(str(issue) for issue in result.errors)
            assert result.version.import_notes
        version_id = result.version.id
        campaign_id, token = _campaign_with_invitation(version_id)
    answered = _answer_every_page(app, client, token, version_id)
    with app.app_context():
        inputs = select(Question.name).where(
            Question.version_id == version_id, Question.type.not_in(("note", "calculate"))
        )
        assert answered or not db.session.scalars(inputs).first(), "nothing was answered"
    with app.app_context():
        _check_exports(campaign_id, version_id, answered)
        again = import_xlsform(export_xlsform(version_id), "again.xlsx", name="again")
        assert again.ok, "\n".join(str(issue) for issue in again.errors)
        assert snapshot(again.version.id) == snapshot(version_id)


# --- the respondent ---------------------------------------------------------------------


def _name(filename: str) -> str:
    return "x_" + re.sub(r"[^a-z0-9]+", "_", filename.lower())[:50]


def _campaign_with_invitation(version_id: int) -> tuple[int, str]:
    version = db.session.get(QuestionnaireVersion, version_id)
    version.status, version.published_at = "published", datetime.now(UTC).replace(tzinfo=None)
    campaign = Campaign(name=f"Example {version_id}", version=version)
    town = db.session.scalar(select(Municipality).where(Municipality.code == "mk-cair"))
    token = f"example-{version_id}-token-abcdefghijkl"
    db.session.add_all(
        [campaign, Invitation(token=token, campaign=campaign, municipality=town, role="mayor")]
    )
    db.session.commit()
    return campaign.id, token


_INPUT = re.compile(r"<(input|textarea|select)\b([^>]*)>", re.S)
_ATTRIBUTE = re.compile(r'([\w-]+)="([^"]*)"')


def _inputs(html: str) -> dict[str, list[str]]:
    """Field name -> the values its radios or checkboxes offer ([] for other inputs)."""
    found: dict[str, list[str]] = {}
    for _tag, attributes in _INPUT.findall(html):
        attrs = dict(_ATTRIBUTE.findall(attributes))
        name = attrs.get("name")
        if not name or name in ("csrf_token", "action"):
            continue
        options = found.setdefault(name, [])
        if attrs.get("type") in ("radio", "checkbox"):
            options.append(attrs.get("value", ""))
    return found


def _answer_every_page(app, client, token: str, version_id: int) -> dict[str, object]:
    """Every answerable question of every page shown, answered; what was answered."""
    base = f"/en/r/{token}"
    start = client.get(base).get_data(as_text=True)
    step = client.post(
        f"{base}/consent", data={"csrf_token": csrf_token(start), "action": "accept"}
    )
    assert step.status_code == 303, step.get_data(as_text=True)
    answered: dict[str, object] = {}
    for _ in range(60):
        location = step.location
        if "/review" in location or "/thanks" in location:
            break
        assert "/p/" in location, location
        shown = client.get(location)
        if shown.status_code in (302, 303):  # a page with nothing to show sends on
            step = shown
            continue
        html = shown.get_data(as_text=True)
        with app.app_context():
            form = _fill(version_id, _inputs(html), answered)
        step = client.post(
            location, data={"csrf_token": csrf_token(html), "action": "next", **form}
        )
        assert step.status_code == 303, step.get_data(as_text=True)[:3000]
    review = client.get(f"{base}/review").get_data(as_text=True)
    done = client.post(f"{base}/submit", data={"csrf_token": csrf_token(review)})
    assert done.status_code == 303, done.get_data(as_text=True)[:3000]
    return answered


def _fill(version_id: int, inputs: dict[str, list[str]], answered: dict) -> dict:
    questions = db.session.scalars(select(Question).where(Question.version_id == version_id))
    by_name = {q.name: q for q in questions}
    values: dict[str, object] = dict.fromkeys(by_name) | answered
    form: dict[str, object] = {}
    for name, options in inputs.items():
        question = by_name.get(name)
        if question is None or question.type in ("note", "calculate"):
            continue
        for typed, value in _candidates(question, options):
            if _accepted(question, values, value):
                form[name], answered[name], values[name] = typed, value, value
                break
    return form


def _candidates(question: Question, options: list[str]):
    """(what is typed, the value stored) pairs that suit the question, best first."""
    if question.type in ("single_choice", "scale"):
        yield from ((option, option) for option in options)
    elif question.type == "multiple_choice":
        yield from (([option], [option]) for option in options)
    elif question.type == "number":
        numbers = [question.min_value, question.max_value, 1, 2, 5, 10, 100, 250, 0, 3.5]
        for number in numbers:
            if number is None or (question.integer_only and number != int(number)):
                continue
            if question.min_value is not None and number < question.min_value:
                continue
            if question.max_value is not None and number > question.max_value:
                continue
            yield (f"{number:g}", float(number))
    elif question.type == "date":
        for day in (question.min_date, "2024-03-15", "2000-01-01"):
            if day and day != "today":
                yield (day, date.fromisoformat(day))
    else:
        texts = ("Odgovor за тест", "5551234567", "mayor@example.org", "A1")
        yield from ((text, text) for text in texts if len(text) <= (question.max_length or 500))


def _accepted(question: Question, values: dict, value: object) -> bool:
    if not question.constraint:
        return True
    try:
        return parse(question.constraint).is_true(values, current=value, today=date.today())
    except ExpressionError:
        return True  # left for the server to decide


# --- the exports ------------------------------------------------------------------------


def _check_exports(campaign_id: int, version_id: int, answered: dict[str, object]) -> None:
    version = db.session.get(QuestionnaireVersion, version_id)
    values = rules.all_values(version, answered)
    kept = {k: v for k, v in answered.items() if k not in rules.irrelevant_names(version, values)}
    book = exports.workbook(campaign_id, None, False, "en")
    sheet = openpyxl.load_workbook(book, read_only=True)["responses"]
    rows = [list(row) for row in sheet.iter_rows(values_only=True)]
    assert len(rows) == 2, "one header row and one response"
    _check_row(dict(zip(rows[0], rows[1], strict=True)), kept, typed=True)
    text = "".join(csv_chunks(exports.response_rows(campaign_id, None)))
    header, row = list(csv.reader(io.StringIO(text.lstrip("\ufeff"))))
    _check_row(dict(zip(header, row, strict=True)), kept, typed=False)


def _check_row(row: dict, answered: dict[str, object], typed: bool) -> None:
    for name, value in answered.items():
        if isinstance(value, list):
            for option in value:
                assert str(row[f"{name}/{option}"]) == "1", (name, option, row)
        elif isinstance(value, float):
            assert float(row[name]) == value, (name, value, row[name])
        elif isinstance(value, date):
            cell = row[name]
            got = cell.date() if isinstance(cell, datetime) else cell
            assert got == value if typed else str(cell).startswith(value.isoformat()), (name, cell)
        else:
            assert str(row[name]) == value, (name, value, row[name])
