"""Which language a contact is written to in a campaign."""

from __future__ import annotations

from surveyapp.campaigns import invitations
from surveyapp.languages.registry import SOURCE_LANGUAGE, spoken_language
from surveyapp.models import Campaign


def campaign_languages(campaign: Campaign) -> list[str]:
    """The languages respondents of ``campaign`` are offered (never empty)."""
    return invitations.campaign_languages(campaign) or [SOURCE_LANGUAGE]


def mail_language(preferred: str, country_languages: list[str], offered: list[str]) -> str:
    """The contact's language when the campaign offers it; else the same language in
    another script (Serbian Latin for Cyrillic); else a language of the contact's
    country; else the campaign's first. The personal link opens in the same one."""
    if preferred in offered:
        return preferred
    for code in offered:
        if spoken_language(code) == spoken_language(preferred):
            return code
    for code in country_languages:
        if code in offered:
            return code
    return offered[0]
