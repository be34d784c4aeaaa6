"""The variables of the statistical exports (SPSS .sav, Stata .dta) and of the codebook.

One variable per export column, except a multiple-choice question's joined cell: its
options are the 0/1 variables. Each variable knows its name in each format, its kind
(number, text, date, time), the numeric values of its choices, which values are
missing, and its SPSS measurement level.

Names are valid for each format and stable across exports: made from the column's
name alone (never from its place or from the other questions), so the same question
has the same name in every export of every version that has it.

- SPSS: at most 64 bytes; a letter first, then letters, digits and ``_``; not a
  reserved word (ALL, AND, BY ...); unique regardless of case.
- Stata: at most 32 characters of the same kinds (we keep to 29: see
  ``NAME_LIMITS``); not a reserved word (``_n``, ``byte``, ``if`` ...); unique (we also
  make them unique regardless of case).

A name is written in ASCII (Cyrillic transliterated, accents dropped); a name too
long keeps its beginning and ends with ``_`` and four characters of a hash of the
full name, so two long names that begin alike stay apart.

Choice values: a code that reads as a whole number is that number ("1" to "5" of a
scale). In a list whose codes are all words, the words are numbered by their place
in the list (1, 2, 3 ...); in a list that mixes numbers and words, the words count
down from -1 ("dk" of a 1 to 5 scale with "don't know" is -1). The unscored choices
of a scale question ("don't know") are declared missing: as user-missing values in
SPSS, as the extended missing values .a, .b ... in Stata. A question not answered
is system-missing (empty) in both.
"""

from __future__ import annotations

import hashlib
import re
import unicodedata
from dataclasses import dataclass, field

from surveyapp.languages.transliteration import cyrillic_to_latin
from surveyapp.models import ROLES, Question
from surveyapp.questionnaires.question_types import TYPES
from surveyapp.responses.export_columns import (
    FIXED_COLUMNS,
    choice_codes,
    option_column,
    plan_columns,
)

#: Longest name per format (bytes for SPSS; all our names are ASCII). Stata allows 32
#: characters, but pyreadstat names a variable's set of value labels after it with a
#: number added (``role5``), and that name has Stata's limit too: 29 leaves room for
#: up to 999 labelled variables.
NAME_LIMITS = {"sav": 64, "dta": 29}
RESERVED = {
    "sav": {"all", "and", "by", "eq", "ge", "gt", "le", "lt", "ne", "not", "or", "to", "with"},
    "dta": {
        "_all", "_b", "byte", "_coef", "_cons", "double", "float", "if", "in", "int", "long",
        "_n", "_pi", "_pred", "_rc", "_skip", "str", "strl", "using", "with",
    },
}  # fmt: skip
WHOLE_NUMBER = re.compile(r"-?(0|[1-9][0-9]{0,8})")

#: SPSS measurement levels.
NOMINAL, ORDINAL, SCALE = "nominal", "ordinal", "scale"
#: What a variable holds.
NUMBER, TEXT, DATE, DATETIME = "number", "text", "date", "datetime"


def variable_name(column: str, fmt: str) -> str:
    """A column's variable name in ``fmt`` ("sav" or "dta"), before making names unique."""
    limit = NAME_LIMITS[fmt]
    text = unicodedata.normalize("NFKD", cyrillic_to_latin(column))
    text = text.encode("ascii", "ignore").decode("ascii")
    name = re.sub(r"_+", "_", re.sub(r"[^A-Za-z0-9_]", "_", text)).strip("_") or "v"
    if not name[0].isalpha():
        name = "v_" + name
    if name.lower() in RESERVED[fmt]:
        name = "v_" + name
    if len(name) > limit:
        # Shortened: a hash of the full column name keeps it apart from others.
        digest = hashlib.sha1(column.encode(), usedforsecurity=False).hexdigest()[:4]
        name = name[: limit - 5].rstrip("_") + "_" + digest
    return name


def unique_names(columns: list[str], fmt: str) -> dict[str, str]:
    """Column -> variable name, every name unique regardless of case (a clash that is
    left, rare, is numbered in column order)."""
    limit = NAME_LIMITS[fmt]
    taken: set[str] = set()
    names: dict[str, str] = {}
    for column in columns:
        name = variable_name(column, fmt)
        number = 2
        candidate = name
        while candidate.lower() in taken:
            suffix = f"_{number}"
            candidate = name[: limit - len(suffix)] + suffix
            number += 1
        taken.add(candidate.lower())
        names[column] = candidate
    return names


def choice_values(codes: list[str]) -> dict[str, int]:
    """Code -> numeric value (see the module's docstring)."""
    numeric = [code for code in codes if WHOLE_NUMBER.fullmatch(code)]
    values: dict[str, int] = {code: int(code) for code in numeric}
    words = [code for code in codes if code not in values]
    if not numeric:
        return {code: place for place, code in enumerate(codes, start=1)}
    for place, code in enumerate(words, start=1):
        values[code] = -place
    return values


@dataclass
class Variable:
    """One variable of a statistical export."""

    #: The export column it comes from (``support_wanted/peer_exchange``).
    column: str
    kind: str
    measure: str
    #: The question it asks (None: a fixed column).
    question: Question | None = None
    #: The choice code it is ticked for (a multiple-choice option's 0/1 variable).
    option: str | None = None
    #: Code -> value, for the variables whose cells are choice codes.
    values: dict[str, int] = field(default_factory=dict)
    #: Values that are declared missing (unscored choices of a scale question).
    missing: list[int] = field(default_factory=list)


def plan_variables(version_id: int) -> list[Variable]:
    """The variables of a version's statistical exports, in column order."""
    plan = plan_columns(version_id)
    variables = [
        Variable("response_id", NUMBER, SCALE),
        Variable("submission_id", TEXT, NOMINAL),
        Variable("country", TEXT, NOMINAL),
        Variable("municipality_code", TEXT, NOMINAL),
        Variable("municipality", TEXT, NOMINAL),
        Variable(
            "role",
            NUMBER,
            NOMINAL,
            values={role: place for place, role in enumerate(ROLES, start=1)},
        ),
        Variable("language", TEXT, NOMINAL),
        Variable("started_at", DATETIME, SCALE),
        Variable("submitted_at", DATETIME, SCALE),
        Variable("self_registered", NUMBER, NOMINAL, values={"0": 0, "1": 1}),
    ]
    if [v.column for v in variables] != FIXED_COLUMNS:  # one list of fixed columns, kept apart
        raise RuntimeError("the fixed columns changed: update plan_variables")
    for question in plan.questions:
        kind = TYPES[question.type]
        if kind.multiple:
            for code in choice_codes(question):
                variables.append(
                    Variable(option_column(question, code), NUMBER, NOMINAL, question, code)
                )
            if kind.extra_columns_of(question):  # "Other, specify"
                variables.append(Variable(f"{question.name}_other", TEXT, NOMINAL, question))
            continue
        if kind.choices:
            values = choice_values(choice_codes(question))
            scored = question.type == "scale"
            missing = [
                values[choice.value]
                for choice in (
                    question.choice_list.distinct_choices if question.choice_list else []
                )
                if scored and choice.score is None
            ]
            variables.append(
                Variable(
                    question.name,
                    NUMBER,
                    ORDINAL if scored else NOMINAL,
                    question,
                    values=values,
                    missing=missing,
                )
            )
        elif question.type == "number":
            variables.append(Variable(question.name, NUMBER, SCALE, question))
        elif question.type in ("date", "today"):
            variables.append(Variable(question.name, DATE, SCALE, question))
        elif question.type == "calculate":
            # A calculation's result may be a number or text: text keeps both.
            variables.append(Variable(question.name, TEXT, NOMINAL, question))
        else:
            # time "09:30", datetime and start/end in ISO 8601 with their offset, a
            # location's "lat lon", hidden: text, as stored (the offset keeps it exact)
            variables.append(Variable(question.name, TEXT, NOMINAL, question))
        for suffix, extra in kind.extra_columns_of(question):
            level = SCALE if extra == NUMBER else NOMINAL
            variables.append(Variable(question.name + suffix, extra, level, question))
    return variables
