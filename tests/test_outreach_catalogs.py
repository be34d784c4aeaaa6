"""Mail texts through .po catalogs, as questionnaire texts: export per language,
import checked whole (all or nothing), and the status translators work from."""

from __future__ import annotations

import io

from babel.messages.pofile import read_po, write_po

from surveyapp.extensions import db
from surveyapp.models import AuditEvent
from surveyapp.outreach import mail_catalogs
from surveyapp.outreach.mail_texts import (
    MISSING,
    OUTDATED,
    OWN,
    builtin_text,
    save_text,
    template_states,
)
from tests.conftest import csrf_token
from tests.outreach_support import STAFF, demo_campaign

NEW_ENGLISH = "Dear {recipient_name},\n\nPlease answer: {link}\n\nStop: {opt_out_link}"


def _catalog(app, lang: str):
    with app.app_context():
        return read_po(io.BytesIO(mail_catalogs.export_catalog(demo_campaign(), lang)))


def _bytes(catalog) -> bytes:
    buffer = io.BytesIO()
    write_po(buffer, catalog, width=0)
    return buffer.getvalue()


def _import(app, lang: str, data: bytes):
    with app.app_context():
        return mail_catalogs.import_catalog(demo_campaign(), lang, data, STAFF)


def _english_changed(app):
    with app.app_context():
        save_text(demo_campaign().id, "invitation", "en", "Invitation", NEW_ENGLISH, STAFF)


def test_the_export_holds_english_and_the_languages_text(app):
    catalog = _catalog(app, "mk")
    assert str(catalog.locale) == "mk" or catalog.locale_identifier == "mk"
    messages = {m.context: m for m in catalog if m.id}
    assert set(messages) == {
        "mail.invitation.subject",
        "mail.invitation.body",
        "mail.reminder.subject",
        "mail.reminder.body",
    }
    body = messages["mail.invitation.body"]
    assert body.id == builtin_text("invitation", "en").body
    assert body.string == builtin_text("invitation", "mk").body
    assert "{opt_out_link}" in " ".join(body.auto_comments)


def test_a_translator_fills_a_missing_language_through_the_catalog(app):
    _english_changed(app)
    catalog = _catalog(app, "bs")
    entries = {m.context: m for m in catalog if m.id}
    assert entries["mail.invitation.body"].string == ""  # missing since English changed
    entries["mail.invitation.subject"].string = "Pozivnica"
    entries[
        "mail.invitation.body"
    ].string = (
        "Poštovani/a {recipient_name},\n\nMolimo odgovorite: {link}\n\nOdjava: {opt_out_link}"
    )
    report = _import(app, "bs", _bytes(catalog))
    assert report.ok and report.applied and set(report.changes) == {"invitation"}
    with app.app_context():
        states = template_states(demo_campaign().id, "invitation")
        assert states["bs"].state == OWN and states["bs"].text.subject == "Pozivnica"
        assert states["mk"].state == MISSING
        assert db.session.scalar(
            db.select(AuditEvent).where(AuditEvent.action == "mail_texts_imported")
        )


def test_a_translation_of_an_older_english_text_is_exported_fuzzy(app):
    with app.app_context():
        mk = builtin_text("invitation", "mk")
        save_text(demo_campaign().id, "invitation", "mk", mk.subject, mk.body, STAFF)
    _english_changed(app)
    with app.app_context():
        assert template_states(demo_campaign().id, "invitation")["mk"].state == OUTDATED
    entries = {m.context: m for m in _catalog(app, "mk") if m.id}
    assert entries["mail.invitation.body"].fuzzy and entries["mail.invitation.body"].string
    assert not entries["mail.reminder.body"].fuzzy
    # Uploaded unreviewed, it is refused.
    report = _import(app, "mk", _bytes(_catalog(app, "mk")))
    assert not report.ok and "fuzzy" in str(report.problems[0].message)


def test_every_problem_is_reported_by_line_and_nothing_changes(app):
    _english_changed(app)
    catalog = _catalog(app, "sq")
    entries = {m.context: m for m in catalog if m.id}
    entries["mail.invitation.subject"].string = "Ftesë"
    entries["mail.invitation.body"].string = "I nderuar {recipient_nmae}, {link}"  # 2 problems
    entries["mail.reminder.subject"].string = "Kujtesë"
    entries["mail.reminder.body"].string = ""  # a subject without its text
    catalog.add("Something", "Diçka", context="mail.unknown.body")
    data = _bytes(catalog)
    report = _import(app, "sq", data)
    messages = [str(problem.message) for problem in report.problems]
    assert not report.applied and len(messages) == 4, messages
    assert any("Unknown text id “mail.unknown.body”" in m for m in messages)
    assert any("{recipient_nmae}" in m for m in messages)
    assert any("{opt_out_link}" in m for m in messages)
    assert any("mail.reminder" in m for m in messages)
    assert all(problem.line > 1 for problem in report.problems)
    with app.app_context():
        assert template_states(demo_campaign().id, "invitation")["sq"].state == MISSING


def test_a_catalog_for_another_language_or_another_english_text_is_refused(app):
    mk = _bytes(_catalog(app, "mk"))
    report = _import(app, "sq", mk)
    assert "not for Shqip (sq)" in str(report.problems[0].message)
    _english_changed(app)
    report = _import(app, "mk", mk)  # exported before the English text changed
    assert "has changed since this catalog was exported" in str(report.problems[0].message)
    assert _import(app, "mk", b"\xff\xfe garbage").problems


def test_translators_work_from_the_status_page(app, staff):
    _english_changed(app)
    translator = staff("translator")
    assert translator.client.get("/en/staff/contacts").status_code == 403
    status = translator.client.get("/en/staff/translations/mail-texts").get_data(as_text=True)
    assert "City needs and priorities (demo)" in status and "Download .po" in status
    with app.app_context():
        campaign_id = demo_campaign().id
    po = translator.client.get(f"/en/staff/campaigns/{campaign_id}/outreach/texts/cnr.po")
    assert po.status_code == 200 and b'msgctxt "mail.invitation.body"' in po.data
    catalog = read_po(io.BytesIO(po.data))
    entries = {m.context: m for m in catalog if m.id}
    entries["mail.invitation.subject"].string = "Poziv"
    entries["mail.invitation.body"].string = "Poštovani/a {recipient_name}, {link} {opt_out_link}"
    url = f"/en/staff/campaigns/{campaign_id}/outreach/texts/cnr/upload"
    html = translator.client.get(url).get_data(as_text=True)
    reply = translator.client.post(
        url,
        data={"csrf_token": csrf_token(html), "catalog": (io.BytesIO(_bytes(catalog)), "c.po")},
        content_type="multipart/form-data",
    )
    assert reply.status_code == 303
    with app.app_context():
        assert template_states(campaign_id, "invitation")["cnr"].state == OWN
    assert (
        translator.client.get(
            f"/en/staff/campaigns/{campaign_id}/outreach/texts/sr-Latn.po"
        ).status_code
        == 404
    )
