"""The texts of the outreach mails: built-in ones in every language, a campaign's own
(edited by staff), which language lacks one, and the placeholders they may use.

A campaign starts with the built-in texts. Once staff change its English text, a
language without a text of its own is *missing* (the built-in one would say
something else), and a text written for an earlier English text is *outdated*;
Serbian Latin is always the Serbian Cyrillic text, transliterated.
"""

from __future__ import annotations

import hashlib
import re
import tomllib
from dataclasses import dataclass
from functools import cache

from sqlalchemy import delete, select

from surveyapp.core.data_files import DATA_DIR
from surveyapp.core.database import write_transaction
from surveyapp.extensions import db
from surveyapp.languages.registry import AUTHORED_LANGUAGES, LANGUAGES, SOURCE_LANGUAGE
from surveyapp.languages.transliteration import cyrillic_to_latin, normalise_text
from surveyapp.models import MailTemplate
from surveyapp.models.outreach import MAIL_KINDS
from surveyapp.outreach.audit import Actor, note

#: What a text may say in braces, filled in per recipient.
PLACEHOLDERS = (
    "recipient_name",
    "recipient_role",
    "municipality",
    "country",
    "campaign",
    "questionnaire",
    "closing_date",
    "link",
    "opt_out_link",
)
#: Every mail body must give these: the personal link, and the way to stop the mails.
REQUIRED_IN_BODY = ("link", "opt_out_link")
PLACEHOLDER = re.compile(r"\{([A-Za-z_][A-Za-z0-9_]*)\}")
MAX_SUBJECT_LENGTH = 200
MAX_BODY_LENGTH = 10_000

#: ``TemplateState.state``: the built-in text; the campaign's own; written for an
#: earlier English text; none at all (the English text was changed).
BUILT_IN = "built_in"
OWN = "own"
OUTDATED = "outdated"
MISSING = "missing"


@dataclass(frozen=True)
class MailText:
    subject: str
    body: str

    @property
    def hash(self) -> str:
        return hashlib.sha256(f"{self.subject}\n\n{self.body}".encode()).hexdigest()


@dataclass(frozen=True)
class TextProblem:
    """Why a text cannot be saved: ``code`` is "subject_empty", "body_empty",
    "subject_lines", "subject_long", "body_long", "unknown" or "required";
    ``names`` the placeholders concerned."""

    code: str
    names: tuple[str, ...] = ()


class TextRefused(ValueError):
    def __init__(self, problems: list[TextProblem]) -> None:
        super().__init__(", ".join(problem.code for problem in problems))
        self.problems = problems


@dataclass(frozen=True)
class TemplateState:
    """One language's text of a campaign's mail: where it comes from, and the text
    (None when missing)."""

    kind: str
    lang: str
    state: str
    text: MailText | None

    @property
    def usable(self) -> bool:
        return self.text is not None


@cache
def builtin_texts() -> dict[tuple[str, str], MailText]:
    """The built-in texts by (kind, authored language), from data/mail_templates.toml."""
    with (DATA_DIR / "mail_templates.toml").open("rb") as fp:
        data = tomllib.load(fp)
    return {
        (kind, lang): MailText(text["subject"].strip(), text["body"].strip())
        for kind, languages in data.items()
        for lang, text in languages.items()
    }


def builtin_text(kind: str, lang: str) -> MailText | None:
    """The built-in text in ``lang`` (Serbian Latin from Serbian Cyrillic), or None."""
    source = LANGUAGES[lang].derived_from if lang in LANGUAGES else None
    text = builtin_texts().get((kind, source or lang))
    return transliterated(text) if text is not None and source else text


def transliterated(text: MailText) -> MailText:
    return MailText(cyrillic_to_latin(text.subject), cyrillic_to_latin(text.body))


def placeholders_in(text: str) -> list[str]:
    return PLACEHOLDER.findall(text)


def text_problems(subject: str, body: str) -> list[TextProblem]:
    """What is wrong with a text staff typed (nothing: an empty list)."""
    problems = []
    if not subject.strip():
        problems.append(TextProblem("subject_empty"))
    elif "\n" in subject.strip() or "\r" in subject:
        problems.append(TextProblem("subject_lines"))
    if len(subject) > MAX_SUBJECT_LENGTH:
        problems.append(TextProblem("subject_long"))
    if not body.strip():
        problems.append(TextProblem("body_empty"))
    if len(body) > MAX_BODY_LENGTH:
        problems.append(TextProblem("body_long"))
    used = placeholders_in(subject) + placeholders_in(body)
    unknown = tuple(dict.fromkeys(name for name in used if name not in PLACEHOLDERS))
    if unknown:
        problems.append(TextProblem("unknown", unknown))
    if body.strip():
        absent = tuple(name for name in REQUIRED_IN_BODY if name not in placeholders_in(body))
        if absent:
            problems.append(TextProblem("required", absent))
    return problems


def clean(subject: str, body: str) -> MailText:
    """The text as it is stored: NFC, Unix line ends, no spaces at line ends."""
    body = normalise_text(body).replace("\r\n", "\n").replace("\r", "\n")
    body = "\n".join(line.rstrip() for line in body.strip().split("\n"))
    return MailText(normalise_text(subject).strip(), body)


# --- a campaign's texts -------------------------------------------------------------


def _rows(campaign_id: int, kind: str) -> dict[str, MailTemplate]:
    return {
        row.language: row
        for row in db.session.scalars(
            select(MailTemplate).where(
                MailTemplate.campaign_id == campaign_id, MailTemplate.kind == kind
            )
        )
    }


def source_text(campaign_id: int, kind: str, rows: dict[str, MailTemplate] | None = None):
    """The English text translations are made from: the campaign's own, or built-in."""
    rows = _rows(campaign_id, kind) if rows is None else rows
    own = rows.get(SOURCE_LANGUAGE)
    if own is not None:
        return MailText(own.subject, own.body)
    return builtin_text(kind, SOURCE_LANGUAGE)


def template_states(campaign_id: int, kind: str) -> dict[str, TemplateState]:
    """Every language's text of one kind of mail of a campaign, in registry order."""
    rows = _rows(campaign_id, kind)
    source = source_text(campaign_id, kind, rows)
    source_hash = source.hash if source else ""
    builtin_source = builtin_text(kind, SOURCE_LANGUAGE)
    # English the same as the built-in one (saved unchanged, or never edited): the
    # built-in translations still say the same.
    builtin_holds = builtin_source is not None and source_hash == builtin_source.hash
    states: dict[str, TemplateState] = {}
    for lang in AUTHORED_LANGUAGES:
        row = rows.get(lang)
        builtin = builtin_text(kind, lang) if builtin_holds else None
        if row is not None:
            current = lang == SOURCE_LANGUAGE or row.source_hash == source_hash
            states[lang] = TemplateState(
                kind, lang, OWN if current else OUTDATED, MailText(row.subject, row.body)
            )
        elif builtin is not None:
            states[lang] = TemplateState(kind, lang, BUILT_IN, builtin)
        else:
            states[lang] = TemplateState(kind, lang, MISSING, None)
    for code, language in LANGUAGES.items():
        if language.derived_from and language.derived_from in states:
            base = states[language.derived_from]
            derived = transliterated(base.text) if base.text is not None else None
            states[code] = TemplateState(kind, code, base.state, derived)
    return {code: states[code] for code in LANGUAGES if code in states}


def all_template_states(campaign_id: int) -> dict[str, dict[str, TemplateState]]:
    return {kind: template_states(campaign_id, kind) for kind in MAIL_KINDS}


def editable_language(lang: str) -> str:
    """The language whose text holds ``lang``'s (Serbian Cyrillic for Serbian Latin)."""
    return LANGUAGES[lang].derived_from or lang


@write_transaction()
def save_text(
    campaign_id: int, kind: str, lang: str, subject: str, body: str, actor: Actor
) -> MailTemplate:
    """Store a campaign's own text in ``lang`` (refused with ``TextRefused``)."""
    row = store_text(campaign_id, kind, lang, subject, body, actor)
    db.session.commit()
    return row


def store_text(
    campaign_id: int, kind: str, lang: str, subject: str, body: str, actor: Actor
) -> MailTemplate:
    """``save_text`` in the caller's write transaction, without committing."""
    if kind not in MAIL_KINDS or lang not in AUTHORED_LANGUAGES:
        raise KeyError((kind, lang))
    text = clean(subject, body)
    problems = text_problems(text.subject, text.body)
    if problems:
        raise TextRefused(problems)
    rows = _rows(campaign_id, kind)
    if lang == SOURCE_LANGUAGE:
        source_hash = text.hash
    else:
        source = source_text(campaign_id, kind, rows)
        source_hash = source.hash if source else ""
    row = rows.get(lang)
    if row is None:
        row = MailTemplate(campaign_id=campaign_id, kind=kind, language=lang)
        db.session.add(row)
    row.subject, row.body, row.source_hash = text.subject, text.body, source_hash
    row.updated_by_id = actor.user_id
    note("mail_text_changed", f"campaign:{campaign_id}", actor, kind=kind, language=lang)
    return row


@write_transaction()
def use_builtin_text(campaign_id: int, kind: str, lang: str, actor: Actor) -> None:
    """Go back to the built-in text in ``lang``.

    For English (or while the English text is the built-in one) the campaign's own
    text is dropped. Otherwise the built-in translation becomes the campaign's own,
    marked as made from the current English text: staff say it still fits.
    """
    if kind not in MAIL_KINDS or lang not in AUTHORED_LANGUAGES:
        raise KeyError((kind, lang))
    builtin = builtin_text(kind, lang)
    if builtin is None:
        raise KeyError((kind, lang))
    rows = _rows(campaign_id, kind)
    db.session.execute(
        delete(MailTemplate).where(
            MailTemplate.campaign_id == campaign_id,
            MailTemplate.kind == kind,
            MailTemplate.language == lang,
        )
    )
    rows.pop(lang, None)
    source = source_text(campaign_id, kind, rows)
    builtin_source = builtin_text(kind, SOURCE_LANGUAGE)
    if lang != SOURCE_LANGUAGE and source is not None and source != builtin_source:
        db.session.add(
            MailTemplate(
                campaign_id=campaign_id,
                kind=kind,
                language=lang,
                subject=builtin.subject,
                body=builtin.body,
                source_hash=source.hash,
                updated_by_id=actor.user_id,
            )
        )
    note("mail_text_reset", f"campaign:{campaign_id}", actor, kind=kind, language=lang)
    db.session.commit()
