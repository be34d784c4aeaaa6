"""Staff build a questionnaire in the browser's forms: pages, questions, choices,
texts side by side, preview, publish; published versions stay frozen."""

from __future__ import annotations

import re

from sqlalchemy import select

from surveyapp.extensions import db
from surveyapp.models import Questionnaire, QuestionnaireVersion, TextEntry
from surveyapp.questionnaires.editing import text_edits
from surveyapp.questionnaires.texts import load_texts, translation_status


def _versions(app, name: str) -> list[tuple[int, int, str, int]]:
    """(id, number, status, question count) per version of a questionnaire."""
    with app.app_context():
        questionnaire = db.session.scalar(select(Questionnaire).where(Questionnaire.name == name))
        return [
            (v.id, v.number, v.status, sum(len(p.questions) for p in v.pages))
            for v in questionnaire.versions
        ]


def _new_pilot(analyst) -> int:
    made = analyst.post_form(
        "/en/staff/questionnaires", {"name": "pilot", "title": "Pilot on youth councils"}
    )
    assert made.status_code == 303
    return int(made.location.rstrip("/").rsplit("/", 1)[1])


def _page_id(app, version_id: int, index: int = 0) -> int:
    with app.app_context():
        return db.session.get(QuestionnaireVersion, version_id).pages[index].id


def test_build_a_questionnaire_preview_it_and_publish(app, staff):
    analyst = staff("analyst")
    version_id = _new_pilot(analyst)
    page_id = _page_id(app, version_id)
    new_question = f"/en/staff/pages/{page_id}/questions/new"
    added = analyst.post_form(
        new_question,
        {
            "name": "has_council",
            "type": "single_choice",
            "label": "Does your municipality have a youth council?",
            "required": "y",
            "choices": "yes | | Yes\nno | | No",
        },
    )
    assert added.status_code == 303
    analyst.post_form(
        new_question,
        {
            "name": "council_need",
            "type": "scale",
            "label": "How pressing is youth participation?",
            "domain": "youth",
            "measure": "need",
            "choices": "1 | 1 | Not at all\n5 | 5 | Very\ndk | | Don't know",
        },
    )
    editor = analyst.client.get(f"/en/staff/questionnaires/{version_id}").get_data(as_text=True)
    assert "Does your municipality have a youth council?" in editor
    assert "has_council" in editor and "council_need" in editor

    preview = analyst.client.get(f"/en/staff/questionnaires/{version_id}/preview/en/1")
    assert "How pressing is youth participation?" in preview.get_data(as_text=True)

    editor = analyst.client.get(f"/en/staff/questionnaires/{version_id}").get_data(as_text=True)
    assert "privacy.text" in editor, "the editor says what publishing still needs"
    with app.app_context():
        text_edits.set_source_text(version_id, "privacy.text", "Your answers stay with us.")
        text_edits.set_source_text(version_id, "privacy.consent", "I agree.")
    published = analyst.post_form(
        f"/en/staff/questionnaires/{version_id}/publish",
        {},
        form_page=f"/en/staff/questionnaires/{version_id}",
    )
    assert published.status_code == 303
    assert _versions(app, "pilot") == [(version_id, 1, "published", 2)]
    with app.app_context():
        scale = db.session.get(QuestionnaireVersion, version_id).pages[0].questions[1]
        assert [c.score for c in scale.choice_list.choices] == [1, 5, None]
        assert scale.domain.code == "youth" and scale.measure == "need"


def test_a_structural_change_to_a_published_version_makes_a_new_draft(app, staff):
    analyst = staff("analyst")
    with app.app_context():
        from tests.plans import builtin_version

        version = builtin_version()
        version_id, question = version.id, version.pages[1].questions[0]
        question_id, question_name = question.id, question.name
    edit = f"/en/staff/questions/{question_id}"
    form = analyst.client.get(edit).get_data(as_text=True)
    choices = re.search(r'<textarea[^>]*name="choices"[^>]*>\s*(.*?)</textarea>', form, re.S).group(
        1
    )
    saved = analyst.post_form(
        edit,
        {"name": question_name, "type": "scale", "required": "y", "domain": "social_cohesion",
         "measure": "need", "choices": choices.replace("&#39;", "'")},
    )  # fmt: skip
    assert saved.status_code == 303
    versions = _versions(app, "city_needs")
    assert [(number, status) for _id, number, status, _n in versions] == [
        (1, "published"),
        (2, "draft"),
    ]
    assert versions[0][0] == version_id, "responses keep pointing at version 1"
    with app.app_context():
        v1, v2 = (db.session.get(QuestionnaireVersion, v[0]) for v in versions)
        assert v1.pages[1].questions[0].required and v2.pages[1].questions[0].required

        # Every text came along, in every language.
        def count(vid: int) -> int:
            return len(
                db.session.scalars(select(TextEntry).where(TextEntry.version_id == vid)).all()
            )

        assert count(v1.id) == count(v2.id)


def test_texts_side_by_side_and_out_of_date_translations(app, staff):
    analyst = staff("analyst")
    version_id = _new_pilot(analyst)
    texts_page = f"/en/staff/questionnaires/{version_id}/texts"
    html = analyst.client.get(texts_page).get_data(as_text=True)
    assert 'name="text-0-mk"' in html and 'name="text-0-sr-Latn"' not in html
    saved = analyst.post_form(
        texts_page,
        {"text-0-en": "Pilot on youth councils", "text-0-mk": "Пилот за младински совети"},
    )
    assert saved.status_code == 303
    with app.app_context():
        assert load_texts(version_id, "mk").title() == "Пилот за младински совети"
        assert translation_status(version_id)["mk"].outdated == 0
    analyst.post_form(texts_page, {"text-0-en": "Pilot on local youth councils"})
    with app.app_context():
        assert translation_status(version_id)["mk"].outdated == 1
        assert load_texts(version_id, "mk").title() == "Пилот за младински совети", "kept, not lost"


def test_bad_questions_are_refused_with_a_message(app, staff):
    analyst = staff("analyst")
    version_id = _new_pilot(analyst)
    new_question = f"/en/staff/pages/{_page_id(app, version_id)}/questions/new"
    cases = [
        ({"name": "1abc", "type": "short_text"}, "starts with a letter"),
        ({"name": "q", "type": "single_choice", "choices": ""}, "at least one option"),
        ({"name": "q", "type": "scale", "choices": "1 | high | A"}, "score must be a number"),
        (
            {"name": "q", "type": "number", "min_value": "10", "max_value": "1"},
            "must not be larger",
        ),
    ]
    for data, message in cases:
        page = analyst.post_form(new_question, {"label": "A question", **data})
        assert page.status_code == 200 and message in page.get_data(as_text=True), message
    assert _versions(app, "pilot")[0][3] == 0


def test_duplicate_a_questionnaire(app, staff):
    analyst = staff("analyst")
    with app.app_context():
        from tests.plans import builtin_version

        version_id = builtin_version().id
    made = analyst.post_form(
        f"/en/staff/questionnaires/{version_id}/duplicate",
        {"new_name": "city_needs_2027"},
        form_page=f"/en/staff/questionnaires/{version_id}",
    )
    assert made.status_code == 303
    assert _versions(app, "city_needs_2027")[0][1:] == (1, "draft", 36)


def test_pages_and_questions_move_up_and_down(app, staff):
    analyst = staff("analyst")
    version_id = _new_pilot(analyst)
    page_id = _page_id(app, version_id)
    for name in ("first", "second"):
        analyst.post_form(
            f"/en/staff/pages/{page_id}/questions/new",
            {"name": name, "type": "short_text", "label": name.title()},
        )
    analyst.post_form(f"/en/staff/questionnaires/{version_id}/pages", {"title": "Page two"},
                      form_page=f"/en/staff/questionnaires/{version_id}")  # fmt: skip
    with app.app_context():
        version = db.session.get(QuestionnaireVersion, version_id)
        first_id = version.pages[0].questions[0].id
        second_page_id = version.pages[1].id
    editor = f"/en/staff/questionnaires/{version_id}"
    analyst.post_form(f"/en/staff/questions/{first_id}/down", {}, form_page=editor)
    analyst.post_form(f"/en/staff/pages/{second_page_id}/up", {}, form_page=editor)
    with app.app_context():
        version = db.session.get(QuestionnaireVersion, version_id)
        assert [p.name for p in version.pages] == ["page_2", "page_1"]
        assert [q.name for q in version.pages[1].questions] == ["second", "first"]


def test_stale_ids_after_a_page_is_deleted_give_a_message_and_change_nothing(app, staff):
    analyst = staff("analyst")
    with app.app_context():
        from tests.plans import builtin_version

        version = builtin_version()
        version_id = version.id
        old_page, other_page = version.pages[1].id, version.pages[2].id
        old_question = version.pages[1].questions[0].id
    editor = f"/en/staff/questionnaires/{version_id}"
    deleted = analyst.post_form(f"/en/staff/pages/{old_page}/delete", {}, form_page=editor)
    assert deleted.status_code == 303
    before = _versions(app, "city_needs")
    # The published version's editor, still open in another tab, has the old ids.
    stale = [
        (f"/en/staff/pages/{old_page}/up", {}),
        (f"/en/staff/pages/{old_page}/delete", {}),
        (f"/en/staff/questions/{old_question}/down", {}),
        (f"/en/staff/questions/{old_question}/delete", {}),
    ]
    for url, data in stale:
        answer = analyst.post_form(url, data, form_page=editor)
        assert answer.status_code == 303, url
        shown = analyst.client.get(answer.location).get_data(as_text=True)
        assert "This item does not exist any more." in shown, url
    edit = f"/en/staff/questions/{old_question}"
    answer = analyst.post_form(edit, {"name": "renamed", "type": "text", "label": "x"})
    assert answer.status_code == 200
    assert "This item does not exist any more." in answer.get_data(as_text=True)
    assert _versions(app, "city_needs") == before
    assert other_page
