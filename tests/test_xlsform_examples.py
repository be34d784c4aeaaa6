"""The 27 XLSForms of ../shared/xlsforms, written by others, end to end.

Each file either imports, or is refused for a reason that README.md lists as
deliberately unsupported ("XLSForm: what is supported"). Each imported form is
answered through the test client (every answerable question of every page shown, with
a value made from its type, choices and constraint: a time, a date and time, a
location's two inputs, "other, specify" with its text, a small valid file of each
upload type; a repeat that the respondent sizes gets a second entry by its "Add another
entry" button, loops and repeat_counts are filled entry by entry), its answers exported
to XLSX (a sheet per repeat) and CSV (a zip of CSVs with repeats) and read back, and it
is exported to XLSForm and imported again unchanged. A refused form whose
problems are all on rows that can be left out goes the same way after importing the
rest (the author's choice).

``OUTCOMES`` is the one table to update when what the importer takes changes.
"""

from __future__ import annotations

import csv
import io
import re
import wave
import zipfile
from dataclasses import dataclass
from datetime import UTC, date, datetime
from pathlib import Path

import openpyxl
import pytest
from sqlalchemy import select

from surveyapp.core.spreadsheets import csv_chunks
from surveyapp.extensions import db
from surveyapp.models import Campaign, Invitation, Municipality, Question, QuestionnaireVersion
from surveyapp.models.questionnaire import ANSWERABLE_TYPES
from surveyapp.questionnaires import repeats, rules
from surveyapp.questionnaires.expressions import ExpressionError, parse
from surveyapp.questionnaires.xlsform.exporter import export_xlsform
from surveyapp.questionnaires.xlsform.importer import import_xlsform
from surveyapp.responses import exports, repeat_exports
from tests import upload_files as files
from tests.conftest import csrf_token
from tests.test_xlsform import snapshot, survey_form

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


IMPORTS = "imports"

OUTCOMES: dict[str, str | Refused] = {
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
    "choice_name_as_type.xls": IMPORTS,
    "default_time_demo.xls": IMPORTS,
    "gps.xls": IMPORTS,
    "hidden.xls": IMPORTS,
    "table-list.xls": IMPORTS,
    "xml_escaping.xls": IMPORTS,
    "loop.xlsx": IMPORTS,
    "simple_loop.xls": IMPORTS,
    "repeat_date_test.xls": IMPORTS,
    "sms_info.xls": IMPORTS,
    "or_other.xlsx": IMPORTS,
    "choice_filter_test.xlsx": IMPORTS,
    "attribute_columns_test.xlsx": IMPORTS,
    # refused whole; each goes on with the rest imported (the author's choice)
    "include.xlsx": Refused("include", "“include” is not supported"),
    "case_insensitivity.xlsx": Refused("osm", "“osm c1” is not supported"),
    "UCL_Biomass_Plot_Form.xlsx": Refused(
        "A regular expression that can backtrack badly", "regular expression refused"
    ),
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
def test_example_form_imports_answers_exports_and_round_trips(app, client, tmp_path, filename):
    app.config["UPLOAD_FOLDER"] = str(tmp_path / "uploads")
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
            Question.version_id == version_id, Question.type.in_(ANSWERABLE_TYPES)
        )
        assert answered or not db.session.scalars(inputs).first(), "nothing was answered"
    with app.app_context():
        _check_exports(campaign_id, version_id, answered)
        again = import_xlsform(export_xlsform(version_id), "again.xlsx", name="again")
        assert again.ok, "\n".join(str(issue) for issue in again.errors)
        assert snapshot(again.version.id) == snapshot(version_id)


def test_other_text_and_a_location_inside_a_repeat_are_exported(app, client):
    form = survey_form(
        ["begin repeat", "sites", "Sites"],
        ["select_one yn or_other", "kind", "Kind of site"],
        ["select_multiple yn or_other", "uses", "Uses"],
        ["geopoint", "where", "Where is it?"],
        ["end repeat"],
    )
    with app.app_context():
        result = import_xlsform(form, "sites.xlsx", name="x_sites")
        assert result.ok, "\n".join(str(issue) for issue in result.errors)
        version_id = result.version.id
        campaign_id, token = _campaign_with_invitation(version_id)
    answered = _answer_every_page(app, client, token, version_id)
    assert answered.entries["sites"][2] == {
        "kind": "other",
        "uses": ["other"],
        "where": "42.66 21.17",
    }
    with app.app_context():
        _check_exports(campaign_id, version_id, answered)


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
_ENTRY = re.compile(r"e(\d+)-(.+)")
_HIDDEN_OPTION = re.compile(r"<li hidden>.*?</li>", re.S)
#: Inputs beside a question's own (``more_fields``): "other, specify" and a location's parts.
_PARTS = ("-other", "-lat", "-lon")


@dataclass
class Answered:
    """What was answered: {question: value} outside repeats, and per repeat page its
    entries' {question: value} by entry number."""

    values: dict[str, object]
    entries: dict[str, dict[int, dict[str, object]]]

    def __bool__(self) -> bool:
        return bool(self.values) or any(any(e.values()) for e in self.entries.values())


def _inputs(html: str) -> dict[str, tuple[str, list[str]]]:
    """Field name -> (its input type, the values its radios or checkboxes offer); an
    option a choice_filter hides (``<li hidden>``) is not offered."""
    html = _HIDDEN_OPTION.sub("", html)
    found: dict[str, tuple[str, list[str]]] = {}
    for tag, attributes in _INPUT.findall(html):
        attrs = dict(_ATTRIBUTE.findall(attributes))
        name = attrs.get("name")
        if not name or name in ("csrf_token", "action", "entries"):
            continue
        kind, options = found.setdefault(name, (attrs.get("type", tag), []))
        if kind in ("radio", "checkbox"):
            options.append(attrs.get("value", ""))
    return found


def _answer_every_page(
    app, client, token: str, version_id: int, files_in_entries: bool = False
) -> Answered:
    """Every answerable question of every page shown, answered (a repeat that the
    respondent sizes gets a second entry by its "Add another entry" button); what was
    answered."""
    base = f"/en/r/{token}"
    start = client.get(base).get_data(as_text=True)
    step = client.post(
        f"{base}/consent", data={"csrf_token": csrf_token(start), "action": "accept"}
    )
    assert step.status_code == 303, step.get_data(as_text=True)
    answered = Answered({}, {})
    added: set[str] = set()
    for _ in range(80):
        location = step.location
        if "/review" in location or "/thanks" in location:
            break
        assert "/p/" in location, location
        assert "check=" not in location, _errors(client.get(location).get_data(as_text=True))
        shown = client.get(location)
        if shown.status_code in (302, 303):  # a page with nothing to show sends on
            step = shown
            continue
        html = shown.get_data(as_text=True)
        inputs = _inputs(html)
        repeat = 'name="entries"' in html
        action = "next"
        if repeat and 'value="add"' in html and location not in added:
            added.add(location)
            action = "add"
        with app.app_context():
            form = _fill(version_id, inputs, answered, repeat, files_in_entries)
        if repeat:  # how many entries the page shows (a hidden input)
            form["entries"] = re.search(r'name="entries" value="(\d+)"', html).group(1)
        step = client.post(
            location, data={"csrf_token": csrf_token(html), "action": action, **form}
        )
        assert step.status_code == 303, step.get_data(as_text=True)[:3000]
    else:
        raise AssertionError("the path never ended")
    review = client.get(f"{base}/review").get_data(as_text=True)
    done = client.post(f"{base}/submit", data={"csrf_token": csrf_token(review)})
    assert done.status_code == 303, done.get_data(as_text=True)[:3000]
    return answered


def _errors(html: str) -> str:
    """The page's error summary, as text (what the respondent is told to fix)."""
    start = html.find('class="error-summary')
    return re.sub(r"<[^>]+>|\s+", " ", html[start : start + 3000] if start >= 0 else html[:3000])


def _fill(
    version_id: int,
    inputs: dict[str, tuple[str, list[str]]],
    answered: Answered,
    repeat: bool,
    files_in_entries: bool,
) -> dict:
    questions = db.session.scalars(select(Question).where(Question.version_id == version_id))
    by_name = {q.name: q for q in questions}
    version = db.session.get(QuestionnaireVersion, version_id)
    outside = rules.all_values(version, answered.values)  # calculations too
    form: dict[str, object] = {}
    for field, (kind, options) in inputs.items():
        if field.endswith("-lat"):  # a location: its two inputs, "-lat" and "-lon"
            field = field.removesuffix("-lat")
        elif field.endswith(_PARTS):
            continue
        entry, name = None, field
        if repeat and (found := _ENTRY.fullmatch(field)):
            entry, name = int(found.group(1)), found.group(2)
        question = by_name.get(name)
        if question is None or question.type in ("note", "calculate"):
            continue
        if entry is not None and question.type in UPLOADS and not files_in_entries:
            continue  # refused at import (tests/test_xlsform.py); older drafts may hold one
        if entry is None:
            store, values = answered.values, outside
        else:
            page = answered.entries.setdefault(question.page.name, {})
            store = page.setdefault(entry, {})
            values = outside | store
        has_other = f"{field}-other" in inputs
        candidates = list(_candidates(question, kind, options, has_other))
        fitting = [c for c in candidates if _accepted(question, values, c[1])]
        for typed, value in (fitting or candidates)[:1]:  # none fits: the server says why
            if question.type == "geopoint":
                form[f"{field}-lat"], form[f"{field}-lon"] = typed
            elif question.type in UPLOADS:
                form[field] = (io.BytesIO(typed[0]), typed[1])
            else:
                form[field] = typed
            if has_other and _chose_other(value):
                form[f"{field}-other"] = OTHER_TEXT
            store[name], values[name] = value, value
    return form


UPLOADS = ("image", "audio", "video", "file")
OTHER_TEXT = "Something else: друго"


def _chose_other(value: object) -> bool:
    return value == "other" or (isinstance(value, list) and "other" in value)


def _wav() -> bytes:
    out = io.BytesIO()
    with wave.open(out, "wb") as sound:
        sound.setnchannels(1)
        sound.setsampwidth(2)
        sound.setframerate(8000)
        sound.writeframes(b"\x00\x00" * 800)
    return out.getvalue()


#: A small valid file of each upload type: (its bytes, its name).
FILES = {
    "image": (files.png(), "site.png"),
    "audio": (_wav(), "statement.wav"),
    "video": (b"\x00\x00\x00\x18ftypmp42\x00\x00\x00\x00mp42isom\x00\x00\x00\x08free", "walk.mp4"),
    "file": (files.PDF, "plan.pdf"),
}


def _candidates(question: Question, kind: str, options: list[str], has_other: bool):
    """(what is typed, the value stored) pairs that suit the question, best first."""
    if has_other and "other" in options:  # "other, specify" first, then the rest
        options = ["other", *(o for o in options if o != "other")]
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
    elif question.type == "time":
        yield ("09:30", "09:30")
    elif question.type == "datetime":
        yield ("2024-03-15T09:30", "2024-03-15T09:30")
    elif question.type == "geopoint":
        yield (("42.66", "21.17"), "42.66 21.17")
    elif question.type in UPLOADS:
        content, filename = FILES[question.type]
        yield ((content, filename), filename)
    elif kind in ("radio", "checkbox", "select", "file"):
        return
    else:
        texts = ("Odgovor за тест", "5551234567", "mayor@example.org", "A1")
        yield from ((text, text) for text in texts if len(text) <= (question.max_length or 500))


def _accepted(question: Question, values: dict, value: object) -> bool:
    if not question.constraint:
        return True
    try:
        return parse(question.constraint).is_true(values, current=value, today=date.today())
    except (ExpressionError, TypeError, ValueError):
        return True  # left for the server to decide


# --- the exports ------------------------------------------------------------------------


def _check_exports(campaign_id: int, version_id: int, answered: Answered) -> None:
    """The answers are in the XLSX (a sheet per repeat) and the CSV (a zip of CSVs
    with repeats), read back."""
    version = db.session.get(QuestionnaireVersion, version_id)
    values = rules.all_values(version, answered.values)
    hidden = rules.irrelevant_names(version, values)
    kept = {k: v for k, v in answered.values.items() if k not in hidden}
    pages = repeats.repeat_pages(version)
    titles = dict(zip((p.name for p in pages), repeat_exports._titles(pages), strict=True))
    entries = {
        page: {n: e for n, e in by_entry.items() if e}
        for page, by_entry in answered.entries.items()
    }
    book = openpyxl.load_workbook(exports.workbook(campaign_id, None, False, "en"), read_only=True)
    sheets = {"responses": _table(book["responses"].iter_rows(values_only=True))}
    sheets |= {page: _table(book[titles[page]].iter_rows(values_only=True)) for page in entries}
    _check_tables(sheets, kept, entries, typed=True)
    for labels in (None, "en"):  # the download's CSV: cells prepared, the same text
        cells = "".join(csv_chunks(exports.response_rows(campaign_id, labels)))
        prepared = exports.response_rows(campaign_id, labels, for_csv=True)
        assert "".join(csv_chunks(prepared, prepared=True)) == cells
    main = exports.response_rows(campaign_id, None)
    if not pages:
        text = "".join(csv_chunks(main))
        sheets = {"responses": _table(csv.reader(io.StringIO(text.lstrip("\ufeff"))))}
    else:
        stem = "responses"
        archive = zipfile.ZipFile(
            repeat_exports.csv_zip(
                main, repeat_exports.repeat_sheets(campaign_id, None, False), stem
            )
        )

        def read(name: str) -> list[dict]:
            text = archive.read(name).decode("utf-8").lstrip("\ufeff")
            return _table(csv.reader(io.StringIO(text)))

        sheets = {"responses": read(f"{stem}.csv")}
        sheets |= {page: read(f"{stem}-{titles[page]}.csv") for page in entries}
    _check_tables(sheets, kept, entries, typed=False)


def _table(rows) -> list[dict]:
    rows = [list(row) for row in rows]
    return [dict(zip(rows[0], row, strict=True)) for row in rows[1:]]


def _check_tables(sheets: dict, kept: dict, entries: dict, typed: bool) -> None:
    assert len(sheets["responses"]) == 1, "one response"
    _check_row(sheets["responses"][0], kept, typed)
    for page, by_entry in entries.items():
        rows = {int(row["entry"]): row for row in sheets[page]}
        for number, answers in by_entry.items():
            assert number in rows, (page, number, sorted(rows))
            _check_row(rows[number], answers, typed)


def _check_row(row: dict, answered: dict[str, object], typed: bool) -> None:
    for name, value in answered.items():
        cell = row[name]
        if isinstance(value, list):
            for option in value:
                assert str(row[f"{name}/{option}"]) == "1", (name, option, row)
        elif isinstance(value, float):
            assert float(cell) == value, (name, value, cell)
        elif isinstance(value, date):
            got = cell.date() if isinstance(cell, datetime) else cell
            assert got == value if typed else str(cell).startswith(value.isoformat()), (name, cell)
        elif value in (f[1] for f in FILES.values()):
            assert cell, (name, "no link to the file", row)
        elif value == "42.66 21.17":
            assert "42.66" in str(cell) and "21.17" in str(cell), (name, cell)
            latitude, longitude = row.get(f"{name}_latitude"), row.get(f"{name}_longitude")
            assert (float(latitude), float(longitude)) == (42.66, 21.17), (name, row)
        elif value == "2024-03-15T09:30":
            assert "2024-03-15" in str(cell) and "09:30" in str(cell), (name, cell)
        elif value == "09:30":
            assert str(cell).startswith("09:30"), (name, cell)
        else:
            assert str(cell) == value, (name, value, cell)
        if _chose_other(value):
            assert row.get(f"{name}_other") == OTHER_TEXT, (name, "the “Other” text", row)
