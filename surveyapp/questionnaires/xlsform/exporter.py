"""Export a questionnaire version as an XLSForm (.xlsx).

The workbook has survey, choices and settings sheets (and a domains sheet
when questions carry a domain), with ``label::<Autonym> (<code>)`` columns for
every stored language (``label::Swahili (sw)`` for a language that is not
ours) and our own columns (domain, measure, score, min_value ...), so that
:func:`surveyapp.questionnaires.xlsform.importer.import_xlsform` gives the same questionnaire
back. Serbian Latin is never exported: it is made from Serbian Cyrillic.
"""

from __future__ import annotations

import io
from collections import defaultdict
from typing import Any

from openpyxl import Workbook
from openpyxl.cell.cell import ILLEGAL_CHARACTERS_RE
from sqlalchemy import select

from surveyapp.extensions import db
from surveyapp.languages.registry import DERIVED_LANGUAGES, LANGUAGES, SOURCE_LANGUAGE
from surveyapp.models import Domain, Question, QuestionnaireVersion, TextEntry
from surveyapp.questionnaires import date_limits, text_keys
from surveyapp.questionnaires.question_types import TYPES
from surveyapp.questionnaires.versions import load_version
from surveyapp.questionnaires.xlsform import external_choices, repeats
from surveyapp.questionnaires.xlsform.columns import language_label
from surveyapp.questionnaires.xlsform.external_choices import SHEET as EXTERNAL_SHEET
from surveyapp.questionnaires.xlsform.workbook import QUESTION_TEXTS, SETTINGS_TEXTS

#: Column order of each sheet, by the header's part before "::"; others follow.
SURVEY_ORDER = (
    "type", "name", "label", "hint", "required", "required_message", "relevant", "constraint",
    "constraint_message", "calculation", "choice_filter", "default", "appearance", "repeat_count",
    "parameters", "domain", "measure", "min_value", "max_value", "max_length",
)  # fmt: skip
CHOICES_ORDER = ("list_name", "name", "label", "score")
#: A group within a group: a note with this ``source_type`` is its sub-heading.
SUB_HEADING = "begin group"
SETTINGS_ORDER = ("form_title", "form_id", "version", "default_language")
DOMAINS_ORDER = ("code", "label", "description")


def export_xlsform(version_id: int) -> bytes:
    """The version as an .xlsx XLSForm. Raises LookupError for an unknown version."""
    version = load_version(version_id)
    if version is None:
        raise LookupError(version_id)
    texts: dict[str, dict[str, str]] = defaultdict(dict)
    for row in db.session.scalars(select(TextEntry).where(TextEntry.version_id == version_id)):
        if row.text and row.lang not in DERIVED_LANGUAGES:
            texts[row.key][row.lang] = row.text
    domains = {d.id: d for d in db.session.scalars(select(Domain).order_by(Domain.position))}
    languages = _languages(texts, domains.values())

    workbook = Workbook()
    survey = workbook.active
    survey.title = "survey"
    _write(survey, _survey_rows(version, texts, domains), SURVEY_ORDER, always=2)
    files = _file_lists(version)
    choices = _choice_rows(version, texts, files)
    _write(workbook.create_sheet("choices"), choices, CHOICES_ORDER, always=2)
    if files:
        rows = _choice_rows(version, texts, files, from_files=True)
        _write(workbook.create_sheet(EXTERNAL_SHEET), rows, CHOICES_ORDER, always=2)
    _write(workbook.create_sheet("settings"), [_settings_row(version, texts)], SETTINGS_ORDER)
    used = {q.domain_id for page in version.pages for q in page.questions if q.domain_id}
    if used:
        rows = [_domain_row(d, languages) for d in domains.values() if d.id in used]
        _write(workbook.create_sheet("domains"), rows, DOMAINS_ORDER, always=1)
    buffer = io.BytesIO()
    workbook.save(buffer)
    return buffer.getvalue()


def _languages(texts: dict[str, dict[str, str]], domains) -> list[str]:
    """Every stored language: ours in registry order, then the others by code."""
    found = {lang for by_lang in texts.values() for lang in by_lang}
    for domain in domains:
        found |= set(domain.labels or {}) | set(domain.descriptions or {})
    found -= DERIVED_LANGUAGES
    return [code for code in LANGUAGES if code in found] + sorted(found - set(LANGUAGES))


def _localised(row: dict[str, Any], base: str, by_lang: dict[str, str] | None) -> None:
    for lang, text in sorted((by_lang or {}).items(), key=lambda item: _order(item[0])):
        if lang not in DERIVED_LANGUAGES and text:
            row[f"{base}::{language_label(lang)}"] = text


def _order(lang: str) -> tuple[int, str]:
    codes = list(LANGUAGES)
    return (codes.index(lang), "") if lang in codes else (len(codes), lang)


def _number(value: float | None) -> int | float | None:
    return int(value) if value is not None and float(value).is_integer() else value


def _survey_rows(version: QuestionnaireVersion, texts, domains: dict[int, Domain]) -> list[dict]:
    rows = []
    for page in version.pages:
        row = repeats.begin_row(page)
        _localised(row, "label", texts.get(text_keys.page_title(page.name)))
        _localised(row, "hint", texts.get(text_keys.page_intro(page.name)))
        rows.append(row)
        in_sub_group, condition = False, None
        for question in page.questions:
            heading = question.source_type == SUB_HEADING
            # The import joined a sub-group's condition to its questions': the first
            # question without it is past the sub-group's end.
            outside = condition and _without(question.relevant, condition) == question.relevant
            if in_sub_group and (heading or outside):
                rows.append({"type": "end group"})
                in_sub_group, condition = False, None
            row = _question_row(question, texts, domains)
            if heading:
                in_sub_group, condition = True, question.relevant
            elif condition:
                row["relevant"] = _without(row["relevant"], condition)
            rows.append(row)
        if in_sub_group:  # else a sub-heading's group runs to the next one or the page's end
            rows.append({"type": "end group"})
        rows.append(repeats.end_row(page))
    return rows


def _question_row(question: Question, texts, domains: dict[int, Domain]) -> dict[str, Any]:
    appearance = question.appearance
    added = TYPES[question.type].xlsform_appearance
    if added:
        appearance = " ".join(filter(None, [added, appearance]))
    row: dict[str, Any] = {"type": _xlsform_type(question), "name": question.name}
    for part in QUESTION_TEXTS:
        _localised(row, part, texts.get(text_keys.question_text(question.name, part)))
    row |= {
        "required": "yes" if question.required else None,
        "relevant": question.relevant,
        "constraint": question.constraint
        or date_limits.as_constraint(question.min_date, question.max_date),
        "calculation": question.calculation,
        "choice_filter": question.choice_filter,
        "default": question.default,
        "appearance": appearance,
        "domain": domains[question.domain_id].code if question.domain_id else None,
        "measure": question.measure,
        "max_length": question.max_length,
    }
    if question.source_type != "range":
        row["min_value"] = _number(question.min_value)
        row["max_value"] = _number(question.max_value)
    elif not (question.extra or {}).get("parameters"):
        start, end = _number(question.min_value), _number(question.max_value)
        row["parameters"] = f"start={start} end={end}"
    row |= question.extra or {}
    return row


def _without(relevant: str | None, condition: str) -> str | None:
    """A question's relevant without its group's condition, as the form wrote it."""
    if relevant == condition:
        return None
    joined = f"({condition}) and ("
    if relevant and relevant.startswith(joined) and relevant.endswith(")"):
        return relevant[len(joined) : -1]
    return relevant


def _xlsform_type(question: Question) -> str:
    if question.source_type == SUB_HEADING:
        return SUB_HEADING
    return TYPES[question.type].xlsform_type(question)


def _file_lists(version: QuestionnaireVersion) -> dict[int, str]:
    """The lists read from a choices file (``select_one_from_file towns.csv``) or the
    external_choices sheet (``select_one_external towns``): list id -> the file's or
    list's name. They are written to the external_choices sheet, whose rows the
    importer reads when the file is not uploaded again."""
    return {
        q.choice_list_id: q.source_type.split()[-1]
        for page in version.pages
        for q in page.questions
        if q.choice_list_id and external_choices.parse_type(q.source_type or "")
    }


def _choice_rows(
    version: QuestionnaireVersion, texts, files: dict[int, str], from_files: bool = False
) -> list[dict]:
    rows = []
    acknowledged = {  # the "OK" of ``acknowledge`` questions: the type says it
        q.choice_list_id
        for page in version.pages
        for q in page.questions
        if q.source_type == "acknowledge"
    }
    for choice_list in sorted(version.choice_lists, key=lambda c: c.id):
        if (choice_list.id in files) != from_files or choice_list.id in acknowledged:
            continue
        for choice in choice_list.choices:
            written = files.get(choice_list.id, choice_list.name)
            row: dict[str, Any] = {"list_name": written, "name": choice.value}
            _localised(
                row, "label", texts.get(text_keys.choice_label(choice_list.name, choice.value))
            )
            row["score"] = _number(choice.score)
            rows.append(row | (choice.extra or {}))
    return rows


def _settings_row(version: QuestionnaireVersion, texts) -> dict[str, Any]:
    settings = dict(version.settings or {})
    title = texts.get(text_keys.QUESTIONNAIRE_TITLE, {}).get(SOURCE_LANGUAGE)
    row: dict[str, Any] = {
        "form_title": settings.pop("form_title", None) or title,
        "form_id": settings.pop("form_id", None) or version.questionnaire.name,
    }
    row |= {key: settings.pop(key, None) for key in SETTINGS_ORDER[2:]}
    row |= settings
    row["privacy_version"] = version.privacy_version
    for base, key in SETTINGS_TEXTS.items():
        _localised(row, base, texts.get(key))
    return row


def _domain_row(domain: Domain, languages: list[str]) -> dict[str, Any]:
    row: dict[str, Any] = {"code": domain.code}
    _localised(row, "label", {lang: domain.labels.get(lang) for lang in languages})
    _localised(
        row, "description", {lang: (domain.descriptions or {}).get(lang) for lang in languages}
    )
    return row


def _write(sheet, rows: list[dict[str, Any]], order: tuple[str, ...], always: int = 0) -> None:
    """Rows as a sheet. Columns follow ``order``, then languages in registry order;
    a column empty in every row is left out, except the first ``always`` of ``order``."""
    seen = {header: 0 for header in order[:always]}
    for row in rows:
        for header, value in row.items():
            if value not in (None, "") and header not in seen:
                seen[header] = len(seen)

    def rank(header: str) -> tuple:
        base, _, language = header.partition("::")
        code = language.rpartition("(")[2].rstrip(")") if language else ""
        position = order.index(base) if base in order else len(order)
        return (position, _order(code) if code else (0, ""), seen[header])

    headers = sorted(seen, key=rank)
    sheet.append(headers)
    for row in rows:
        sheet.append([_cell(row.get(header)) for header in headers])
        for cell in sheet[sheet.max_row]:
            if isinstance(cell.value, str) and cell.value.startswith("="):
                cell.data_type = "s"  # text, never a formula


def _cell(value: Any) -> Any:
    if isinstance(value, str):
        return ILLEGAL_CHARACTERS_RE.sub("", value)
    return value
