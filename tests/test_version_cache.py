"""Respondent pages come from a per-process copy of the questionnaire; edits still show at once."""

from __future__ import annotations

import pytest
from sqlalchemy import func, inspect, select, text

from surveyapp.extensions import db
from surveyapp.models import (
    Answer,
    Choice,
    ChoiceList,
    Page,
    Question,
    QuestionnaireVersion,
    TextEntry,
)
from surveyapp.questionnaires import version_cache
from tests.conftest import Staff
from tests.plans import answer_plan, builtin_version

PAGE_TITLE = "page.about.title"


def _version_id(app) -> int:
    with app.app_context():
        return builtin_version().id


def _revision(app, version_id: int) -> int:
    with app.app_context():
        return db.session.scalar(
            select(QuestionnaireVersion.revision).where(QuestionnaireVersion.id == version_id)
        )


def test_a_text_fix_reaches_a_respondent_who_has_the_page_open(app, respondent, make_user):
    person = respondent("mk")
    person.consent()
    assert person.get("/p/1").status_code == 200  # this process now keeps the version
    with app.app_context():
        question_id = db.session.scalar(
            select(Question.id).where(
                Question.version_id == builtin_version().id, Question.name == "safety_council"
            )
        )
    author = Staff(app.test_client(), make_user("analyst"))
    assert author.login().status_code == 303
    texts = f"/en/staff/questionnaires/{_version_id(app)}/texts?question={question_id}"
    # The question's label is its first text.
    fixed = "Дали вашата општина има совет за безбедност во заедницата?"
    assert author.post_form(texts, {"text-0-mk": fixed}).status_code == 303

    html = person.get("/p/1").get_data(as_text=True)
    assert fixed in html


def test_an_edit_by_another_worker_is_seen_on_the_next_page(app, respondent):
    """Another process changes a text (its flush hook turns up the revision): no stale page."""
    person = respondent("sr-Latn")
    person.consent()
    assert person.get("/p/1").status_code == 200
    version_id = _version_id(app)
    with app.app_context(), db.engine.begin() as other_worker:
        other_worker.execute(
            text(
                "UPDATE text_entry SET text = 'О вашој општини' "
                "WHERE version_id = :v AND key = :k AND lang = 'sr'"
            ),
            {"v": version_id, "k": PAGE_TITLE},
        )
        other_worker.execute(
            text("UPDATE questionnaire_version SET revision = revision + 1 WHERE id = :v"),
            {"v": version_id},
        )
    # Serbian Latin is derived from the Cyrillic text, so the fix shows transliterated.
    assert "<h1>O vašoj opštini</h1>" in person.get("/p/1").get_data(as_text=True)


def _edit_text(version_id: int) -> None:
    entry = db.session.scalar(
        select(TextEntry).where(TextEntry.version_id == version_id, TextEntry.lang == "sq")
    )
    entry.text += " (ndryshuar)"


def _add_page(version_id: int) -> None:
    db.session.add(Page(version_id=version_id, name="extra", position=99))


def _require_a_question(version_id: int) -> None:
    question = db.session.scalar(
        select(Question).where(Question.version_id == version_id, Question.required.is_(False))
    )
    question.required = True


def _rescore_a_choice(version_id: int) -> None:
    choice = db.session.scalar(
        select(Choice)
        .join(ChoiceList)
        .where(ChoiceList.version_id == version_id, Choice.score.is_not(None))
    )
    choice.score = choice.score + 10


def _delete_a_choice(version_id: int) -> None:
    choice = db.session.scalar(
        select(Choice).join(ChoiceList).where(ChoiceList.version_id == version_id)
    )
    db.session.delete(choice)


def _change_settings(version_id: int) -> None:
    db.session.get(QuestionnaireVersion, version_id).privacy_version = "2"


@pytest.mark.parametrize(
    "edit",
    [
        _edit_text,
        _add_page,
        _require_a_question,
        _rescore_a_choice,
        _delete_a_choice,
        _change_settings,
    ],
)
def test_every_kind_of_content_edit_turns_up_the_revision(app, edit):
    version_id = _version_id(app)
    before = _revision(app, version_id)
    with app.app_context():
        edit(version_id)
        db.session.commit()
    assert _revision(app, version_id) == before + 1


def test_answering_does_not_touch_the_revision(app, respondent):
    version_id = _version_id(app)
    before = _revision(app, version_id)
    with app.app_context():
        plans = answer_plan(builtin_version())
    person = respondent("en")
    person.consent()
    person.answer_every_page(plans)
    assert person.submit().status_code == 303
    with app.app_context():
        assert db.session.scalar(select(func.count(Answer.id))) >= 30
    assert _revision(app, version_id) == before


def test_the_kept_version_is_complete_and_belongs_to_no_session(app):
    version_id = _version_id(app)
    with app.app_context():
        kept = version_cache.get(version_id)
        assert version_cache.get(version_id) is kept
        version = kept.version
        assert inspect(version).detached and version not in db.session
        # Everything the respondent's path reads is loaded: a detached object
        # would raise DetachedInstanceError on anything that is not.
        questions = [q for page in version.pages for q in page.questions]
        assert len(questions) == 36
        assert all(q.page.version is version for q in questions)
        assert all(q.choice_list.choices for q in questions if q.choice_list_id)
        assert "mk" in kept.offered and kept.texts("mk").title()


def test_an_unknown_version_is_an_error(app):
    with app.app_context(), pytest.raises(LookupError):
        version_cache.get(987654)


def test_loading_the_version_needs_no_second_connection(app, make_invitation):
    """A burst of first requests must not hold the pool while each waits for one more."""
    from tests.conftest import _make_app

    token = make_invitation()
    one_connection = _make_app(
        app.config["SQLALCHEMY_DATABASE_URI"],
        SQLALCHEMY_ENGINE_OPTIONS={"pool_size": 1, "max_overflow": 0, "pool_timeout": 2},
    )
    version_cache.clear()
    try:
        assert one_connection.test_client().get(f"/en/r/{token}").status_code == 200
    finally:
        with one_connection.app_context():
            db.engine.dispose()


def test_only_the_kept_versions_have_their_question_index_made_once(app):
    """A page's loops over the questions use a ready index for the kept (read-only)
    versions; a version that is being edited gets a fresh one every time."""
    from surveyapp.questionnaires.version_cache import index_of

    with app.test_request_context():
        version = builtin_version()
        kept = version_cache.get(version.id).version
        assert index_of(kept) is index_of(kept)
        names = [name for _id, name in index_of(kept).ids_and_names]
        assert names == [q.name for page in kept.pages for q in page.questions]

        page = version.pages[0]
        before = len(index_of(version).ids_and_names)
        page.questions.append(Question(version=version, name="added_now", type="short_text"))
        db.session.flush()
        assert len(index_of(version).ids_and_names) == before + 1
        assert index_of(version).types[page.questions[-1].id] == "short_text"
        db.session.rollback()
