from __future__ import annotations

from datetime import datetime
from typing import Any

from sqlalchemy import JSON, ForeignKey, String, Text, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column, relationship

from surveyapp.extensions import db
from surveyapp.languages.registry import LANGUAGES, SOURCE_LANGUAGE
from surveyapp.languages.transliteration import cyrillic_to_latin
from surveyapp.models.base import utcnow

QUESTION_TYPES = (
    "single_choice",
    "multiple_choice",
    "scale",
    "number",
    "short_text",
    "long_text",
    "date",
    "note",  # text shown to the respondent, nothing to answer
    "calculate",  # computed from other answers, never shown
    # surveyapp.questionnaires.question_types.more:
    "time",
    "datetime",
    "geopoint",
    "hidden",  # the form's default, recorded at submission, never shown
    "start",  # metadata recorded from the server's clock, never shown
    "end",
    "today",
    # uploads: the answer is a stored file (surveyapp.uploads)
    "image",
    "audio",
    "video",
    "file",
)
UPLOAD_TYPES = ("image", "audio", "video", "file")
#: Types that take an answer from the respondent.
ANSWERABLE_TYPES = (*QUESTION_TYPES[:7], "time", "datetime", "geopoint", *UPLOAD_TYPES)
CHOICE_TYPES = ("single_choice", "multiple_choice", "scale")
MEASURES = ("need", "capacity")


class Domain(db.Model):
    """A thematic domain of the needs profiles (social cohesion, youth, ...)."""

    id: Mapped[int] = mapped_column(primary_key=True)
    code: Mapped[str] = mapped_column(String(40), unique=True)
    position: Mapped[int] = mapped_column(default=0)
    #: {"en": "Social cohesion", "mk": "...", ...}
    labels: Mapped[dict[str, Any]] = mapped_column(JSON, default=dict)
    descriptions: Mapped[dict[str, Any]] = mapped_column(JSON, default=dict)

    def label(self, lang: str) -> str:
        """The label in ``lang``, else its English label, else the code.

        A language derived by transliteration (Serbian in Latin script) reads its
        source's label transliterated, unless the domain has one of its own: every
        page, the editor's included, asks here, so none shows English to it.
        """
        own = self.labels.get(lang)
        if own:
            return own
        language = LANGUAGES.get(lang)
        source = language.derived_from if language else None
        if source and self.labels.get(source):
            return cyrillic_to_latin(self.labels[source])
        return self.labels.get(SOURCE_LANGUAGE) or self.code


class Questionnaire(db.Model):
    """A questionnaire; its content lives in versions."""

    id: Mapped[int] = mapped_column(primary_key=True)
    #: Stable ASCII name, e.g. "city_needs".
    name: Mapped[str] = mapped_column(String(64), unique=True)
    created_at: Mapped[datetime] = mapped_column(default=utcnow)

    versions: Mapped[list[QuestionnaireVersion]] = relationship(
        back_populates="questionnaire", order_by="QuestionnaireVersion.number"
    )


class QuestionnaireVersion(db.Model):
    """One frozen structure of a questionnaire. Responses point at a version."""

    __table_args__ = (UniqueConstraint("questionnaire_id", "number"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    questionnaire_id: Mapped[int] = mapped_column(ForeignKey("questionnaire.id"))
    number: Mapped[int] = mapped_column(default=1)
    #: draft, published or archived
    status: Mapped[str] = mapped_column(String(16), default="draft")
    #: Version of the privacy notice respondents consent to.
    privacy_version: Mapped[str] = mapped_column(String(32), default="1")
    created_at: Mapped[datetime] = mapped_column(default=utcnow)
    published_at: Mapped[datetime | None]
    #: XLSForm settings kept for export (form_id, version, default_language, ...).
    settings: Mapped[dict[str, Any] | None] = mapped_column(JSON)
    #: Goes up with every change to the version's pages, questions, choices or
    #: texts (``surveyapp.questionnaires.version_cache``), so cached copies know they are stale.
    revision: Mapped[int] = mapped_column(default=0, server_default="0")
    #: Languages staff took away from respondents on purpose (registry codes); a
    #: translation that is only out of date stays offered, marked for review.
    withdrawn_languages: Mapped[list[str]] = mapped_column(JSON, default=list, server_default="[]")
    #: What an XLSForm import left out, one line per row (sheet, row, why), when the
    #: author chose to import the rest of a form; None otherwise.
    import_notes: Mapped[str | None] = mapped_column(Text)

    questionnaire: Mapped[Questionnaire] = relationship(back_populates="versions")
    pages: Mapped[list[Page]] = relationship(
        back_populates="version", order_by="Page.position", cascade="all, delete-orphan"
    )
    choice_lists: Mapped[list[ChoiceList]] = relationship(
        back_populates="version", cascade="all, delete-orphan"
    )


class Page(db.Model):
    __table_args__ = (UniqueConstraint("version_id", "name"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    version_id: Mapped[int] = mapped_column(ForeignKey("questionnaire_version.id"))
    name: Mapped[str] = mapped_column(String(64))
    position: Mapped[int] = mapped_column(default=0)
    #: XLSForm expression: the page is shown only when it is true.
    relevant: Mapped[str | None] = mapped_column(Text)
    #: None: a plain page. A repeat (``surveyapp.questionnaires.repeats``): its questions
    #: are asked once per entry, {"kind": "repeat"} or {"kind": "loop", "list": <choice
    #: list name>} (one entry per choice), with "count": a number or an expression
    #: fixing the number of entries (XLSForm ``repeat_count``).
    repeat: Mapped[dict[str, Any] | None] = mapped_column(JSON)

    version: Mapped[QuestionnaireVersion] = relationship(back_populates="pages")
    questions: Mapped[list[Question]] = relationship(
        back_populates="page", order_by="Question.position", cascade="all, delete-orphan"
    )


class ChoiceList(db.Model):
    """A named list of choices shared by questions (XLSForm's ``list_name``)."""

    __table_args__ = (UniqueConstraint("version_id", "name"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    version_id: Mapped[int] = mapped_column(ForeignKey("questionnaire_version.id"))
    name: Mapped[str] = mapped_column(String(64))

    version: Mapped[QuestionnaireVersion] = relationship(back_populates="choice_lists")
    choices: Mapped[list[Choice]] = relationship(
        back_populates="choice_list", order_by="Choice.position", cascade="all, delete-orphan"
    )

    @property
    def distinct_choices(self) -> list[Choice]:
        """The choices, one per value (the first of duplicates stands for its value)."""
        first: dict[str, Choice] = {}
        for choice in self.choices:
            first.setdefault(choice.value, choice)
        return list(first.values())


class Choice(db.Model):
    """One row of a list. A value is usually once in its list; with the XLSForm setting
    ``allow_choice_duplicates`` it may be there twice (the same county name in two
    states, told apart by a choice_filter). Answers keep the value, as in ODK."""

    id: Mapped[int] = mapped_column(primary_key=True)
    choice_list_id: Mapped[int] = mapped_column(ForeignKey("choice_list.id"))
    #: The stored code, e.g. "3" or "dk".
    value: Mapped[str] = mapped_column(String(64))
    #: Numeric score for scale questions; None for "don't know" and plain choices.
    score: Mapped[float | None]
    position: Mapped[int] = mapped_column(default=0)
    #: Extra columns of the XLSForm choices sheet (used by choice_filter), kept.
    extra: Mapped[dict[str, Any] | None] = mapped_column(JSON)

    choice_list: Mapped[ChoiceList] = relationship(back_populates="choices")


class Question(db.Model):
    __table_args__ = (UniqueConstraint("version_id", "name"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    #: Denormalised from the page so names are unique per version.
    version_id: Mapped[int] = mapped_column(ForeignKey("questionnaire_version.id"), index=True)
    page_id: Mapped[int] = mapped_column(ForeignKey("page.id"), index=True)
    name: Mapped[str] = mapped_column(String(64))
    #: One of QUESTION_TYPES.
    type: Mapped[str] = mapped_column(String(20))
    position: Mapped[int] = mapped_column(default=0)
    required: Mapped[bool] = mapped_column(default=False)
    domain_id: Mapped[int | None] = mapped_column(ForeignKey("domain.id"), index=True)
    #: "need", "capacity" or None.
    measure: Mapped[str | None] = mapped_column(String(10))
    choice_list_id: Mapped[int | None] = mapped_column(ForeignKey("choice_list.id"))
    #: Number questions: allowed range; text questions: max_length.
    min_value: Mapped[float | None]
    max_value: Mapped[float | None]
    max_length: Mapped[int | None]
    #: Date questions: the smallest and largest date accepted, an ISO day or
    #: "today" (``surveyapp.questionnaires.date_limits``); None: no limit.
    min_date: Mapped[str | None] = mapped_column(String(10))
    max_date: Mapped[str | None] = mapped_column(String(10))
    #: Number questions that accept whole numbers only (XLSForm "integer").
    integer_only: Mapped[bool] = mapped_column(default=False)
    #: XLSForm expressions (see surveyapp.expressions): shown when ``relevant``
    #: is true; an answer is accepted when ``constraint`` is true; ``calculation``
    #: gives a calculate question its value; ``choice_filter`` narrows choices.
    relevant: Mapped[str | None] = mapped_column(Text)
    constraint: Mapped[str | None] = mapped_column(Text)
    calculation: Mapped[str | None] = mapped_column(Text)
    choice_filter: Mapped[str | None] = mapped_column(Text)
    #: XLSForm columns kept as they are for export: default, appearance, the
    #: original type (e.g. "range", "decimal") and any other column.
    default: Mapped[str | None] = mapped_column(String(200))
    appearance: Mapped[str | None] = mapped_column(String(100))
    source_type: Mapped[str | None] = mapped_column(String(60))
    extra: Mapped[dict[str, Any] | None] = mapped_column(JSON)

    version: Mapped[QuestionnaireVersion] = relationship()
    page: Mapped[Page] = relationship(back_populates="questions")
    domain: Mapped[Domain | None] = relationship()
    choice_list: Mapped[ChoiceList | None] = relationship()

    @property
    def has_choices(self) -> bool:
        return self.type in CHOICE_TYPES

    @property
    def answerable(self) -> bool:
        return self.type in ANSWERABLE_TYPES


class TextEntry(db.Model):
    """One translatable text of a questionnaire version in one language.

    ``key`` is the stable message context used in .po catalogs, e.g.
    ``q.youth_need_1.label``, ``choice.need_scale.3.label``, ``page.intro.title``.
    ``source_hash`` records which source text a translation was made from,
    so a translation is out of date when the source changes.
    """

    __table_args__ = (UniqueConstraint("version_id", "key", "lang"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    version_id: Mapped[int] = mapped_column(ForeignKey("questionnaire_version.id"))
    key: Mapped[str] = mapped_column(String(160))
    #: One of our language codes, or an imported form's other language code.
    lang: Mapped[str] = mapped_column(String(35))
    text: Mapped[str] = mapped_column(Text)
    source_hash: Mapped[str | None] = mapped_column(String(64))
    updated_at: Mapped[datetime] = mapped_column(default=utcnow, onupdate=utcnow)

    version: Mapped[QuestionnaireVersion] = relationship()
