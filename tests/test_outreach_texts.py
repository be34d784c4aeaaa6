"""Mail texts: built-in ones in every language, a campaign's own, what is missing,
and rendering that no contact's name can turn into markup or a header."""

from __future__ import annotations

from datetime import datetime

import pytest
from sqlalchemy import func, select

from surveyapp.extensions import db
from surveyapp.languages.registry import AUTHORED_LANGUAGES, LANGUAGES
from surveyapp.languages.transliteration import cyrillic_to_latin
from surveyapp.models import OutboundMail
from surveyapp.models.outreach import MAIL_INVITATION, MAIL_KINDS, MAIL_REMINDER
from surveyapp.outreach import mail_texts, sending
from surveyapp.outreach.facts import Selection
from surveyapp.outreach.links import Links
from surveyapp.outreach.mail_texts import (
    BUILT_IN,
    MISSING,
    OUTDATED,
    OWN,
    builtin_text,
    save_text,
    template_states,
    text_problems,
    use_builtin_text,
)
from surveyapp.outreach.rendering import render_mail
from surveyapp.outreach.writing import Addressee, MailWriter, sample_addressee
from tests.outreach_support import STAFF, demo_campaign, make_contact, with_public_url


@pytest.fixture
def outreach_app(app):
    return with_public_url(app)


@pytest.mark.parametrize("kind", MAIL_KINDS)
@pytest.mark.parametrize("lang", list(LANGUAGES))
def test_every_language_has_a_builtin_text_with_the_links(kind, lang):
    text = builtin_text(kind, lang)
    assert text is not None
    assert text_problems(text.subject, text.body) == []
    assert "{link}" in text.body and "{opt_out_link}" in text.body
    if LANGUAGES[lang].is_cyrillic:
        assert any("\u0400" <= ch <= "\u04ff" for ch in text.body)


def test_serbian_latin_is_the_cyrillic_text_transliterated():
    cyrillic = builtin_text(MAIL_INVITATION, "sr")
    latin = builtin_text(MAIL_INVITATION, "sr-Latn")
    assert latin.body == cyrillic_to_latin(cyrillic.body)
    assert "Poštovani/a {recipient_name}" in latin.body


def test_montenegrin_is_its_own_ijekavian_text_not_serbian():
    cnr = builtin_text(MAIL_REMINDER, "cnr").body
    assert "nijesmo" in cnr and "vrijeme" in cnr
    assert cnr != cyrillic_to_latin(builtin_text(MAIL_REMINDER, "sr").body)


def _writer(app, kind=MAIL_INVITATION):
    return MailWriter(demo_campaign(), kind, Links("https://survey.example.org"))


def _to(name: str) -> Addressee:
    sample = sample_addressee("bs")
    return Addressee(name, "mayor", sample.town, sample.country, "tok", "out")


def test_markup_in_a_contacts_name_stays_text_in_the_html_version(app):
    name = '<script>alert(1)</script><a href="https://evil.example">Ana</a>'
    with app.test_request_context("/bs/staff/"):
        mail = _writer(app).write(_to(name), "bs")
    assert "<script>" not in mail.html_body and '<a href="https://evil' not in mail.html_body
    assert "&lt;script&gt;alert(1)&lt;/script&gt;" in mail.html_body
    # Our own links are links; the only ones.
    assert mail.html_body.count("<a href=") == 2
    assert '<a href="https://survey.example.org/r/tok">' in mail.html_body
    assert name in mail.text_body  # plain text is not markup


def test_line_breaks_in_a_contacts_name_cannot_add_a_header_or_a_line(app):
    name = "Ana\r\nBcc: everyone@example.org\nX-Evil: 1\x00"
    with app.test_request_context("/bs/staff/"):
        writer = _writer(app)
        text = mail_texts.MailText("Hello {recipient_name}", writer.text("bs").body)
        mail = writer.write(_to(name), "bs", text)
    assert "\r" not in mail.subject and "\n" not in mail.subject
    assert mail.subject == "Hello Ana Bcc: everyone@example.org X-Evil: 1"
    assert not any(line.startswith(("Bcc:", "X-Evil")) for line in mail.text_body.splitlines())
    assert "\x00" not in mail.text_body + mail.html_body


def test_a_line_whose_value_is_missing_is_left_out(app):
    text = mail_texts.MailText("S", "Dear {recipient_name},\nAnswer by: {closing_date}\n{link}")
    mail = render_mail(text, "en", {"recipient_name": "Ana", "closing_date": "", "link": "L"})
    assert mail.text_body == "Dear Ana,\nL\n"


def test_the_closing_date_is_the_last_day_in_the_mails_language(app):
    with app.app_context():
        campaign = demo_campaign()
        campaign.closes_at = datetime(2027, 3, 16)  # closes at the start of 16 March
        with app.test_request_context("/en/staff/"):
            writer = MailWriter(campaign, MAIL_INVITATION, Links("https://x.example"))
            mk = writer.write(sample_addressee("mk"), "mk")
            sq = writer.write(sample_addressee("sq"), "sq")
        db.session.rollback()
    assert "Ве молиме да одговорите до: 15 март 2027" in mk.text_body
    assert "deri më: 15 mars 2027" in sq.text_body


def test_role_and_municipality_are_written_in_the_mails_language(app):
    with app.test_request_context("/en/staff/"):
        to = sample_addressee("mk")
        mail = _writer(app).write(to, "mk")
        town = to.town.name("mk")
    assert "Улога: Градоначалник" in mail.text_body
    assert f"Општина: {town}" in mail.text_body and town[0] in "АБВГДЃЕЖЗЅИЈКЛЉМНЊОПРСТЌУФХЦЧЏШ"
    assert 'lang="mk"' in mail.html_body


def test_changing_the_english_text_makes_other_languages_missing_until_written(app):
    with app.app_context():
        campaign_id = demo_campaign().id
        states = template_states(campaign_id, MAIL_INVITATION)
        assert {state.state for state in states.values()} == {BUILT_IN}
        english = builtin_text(MAIL_INVITATION, "en")
        save_text(
            campaign_id,
            MAIL_INVITATION,
            "en",
            english.subject,
            english.body.replace("Kind regards", "With best regards"),
            STAFF,
        )
        states = template_states(campaign_id, MAIL_INVITATION)
        assert states["en"].state == OWN
        assert {states[code].state for code in ("sq", "bs", "mk", "sr", "sr-Latn", "cnr")} == {
            MISSING
        }
        mk = builtin_text(MAIL_INVITATION, "mk")
        save_text(campaign_id, MAIL_INVITATION, "mk", mk.subject, mk.body + "\n\nП.С.", STAFF)
        assert template_states(campaign_id, MAIL_INVITATION)["mk"].state == OWN
        # The English text changes again: the Macedonian one was made from the old one.
        save_text(
            campaign_id, MAIL_INVITATION, "en", "New {municipality}", "{link} {opt_out_link}", STAFF
        )
        assert template_states(campaign_id, MAIL_INVITATION)["mk"].state == OUTDATED
        # Staff say the built-in Serbian still fits; Serbian Latin follows.
        use_builtin_text(campaign_id, MAIL_INVITATION, "sr", STAFF)
        states = template_states(campaign_id, MAIL_INVITATION)
        assert states["sr"].state == OWN and states["sr-Latn"].state == OWN
        # English back to built-in: the built-in translations hold again; the Macedonian
        # text was made from another English text.
        use_builtin_text(campaign_id, MAIL_INVITATION, "en", STAFF)
        states = template_states(campaign_id, MAIL_INVITATION)
        assert states["bs"].state == BUILT_IN and states["mk"].state == OUTDATED
        # The reminders were never touched.
        assert {s.state for s in template_states(campaign_id, MAIL_REMINDER).values()} == {BUILT_IN}


@pytest.mark.parametrize(
    ("subject", "body", "codes"),
    [
        ("", "{link} {opt_out_link}", ["subject_empty"]),
        ("Hi", "", ["body_empty"]),
        ("Hi {recipient_nmae}", "{link} {opt_out_link}", ["unknown"]),
        ("Hi", "Dear {recipient_name}, {link}", ["required"]),
        ("x" * 201, "{link} {opt_out_link}", ["subject_long"]),
    ],
)
def test_texts_that_cannot_work_are_refused(app, subject, body, codes):
    with app.app_context():
        with pytest.raises(mail_texts.TextRefused) as refused:
            save_text(demo_campaign().id, MAIL_INVITATION, "bs", subject, body, STAFF)
        assert [problem.code for problem in refused.value.problems] == codes
        assert template_states(demo_campaign().id, MAIL_INVITATION)["bs"].state == BUILT_IN


def test_a_missing_text_is_reported_before_anything_is_sent(outreach_app):
    app = outreach_app
    with app.app_context():
        campaign_id = demo_campaign().id
        make_contact("ana@example.org", "mk-cair", language="mk")
        make_contact("besa@example.org", "al-tirane", language="sq", name="Besa Hoxha")
        save_text(campaign_id, MAIL_INVITATION, "en", "Hi", "{link} {opt_out_link}", STAFF)
        with app.test_request_context("/en/staff/"):
            plan = sending.plan_invitations(demo_campaign(), Selection())
            assert dict(plan.missing) == {"mk": 1, "sq": 1} and not plan.ok
            with pytest.raises(sending.SendRefused):
                sending.send_invitations(campaign_id, Selection(), STAFF)
        assert db.session.scalar(select(func.count()).select_from(OutboundMail)) == 0


def test_authored_languages_cover_the_data_file():
    from surveyapp.outreach.mail_texts import builtin_texts

    assert {lang for _kind, lang in builtin_texts()} == set(AUTHORED_LANGUAGES)
