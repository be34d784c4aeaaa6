"""``${name}`` in a label or a note: the server writes the answer in, as the page's
script does, and shows "…" where the answer is not given (rather than closing the
gap, which makes the sentence say something else)."""

from __future__ import annotations

import re
from html import unescape

from sqlalchemy import select

from surveyapp.campaigns import lifecycle
from surveyapp.campaigns.tokens import new_token
from surveyapp.extensions import db
from surveyapp.models import Invitation, Municipality
from surveyapp.questionnaires.editing import structure, text_edits, version_edits
from surveyapp.questionnaires.label_references import NOT_ANSWERED
from surveyapp.questionnaires.texts import translation_gaps
from tests.conftest import Respondent

ALBANIAN = {
    "How many people work on it?": "Sa persona punojnë për të?",
    "You counted ${staff} people.": "Keni numëruar ${staff} persona.",
    "How do the ${staff} people share the work?": "Si e ndajnë punën ${staff} personat?",
    "References": "Referenca",
    "Your answers stay with us.": "Përgjigjet tuaja mbeten te ne.",
    "I agree.": "Pajtohem.",
}


def _build(app) -> str:
    with app.app_context():
        version = version_edits.create_questionnaire("refs_test", "References")
        first = version.pages[0].id
        spec = structure.QuestionSpec
        structure.add_question(first, spec("staff", "number"), "How many people work on it?")
        structure.add_question(first, spec("counted", "note"), "You counted ${staff} people.")
        second = structure.add_page(version.id, "References").id
        structure.add_question(
            second, spec("sharing", "short_text"), "How do the ${staff} people share the work?"
        )
        db.session.commit()
        text_edits.set_source_text(version.id, "privacy.text", "Your answers stay with us.")
        text_edits.set_source_text(version.id, "privacy.consent", "I agree.")
        gaps = translation_gaps(version.id, "sq")
        edits = {(gap.key, "sq"): ALBANIAN.get(gap.source, gap.source) for gap in gaps}
        text_edits.save_texts(version.id, edits, {gap.key for gap in gaps})
        version_edits.publish(version.id, leave_out_incomplete=True)
        campaign = lifecycle.create_campaign("References campaign", version.id)
        town = db.session.scalar(select(Municipality).where(Municipality.code == "mk-struga"))
        token = new_token()
        db.session.add(Invitation(token=token, campaign=campaign, municipality=town, role="mayor"))
        db.session.commit()
        return token


def _note(html: str) -> str:
    found = re.search(r'id="counted-block"><p>(.*?)</p>', html, re.S)
    assert found, "the note is on the page"
    return unescape(found.group(1))


def _label(html: str) -> str:
    found = re.search(r'<label class="question-label" for="sharing">(.*?)</label>', html, re.S)
    assert found, "the question is on the page"
    return unescape(re.sub(r"<[^>]+>", "", found.group(1))).strip()


def test_an_answer_not_given_shows_as_a_visible_gap(app, client):
    person = Respondent(client, _build(app), "sq")
    person.consent()
    html = person.get("/p/1").get_data(as_text=True)
    assert _note(html) == f"Keni numëruar {NOT_ANSWERED} persona.", "not 'numëruar persona'"
    assert "${staff}" not in html.split('id="live-rules"')[0], "no reference left in the page"
    person.answer_page(1, {"staff": ""})
    page2 = person.get("/p/2").get_data(as_text=True)
    assert _label(page2).startswith(f"Si e ndajnë punën {NOT_ANSWERED} personat?")


def test_an_answer_given_is_written_in_on_its_page_and_later_ones(app, client):
    person = Respondent(client, _build(app), "sq")
    person.consent()
    person.answer_page(1, {"staff": "12"})
    assert _note(person.get("/p/1").get_data(as_text=True)) == "Keni numëruar 12 persona."
    page2 = person.get("/p/2").get_data(as_text=True)
    assert _label(page2).startswith("Si e ndajnë punën 12 personat?")


def test_the_review_page_lists_the_labels_as_the_pages_read(app, client):
    person = Respondent(client, _build(app), "sq")
    person.consent()
    person.answer_page(1, {"staff": "12"})
    person.answer_page(2, {"sharing": "Me radhë"})
    review = unescape(person.get("/review").get_data(as_text=True))
    assert "<dt>Si e ndajnë punën 12 personat?</dt>" in review
    assert "${staff}" not in review


def test_the_staff_response_page_reads_the_labels_as_the_respondent_did(app, client, staff):
    from surveyapp.models import Response

    token = _build(app)
    person = Respondent(client, token, "sq")
    person.consent()
    person.answer_page(1, {"staff": "12"})
    person.answer_page(2, {"sharing": "Me radhë"})
    person.submit()
    with app.app_context():
        response = db.session.scalar(
            select(Response).join(Invitation).where(Invitation.token == token)
        )
        campaign_id, response_id = response.campaign_id, response.id
    staff("analyst")
    html = unescape(
        client.get(f"/sq/staff/campaigns/{campaign_id}/responses/{response_id}").get_data(
            as_text=True
        )
    )
    assert "<dt>Si e ndajnë punën 12 personat?</dt>" in html
    assert "${staff}" not in html


def test_a_repeat_entry_reads_its_own_answers_and_the_earlier_ones_in_its_labels(app, client):
    from tests.repeat_support import SURVEY, repeat_campaign, repeat_invitation

    survey = [list(row) for row in SURVEY]
    for row in survey:
        if row[1:2] == ["funder"]:  # a label naming the entry's own answer
            row[2], row[3] = "Who funds ${pname}?", "Кој ја финансира ${pname}?"
    # a note in each entry naming an earlier page's answer and the entry's own
    at = next(n for n, row in enumerate(survey) if row[1:2] == ["funder"])
    survey.insert(at + 1, ["note", "share", "${pname}: one of ${staff} staff's programmes.",
                           "${pname}: една од програмите на ${staff} вработени."])  # fmt: skip
    campaign_id, _ = repeat_campaign(app, survey)
    person = Respondent(client, repeat_invitation(app, campaign_id), "mk")
    person.consent()
    person.answer_page(1, {"staff": "3"})
    page = unescape(person.get("/p/2").get_data(as_text=True))
    assert "${" not in page.split('id="live-rules"')[0]
    assert f"{NOT_ANSWERED}: една од програмите на 3 вработени." in page
    html = person.get("/p/2").get_data(as_text=True)
    person.post(
        "/p/2",
        {"entries": "1", "e1-pname": "Младински совет", "e1-funding": "500", "action": "later"},
        html,
    )
    page = unescape(person.get("/p/2").get_data(as_text=True))
    assert "Кој ја финансира Младински совет?" in page
    assert "Младински совет: една од програмите на 3 вработени." in page
