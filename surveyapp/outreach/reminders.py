"""Reminders: only to people who were mailed an invitation, have not submitted, have
not opted out or bounced, were last written to at least the campaign's interval ago,
and have had fewer reminders than its limit. Staff send them, or the campaign sends
them by itself: a periodic job calls ``due_reminders(now)``.
"""

from __future__ import annotations

import logging
from dataclasses import dataclass
from datetime import datetime, timedelta

from huey import crontab
from sqlalchemy import select

from surveyapp.core.database import write_transaction
from surveyapp.extensions import db
from surveyapp.jobs import periodic_job
from surveyapp.models import Campaign
from surveyapp.models.base import utcnow
from surveyapp.models.outreach import MAIL_REMINDER
from surveyapp.outreach.audit import SYSTEM, Actor, note
from surveyapp.outreach.facts import ContactFacts, Selection, contact_facts
from surveyapp.outreach.languages import campaign_languages, mail_language
from surveyapp.outreach.links import Links, NoPublicURL
from surveyapp.outreach.mail_texts import template_states
from surveyapp.outreach.sending import (
    PlannedMail,
    SendPlan,
    SendRefused,
    campaign_problems,
    lock_campaign,
    queue_planned,
)
from surveyapp.outreach.writing import MailWriter
from surveyapp.places.town_languages import town_languages

log = logging.getLogger(__name__)

#: The settings' bounds: days between two mails to one person, reminders per person.
INTERVAL_DAYS = (1, 90)
LIMIT = (0, 10)


def reminder_skip_reason(facts: ContactFacts, campaign: Campaign, now: datetime) -> str | None:
    """Why ``facts``' contact gets no reminder now (None: they get one)."""
    if facts.invitation is None:
        return "not_invited"
    if facts.suppressed:
        return facts.suppressed
    if facts.invitation.erasure == "deleted":
        return "erased"
    if facts.submitted:
        return "submitted"
    if facts.pending:
        return "pending"
    if not facts.sent or facts.last_sent_at is None:
        return "not_mailed"
    if facts.reminders >= campaign.reminder_limit:
        return "limit"
    if facts.last_sent_at > now - timedelta(days=campaign.reminder_interval_days):
        return "too_soon"
    return None


def plan_reminders(
    campaign: Campaign,
    selection: Selection,
    now: datetime | None = None,
    links: Links | None = None,
) -> SendPlan:
    """Who would get a reminder now, in which language, and who not and why."""
    now = now or utcnow()
    plan = SendPlan(MAIL_REMINDER)
    plan.problems = campaign_problems(campaign, now, now)
    writer = MailWriter(campaign, MAIL_REMINDER, links or Links("http://preview.invalid"))
    offered = campaign_languages(campaign)
    for facts in contact_facts(campaign.id, selection):
        reason = reminder_skip_reason(facts, campaign, now)
        if reason is not None:
            plan.skipped[reason] += 1
            continue
        language = mail_language(
            facts.contact.language,
            town_languages(facts.town.code, facts.country.languages),
            offered,
        )
        if language != facts.contact.language:
            plan.other_language += 1
        if writer.text(language) is None:
            plan.missing[language] += 1
        plan.mails.append(PlannedMail(facts, language))
    return plan


@write_transaction()
def send_reminders(
    campaign_id: int,
    selection: Selection,
    actor: Actor,
    now: datetime | None = None,
    automatic: bool = False,
) -> SendPlan:
    """Queue the reminders that are due now.

    Staff (``automatic`` False): all or none, ``SendRefused`` with the plan when
    anything is wrong. The campaign's own schedule (``automatic``): recipients whose
    language has no text are left out (the outreach page says so) and the others
    reminded; nothing due is no error.
    """
    now = now or utcnow()
    campaign = lock_campaign(campaign_id)
    if campaign is None:
        raise LookupError(campaign_id)
    links = Links()
    plan = plan_reminders(campaign, selection, now, links)
    if automatic and plan.missing:
        plan.skipped["no_text"] += sum(plan.missing.values())
        plan.mails = [mail for mail in plan.mails if mail.language not in plan.missing]
        plan.missing.clear()
    if not plan.ok:
        if automatic:
            return plan
        raise SendRefused(plan)
    queue_planned(plan, campaign, MailWriter(campaign, MAIL_REMINDER, links), actor)
    note(
        "outreach_reminders_queued",
        f"campaign:{campaign.id}",
        actor,
        count=len(plan.mails),
        languages=dict(plan.languages),
        skipped=dict(plan.skipped),
        country=selection.country,
        role=selection.role,
        automatic=automatic,
    )
    db.session.commit()
    return plan


def due_reminders(now: datetime | None = None) -> int:
    """Queue every reminder that is due now in campaigns that send them by themselves;
    returns how many were queued.

    For the job queue's periodic task (e.g. every 15 minutes). Idempotent: a second
    call at the same time queues nothing, since the people just reminded have a mail
    on its way and then one sent less than the interval ago. Each campaign is decided
    in its own transaction, with the campaign locked. Needs ``PUBLIC_URL`` outside a
    request (the links in the mails); without it, nothing is queued and it says why.
    """
    now = now or utcnow()
    campaign_ids = list(
        db.session.scalars(
            select(Campaign.id)
            .where(
                Campaign.reminders_automatic.is_(True),
                Campaign.archived_at.is_(None),
                Campaign.opens_at <= now,
                (Campaign.closes_at.is_(None)) | (Campaign.closes_at > now),
            )
            .order_by(Campaign.id)
        )
    )
    queued = 0
    for campaign_id in campaign_ids:
        try:
            plan = send_reminders(campaign_id, Selection(), SYSTEM, now, automatic=True)
        except NoPublicURL:
            log.error("Reminders are due but PUBLIC_URL is not set: no links, nothing sent")
            return queued
        except LookupError:
            continue  # deleted meanwhile
        queued += len(plan.mails) if plan.ok else 0
    return queued


@periodic_job(crontab(minute="*/15"), name="outreach.due_reminders")
def remind_on_schedule() -> None:
    """Every 15 minutes on the job queue's workers: the reminders that are due."""
    queued = due_reminders()
    if queued:
        log.info("outreach: %d reminders queued", queued)


# --- the campaign's settings ------------------------------------------------------------


@dataclass(frozen=True)
class ReminderSettings:
    automatic: bool
    interval_days: int
    limit: int


class SettingsRefused(ValueError):
    """``code``: "interval" or "limit" (out of bounds), "missing" (automatic reminders
    while ``languages`` have no reminder text)."""

    def __init__(self, code: str, languages: list[str] | None = None) -> None:
        super().__init__(code)
        self.code = code
        self.languages = languages or []


@write_transaction()
def save_settings(campaign_id: int, settings: ReminderSettings, actor: Actor) -> dict:
    """Store a campaign's reminder settings; returns what changed."""
    campaign = lock_campaign(campaign_id)
    if campaign is None:
        raise LookupError(campaign_id)
    if not INTERVAL_DAYS[0] <= settings.interval_days <= INTERVAL_DAYS[1]:
        raise SettingsRefused("interval")
    if not LIMIT[0] <= settings.limit <= LIMIT[1]:
        raise SettingsRefused("limit")
    if settings.automatic:
        states = template_states(campaign.id, MAIL_REMINDER)
        missing = [code for code in campaign_languages(campaign) if not states[code].usable]
        if missing:
            raise SettingsRefused("missing", missing)
    changes = {}
    for attribute, value in (
        ("reminders_automatic", settings.automatic),
        ("reminder_interval_days", settings.interval_days),
        ("reminder_limit", settings.limit),
    ):
        if getattr(campaign, attribute) != value:
            changes[attribute] = [getattr(campaign, attribute), value]
            setattr(campaign, attribute, value)
    if changes:
        note("outreach_settings_changed", f"campaign:{campaign.id}", actor, changes=changes)
    db.session.commit()
    return changes
