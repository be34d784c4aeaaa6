"""The open link's municipality picker as a Macedonian and a Serbian reader see it, on
a phone and a desktop: "choose ..." first, names in the reader's letters and order."""

from __future__ import annotations

import os
import shutil
from pathlib import Path

import icu
import pytest
from sqlalchemy import select

from surveyapp.extensions import db
from surveyapp.models import Campaign
from tests.browser.conftest import DESKTOP, PHONE

#: Also copied here when set (the engineer's own folder for looking at them).
EXTRA_SHOTS = os.environ.get("SHOTS_DIR")


@pytest.mark.parametrize(
    ("lang", "country", "locale", "serbian_letters"),
    [
        ("mk", "XK", "mk", False),
        ("mk", "RS", "mk", False),
        ("sr", "XK", "sr", True),
        ("sr", "RS", "sr", True),
    ],
)
@pytest.mark.parametrize("viewport", ["phone", "desktop"])
def test_municipality_picker_in_macedonian_and_serbian(
    app, live_server, new_page, screenshots, lang, country, locale, serbian_letters, viewport
):
    with app.app_context():
        token = db.session.scalar(select(Campaign.open_token).order_by(Campaign.id))
    page = new_page(PHONE if viewport == "phone" else DESKTOP, locale=locale)
    page.goto(f"{live_server}/{lang}/o/{token}?country={country}")
    picker = page.locator("select[name=municipality]")
    options = picker.locator("option").all_inner_texts()
    assert picker.input_value() == "", "nothing is chosen for the respondent"
    assert page.locator("select[name=role]").input_value() == ""
    names = options[1:]
    collator = icu.Collator.createInstance(icu.Locale(locale))
    assert names == sorted(names, key=collator.getSortKey)
    assert names[0][0] in "АБВ", names[:3]
    text = " ".join(names)
    # Ђ and Ћ are Serbian letters: Serbian lists have them (Ћуприја, Лепосавић),
    # Macedonian ones never (Ќуприја, Лепосавиќ).
    assert any(ch in text for ch in "ЂђЋћ") == serbian_letters
    name = f"order-picker-{lang}-{country.lower()}-{viewport}"
    page.screenshot(path=str(screenshots / f"{name}.png"), full_page=False)
    # The list opened, as a list box, so that a screenshot shows its order.
    picker.evaluate("select => { select.size = 14; }")
    picker.scroll_into_view_if_needed()
    page.screenshot(path=str(screenshots / f"{name}-open.png"), full_page=False)
    if EXTRA_SHOTS:
        Path(EXTRA_SHOTS).mkdir(parents=True, exist_ok=True)
        for suffix in ("", "-open"):
            shutil.copy(
                screenshots / f"{name}{suffix}.png", Path(EXTRA_SHOTS) / f"{name}{suffix}.png"
            )


@pytest.mark.parametrize(
    ("lang", "expected"),
    [
        ("mk", ["Албанија", "Босна и Херцеговина", "Косово", "Северна Македонија", "Србија"]),
        ("sr", ["Албанија", "Босна и Херцеговина", "Косово", "Северна Македонија", "Србија"]),
        ("sq", ["Bosnja dhe Hercegovina", "Kosova", "Mali i Zi", "Maqedonia e Veriut"]),
    ],
)
def test_countries_are_listed_in_the_readers_order(
    app, live_server, new_page, screenshots, lang, expected
):
    with app.app_context():
        token = db.session.scalar(select(Campaign.open_token).order_by(Campaign.id))
    page = new_page(PHONE, locale=lang)
    page.goto(f"{live_server}/{lang}/o/{token}")
    countries = page.locator("ul.choice-links a").all_inner_texts()
    positions = [countries.index(name) for name in expected]
    assert positions == sorted(positions), countries
    collator = icu.Collator.createInstance(icu.Locale(lang))
    assert countries == sorted(countries, key=collator.getSortKey)
    page.screenshot(path=str(screenshots / f"order-countries-{lang}-phone.png"))
    if EXTRA_SHOTS:
        shutil.copy(
            screenshots / f"order-countries-{lang}-phone.png",
            Path(EXTRA_SHOTS) / f"order-countries-{lang}-phone.png",
        )
