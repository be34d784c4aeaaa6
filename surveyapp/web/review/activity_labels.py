"""Audit actions as people read them on the staff home page."""

from __future__ import annotations

from surveyapp.core.safe_text import lazy_gettext as _l

ACTION_LABELS = {
    "login": _l("signed in"),
    "login_failed": _l("failed sign-in"),
    "logout": _l("signed out"),
    "export": _l("exported data"),
    "campaign_created": _l("created a campaign"),
    "campaign_changed": _l("changed a campaign"),
    "campaign_closed": _l("closed a campaign"),
    "campaign_reopened": _l("reopened a campaign"),
    "campaign_archived": _l("archived a campaign"),
    "campaign_unarchived": _l("brought back a campaign"),
    "campaign_deleted": _l("deleted a campaign"),
    "invitations_created": _l("invited municipalities"),
    "response_viewed": _l("opened a response"),
    "response_marked": _l("marked a response"),
    "response_unmarked": _l("took a mark off a response"),
    "profile_viewed": _l("read free-text answers"),
    "published": _l("published a questionnaire"),
    "questionnaire_created": _l("created a questionnaire"),
    "questionnaire_changed": _l("changed a questionnaire"),
    "questionnaire_duplicated": _l("made a new version of a questionnaire"),
    "texts_edited": _l("edited questionnaire texts"),
    "translation_edit": _l("edited a translation"),
    "translation_import": _l("imported a translation"),
    "account_created": _l("created a staff account"),
    "account_changed": _l("changed a staff account"),
    "password_changed": _l("changed a password"),
    "contact_created": _l("added a contact"),
    "contact_changed": _l("changed a contact"),
    "contact_deleted": _l("deleted a contact"),
    "contacts_imported": _l("imported contacts"),
    "mail_text_changed": _l("changed a mail text"),
    "mail_text_reset": _l("went back to a built-in mail text"),
    "outreach_invitations_queued": _l("sent invitations by e-mail"),
    "outreach_reminders_queued": _l("sent reminders by e-mail"),
    "outreach_settings_changed": _l("changed the reminder settings"),
    "outreach_opted_out": _l("a contact opted out of our mails"),
}


def action_label(action: str) -> str:
    """The action for people; an action without a label shows its code."""
    return str(ACTION_LABELS.get(action, action.replace("_", " ")))
