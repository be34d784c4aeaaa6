"""The editor's question form: only the settings a question's type uses, a change of
type drawn before it is saved, and skip rules built from conditions (question,
comparison, value) without JavaScript, with the expression still at hand."""

from __future__ import annotations

from html import unescape
from html.parser import HTMLParser

import pytest

from surveyapp.extensions import db
from surveyapp.models import Question
from surveyapp.questionnaires.editing import structure, text_edits, version_edits

YES_NO_DK = [("yes", None, "Yes"), ("no", None, "No"), ("dk", None, "Don't know")]
SUPPORT = [("training", None, "Training"), ("funding", None, "Funding")]

#: Every setting the form can show, beyond name, type, text and the skip rule.
SETTINGS = {
    "required", "domain", "measure", "choices", "min_value", "max_value", "integer_only",
    "max_length", "min_date", "max_date", "calculation", "constraint",
}  # fmt: skip
ANSWERED = {"required", "domain", "constraint"}
EXPECTED = {
    "single_choice": ANSWERED | {"choices"},
    "multiple_choice": ANSWERED | {"choices"},
    "scale": ANSWERED | {"choices", "measure"},
    "number": ANSWERED | {"min_value", "max_value", "integer_only"},
    "short_text": ANSWERED | {"max_length"},
    "long_text": ANSWERED | {"max_length"},
    "date": ANSWERED | {"min_date", "max_date"},
    "note": set(),
    "calculate": {"calculation"},
}


class _Form(HTMLParser):
    """The question form's fields: names, the options of each select (value, text,
    selected), checked boxes and radios, text values, and optgroup labels."""

    def __init__(self, html: str) -> None:
        super().__init__()
        self.names: set[str] = set()
        self.options: dict[str, list[tuple[str, str, bool]]] = {}
        self.checked: dict[str, list[str]] = {}
        self.values: dict[str, str] = {}
        self.groups: dict[str, list[str]] = {}
        self._select: str | None = None
        self._option: list | None = None
        self._textarea: str | None = None
        self.feed(html)

    def handle_starttag(self, tag, attrs):
        a = dict(attrs)
        name = a.get("name")
        if tag in ("input", "select", "textarea") and name:
            self.names.add(name)
        if tag == "select":
            self._select = name
            self.options[name] = []
        elif tag == "optgroup" and self._select:
            self.groups.setdefault(self._select, []).append(a.get("label", ""))
        elif tag == "option" and self._select:
            self._option = [a.get("value", ""), "", "selected" in a]
        elif tag == "input" and name:
            if a.get("type") in ("checkbox", "radio"):
                if "checked" in a:
                    self.checked.setdefault(name, []).append(a.get("value", ""))
            else:
                self.values[name] = a.get("value", "")
        elif tag == "textarea":
            self._textarea = name
            self.values[name] = ""

    def handle_data(self, data):
        if self._option is not None:
            self._option[1] += data
        elif self._textarea:
            self.values[self._textarea] += data

    def handle_endtag(self, tag):
        if tag == "option" and self._option is not None and self._select:
            self.options[self._select].append(tuple(self._option))
            self._option = None
        elif tag == "select":
            self._select = None
        elif tag == "textarea" and self._textarea:
            # The newline WTForms writes after <textarea> is not part of the value.
            value = self.values[self._textarea]
            self.values[self._textarea] = value[2:] if value.startswith("\r\n") else value
            self._textarea = None

    def settings(self) -> set[str]:
        return self.names & SETTINGS

    def selected(self, name: str) -> str | None:
        return next((value for value, _text, on in self.options.get(name, []) if on), None)


@pytest.fixture
def pilot(app):
    """A draft: page 1 asks council (select), staff (number), adopted (date), support
    (several), a note and a calculation; page 2 asks follow (number) and later."""
    with app.app_context():
        version = version_edits.create_questionnaire("pilot", "Pilot")
        first = version.pages[0].id
        spec = structure.QuestionSpec
        structure.add_question(
            first, spec("council", "single_choice", choices=YES_NO_DK), "Is there a council?"
        )
        structure.add_question(
            first, spec("staff", "number", min_value=0, max_value=60), "How many staff?"
        )
        structure.add_question(first, spec("adopted", "date"), "When was the plan adopted?")
        structure.add_question(
            first, spec("support", "multiple_choice", choices=SUPPORT), "Which support?"
        )
        structure.add_question(first, spec("intro", "note"), "Thank you.")
        structure.add_question(
            first, spec("double", "calculate", calculation="${staff} * 2"), "Twice the staff"
        )
        second = structure.add_page(version.id, "Follow-up").id
        structure.add_question(second, spec("follow", "number"), "How many meetings?")
        structure.add_question(second, spec("later", "short_text"), "Anything else?")
        text_edits.save_texts(
            version.id,
            {
                ("q.council.label", "mk"): "Дали постои совет?",
                ("choice.council.yes", "mk"): "Да",
                ("choice.council.no", "mk"): "Не",
            },
            {"q.council.label", "choice.council.yes", "choice.council.no"},
        )
        ids = {q.name: q.id for page in version.pages for q in page.questions} | {
            "page_1": first,
            "page_2": second,
        }
        db.session.commit()
        return ids


def _question(app, question_id: int) -> Question:
    with app.app_context():
        question = db.session.get(Question, question_id)
        db.session.expunge(question)
        return question


def _post(analyst, url: str, data: dict):
    return analyst.post_form(url, data)


# --- only the settings of the type -------------------------------------------------------


@pytest.mark.parametrize("type_code", sorted(EXPECTED))
def test_the_new_question_form_shows_only_the_settings_of_its_type(staff, pilot, type_code):
    analyst = staff("analyst")
    html = analyst.client.get(f"/en/staff/pages/{pilot['page_1']}/questions/new?type={type_code}")
    form = _Form(html.get_data(as_text=True))
    assert form.settings() == EXPECTED[type_code]
    assert form.selected("type") == type_code
    assert "rule_mode" in form.names, "every type has a skip rule"


@pytest.mark.parametrize(
    ("name", "type_code"), [("council", "single_choice"), ("staff", "number"), ("adopted", "date")]
)
def test_an_existing_question_shows_the_settings_of_its_type(staff, pilot, name, type_code):
    analyst = staff("analyst")
    form = _Form(analyst.client.get(f"/en/staff/questions/{pilot[name]}").get_data(as_text=True))
    assert form.settings() == EXPECTED[type_code]


def test_a_new_question_starts_with_its_kind(staff, pilot):
    analyst = staff("analyst")
    html = analyst.client.get(f"/en/staff/pages/{pilot['page_1']}/questions/new").get_data(
        as_text=True
    )
    form = _Form(html)
    assert "What kind of question is it?" in html
    assert form.checked["type"] == ["single_choice"] and not form.settings()


def test_choosing_another_type_draws_its_settings_before_anything_is_saved(app, staff, pilot):
    analyst = staff("analyst")
    url = f"/en/staff/questions/{pilot['staff']}"
    sent = {"name": "staff", "type": "single_choice", "shown_type": "number",
            "min_value": "0", "max_value": "60", "action": "save"}  # fmt: skip
    drawn = _post(analyst, url, sent)
    assert drawn.status_code == 200
    html = drawn.get_data(as_text=True)
    assert "Nothing is saved yet" in html
    assert _Form(html).settings() == EXPECTED["single_choice"]
    assert _question(app, pilot["staff"]).type == "number"

    saved = _post(
        analyst,
        url,
        {"name": "staff", "type": "single_choice", "shown_type": "single_choice",
         "choices": "few | | Few\nmany | | Many", "action": "save"},
    )  # fmt: skip
    assert saved.status_code == 303
    question = _question(app, pilot["staff"])
    assert question.type == "single_choice"
    assert question.min_value is None and question.max_value is None


def test_the_show_its_settings_button_saves_nothing(app, staff, pilot):
    analyst = staff("analyst")
    drawn = _post(
        analyst,
        f"/en/staff/questions/{pilot['follow']}",
        {"name": "follow", "type": "date", "shown_type": "number", "action": "retype"},
    )
    assert drawn.status_code == 200
    assert _Form(drawn.get_data(as_text=True)).settings() == EXPECTED["date"]
    assert _question(app, pilot["follow"]).type == "number"


def test_settings_the_type_does_not_use_are_not_kept(app, pilot):
    with app.app_context():
        spec = structure.QuestionSpec(
            "council", "single_choice", min_value=1, max_value=5, max_length=10,
            integer_only=True, min_date="today", measure="need", calculation="1 + 1",
            choices=YES_NO_DK,
        )  # fmt: skip
        question = structure.update_question(pilot["council"], spec)
        assert (question.min_value, question.max_value, question.max_length) == (None,) * 3
        assert not question.integer_only and question.min_date is None
        assert question.measure is None and question.calculation is None
        assert [c.value for c in question.choice_list.choices] == ["yes", "no", "dk"]


def test_a_calculation_is_edited_with_its_expression(app, staff, pilot):
    analyst = staff("analyst")
    url = f"/en/staff/questions/{pilot['double']}"
    form = _Form(analyst.client.get(url).get_data(as_text=True))
    assert form.values["calculation"] == "${staff} * 2"
    refused = _post(analyst, url, {"name": "double", "type": "calculate", "calculation": ""})
    assert "A calculation needs an expression." in refused.get_data(as_text=True)
    saved = _post(
        analyst, url, {"name": "double", "type": "calculate", "calculation": "${staff} * 3"}
    )
    assert saved.status_code == 303
    assert _question(app, pilot["double"]).calculation == "${staff} * 3"


# --- the skip-rule builder ---------------------------------------------------------------


def _row(number: int, question: str, operator: str, values, drawn: str) -> dict:
    key = "values" if drawn.endswith("|choices") else "value"
    return {
        f"condition-{number}-question": question,
        f"condition-{number}-operator": operator,
        f"condition-{number}-{key}": values,
        f"condition-{number}-drawn": drawn,
    }


def _follow(**extra) -> dict:
    return {"name": "follow", "type": "number", "shown_type": "number", **extra}


def test_only_earlier_questions_are_offered_in_order_in_the_editors_language(staff, pilot):
    analyst = staff("analyst")
    html = analyst.client.get(f"/mk/staff/questions/{pilot['follow']}").get_data(as_text=True)
    form = _Form(html)
    offered = form.options["new_condition"]
    assert [value for value, _text, _on in offered] == ["council", "staff", "adopted", "support"]
    assert offered[0][1] == "Дали постои совет? (council)"
    assert form.groups["new_condition"] == ["Страница 1: Pilot"]

    html = analyst.client.get(f"/en/staff/questions/{pilot['council']}").get_data(as_text=True)
    assert "No earlier question has an answer that a condition can test." in html
    assert "new_condition" not in _Form(html).names, "the first question has nothing to test"


def test_build_a_rule_without_javascript(app, staff, pilot):
    analyst = staff("analyst")
    url = f"/en/staff/questions/{pilot['follow']}"
    added = _post(analyst, url, _follow(action="add_condition", new_condition="council"))
    assert added.status_code == 200
    form = _Form(added.get_data(as_text=True))
    assert [v for v, _t, _s in form.options["condition-0-operator"]] == [
        "is", "is_not", "any_of", "answered", "not_answered",
    ]  # fmt: skip
    assert [(v, t) for v, t, _s in form.options["condition-0-value"]] == [
        ("yes", "Yes"), ("no", "No"), ("dk", "Don't know"),
    ]  # fmt: skip
    assert form.checked["rule_mode"] == ["builder"]
    assert _question(app, pilot["follow"]).relevant is None, "adding a condition saves nothing"

    second = _post(
        analyst,
        url,
        _follow(action="add_condition", new_condition="staff", rule_mode="builder",
                **_row(0, "council", "is", "no", "council|choice")),
    )  # fmt: skip
    form = _Form(second.get_data(as_text=True))
    assert form.selected("condition-0-value") == "no", "the first row keeps its choice"
    assert [v for v, _t, _s in form.options["condition-1-operator"]] == [
        "eq", "ne", "lt", "le", "gt", "ge", "answered", "not_answered",
    ]  # fmt: skip

    saved = _post(
        analyst,
        url,
        _follow(rule_mode="builder", join="or", **_row(0, "council", "is", "no", "council|choice"),
                **_row(1, "staff", "gt", "3,5", "staff|number")),
    )  # fmt: skip
    assert saved.status_code == 303
    assert _question(app, pilot["follow"]).relevant == "${council} = 'no' or ${staff} > 3.5"


def test_any_of_and_contains_and_dates(app, staff, pilot):
    analyst = staff("analyst")
    url = f"/en/staff/questions/{pilot['follow']}"
    changed = _post(
        analyst,
        url,
        _follow(rule_mode="builder", **_row(0, "council", "any_of", "yes", "council|choice")),
    )
    assert changed.status_code == 200, "is any of: drawn with its boxes first"
    form = _Form(changed.get_data(as_text=True))
    assert form.checked["condition-0-values"] == ["yes"]
    data = _follow(rule_mode="builder", join="and",
                   **_row(0, "council", "any_of", ["yes", "dk"], "council|choices"),
                   **_row(1, "support", "contains", "funding", "support|choice"),
                   **_row(2, "adopted", "lt", "today", "adopted|date"))  # fmt: skip
    assert _post(analyst, url, data).status_code == 303
    assert _question(app, pilot["follow"]).relevant == (
        "(${council} = 'yes' or ${council} = 'dk') and selected(${support}, 'funding')"
        " and ${adopted} < today()"
    )


def test_remove_a_condition(app, staff, pilot):
    analyst = staff("analyst")
    url = f"/en/staff/questions/{pilot['follow']}"
    rows = {**_row(0, "council", "is", "yes", "council|choice"),
            **_row(1, "staff", "answered", "", "staff|")}  # fmt: skip
    removed = _post(analyst, url, _follow(rule_mode="builder", action="remove:0", **rows))
    form = _Form(removed.get_data(as_text=True))
    assert form.selected("condition-0-question") == "staff"
    assert "condition-1-question" not in form.names
    assert _question(app, pilot["follow"]).relevant is None
    saved = _post(
        analyst, url, _follow(rule_mode="builder", **_row(0, "staff", "answered", "", "staff|"))
    )
    assert saved.status_code == 303
    assert _question(app, pilot["follow"]).relevant == "${staff} != ''"


@pytest.mark.parametrize(
    ("lang", "message"),
    [
        ("en", "Condition 2: please write a number, for example 12 or 3,5."),
        ("mk", "Услов 2: "),
        ("cnr", "Uslov 2: "),
    ],
)
def test_a_bad_value_is_refused_in_the_staff_members_language_and_nothing_changes(
    app, staff, pilot, lang, message
):
    analyst = staff("analyst")
    url = f"/{lang}/staff/questions/{pilot['follow']}"
    data = _follow(rule_mode="builder", **_row(0, "council", "is", "yes", "council|choice"),
                   **_row(1, "staff", "ge", "a lot", "staff|number"))  # fmt: skip
    refused = _post(analyst, url, data)
    assert refused.status_code == 200
    html = refused.get_data(as_text=True)
    assert message in unescape(html)
    assert _Form(html).values["condition-1-value"] == "a lot", "what was typed stays"
    assert _question(app, pilot["follow"]).relevant is None


@pytest.mark.parametrize(
    ("row", "message"),
    [
        (_row(0, "later", "is", "x", "later|choice"), "choose one of the earlier questions"),
        (_row(0, "council", "is", "maybe", "council|choice"), "one of the question's answers"),
        (_row(0, "council", "any_of", [], "council|choices"), "tick at least one"),
        (_row(0, "adopted", "lt", "31.12.2020", "adopted|date"), "a date such as 2024-01-31"),
        ({}, "Add at least one condition"),
    ],
)
def test_conditions_that_cannot_be_written_change_nothing(app, staff, pilot, row, message):
    analyst = staff("analyst")
    refused = _post(
        analyst, f"/en/staff/questions/{pilot['follow']}", _follow(rule_mode="builder", **row)
    )
    assert refused.status_code == 200 and message in unescape(refused.get_data(as_text=True))
    assert _question(app, pilot["follow"]).relevant is None


def test_a_row_given_another_question_is_drawn_again_before_saving(app, staff, pilot):
    analyst = staff("analyst")
    data = _follow(rule_mode="builder", **_row(0, "staff", "is", "yes", "council|choice"))
    drawn = _post(analyst, f"/en/staff/questions/{pilot['follow']}", data)
    assert drawn.status_code == 200
    html = drawn.get_data(as_text=True)
    assert "A condition now asks about another question" in html
    assert _Form(html).selected("condition-0-operator") == "eq"
    assert _question(app, pilot["follow"]).relevant is None


def _set_relevant(app, question_id: int, text: str) -> None:
    with app.app_context():
        db.session.get(Question, question_id).relevant = text
        db.session.commit()


def test_a_stored_rule_the_builder_can_show_is_shown_as_conditions(app, staff, pilot):
    _set_relevant(app, pilot["follow"], "${council}='yes' and ${staff} >= 2")
    analyst = staff("analyst")
    html = analyst.client.get(f"/en/staff/questions/{pilot['follow']}").get_data(as_text=True)
    form = _Form(html)
    assert form.checked["rule_mode"] == ["builder"]
    assert form.selected("join") == "and"
    assert [form.selected(f"condition-0-{part}") for part in ("question", "operator", "value")] == [
        "council", "is", "yes",
    ]  # fmt: skip
    assert form.selected("condition-1-operator") == "ge"
    assert form.values["condition-1-value"] == "2"
    assert form.values["relevant"] == "${council} = 'yes' and ${staff} >= 2"


def test_a_stored_rule_the_builder_cannot_show_stays_as_written(app, staff, pilot):
    text = "${staff} * 2 > 3 or ${later} = 'x'"
    _set_relevant(app, pilot["follow"], text)
    analyst = staff("analyst")
    url = f"/en/staff/questions/{pilot['follow']}"
    html = analyst.client.get(url).get_data(as_text=True)
    form = _Form(html)
    assert form.checked["rule_mode"] == ["expression"]
    assert form.values["relevant"] == text
    assert "it is kept as an expression below" in html
    saved = _post(analyst, url, _follow(rule_mode="expression", relevant=text))
    assert saved.status_code == 303
    assert _question(app, pilot["follow"]).relevant == text


def test_the_expression_field_takes_a_rule_the_builder_has_no_words_for(app, staff, pilot):
    analyst = staff("analyst")
    url = f"/en/staff/questions/{pilot['follow']}"
    refused = _post(analyst, url, _follow(rule_mode="expression", relevant="${staff} >> 2"))
    assert "The expression cannot be used" in refused.get_data(as_text=True)
    assert _question(app, pilot["follow"]).relevant is None
    saved = _post(analyst, url, _follow(rule_mode="expression", relevant="${staff} mod 2 = 0"))
    assert saved.status_code == 303
    assert _question(app, pilot["follow"]).relevant == "${staff} mod 2 = 0"
    always = _post(analyst, url, _follow(rule_mode="always", relevant="${staff} mod 2 = 0"))
    assert always.status_code == 303
    assert _question(app, pilot["follow"]).relevant is None


HOSTILE = ['<script>alert("x")</script>', "' or '1'='1", "${follow}", "x" * 5000, "\x00", "-1e309"]


@pytest.mark.parametrize("payload", HOSTILE)
def test_hostile_condition_rows_change_nothing_and_are_shown_escaped(app, staff, pilot, payload):
    analyst = staff("analyst")
    url = f"/en/staff/questions/{pilot['follow']}"
    for drawn in ("council|choice", "council|choices", "staff|number", payload):
        for action in ("save", "add_condition", f"remove:{payload}", payload):
            data = _follow(
                rule_mode="builder", join=payload, action=action, new_condition=payload,
                **_row(0, payload, payload, [payload, "yes"], drawn),
                **_row(1, "council", payload, payload, drawn),
                **{f"condition-{payload}-question": payload},
            )  # fmt: skip
            reply = _post(analyst, url, data)
            body = reply.get_data(as_text=True)
            # NUL bytes are refused with a message before the view (core.request_guards).
            assert reply.status_code == (400 if "\x00" in payload else 200), (drawn, action)
            assert "<script>" not in body
    assert _question(app, pilot["follow"]).relevant is None
