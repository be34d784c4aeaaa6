"""Audit actions as people read them, on the staff home and in the audit log.

A label follows the name of the staff member who did it ("Ana signed in"); the
actions that nobody signed in can cause have a label of their own that stands
alone ("Failed sign-in")."""

from __future__ import annotations

from surveyapp.core.safe_text import lazy_gettext as _l

ACTION_LABELS = {
    "login": _l("signed in"),
    "login_failed": _l("failed to sign in"),
    "password_confirmed": _l("confirmed their password"),
    "password_confirm_failed": _l("failed to confirm their password"),
    "two_factor_on": _l("turned on two-factor sign-in"),
    "two_factor_off": _l("turned off two-factor sign-in"),
    "logout": _l("signed out"),
    "api_token_created": _l("made an API token"),
    "api_token_revoked": _l("revoked an API token"),
    "api_request": _l("read data through the API"),
    "export": _l("exported data"),
    "export_download": _l("downloaded an export file"),
    "campaign_created": _l("created a campaign"),
    "campaign_changed": _l("changed a campaign"),
    "campaign_closed": _l("closed a campaign"),
    "campaign_reopened": _l("reopened a campaign"),
    "campaign_archived": _l("archived a campaign"),
    "campaign_unarchived": _l("brought back a campaign"),
    "campaign_deleted": _l("deleted a campaign"),
    "invitations_created": _l("invited municipalities"),
    "response_viewed": _l("opened a response"),
    "file_downloaded": _l("downloaded a respondent's file"),
    "response_marked": _l("marked a response"),
    "response_unmarked": _l("took a mark off a response"),
    "profile_viewed": _l("read free-text answers"),
    "series_created": _l("created a series of rounds"),
    "round_added": _l("added a round to a series"),
    "item_matched": _l("matched an item across rounds"),
    "published": _l("published a questionnaire"),
    "questionnaire_created": _l("created a questionnaire"),
    "questionnaire_changed": _l("changed a questionnaire"),
    "questionnaire_duplicated": _l("made a new version of a questionnaire"),
    "texts_edited": _l("edited questionnaire texts"),
    "translation_edit": _l("edited a translation"),
    "translation_import": _l("imported a translation"),
    "translation_import_refused": _l("uploaded a translation that was refused"),
    "language_withdrawn": _l("withdrew a language from respondents"),
    "language_offered": _l("offered a language to respondents again"),
    "xlsform_import": _l("imported an XLSForm"),
    "xlsform_import_refused": _l("uploaded an XLSForm that was refused"),
    "xlsform_import_rest": _l("imported an XLSForm without the rows it could not take"),
    "xlsform_export": _l("exported an XLSForm"),
    "open_link_response_accepted": _l("accepted an open-link response"),
    "open_link_response_rejected": _l("rejected an open-link response"),
    "response_deleted": _l("deleted a response"),
    "test_responses_deleted": _l("deleted the responses marked as a test"),
    "deletion_declined": _l("declined a deletion request"),
    "retention_applied": _l("deleted individual responses at the end of the retention period"),
    "account_created": _l("created a staff account"),
    "account_changed": _l("changed a staff account"),
    "password_changed": _l("changed a password"),
    "password_reset": _l("set a new password through a link sent by mail"),
    "bounces_imported": _l("read reports of undelivered mail"),
    "contact_created": _l("added a contact"),
    "contact_changed": _l("changed a contact"),
    "contact_deleted": _l("deleted a contact"),
    "contacts_imported": _l("imported contacts"),
    "mail_text_changed": _l("changed a mail text"),
    "mail_text_reset": _l("went back to a built-in mail text"),
    "mail_texts_imported": _l("imported translated mail texts"),
    "outreach_invitations_queued": _l("sent invitations by e-mail"),
    "outreach_reminders_queued": _l("sent reminders by e-mail"),
    "outreach_settings_changed": _l("changed the reminder settings"),
    "engagement_created": _l("recorded an engagement with a municipality"),
    "engagement_changed": _l("changed an engagement"),
    "engagement_done": _l("marked an engagement as done"),
    "engagement_deleted": _l("deleted an engagement"),
    "engagements_imported": _l("imported engagements"),
    "exchange_planned": _l("planned an exchange between municipalities"),
}


#: Actions with nobody signed in, told without a subject.
ACTIONS_OF_NOBODY = {
    "login_failed": _l("Failed sign-in"),
    "deletion_requested": _l("A respondent asked for their answers to be deleted"),
    "retention_applied": _l("End of the retention period: individual responses deleted"),
    "password_reset_requested": _l("A link to set a new password was requested"),
    "mail_sent": _l("Mail sent"),
    "mail_failed": _l("Mail refused by the recipient's server"),
    "mail_bounced": _l("Mail returned as undeliverable"),
    "mail_not_sent": _l("Mail not sent: the address no longer receives mail"),
    "mail_not_needed": _l("Mail not sent: the recipient has already answered"),
    "outreach_reminders_queued": _l("Reminders sent by e-mail on the campaign's schedule"),
    "outreach_opted_out": _l("A contact opted out of our mails"),
}


def action_label(action: str) -> str:
    """The action for people, after the name of who did it; an action without a label
    shows its code."""
    return str(ACTION_LABELS.get(action, action.replace("_", " ")))


def action_of_nobody(action: str) -> str:
    """The action for people when nobody signed in did it: a label that stands alone."""
    label = ACTIONS_OF_NOBODY.get(action)
    if label is None:
        return str(_l("Someone not signed in %(action)s", action=action_label(action)))
    return str(label)
