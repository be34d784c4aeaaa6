"""The open campaigns on the home page, each told apart from those that look alike."""

from __future__ import annotations

from collections import Counter
from dataclasses import dataclass

from surveyapp.campaigns.invitations import campaign_languages
from surveyapp.campaigns.lifecycle import open_campaigns_for_home
from surveyapp.models import Campaign
from surveyapp.questionnaires.texts import Texts


@dataclass
class HomeCard:
    campaign: Campaign
    texts: Texts
    #: Another open campaign shows the same title: the card also shows the
    #: campaign's name, dates and questionnaire version.
    look_alike: bool
    #: The languages the campaign offers, when it chose some (None: every language).
    languages: list[str] | None = None


def home_cards(lang: str) -> list[HomeCard]:
    """The campaigns anyone may answer now, in ``lang``, with look-alikes marked."""
    found = open_campaigns_for_home(lang)
    titles = Counter(texts.title().strip().casefold() for _campaign, texts in found)
    return [
        HomeCard(
            campaign,
            texts,
            titles[texts.title().strip().casefold()] > 1,
            campaign_languages(campaign) if campaign.languages is not None else None,
        )
        for campaign, texts in found
    ]
