"""Questionnaire versions as respondents see them, kept by each process between requests.

Every respondent page needs the whole version (pages, questions, choice
lists), its texts in one language and the languages it offers. Loading them
takes about ten queries and most of a page's time, yet they change only when
someone edits the questionnaire. So each process keeps them, and checks them
on every request against the version's ``revision``: a number that every
change to the version's pages, questions, choices or texts made through the
ORM turns up (``_bump_revisions``, a flush hook). The check is one small
query, or none when it rides along with one the page makes anyway
(``stamp_of``). An edit made in one worker is therefore seen by every other
worker on its next request; nothing else depends on what a process keeps, and
a new process starts empty.

The cached objects are loaded in a session of their own, completely (every
relationship the respondent's path follows), and then detached: they are
read-only. Never add them to a session or change them; use ids to refer to
them in new rows.
"""

from __future__ import annotations

import threading
from collections import OrderedDict
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import datetime
from typing import Any
from weakref import WeakKeyDictionary

from flask import Flask
from sqlalchemy import Engine, select, update
from sqlalchemy.orm import Session

from surveyapp.core.database import listen_once
from surveyapp.extensions import db
from surveyapp.models import Choice, ChoiceList, Page, Question, QuestionnaireVersion, TextEntry
from surveyapp.questionnaires.other_choice import has_other
from surveyapp.questionnaires.question_types import TYPES
from surveyapp.questionnaires.texts import (
    Texts,
    load_texts,
    offered_languages,
    translated_languages,
)
from surveyapp.questionnaires.versions import load_version

#: What tells one state of a version from another: (revision, created_at).
#: The creation time tells apart two databases at one address (tests reset theirs).
Stamp = tuple[int, datetime]

#: Versions kept per process (the least recently used goes first).
_SIZE = 16


@dataclass
class CachedVersion:
    """A version with everything a respondent page needs, shared by requests."""

    stamp: Stamp
    version: QuestionnaireVersion
    #: Languages offered to new respondents (every text translated, none withdrawn).
    offered: list[str]
    #: Languages with every text translated, withdrawn ones included: a respondent who
    #: started in one of them keeps it (a language never goes under their feet).
    translated: list[str] = field(default_factory=list)
    _texts: dict[tuple[str, str | None], Texts] = field(default_factory=dict)
    _memo: dict[Any, Any] = field(default_factory=dict)
    _lock: threading.Lock = field(default_factory=threading.Lock)

    def texts(self, lang: str, variant: str | None = None) -> Texts:
        """The version's texts in ``lang``, as spoken in the regional ``variant`` if
        given (loaded on first use)."""
        key = (lang, variant)
        texts = self._texts.get(key)
        if texts is None:
            texts = load_texts(self.version.id, lang, variant)
            with self._lock:
                self._texts[key] = texts
        return texts

    def offered_in(self, chosen: list[str] | None) -> list[str]:
        """The languages offered to new respondents of a campaign that chose ``chosen``
        of the version's (None: all of them), in registry order.

        When none of the chosen is offered any more (staff withdrew them from the
        version since), the version's own: a campaign never offers no language.
        """
        if chosen is None:
            return self.offered
        return [code for code in self.offered if code in chosen] or self.offered

    def allows(self, lang: str, started_in: str | None, chosen: list[str] | None = None) -> bool:
        """Whether a respondent of a campaign offering ``chosen`` (None: every language
        of the version) who started in ``started_in`` (None: not yet) may read ``lang``."""
        return lang in self.offered_in(chosen) or (lang == started_in and lang in self.translated)

    def memo(self, key: Any, make: Callable[[], Any]) -> Any:
        """``make()`` once per key for this state of the version (e.g. a page's form class)."""
        try:
            return self._memo[key]
        except KeyError:
            value = make()
            with self._lock:
                return self._memo.setdefault(key, value)


#: (engine, version id) -> what was loaded; the engine tells the application's databases apart.
_cache: OrderedDict[tuple[Engine, int], CachedVersion] = OrderedDict()
_cache_lock = threading.Lock()


def stamp_of(version_id: int) -> Stamp | None:
    """The version's current stamp (one query); None when there is no such version."""
    row = db.session.execute(
        select(QuestionnaireVersion.revision, QuestionnaireVersion.created_at).where(
            QuestionnaireVersion.id == version_id
        )
    ).one_or_none()
    return (row[0], row[1]) if row else None


def get(version_id: int, stamp: Stamp | None = None) -> CachedVersion:
    """The version as of ``stamp`` (read now when not given), from this process when it can.

    Raises LookupError for an unknown version.
    """
    stamp = stamp or stamp_of(version_id)
    if stamp is None:
        raise LookupError(f"no questionnaire version {version_id}")
    key = (db.engine, version_id)
    with _cache_lock:
        cached = _cache.get(key)
        if cached is not None and cached.stamp == stamp:
            _cache.move_to_end(key)
            return cached
    cached = _load(version_id, stamp)
    with _cache_lock:
        _cache[key] = cached
        _cache.move_to_end(key)
        while len(_cache) > _SIZE:
            _cache.popitem(last=False)
    return cached


def _load(version_id: int, stamp: Stamp) -> CachedVersion:
    # A session of its own (so that the objects end up detached), on the
    # request's connection: a second connection per request would let a burst
    # of first requests hold the whole pool while each waits for one more, and
    # on SQLite would wait for the request's own write lock.
    with Session(bind=db.session.connection(), expire_on_commit=False) as session:
        version = load_version(version_id, session)
        if version is None:
            raise LookupError(f"no questionnaire version {version_id}")
        # Set the back references while the session can still answer them, so
        # that nothing needs a database once the objects are detached.
        for page in version.pages:
            _ = page.version
            for question in page.questions:
                _ = question.page, question.version
        session.expunge_all()
    _keep_index(version)
    translated = translated_languages(version_id)
    offered = offered_languages(version_id, version.withdrawn_languages or [])
    # The stamp is read before the content, and an edit commits its content and
    # its new revision together: what was loaded is never older than its stamp.
    # It may be newer (PostgreSQL reads committed rows per statement); then the
    # next request sees the newer stamp and loads again.
    return CachedVersion(stamp, version, offered, translated)


def clear() -> None:
    """Forget every cached version of this process."""
    with _cache_lock:
        _cache.clear()


# --- the question index ----------------------------------------------------------
# A version's questions as plain tuples, for the loops every page runs. Reading an
# attribute of a mapped object costs several times a plain one, and a respondent
# page walks all of a version's questions a few times (its answers by name, the
# values its rules read, the question types). The versions kept here are
# read-only, so their index is made once, when they are loaded; any other
# version's (the editor's preview) is made afresh on each call.


@dataclass(frozen=True)
class QuestionIndex:
    #: (id, name) of every question, in page and question order.
    ids_and_names: tuple[tuple[int, str], ...]
    #: question id -> type
    types: dict[int, str]
    #: The calculations that have an expression, in order.
    calculations: tuple[Question, ...]
    #: (choice list id, choice value) -> the choice's score, for the lists questions use
    scores: dict[tuple[int, str], float | None]
    #: Names of the questions with "Other, specify" (expressions read ``${<name>_other}``)
    with_other: tuple[str, ...] = ()


_kept: WeakKeyDictionary[QuestionnaireVersion, QuestionIndex] = WeakKeyDictionary()


def _build(version: QuestionnaireVersion) -> QuestionIndex:
    questions = [q for page in version.pages for q in page.questions]
    return QuestionIndex(
        ids_and_names=tuple((q.id, q.name) for q in questions),
        types={q.id: q.type for q in questions},
        calculations=tuple(q for q in questions if TYPES[q.type].calculated and q.calculation),
        scores={
            (q.choice_list_id, choice.value): choice.score
            for q in questions
            if q.choice_list is not None
            for choice in q.choice_list.choices
        },
        with_other=tuple(q.name for q in questions if has_other(q)),
    )


def index_of(version: QuestionnaireVersion) -> QuestionIndex:
    """The version's index: kept for a read-only version, made now for any other."""
    index = _kept.get(version)
    return index if index is not None else _build(version)


def _keep_index(version: QuestionnaireVersion) -> None:
    """Make ``version``'s index once: only for a version nobody changes any more."""
    _kept[version] = _build(version)


# --- keeping ``revision`` up to date ------------------------------------------------


def _bump_revisions(session: Session, _context: Any) -> None:
    """Turn up the revision of every version whose content this flush changed."""
    versions: set[int] = set()
    lists: set[int] = set()
    for obj in (*session.new, *session.dirty, *session.deleted):
        if isinstance(obj, TextEntry | Page | Question | ChoiceList):
            versions.add(obj.version_id)
        elif isinstance(obj, Choice):
            lists.add(obj.choice_list_id)
        elif isinstance(obj, QuestionnaireVersion) and obj in session.dirty:
            if session.is_modified(obj, include_collections=False):
                versions.add(obj.id)
    if lists:
        versions.update(
            session.connection().scalars(
                select(ChoiceList.version_id).where(ChoiceList.id.in_(sorted(lists)))
            )
        )
    versions.discard(None)
    if versions:
        session.connection().execute(
            update(QuestionnaireVersion)
            .where(QuestionnaireVersion.id.in_(sorted(versions)))
            .values(revision=QuestionnaireVersion.revision + 1)
        )


def init_app(_app: Flask) -> None:
    """Count content edits in every session (the version's ``revision``)."""
    listen_once(Session, "after_flush", _bump_revisions)
