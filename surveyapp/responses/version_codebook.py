"""The codebook of a questionnaire version: every variable of its exports, with its
question in each language, its type, its values and their labels, its domain and
measure (need or capacity), and its skip rule.

One codebook serves every format: each variable is named as in CSV and XLSX (the
column header), in SPSS and in Stata (``variables``). Skip rules are shown as
written in the questionnaire (XLSForm expressions, e.g. ``${safety_council} =
'yes_active'``): the page's rule, then the question's.
"""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass, field

from surveyapp.campaigns.roles import role_name_in
from surveyapp.languages.current import N_, gettext_in
from surveyapp.languages.registry import LANGUAGES
from surveyapp.models import Domain, QuestionnaireVersion
from surveyapp.profiles.labels import domain_label
from surveyapp.questionnaires.texts import Texts, load_texts, translated_languages
from surveyapp.questionnaires.versions import load_version
from surveyapp.responses.export_columns import EXTRA_NAMES, EXTRA_TYPES, FIXED, TYPE_NAMES
from surveyapp.responses.statistical_files import NOT_TICKED, TICKED
from surveyapp.responses.variables import (
    DATE,
    DATETIME,
    NUMBER,
    Variable,
    plan_variables,
    unique_names,
)

#: SPSS's measurement levels, as the codebook names them.
LEVEL_NAMES = {
    "nominal": N_("Nominal"),
    "ordinal": N_("Ordinal"),
    "scale": N_("Scale"),
}
MEASURE_NAMES = {"need": N_("Need"), "capacity": N_("Capacity")}
KIND_NAMES = {
    NUMBER: N_("Number"),
    "text": N_("Text"),
    DATE: N_("Date"),
    DATETIME: N_("Date and time (UTC)"),
}


@dataclass
class CodebookValue:
    code: str
    value: int
    #: Language -> label.
    labels: dict[str, str]
    missing: bool = False


@dataclass
class CodebookEntry:
    column: str
    spss: str
    stata: str
    type_name: str
    level: str
    domain: str
    measure: str
    skip_rule: str
    #: Language -> the question (or what a fixed column holds).
    texts: dict[str, str]
    values: list[CodebookValue] = field(default_factory=list)


@dataclass
class Codebook:
    version: QuestionnaireVersion
    title: str
    languages: list[str]
    entries: list[CodebookEntry]


def version_codebook(version_id: int, lang: str) -> Codebook | None:
    """The codebook of a version, its words in ``lang`` (the questions and labels in
    every translated language); None when there is no such version."""
    version = load_version(version_id)
    if version is None:
        return None
    languages = translated_languages(version_id)
    texts = {code: load_texts(version_id, code) for code in languages}
    variables = plan_variables(version_id)
    columns = [v.column for v in variables]
    spss, stata = unique_names(columns, "sav"), unique_names(columns, "dta")
    domains = {d.id: d for d in _domains(version)}
    entries = [
        _entry(v, spss[v.column], stata[v.column], texts, languages, lang, domains)
        for v in variables
    ]
    title = (texts.get(lang) or load_texts(version_id, lang)).title()
    return Codebook(version, title or version.questionnaire.name, languages, entries)


def _domains(version: QuestionnaireVersion) -> list[Domain]:
    return [q.domain for page in version.pages for q in page.questions if q.domain is not None]


def _entry(
    variable: Variable,
    spss: str,
    stata: str,
    texts: dict[str, Texts],
    languages: list[str],
    lang: str,
    domains: dict[int, Domain],
) -> CodebookEntry:
    question = variable.question
    if question is None:
        holds = {code: gettext_in(code, FIXED[variable.column][0]) for code in languages}
        type_name = gettext_in(lang, FIXED[variable.column][1])
    else:
        holds = {}
        # An extra column ("<name>_other", "<name>_latitude"): what it holds, its kind.
        extra = EXTRA_NAMES.get(variable.column[len(question.name) :])
        for code in languages:
            label = texts[code].label(question)
            if variable.option is not None:
                label = f"{label}: {_choice(texts[code], variable, variable.option)}"
            elif extra is not None:
                label = f"{label}: {gettext_in(code, extra)}"
            holds[code] = label
        kind = "option" if variable.option is not None else question.type
        type_name = gettext_in(
            lang,
            N_("Ticked (1) or not (0)")
            if kind == "option"
            else EXTRA_TYPES.get(variable.kind, N_("Text"))
            if extra is not None
            else TYPE_NAMES.get(kind, N_("Text")),
        )
    domain = ""
    measure = ""
    skip_rule = ""
    if question is not None:
        if question.domain_id in domains:
            domain = domain_label(domains[question.domain_id], lang)
        if question.measure in MEASURE_NAMES:
            measure = gettext_in(lang, MEASURE_NAMES[question.measure])
        rules = [rule for rule in (question.page.relevant, question.relevant) if rule]
        skip_rule = " · ".join(rules)
    return CodebookEntry(
        column=variable.column,
        spss=spss,
        stata=stata,
        type_name=type_name,
        level=gettext_in(lang, LEVEL_NAMES[variable.measure]),
        domain=domain,
        measure=measure,
        skip_rule=skip_rule,
        texts=holds,
        values=list(_values(variable, texts, languages)),
    )


def _choice(texts: Texts, variable: Variable, code: str) -> str:
    question = variable.question
    list_name = question.choice_list.name if question and question.choice_list else ""
    return texts.choice_label(list_name, code)


def _values(
    variable: Variable, texts: dict[str, Texts], languages: list[str]
) -> Iterator[CodebookValue]:
    if variable.option is not None:
        yield CodebookValue("0", 0, {c: gettext_in(c, NOT_TICKED) for c in languages})
        yield CodebookValue("1", 1, {c: gettext_in(c, TICKED) for c in languages})
        return
    if variable.column == "self_registered":
        yield CodebookValue("0", 0, {c: gettext_in(c, N_("no")) for c in languages})
        yield CodebookValue("1", 1, {c: gettext_in(c, N_("yes")) for c in languages})
        return
    for code, value in variable.values.items():
        if variable.column == "role":
            labels = {c: role_name_in(c, code) for c in languages}
        else:
            labels = {c: _choice(texts[c], variable, code) for c in languages}
        yield CodebookValue(code, value, labels, value in variable.missing)


# --- as a workbook ------------------------------------------------------------------------


def codebook_sheets(codebook: Codebook, lang: str) -> tuple[list[list[object]], list[list[object]]]:
    """The codebook as two tables, "variables" and "values", with headers in ``lang``."""
    autonyms = [LANGUAGES[code].autonym for code in codebook.languages]
    variables: list[list[object]] = [
        [
            gettext_in(lang, N_("Variable")),
            "SPSS",
            "Stata",
            gettext_in(lang, N_("Type")),
            gettext_in(lang, N_("Measurement level")),
            gettext_in(lang, N_("Domain")),
            gettext_in(lang, N_("Need or capacity")),
            gettext_in(lang, N_("Skip rule")),
            *autonyms,
        ]
    ]
    values: list[list[object]] = [
        [
            gettext_in(lang, N_("Variable")),
            gettext_in(lang, N_("Code")),
            gettext_in(lang, N_("Value")),
            gettext_in(lang, N_("Declared missing")),
            *autonyms,
        ]
    ]
    for entry in codebook.entries:
        variables.append(
            [
                entry.column,
                entry.spss,
                entry.stata,
                entry.type_name,
                entry.level,
                entry.domain,
                entry.measure,
                entry.skip_rule,
                *(entry.texts.get(code, "") for code in codebook.languages),
            ]
        )
        for value in entry.values:
            values.append(
                [
                    entry.column,
                    value.code,
                    value.value,
                    1 if value.missing else 0,
                    *(value.labels.get(code, "") for code in codebook.languages),
                ]
            )
    return variables, values
