"""Storing an XLSForm that was read (:class:`~.reader.ImportedForm`) as a new questionnaire."""

from __future__ import annotations

from sqlalchemy import select

from surveyapp.core.database import write_transaction
from surveyapp.core.safe_text import lazy_gettext as _l
from surveyapp.extensions import db
from surveyapp.languages.registry import SOURCE_LANGUAGE
from surveyapp.models import (
    Choice,
    ChoiceList,
    Domain,
    Page,
    Question,
    Questionnaire,
    QuestionnaireVersion,
    TextEntry,
)
from surveyapp.questionnaires.texts import source_hash
from surveyapp.questionnaires.xlsform.reader import ImportedForm


@write_transaction()
def store_form(form: ImportedForm, notes: str | None = None) -> QuestionnaireVersion:
    """Store what was read (free of errors) as a new questionnaire's draft version 1, in one
    transaction, with ``notes`` as its ``import_notes``. A domain that exists already is
    kept as it is, with a warning."""
    domains = {d.code: d for d in db.session.scalars(select(Domain))}
    last = max((d.position for d in domains.values()), default=-1)
    for code, (labels, descriptions) in form.domains.items():
        if code not in domains:
            last += 1
            domains[code] = Domain(
                code=code, position=last, labels=labels, descriptions=descriptions
            )
            db.session.add(domains[code])
        elif domains[code].labels != labels:
            message = _l("The domain “%(code)s” exists already and is kept as it is.")
            form.report.warn(form.sheets["domains"].title, None, None, message % {"code": code})
    version = QuestionnaireVersion(
        questionnaire=Questionnaire(name=form.name),
        number=1,
        status="draft",
        privacy_version=form.privacy_version,
        settings=form.settings or None,
        import_notes=notes,
    )
    db.session.add(version)
    lists = {}
    for list_name, choices in form.lists.items():
        lists[list_name] = ChoiceList(name=list_name)
        version.choice_lists.append(lists[list_name])
        for position, c in enumerate(choices):
            choice = Choice(value=c.value, score=c.score, position=position, extra=c.extra)
            lists[list_name].choices.append(choice)
    for page_position, spec in enumerate(form.pages):
        page = Page(
            name=spec.name, position=page_position, relevant=spec.relevant, repeat=spec.repeat
        )
        version.pages.append(page)
        for position, q in enumerate(spec.questions):
            question = Question(version=version, name=q.name, position=position, **q.fields)
            question.choice_list = lists.get(q.list_name or "")
            question.domain = domains.get(q.domain or "")
            page.questions.append(question)
    for key, texts in form.texts.items():
        hashed = source_hash(texts[SOURCE_LANGUAGE])
        for lang, text in texts.items():
            db.session.add(
                TextEntry(version=version, key=key, lang=lang, text=text, source_hash=hashed)
            )
    db.session.commit()
    return version
