"""A campaign's mail texts as gettext catalogs, for translators: the same .po export
and import as questionnaire texts (``questionnaires.translation.po_files``).

Each kind of mail has two entries, ``msgctxt`` "mail.<kind>.subject" and
"mail.<kind>.body", ``msgid`` the English text (the campaign's own or the built-in
one). A translation made from an older English text is exported as fuzzy. Import is
checked whole first and applied all or nothing: unknown ids, a changed English text,
fuzzy entries, a subject without its body (or the other way round) and texts that
break the placeholders are reported by line.
"""

from __future__ import annotations

import io
from dataclasses import dataclass, field
from typing import Any

from babel.messages.catalog import Catalog
from babel.messages.pofile import PoFileError, read_po, write_po
from sqlalchemy import select

from surveyapp.core.database import write_transaction
from surveyapp.core.safe_text import lazy_gettext as _l
from surveyapp.extensions import db
from surveyapp.languages.registry import LANGUAGES, TRANSLATED_LANGUAGES
from surveyapp.languages.transliteration import normalise_text
from surveyapp.models import Campaign
from surveyapp.models.outreach import MAIL_KINDS
from surveyapp.outreach.audit import Actor, note
from surveyapp.outreach.mail_texts import (
    BUILT_IN,
    MISSING,
    OUTDATED,
    OWN,
    PLACEHOLDERS,
    MailText,
    TemplateState,
    clean,
    source_text,
    store_text,
    template_states,
    text_problems,
)
from surveyapp.questionnaires.translation.po_files import catalog_language

PARTS = ("subject", "body")
COMMENTS = {
    "subject": "Subject line of the {kind} mail (one line).",
    "body": (
        "Text of the {kind} mail; paragraphs are separated by a blank line. Keep the words "
        "in braces as they are: " + ", ".join("{" + name + "}" for name in PLACEHOLDERS) + "."
    ),
}


def context(kind: str, part: str) -> str:
    return f"mail.{kind}.{part}"


def export_catalog(campaign: Campaign, lang: str) -> bytes:
    """The campaign's mail texts as a .po for ``lang`` (a translated language)."""
    catalog = Catalog(
        header_comment=f"# {LANGUAGES[lang].autonym} ({lang}) translation of the mails of the "
        f"surveyapp campaign “{campaign.name}”.\n"
        "# Edit it in any PO editor and upload it back; msgctxt identifies each text.",
        language_team=LANGUAGES[lang].autonym,
        project=f"surveyapp mails of campaign {campaign.id}",
        charset="utf-8",
        fuzzy=False,
    )
    for kind in MAIL_KINDS:
        source = source_text(campaign.id, kind)
        state = template_states(campaign.id, kind)[lang]
        if source is None:
            continue
        for part in PARTS:
            translated = getattr(state.text, part) if state.text is not None else ""
            catalog.add(
                getattr(source, part),
                translated,
                context=context(kind, part),
                auto_comments=[COMMENTS[part].replace("{kind}", kind)],
                flags=("fuzzy",) if state.state == OUTDATED else (),
            )
    buffer = io.BytesIO()
    write_po(buffer, catalog, width=0, omit_header=False)
    text = buffer.getvalue().decode("utf-8")
    plural = LANGUAGES[lang].plural_forms
    text = text.replace(
        '"Content-Type:', f'"Language: {lang}\\n"\n"Plural-Forms: {plural}\\n"\n"Content-Type:', 1
    )
    return text.encode("utf-8")


@dataclass(frozen=True)
class CatalogProblem:
    line: int
    message: Any


@dataclass
class CatalogImport:
    problems: list[CatalogProblem] = field(default_factory=list)
    #: kind → the new text, for the kinds the file translates.
    changes: dict[str, MailText] = field(default_factory=dict)
    applied: bool = False

    @property
    def ok(self) -> bool:
        return not self.problems

    def add(self, line: int, message: Any) -> None:
        self.problems.append(CatalogProblem(line, message))


TEXT_PROBLEMS = {
    "subject_empty": _l("The subject is missing."),
    "subject_lines": _l("The subject must be one line."),
    "subject_long": _l("The subject is too long."),
    "body_empty": _l("The text is missing."),
    "body_long": _l("The text is too long."),
    # I18N: %(names)s lists placeholders such as {recipient_nmae}
    "unknown": _l("Unknown placeholders: %(names)s."),
    # I18N: %(names)s lists placeholders such as {link}
    "required": _l("The text must contain %(names)s."),
}


def _read(data: bytes, lang: str, report: CatalogImport):
    try:
        data.decode("utf-8")
    except UnicodeDecodeError as error:
        line = data[: error.start].count(b"\n") + 1
        report.add(line, _l("The file is not UTF-8 text: save it as UTF-8."))
        return None
    try:
        catalog = read_po(io.BytesIO(data), locale=None, abort_invalid=True)
    except (PoFileError, ValueError) as error:
        line = getattr(error, "lineno", 0) or 0
        report.add(line, _l("The file is not a valid PO catalog: %(error)s", error=str(error)))
        return None
    # The questionnaires' rules for the header: mk_MK is mk, Serbian Latin is refused.
    _lang, problem = catalog_language(dict(catalog.mime_headers).get("Language", ""), lang)
    if problem is not None:
        where = data.find(b'"Language:')
        report.add(data[:where].count(b"\n") + 1 if where >= 0 else 1, problem)
        return None
    return catalog


def check_import(campaign: Campaign, lang: str, data: bytes) -> CatalogImport:
    """Read and check a translated catalog of the campaign's mails; nothing is written."""
    report = CatalogImport()
    if lang not in TRANSLATED_LANGUAGES:
        raise KeyError(lang)
    catalog = _read(data, lang, report)
    if catalog is None:
        return report
    sources = {kind: source_text(campaign.id, kind) for kind in MAIL_KINDS}
    known = {context(kind, part): (kind, part) for kind in MAIL_KINDS for part in PARTS}
    found: dict[str, dict[str, tuple[int, str]]] = {}
    for message in catalog:
        if not message.id:
            continue
        key = message.context or ""
        if key not in known:
            report.add(message.lineno, _l("Unknown text id “%(key)s”.", key=key))
            continue
        kind, part = known[key]
        source = sources[kind]
        if source is None or normalise_text(str(message.id)) != getattr(source, part):
            report.add(
                message.lineno,
                _l(
                    "The English text of “%(key)s” has changed since this catalog was "
                    "exported: export the catalog again.",
                    key=key,
                ),
            )
            continue
        text = normalise_text(str(message.string or ""))
        if message.fuzzy and text:
            report.add(
                message.lineno,
                _l("“%(key)s” is marked fuzzy: review it and remove the flag.", key=key),
            )
            continue
        if text:
            found.setdefault(kind, {})[part] = (message.lineno, text)
    for kind, parts in found.items():
        line = min(number for number, _text in parts.values())
        if set(parts) != set(PARTS):
            report.add(
                line,
                _l(
                    "“%(key)s” needs both its subject and its text translated.",
                    key=f"mail.{kind}",
                ),
            )
            continue
        subject, body = parts["subject"][1], parts["body"][1]
        for problem in text_problems(subject, body):
            names = ", ".join("{" + name + "}" for name in problem.names)
            report.add(
                parts["subject" if problem.code.startswith("subject") else "body"][0],
                TEXT_PROBLEMS[problem.code] % {"names": names},
            )
        translated = clean(subject, body)
        state = template_states(campaign.id, kind)[lang]
        if not (state.state in (OWN, BUILT_IN) and state.text == translated):
            report.changes[kind] = translated  # the same text as now is no change
    if not found and report.ok:
        report.add(1, _l("The file has no translated mail texts."))
    return report


@write_transaction()
def import_catalog(campaign: Campaign, lang: str, data: bytes, actor: Actor) -> CatalogImport:
    """Check, then store the texts only if there is no problem at all."""
    report = check_import(campaign, lang, data)
    if not report.ok:
        return report
    for kind, text in report.changes.items():
        store_text(campaign.id, kind, lang, text.subject, text.body, actor)
    note("mail_texts_imported", f"campaign:{campaign.id}", actor, language=lang)
    db.session.commit()
    report.applied = True
    return report


# --- where translation stands --------------------------------------------------------


@dataclass
class CampaignTexts:
    campaign: Campaign
    #: language → kind → state.
    states: dict[str, dict[str, TemplateState]]

    def count(self, lang: str, *states: str) -> int:
        return sum(1 for state in self.states[lang].values() if state.state in states)

    def current(self, lang: str) -> int:
        return self.count(lang, OWN, BUILT_IN)

    def outdated(self, lang: str) -> int:
        return self.count(lang, OUTDATED)

    def missing(self, lang: str) -> int:
        return self.count(lang, MISSING)


def translation_status() -> list[CampaignTexts]:
    """Every campaign not archived, with each translated language's mail texts."""
    campaigns = db.session.scalars(
        select(Campaign).where(Campaign.archived_at.is_(None)).order_by(Campaign.id.desc())
    )
    result = []
    for campaign in campaigns:
        by_kind = {kind: template_states(campaign.id, kind) for kind in MAIL_KINDS}
        states = {
            lang: {kind: by_kind[kind][lang] for kind in MAIL_KINDS}
            for lang in TRANSLATED_LANGUAGES
        }
        result.append(CampaignTexts(campaign, states))
    return result
