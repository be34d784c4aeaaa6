"""``${name}`` in a question's label or a note: the answer written in where the text
names it (an XLSForm reference), on the server as ``static/live.js`` writes it in
while the respondent answers, so that the page does not change when the script
starts and reads the same without it.

An answer not given (yet) shows as ``NOT_ANSWERED``, "…". ODK Collect and Enketo
write nothing there, so "You counted ${staff} people." reads "You counted people."
(in Albanian "Keni numëruar persona."), a sentence that says something false; an
ellipsis keeps the gap visible in every language and script, with no word to
translate, and does not look like a blank to write in as "___" would.
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Mapping
from datetime import date

from surveyapp.models import Question
from surveyapp.questionnaires.expressions import as_string
from surveyapp.questionnaires.texts import Texts

#: What stands for an answer not given; ``static/live.js`` writes the same.
NOT_ANSWERED = "…"
#: A reference in a text, as ``static/live.js`` finds it.
REFERENCE = re.compile(r"\$\{([^}]+)\}")


def answer_as_text(value: object) -> str:
    """An answer as a label shows it: XPath's string of it (a number as 12, not 12.0;
    the codes of several choices with spaces between), as the page's script does."""
    if value is None:
        return ""
    if isinstance(value, list | tuple):
        return " ".join(str(item) for item in value)
    if isinstance(value, bool | float | date | str):
        return as_string(value)
    return str(value)


def fill_in(text: str, values: Mapping[str, object]) -> str:
    """``text`` with each ``${name}`` replaced by the answer in ``values``."""
    if "${" not in text:
        return text
    return REFERENCE.sub(
        lambda match: answer_as_text(values.get(match.group(1))) or NOT_ANSWERED, text
    )


def filled_labels(
    questions: Iterable[Question], texts: Texts, values: Mapping[str, object]
) -> dict[str, str]:
    """The labels of ``questions`` that name answers, filled in, by question name."""
    labels = {}
    for question in questions:
        label = texts.label(question)
        if "${" in label:
            labels[question.name] = fill_in(label, values)
    return labels
