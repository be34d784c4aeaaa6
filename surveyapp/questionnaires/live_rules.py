"""The rules of a questionnaire page as data for the browser (``static/live.js``).

The server parses every ``relevant``, ``constraint`` and ``calculation`` once
(``expressions.parse``, the only parser) and hands the page a small JSON syntax
tree of each, with the messages in the page's language and the earlier answers
the trees read. The browser interprets the trees to show and hide questions and
say what is wrong while the respondent types; the server still decides
everything when the page is saved, so a page works as before without JavaScript.

Tree nodes (compact, since every page carries them):

- a JSON number or string: a literal (``["i"]``: a number literal too large
  for a float, i.e. infinity);
- ``["$", name]``: ``${name}``; ``["."]``: the current question;
- ``["-", node]``: unary minus;
- ``["f", name, node, ...]``: a function call;
- ``["c", first, op, node, op, node, ...]``: operators of one precedence level
  applied left to right.

``cl`` holds, for ``jr:choice-name``, the choice labels in the page's language of
the questions it names.

Values (``encode_value``): null (unanswered), a string, a number (``{"n": "NaN"}``
and ``{"n": "Infinity"}`` for what JSON cannot say), a list of choice names,
``{"d": "YYYY-MM-DD"}`` for a date.
"""

from __future__ import annotations

import hashlib
import json
import math
import re
from datetime import date
from typing import Any

from surveyapp.core.safe_text import lazy_gettext as _l
from surveyapp.models import Page, Question, QuestionnaireVersion
from surveyapp.questionnaires import choice_filters, rules, text_keys
from surveyapp.questionnaires.expression_functions import CHOICE_NAME_REFERENCE
from surveyapp.questionnaires.expressions import REPEATS, Outline
from surveyapp.questionnaires.question_types import TYPES
from surveyapp.questionnaires.texts import Texts
from surveyapp.questionnaires.version_cache import index_of

#: ``${name}`` in a label.
_LABEL_REFERENCE = re.compile(r"\$\{([^\W\d][\w.\-]*)\}")

#: How the browser reads each question type's input.
_KINDS = {
    "single_choice": "one",
    "scale": "one",
    "multiple_choice": "many",
    "number": "num",
    "date": "date",
    "short_text": "text",
    "long_text": "text",
    "note": "note",
    # "09:30", "2026-03-29T10:00": read as typed (expressions compare them in time order)
    "time": "text",
    "datetime": "text",
}


def tree(outline: Outline) -> Any:
    """An expression's outline (``Expression.outline``) as a JSON tree."""
    kind = outline[0]
    if kind == "literal":
        value = outline[1]
        if isinstance(value, float) and math.isinf(value):
            return ["i"]
        return _compact(value) if isinstance(value, float) else value
    if kind == "ref":
        return ["$", outline[1]]
    if kind == "current":
        return ["."]
    if kind == "column":
        return ["@", outline[1]]
    if kind == "negate":
        return ["-", tree(outline[1])]
    if kind == "call":
        return ["f", outline[1], *(tree(arg) for arg in outline[2])]
    if kind == "chain":
        node = ["c", tree(outline[1])]
        for symbol, operand in outline[2]:
            node += [symbol, tree(operand)]
        return node
    raise ValueError(f"unknown outline node {kind!r}")  # pragma: no cover


def compiled_tree(text: str | None) -> Any:
    """The JSON tree of a stored expression; None when absent or unparseable (the server
    ignores those too)."""
    expression = rules.compiled(text) if text else None
    return tree(expression.outline()) if expression is not None else None


def encode_value(value: object) -> Any:
    """An answer or calculated value as the browser's interpreter reads it."""
    if value is None or isinstance(value, bool | str):
        return value
    if isinstance(value, int | float):
        number = float(value)
        return number if math.isfinite(number) else {"n": repr(number).replace("inf", "Infinity")}
    if isinstance(value, date):
        return {"d": value.isoformat()}
    if isinstance(value, list | tuple):
        return list(value)
    raise TypeError(f"no JSON form for {type(value).__name__}")


def _compact(number: float | None) -> float | int | None:
    """A limit as few characters as JSON needs (2000, not 2000.0)."""
    if number is not None and float(number).is_integer() and abs(number) < 1e15:
        return int(number)
    return number


def _references(node: Any, found: set[str]) -> set[str]:
    if isinstance(node, list):
        if node[:1] == ["$"]:
            found.add(node[1])
        else:
            for child in node[1:]:
                _references(child, found)
    return found


def _choice_name_questions(node: Any, found: set[str]) -> set[str]:
    """The questions whose choice labels ``jr:choice-name`` calls in ``node`` read."""
    if isinstance(node, list):
        if node[:2] == ["f", "jr:choice-name"] and len(node) == 4 and isinstance(node[3], str):
            match = CHOICE_NAME_REFERENCE.fullmatch(node[3].strip())
            if match:
                found.add(match.group(1))
        for child in node[1:]:
            _choice_name_questions(child, found)
    return found


def _messages(question: Question, texts: Texts) -> dict[str, str]:
    multiple = TYPES[question.type].multiple
    required = texts.get(text_keys.required_message(question.name)) or (
        _l("Please choose at least one option.") if multiple else _l("Please answer this question.")
    )
    messages = {"q": str(required)} if question.required else {}
    if question.constraint:
        messages["c"] = str(
            texts.get(text_keys.constraint_message(question.name))
            or _l("This answer is not accepted. Please check it.")
        )
    if question.type == "number":
        messages["f"] = str(_l("Please enter a number, for example 12 or 3,5."))
        if question.min_value is not None:
            messages["lo"] = str(
                _l("Please enter a number of at least %(min)s.", min=f"{question.min_value:g}")
            )
        if question.max_value is not None:
            messages["hi"] = str(
                _l("Please enter a number no greater than %(max)s.", max=f"{question.max_value:g}")
            )
        if question.integer_only:
            messages["w"] = str(_l("Please enter a whole number."))
    return messages


def _filter_of(question: Question, page: Page) -> dict[str, Any]:
    """A choice_filter that reads an answer on its own page, for the script to show and
    hide the choices as that answer changes: ``cf`` its tree (``["@", column]`` reads the
    row), ``rows`` each row's name and the columns it reads. Filters of answers given on
    earlier pages were applied by the server (``page_forms.narrow_choices``)."""
    if not choice_filters.reads_names(question, {q.name for q in page.questions}):
        return {}
    expression = choice_filters.expression_of(question)
    if expression is None or question.choice_list is None:  # reads_names checked it
        return {}
    columns = sorted(expression.choice_columns)
    rows = []
    for choice in question.choice_list.choices:
        row = choice_filters.row_of(choice)
        rows.append([choice.value, {c: encode_value(row[c]) for c in columns if c in row}])
    return {"cf": tree(expression.outline()), "rows": rows}


def page_rules(version: QuestionnaireVersion, page: Page, texts: Texts) -> dict[str, Any]:
    """What the browser needs to apply ``page``'s rules in the language of ``texts``,
    except the answers (``page_payload``). Made once per page and language.

    Each message is written once (``t``); a question's ``m`` holds their indexes."""
    questions = []
    messages: list[str] = []
    needed_by_labels: set[str] = set()

    def numbered(found: dict[str, str]) -> dict[str, int]:
        for text in found.values():
            if text not in messages:
                messages.append(text)
        return {key: messages.index(text) for key, text in found.items()}

    for question in page.questions:
        kind = _KINDS.get(question.type)
        if kind is None:
            continue
        entry: dict[str, Any] = {"n": question.name, "k": kind}
        label = texts.label(question)
        if "${" in label:
            # The label reads answers: the script writes them in as they change.
            entry["lb"] = label
            needed_by_labels.update(_LABEL_REFERENCE.findall(label))
        for key, text in (("r", question.relevant), ("c", question.constraint)):
            node = compiled_tree(text)
            if node is not None:
                entry[key] = node
        entry |= _filter_of(question, page)
        if kind != "note":
            entry["q"] = bool(question.required)
            entry["m"] = numbered(_messages(question, texts))
            if kind == "num":
                limits = {"lo": _compact(question.min_value), "hi": _compact(question.max_value)}
                entry |= {key: value for key, value in limits.items() if value is not None}
                if question.integer_only:
                    entry["int"] = True
            if not question.required:
                del entry["q"]
        questions.append(entry)
    trees = [q.get(key) for q in questions for key in ("r", "c", "cf")]
    page_tree = compiled_tree(page.relevant)
    needed = set(needed_by_labels)
    for node in (page_tree, *trees):
        _references(node, needed)
    calculations = []
    for question in reversed(index_of(version).calculations):
        # Latest first, so that what a calculation reads is known before earlier ones.
        node = compiled_tree(question.calculation)
        if node is not None and question.name in needed:
            calculations.append([question.name, node])
            _references(node, needed)
    calculations.reverse()
    named = _choice_name_questions([page_tree, *trees, *(node for _, node in calculations)], set())
    choice_labels = {
        name: labels
        for name, labels in rules.choice_labels(version, texts).items()
        if name in named
    }
    on_page = {q["n"] for q in questions}
    return {
        "p": page_tree,
        "qs": questions,
        "calc": calculations,
        "t": messages,
        "ui": _ui(page),
        "cl": choice_labels,
        "today": any(
            f'"{name}"' in json.dumps([page_tree, trees, calculations]) for name in ("today", "now")
        ),
        "reads": sorted(needed - on_page - {name for name, _ in calculations}),
    }


def _ui(page: Page) -> dict[str, str]:
    """The script's own texts on ``page``, in the current language."""
    ui = {
        "yes": _l("Restore my answers"),
        "other": _l(
            "This browser kept answers to page %(number)s that did not reach us.", number="{n}"
        ),
        "go": _l("Go to that page"),
        "no": _l("Discard them"),
        "saved": _l("Your answers on this page are saved."),
        "saving": _l("Saving…"),
        "unsaved": _l("Not saved yet; we will keep trying."),
        "appeared": _l("New question: %(label)s", label="{label}"),
        "error": _l("Error:"),
    }
    if any(TYPES[question.type].upload for question in page.questions):
        # Only a page with a file question says so (every page carries its texts).
        ui["file"] = _l(
            "Your other answers are saved. The file you chose is sent when you go on "
            "or save the page."
        )
        ui["drop"] = _l(
            "Your other answers are saved. The file is removed when you go on or save the page."
        )
    return {key: str(text) for key, text in ui.items()}


def repeat_payload(
    page: Page, fields: list[tuple[str, Question]], *, scope: str, number: int
) -> str:
    """What the script gets on a repeat page, as JSON safe inside ``<script>``: the
    entries' fields (``fields``: each input's name and its question) and its texts, no
    rules. The script saves the page in the background and keeps what was typed; each
    entry's rules read that entry's answers, and the server applies them when the page
    is saved (a field without messages is not checked by the script)."""
    questions = [
        {"n": name, "k": _KINDS[question.type]}
        for name, question in fields
        if _KINDS.get(question.type, "note") != "note"
    ]
    return _safe_json({"scope": scope, "page": number, "qs": questions, "ui": _ui(page)})


def invitation_scope(token: str) -> str:
    """What names a link's answers in the browser's storage, without the link itself."""
    return hashlib.sha256(f"surveyapp-live:{token}".encode()).hexdigest()[:16]


def page_payload(
    made: dict[str, Any], values: rules.Values, *, scope: str, number: int, today: date
) -> str:
    """The page's rules and the answers they read, as JSON safe inside ``<script>``.

    The rules, messages and texts are the same for every respondent of a page in one
    language: they are written as JSON once (kept in ``made``), and only the link's
    scope, the page's number, the date and the earlier answers are written per request.
    """
    static = made.get(_STATIC_JSON)
    if static is None:
        static = made[_STATIC_JSON] = _json_members(
            {key: made.get(key) for key in ("p", "qs", "calc", "t", "ui", "cl")}
        )
    dynamic = _json_members(
        {
            "scope": scope,
            "page": number,
            "today": today.isoformat() if made["today"] else None,
            "v": {name: encode_value(values.get(name)) for name in made["reads"]},
        }
    )
    repeats = values.get(REPEATS)
    if repeats and made["reads"]:
        # ``count(${repeat})``, ``sum(${q})``... on this page read the repeats' entries.
        entries = {
            name: [{q: encode_value(v) for q, v in entry.items()} for entry in rows]
            for name, rows in repeats.items()
        }
        dynamic += "," + _repeats_member(entries)
    return "{" + ",".join(part for part in (dynamic, static) if part) + "}"


def _repeats_member(entries: dict[str, Any]) -> str:
    """The repeats' entries as a member of the page's values (``"@repeats"``), safe
    inside ``<script>``: added to ``v`` by the script's reader."""
    return _json_members({"r": entries})


#: Where ``page_payload`` keeps the page's unchanging members, written once.
_STATIC_JSON = "_static_json"


def _json_members(members: dict[str, Any]) -> str:
    """``members`` as the inside of a JSON object, safe inside ``<script>``; what is
    empty is left out (the script reads a missing key as empty)."""
    kept = {key: value for key, value in members.items() if value not in (None, [], {})}
    return _safe_json(kept)[1:-1]


def _safe_json(value: Any) -> str:
    """``value`` as JSON that no text in it can end the ``<script>`` it is put in."""
    text = json.dumps(value, ensure_ascii=False, separators=(",", ":"), allow_nan=False)
    # Inside <script type="application/json">: no "</script>" or "<!--" can end it.
    return text.replace("<", "\\u003c").replace(">", "\\u003e").replace("&", "\\u0026")
