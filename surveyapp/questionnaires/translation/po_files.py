"""Questionnaire texts as gettext catalogs, for translators.

Export: one ``.po`` per language (or a ``.pot``), ``msgctxt`` the stable key
(``q.<name>.label``), ``msgid`` the English source, translator comments giving
the page and the question type. A translation made from an older source is
exported as fuzzy, so PO editors show it for review.

Import: the file is checked first and applied whole or not at all. The
language is the one its ``Language`` header names (``mk_MK``, ``sr-latn`` ...
read as our codes), or the one the translator chose, which must not differ
from the header's. Unknown keys, a source text that changed since export,
broken placeholders, a language that differs or that we do not have, bad
encoding, syntax errors and fuzzy entries are reported by line, and nothing
changes.

A regional variant (``registry.VARIANTS``, "sq-XK") goes the same way: its
catalog has every text, the variant's override as the translation (empty where
the language's text is right; the language's text is in a comment), and its
``Language`` header names the variant. Importing it sets the overrides it has and
removes those emptied, so that the language's text shows again.
"""

from __future__ import annotations

import io
from dataclasses import dataclass, field

from babel.messages.catalog import Catalog
from babel.messages.pofile import PoFileError, read_po, write_po
from sqlalchemy import select

from surveyapp.core.database import write_transaction
from surveyapp.core.safe_text import EscapingLazyString
from surveyapp.core.safe_text import lazy_gettext as _l
from surveyapp.extensions import db
from surveyapp.languages.catalog_checks import Problem, message_problems
from surveyapp.languages.negotiation import language_for_catalog
from surveyapp.languages.registry import (
    DERIVED_LANGUAGES,
    LANGUAGES,
    SOURCE_LANGUAGE,
    TRANSLATED_LANGUAGES,
    VARIANTS,
)
from surveyapp.languages.transliteration import normalise_text
from surveyapp.models import QuestionnaireVersion, TextEntry
from surveyapp.models.base import utcnow
from surveyapp.questionnaires import text_keys
from surveyapp.questionnaires.texts import max_text_length
from surveyapp.questionnaires.versions import load_version


def _rows(version_id: int, lang: str) -> dict[str, TextEntry]:
    return {
        row.key: row
        for row in db.session.scalars(
            select(TextEntry).where(TextEntry.version_id == version_id, TextEntry.lang == lang)
        )
    }


def translator_comments(version: QuestionnaireVersion) -> dict[str, str]:
    """Where each key appears, in words a translator can use."""
    source = _rows(version.id, SOURCE_LANGUAGE)
    comments = {
        text_keys.QUESTIONNAIRE_TITLE: "Title of the questionnaire",
        text_keys.QUESTIONNAIRE_DESCRIPTION: "Introduction on the start page",
        text_keys.PRIVACY_TEXT: "Privacy notice; paragraphs are separated by a blank line",
        text_keys.PRIVACY_CONSENT: "Consent statement next to the 'I agree' button",
    }
    for number, page in enumerate(version.pages, start=1):
        title = source.get(text_keys.page_title(page.name))
        where = f"Page {number}" + (f" ({title.text})" if title else "")
        if page.repeat:
            # Its questions are asked once per entry; a loop's entries are headed by the
            # choices of its list, which ``%(label)s`` in a label stands for.
            where += ", asked once per entry"
            loop = page.repeat.get("list")
            for choice_list in page.version.choice_lists if loop else ():
                if choice_list.name == loop:
                    for choice in choice_list.distinct_choices:
                        key = text_keys.choice_label(loop, choice.value)
                        comments.setdefault(key, f"{where}: heading of one entry")
        comments[text_keys.page_title(page.name)] = f"{where}: title"
        comments[text_keys.page_intro(page.name)] = f"{where}: introduction"
        for question in page.questions:
            kind = question.type.replace("_", " ")
            comments[text_keys.question_label(question.name)] = f"{where}: {kind} question"
            comments[text_keys.question_hint(question.name)] = (
                f"{where}: hint under a {kind} question"
            )
            comments[text_keys.constraint_message(question.name)] = (
                f"{where}: message when an answer to a {kind} question is not accepted"
            )
            comments[text_keys.required_message(question.name)] = (
                f"{where}: message when a required {kind} question is left empty"
            )
            if question.choice_list:
                for choice in question.choice_list.distinct_choices:
                    key = text_keys.choice_label(question.choice_list.name, choice.value)
                    comments.setdefault(key, f"{where}: answer option of a {kind} question")
    return comments


def export_catalog(version_id: int, lang: str | None) -> bytes:
    """The version's texts as a .po for ``lang`` (our code), or a .pot when None."""
    version = load_version(version_id)
    name = version.questionnaire.name
    variant = VARIANTS.get(lang or "")
    what = f"{_named(lang)} translation" if lang else "Translation template"
    header = f"# {what} of the surveyapp questionnaire “{name}”.\n"
    if variant is not None:
        what = f"{_named(lang)} overrides"
        header = (
            f"# {what} of the surveyapp questionnaire “{name}”: only the texts said\n"
            f"# differently there; an empty translation shows the {variant.language} text "
            "(in the comment).\n"
        )
    catalog = Catalog(
        header_comment=header
        + "# Edit it in any PO editor and upload it back; msgctxt identifies each text.",
        language_team=_autonym(lang) if lang else "LANGUAGE",
        project=f"surveyapp questionnaire {name}",
        version=str(version.number),
        charset="utf-8",
        fuzzy=False,
    )
    if lang:
        catalog.mime_headers  # noqa: B018  (Babel fills the default header lazily)
    source = _rows(version.id, SOURCE_LANGUAGE)
    translations = _rows(version.id, lang) if lang else {}
    language = _rows(version.id, variant.language) if variant else {}
    comments = translator_comments(version)
    for key in sorted(source, key=_key_order(version)):
        original = source[key]
        if not original.text:
            continue
        translated = translations.get(key)
        string, flags = "", ()
        if translated and translated.text:
            string = translated.text
            if translated.source_hash != original.source_hash:
                flags = ("fuzzy",)
        notes = [comments[key]] if comments.get(key) else []
        if key in language and language[key].text:
            notes += [f"{variant.language}: {line}" for line in language[key].text.splitlines()]
        catalog.add(original.text, string, context=key, auto_comments=notes, flags=flags)
    buffer = io.BytesIO()
    write_po(buffer, catalog, width=0, omit_header=False)
    text = buffer.getvalue().decode("utf-8")
    if lang:
        plural = LANGUAGES[variant.language if variant else lang].plural_forms
        text = text.replace(
            '"Content-Type:',
            f'"Language: {lang}\\n"\n"Plural-Forms: {plural}\\n"\n"Content-Type:',
            1,
        )
    return text.encode("utf-8")


def _key_order(version: QuestionnaireVersion):
    """Keys in the order a respondent meets them."""
    order: dict[str, int] = {}
    for key in text_keys.VERSION_TEXTS:
        order[key] = len(order)
    for page in version.pages:
        order[text_keys.page_title(page.name)] = len(order)
        order[text_keys.page_intro(page.name)] = len(order)
        for question in page.questions:
            order[text_keys.question_label(question.name)] = len(order)
            order[text_keys.question_hint(question.name)] = len(order)
            if question.choice_list:
                for choice in question.choice_list.distinct_choices:
                    order.setdefault(
                        text_keys.choice_label(question.choice_list.name, choice.value), len(order)
                    )
    return lambda key: (order.get(key, len(order)), key)


def _header_line(data: bytes) -> int:
    """The line of the catalog's ``Language`` header (1 when it has none)."""
    where = data.find(b'"Language:')
    return data[:where].count(b"\n") + 1 if where >= 0 else 1


def _autonym(code: str) -> str:
    return VARIANTS[code].name if code in VARIANTS else LANGUAGES[code].autonym


def _named(code: str) -> str:
    return f"{_autonym(code)} ({code})"


def _variant_named(header: str) -> str | None:
    """The regional variant a ``Language`` header names ("sq_XK", "sq-xk"), if any."""
    wanted = header.replace("_", "-").split(".")[0].lower()
    return next((code for code in VARIANTS if code.lower() == wanted), None)


def catalog_language(
    header: str, chosen: str | None
) -> tuple[str | None, EscapingLazyString | None]:
    """The language a catalog is imported into, from its ``Language`` header and the
    language the translator chose (None: take the header's); or None and why not.

    Only a real difference is refused: ``mk_MK`` or ``MK`` in the header is mk, and
    ``sr_Latn`` is Serbian Latin (which is never uploaded: it is made from the Cyrillic).
    A header that names a language we do not have is refused even when one is chosen.
    """
    header = header.strip()
    found = (_variant_named(header) or language_for_catalog(header)) if header else None
    if chosen and chosen not in TRANSLATED_LANGUAGES and chosen not in VARIANTS:
        return None, _l(
            "Unknown language “%(lang)s”; expected one of %(known)s.",
            lang=chosen,
            known=", ".join(_named(code) for code in TRANSLATED_LANGUAGES),
        )
    if header and found is None:
        return None, _l(
            "The file’s “Language” header says “%(found)s”, which is not one of the "
            "languages of this site (%(known)s). Set the catalog’s language in your PO "
            "editor and upload it again.",
            found=header[:40],
            known=", ".join(_named(code) for code in TRANSLATED_LANGUAGES),
        )
    if found is not None and found in DERIVED_LANGUAGES:
        source = LANGUAGES[found].derived_from or ""
        return None, _l(
            "The file is in %(found)s, which this site makes from %(source)s by "
            "transliteration: translate the %(source)s catalog and upload that one.",
            found=_named(found),
            source=_named(source),
        )
    if found == SOURCE_LANGUAGE:
        return None, _l(
            "The file’s “Language” header says English, the language the questionnaire "
            "is written in: upload a translation into another language."
        )
    if chosen and found and found != chosen:
        return None, _l(
            "This catalog is for %(found)s, not for %(lang)s: choose %(found)s, or "
            "upload the %(lang)s catalog.",
            found=_named(found),
            lang=_named(chosen),
        )
    lang = chosen or found
    if lang is None:
        return None, _l(
            "The file does not say which language it is in (it has no “Language” "
            "header): choose the language and upload it again."
        )
    return lang, None


@dataclass
class ImportReport:
    """The outcome of checking (and maybe applying) a questionnaire catalog."""

    lang: str | None = None
    problems: list[Problem] = field(default_factory=list)
    changes: dict[str, str] = field(default_factory=dict)  # key -> new text
    applied: bool = False

    @property
    def ok(self) -> bool:
        return not self.problems


def check_import(version_id: int, data: bytes, expected_lang: str | None = None) -> ImportReport:
    """Read and check a translated catalog; nothing is written."""
    report = ImportReport()
    try:
        data.decode("utf-8")
    except UnicodeDecodeError as error:
        line = data[: error.start].count(b"\n") + 1
        report.problems.append(Problem(line, _l("The file is not UTF-8 text: save it as UTF-8.")))
        return report
    try:
        catalog = read_po(io.BytesIO(data), locale=None, abort_invalid=True)
    except (PoFileError, ValueError) as error:
        line = getattr(error, "lineno", 0) or 0
        report.problems.append(
            Problem(line, _l("The file is not a valid PO catalog: %(error)s", error=str(error)))
        )
        return report

    lang, problem = catalog_language(
        dict(catalog.mime_headers).get("Language", "") or "", expected_lang
    )
    if lang is None:
        report.problems.append(Problem(_header_line(data), problem or ""))
        return report
    report.lang = lang

    source = _rows(version_id, SOURCE_LANGUAGE)
    current = _rows(version_id, lang)
    if not any(message.id for message in catalog):
        # An empty file, or one babel reads as nothing: never "imported, 0 texts".
        report.problems.append(
            Problem(
                1,
                _l(
                    "The file has no texts of this questionnaire: export its catalog, "
                    "translate it and upload it again."
                ),
            )
        )
        return report
    for message in catalog:
        if not message.id:
            continue
        key = message.context
        if not key or key not in source:
            report.problems.append(
                Problem(message.lineno, _l("Unknown text id “%(key)s”.", key=key or ""))
            )
            continue
        if normalise_text(message.id) != source[key].text:
            report.problems.append(
                Problem(
                    message.lineno,
                    _l(
                        "The English text of “%(key)s” has changed since this catalog was "
                        "exported: export the catalog again.",
                        key=key,
                    ),
                )
            )
            continue
        if message.fuzzy:
            report.problems.append(
                Problem(
                    message.lineno,
                    _l("“%(key)s” is marked fuzzy: review it and remove the flag.", key=key),
                )
            )
            continue
        report.problems.extend(message_problems(message))
        text = normalise_text(message.string or "")
        if not text and lang in VARIANTS and key in current and current[key].text:
            report.changes[key] = ""  # the override emptied: the language's text again
            continue
        if len(text) > max_text_length(key):
            report.problems.append(
                Problem(
                    message.lineno,
                    _l(
                        "The translation of “%(key)s” is longer than %(max)d characters.",
                        key=key,
                        max=max_text_length(key),
                    ),
                )
            )
            continue
        if text and (
            key not in current
            or current[key].text != text
            or current[key].source_hash != source[key].source_hash
        ):
            report.changes[key] = text
    return report


@write_transaction()
def apply_import(version_id: int, report: ImportReport) -> ImportReport:
    """Write a checked report's changes in one transaction; refuses a report with problems."""
    if not report.ok or report.lang is None:
        return report
    source = _rows(version_id, SOURCE_LANGUAGE)
    current = _rows(version_id, report.lang)
    for key, text in report.changes.items():
        row = current.get(key)
        if not text:  # a regional variant's override removed
            if row is not None:
                db.session.delete(row)
            continue
        if row is None:
            row = TextEntry(version_id=version_id, key=key, lang=report.lang)
            db.session.add(row)
        row.text = text
        row.source_hash = source[key].source_hash
        row.updated_at = utcnow()
    db.session.commit()
    report.applied = True
    return report


def import_catalog(version_id: int, data: bytes, expected_lang: str | None = None) -> ImportReport:
    """Check, then apply only if there is no problem at all."""
    return apply_import(version_id, check_import(version_id, data, expected_lang))
