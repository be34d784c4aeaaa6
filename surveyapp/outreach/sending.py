"""Sending a campaign's invitations: who gets one, in which language, and what stops
a send; then the invitations and their mails, in one transaction with the decision.

Staff see the plan first (``plan_invitations``); ``send_invitations`` makes it again
inside the write transaction (things may have changed) and refuses it whole when
anything is wrong, so a missing text is reported before anything is sent.
"""

from __future__ import annotations

from collections import Counter
from dataclasses import dataclass, field
from datetime import datetime, timedelta

from sqlalchemy import select

from surveyapp.campaigns.tokens import new_token
from surveyapp.core.database import write_transaction
from surveyapp.extensions import db
from surveyapp.mail.outbox import queue_mails
from surveyapp.models import Campaign, Invitation
from surveyapp.models.base import utcnow
from surveyapp.models.outreach import MAIL_INVITATION
from surveyapp.outreach.audit import Actor, note
from surveyapp.outreach.facts import ContactFacts, Selection, contact_facts
from surveyapp.outreach.languages import campaign_languages, mail_language
from surveyapp.outreach.links import Links
from surveyapp.outreach.rendering import one_line
from surveyapp.outreach.writing import Addressee, MailWriter
from surveyapp.places.town_languages import town_languages

#: A time to send this far in the past is a mistake, not "now".
PAST_TOLERANCE = timedelta(minutes=10)


@dataclass
class PlannedMail:
    facts: ContactFacts
    language: str


@dataclass
class SendPlan:
    """What a send would do: the mails, who is left out and why (reason → count),
    languages without a text (language → recipients), and what stops it."""

    kind: str
    mails: list[PlannedMail] = field(default_factory=list)
    skipped: Counter[str] = field(default_factory=Counter)
    missing: Counter[str] = field(default_factory=Counter)
    #: "archived", "closed", "not_open", "past": the campaign or time forbid it.
    problems: list[str] = field(default_factory=list)
    send_after: datetime | None = None
    #: Recipients written to in another language than their own (not offered).
    other_language: int = 0

    @property
    def languages(self) -> Counter[str]:
        return Counter(mail.language for mail in self.mails)

    @property
    def ok(self) -> bool:
        return not self.problems and not self.missing and bool(self.mails)


class SendRefused(ValueError):
    def __init__(self, plan: SendPlan) -> None:
        super().__init__(", ".join(plan.problems) or "nothing to send")
        self.plan = plan


def campaign_problems(campaign: Campaign, when: datetime, now: datetime) -> list[str]:
    """What stops mail about ``campaign`` from going out at ``when``."""
    problems = []
    if campaign.archived_at is not None:
        problems.append("archived")
    elif campaign.closes_at is not None and campaign.closes_at <= when:
        problems.append("closed")
    elif when < campaign.opens_at:
        problems.append("not_open")
    if when < now - PAST_TOLERANCE:
        problems.append("past")
    return problems


def _choose(plan: SendPlan, facts: ContactFacts, offered: list[str], writer: MailWriter) -> None:
    language = mail_language(
        facts.contact.language, town_languages(facts.town.code, facts.country.languages), offered
    )
    if language != facts.contact.language:
        plan.other_language += 1
    if writer.text(language) is None:
        plan.missing[language] += 1
    plan.mails.append(PlannedMail(facts, language))


def plan_invitations(
    campaign: Campaign,
    selection: Selection,
    only_new: bool = True,
    send_after: datetime | None = None,
    now: datetime | None = None,
    links: Links | None = None,
) -> SendPlan:
    """Who would get an invitation: every contact of the selection, except those who
    opted out or bounced, have answered, have a mail on its way, or (``only_new``)
    were invited before."""
    now = now or utcnow()
    plan = SendPlan(MAIL_INVITATION, send_after=send_after)
    plan.problems = campaign_problems(campaign, send_after or now, now)
    writer = MailWriter(campaign, MAIL_INVITATION, links or Links("http://preview.invalid"))
    offered = campaign_languages(campaign)
    for facts in contact_facts(campaign.id, selection):
        if facts.suppressed:
            plan.skipped[facts.suppressed] += 1
        elif facts.invitation is not None and facts.invitation.erasure == "deleted":
            plan.skipped["erased"] += 1
        elif facts.submitted:
            plan.skipped["submitted"] += 1
        elif facts.pending:
            plan.skipped["pending"] += 1
        elif only_new and facts.invitation_mails:
            plan.skipped["invited"] += 1
        else:
            _choose(plan, facts, offered, writer)
    return plan


def queue_planned(plan: SendPlan, campaign: Campaign, writer: MailWriter, actor: Actor) -> None:
    """Make the links the plan's recipients lack, and queue their mails (in the
    caller's write transaction)."""
    writer.prepare(plan.languages)
    made = []
    for mail in plan.mails:
        facts = mail.facts
        if facts.invitation is None:
            facts.invitation = Invitation(
                token=new_token(),
                campaign_id=campaign.id,
                municipality_id=facts.town.id,
                role=facts.contact.role,
                contact_id=facts.contact.id,
            )
            made.append(facts.invitation)
        # The personal link opens in the language of the mail (a respondent who
        # started already keeps the language they chose).
        facts.invitation.language = mail.language
    db.session.add_all(made)
    db.session.flush()
    mails = []
    for mail in plan.mails:
        facts = mail.facts
        if facts.invitation is None:  # made above for every mail of the plan
            raise RuntimeError("a planned mail has no invitation")
        written = writer.write(
            Addressee(
                facts.contact.name,
                facts.contact.role,
                facts.town,
                facts.country,
                facts.invitation.token,
                facts.contact.opt_out_token,
            ),
            mail.language,
        )
        mails.append(
            {
                "kind": plan.kind,
                "to_address": facts.contact.email,
                "to_name": one_line(facts.contact.name),
                "language": mail.language,
                "subject": written.subject,
                "text_body": written.text_body,
                "html_body": written.html_body,
                "unsubscribe_url": writer.links.one_click(facts.contact.opt_out_token),
                "campaign_id": campaign.id,
                "invitation_id": facts.invitation.id,
                "contact_id": facts.contact.id,
                "created_by_id": actor.user_id,
                "send_after": plan.send_after,
            }
        )
    queue_mails(mails)


def lock_campaign(campaign_id: int) -> Campaign | None:
    """The campaign, locked until the transaction ends (PostgreSQL; SQLite's write
    transaction holds the whole database), so that two decisions to write to the
    same people cannot run side by side."""
    return db.session.scalar(select(Campaign).where(Campaign.id == campaign_id).with_for_update())


@write_transaction()
def send_invitations(
    campaign_id: int,
    selection: Selection,
    actor: Actor,
    only_new: bool = True,
    send_after: datetime | None = None,
    now: datetime | None = None,
) -> SendPlan:
    """Queue the planned invitations, all or none (``SendRefused`` with the plan)."""
    campaign = lock_campaign(campaign_id)
    if campaign is None:
        raise LookupError(campaign_id)
    links = Links()
    plan = plan_invitations(campaign, selection, only_new, send_after, now, links)
    if not plan.ok:
        raise SendRefused(plan)
    queue_planned(plan, campaign, MailWriter(campaign, MAIL_INVITATION, links), actor)
    note(
        "outreach_invitations_queued",
        f"campaign:{campaign.id}",
        actor,
        count=len(plan.mails),
        languages=dict(plan.languages),
        skipped=dict(plan.skipped),
        country=selection.country,
        role=selection.role,
        only_new=only_new,
        send_after=send_after.isoformat() if send_after else None,
    )
    db.session.commit()
    return plan
