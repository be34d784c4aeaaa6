"""Writing one campaign's mails: each recipient's values put into the text of their
language (``rendering``), for sending and for the preview staff see first."""

from __future__ import annotations

from dataclasses import dataclass

from sqlalchemy import select
from sqlalchemy.orm import selectinload

from surveyapp.extensions import db
from surveyapp.languages.current import N_, gettext_in
from surveyapp.languages.registry import variant_for
from surveyapp.models import Campaign, Country, Municipality
from surveyapp.outreach.links import Links
from surveyapp.outreach.mail_texts import MailText, TemplateState, template_states
from surveyapp.outreach.rendering import (
    RenderedMail,
    closing_day,
    render_mail,
    role_label,
)
from surveyapp.places.town_languages import town_languages
from surveyapp.questionnaires.texts import load_texts


@dataclass(frozen=True)
class Addressee:
    """Who a mail is written to, and their two tokens."""

    name: str
    role: str
    town: Municipality
    country: Country
    #: The invitation's token (the personal link) and the contact's opt-out token.
    link_token: str
    opt_out_token: str


class MailWriter:
    """Writes one kind of mail of one campaign; texts and titles are read once."""

    def __init__(self, campaign: Campaign, kind: str, links: Links) -> None:
        self.campaign, self.kind, self.links = campaign, kind, links
        self.states: dict[str, TemplateState] = template_states(campaign.id, kind)
        self._titles: dict[str, str] = {}
        self._roles: dict[tuple[str, str, str | None], str] = {}

    def text(self, lang: str) -> MailText | None:
        state = self.states.get(lang)
        return state.text if state is not None else None

    def prepare(self, languages) -> None:
        """Read what the mails in ``languages`` need before any is written (a read in
        the middle of writing would flush every pending row first)."""
        for lang in languages:
            self._title(lang)

    def _title(self, lang: str) -> str:
        if lang not in self._titles:
            self._titles[lang] = load_texts(self.campaign.version_id, lang).title()
        return self._titles[lang]

    def _role(self, role: str, lang: str, variant: str | None) -> str:
        if (role, lang, variant) not in self._roles:
            self._roles[role, lang, variant] = role_label(role, lang, variant)
        return self._roles[role, lang, variant]

    def values(self, to: Addressee, lang: str) -> dict[str, object]:
        # The language as the municipality speaks it: "Kryetar i komunës" in Kosovo.
        variant = variant_for(lang, to.country.code, to.town.entity)
        return {
            "recipient_name": to.name,
            "recipient_role": self._role(to.role, lang, variant),
            "municipality": to.town.name(lang),
            "country": to.country.name(lang),
            "campaign": self.campaign.name,
            "questionnaire": self._title(lang),
            "closing_date": closing_day(self.campaign.closes_at, lang),
            "link": self.links.personal(to.link_token),
            "opt_out_link": self.links.opt_out_page(to.opt_out_token, lang),
        }

    def write(self, to: Addressee, lang: str, text: MailText | None = None) -> RenderedMail:
        """The mail to ``to`` in ``lang`` (KeyError when the language has no text)."""
        text = text or self.text(lang)
        if text is None:
            raise KeyError(lang)
        return render_mail(text, lang, self.values(to, lang))


#: I18N: a made-up person's name, shown in previews of outreach mails; write a name
#: that is typical in your language.
SAMPLE_NAME = N_("Jane Smith")
#: What the preview puts where a token will be (the links are not real).
SAMPLE_TOKEN = "example-token"  # nosec B105 (a placeholder in previews, not a secret)


def sample_addressee(lang: str) -> Addressee:
    """A made-up mayor of the first municipality of a country that speaks ``lang``; of
    one that speaks it first, where there is one (a Croat-majority one for Croatian)."""
    countries = list(
        db.session.scalars(
            select(Country).order_by(Country.position).options(selectinload(Country.municipalities))
        )
    )
    country = next((c for c in countries if lang in (c.languages or [])), countries[0])
    towns = sorted(country.municipalities, key=lambda town: town.code)
    town = next(
        (t for t in towns if town_languages(t.code, country.languages)[:1] == [lang]), towns[0]
    )
    name = gettext_in(lang, SAMPLE_NAME)
    return Addressee(name, "mayor", town, country, SAMPLE_TOKEN, SAMPLE_TOKEN)
