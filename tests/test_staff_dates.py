"""Dates and times on staff pages are in the page's language and the staff's time zone,
with the month named (never "3/5/26", which reads differently in English and here)."""

from __future__ import annotations

import re
from datetime import date, datetime

import pytest
from babel import Locale
from flask_babel import format_date
from sqlalchemy import select, update

from surveyapp.extensions import db
from surveyapp.languages.registry import LANGUAGES
from surveyapp.models import AuditEvent, Campaign, Response, User
from tests.conftest import Staff

#: 5 March 2026, 13:07 UTC: 14:07 in Belgrade, Skopje, Tirana, Podgorica ...
WHEN = datetime(2026, 3, 5, 13, 7)
#: Numeric dates and clock times in English or ISO form.
NUMERIC = re.compile(r"\b\d{1,2}/\d{1,2}/\d{2,4}\b|\b20\d\d-\d\d-\d\d(?:[ T]\d\d:\d\d)?\b")


def _main(html: str) -> str:
    main = re.search(r"<main.*?</main>", html, re.S).group(0)
    main = re.sub(r'\s(datetime|value|href|min|max)="[^"]*"', "", main)
    return re.sub(r"\s+", " ", re.sub(r"<[^>]+>", " ", main))


@pytest.fixture
def dated(app, make_response, make_user):
    """A response, a sign-in and an audit entry, all at ``WHEN``; returns the response id."""
    response_id = make_response(municipality="mk-cair", role="mayor")
    make_user("admin")
    with app.app_context():
        db.session.execute(
            update(Response).values(started_at=WHEN, submitted_at=WHEN, consented_at=WHEN)
        )
        db.session.execute(update(User).values(last_login_at=WHEN))
        db.session.execute(update(Campaign).values(opens_at=WHEN))
        db.session.add(AuditEvent(action="export", target="campaign:1", at=WHEN))
        db.session.commit()
    return response_id


@pytest.mark.parametrize(
    ("lang", "shown"),
    [
        ("en", "Mar 5, 2026, 2:07 PM"),
        ("mk", "5 мар. 2026 г., 14:07"),
        ("sq", "5 mar 2026, 2:07 m.d."),
        ("bs", "5. mar 2026. 14:07"),
        ("sr", "5. 3. 2026. 14:07"),
        ("cnr", "5. 3. 2026. 14:07"),
        ("hr", "5. ožu 2026. 14:07"),
    ],
)
def test_staff_tables_show_times_in_the_pages_language_and_time_zone(
    app, client, dated, lang, shown
):
    admin = Staff(client, "admin@example.org")
    assert admin.login(lang=lang).status_code == 303
    with app.app_context():
        db.session.execute(update(User).values(last_login_at=WHEN))
        db.session.commit()
        campaign_id = db.session.scalar(select(Response.campaign_id))
    pages = [
        f"/{lang}/staff/audit",
        f"/{lang}/staff/users",
        f"/{lang}/staff/campaigns/{campaign_id}/responses",
        f"/{lang}/staff/campaigns/{campaign_id}/responses/{dated}",
    ]
    for url in pages:
        html = client.get(url).get_data(as_text=True)
        text = _main(html).replace("\u202f", " ").replace("\u00a0", " ")
        assert shown in text, (url, text[:2000])
        assert not NUMERIC.search(text), (url, NUMERIC.search(text).group(0))
        # Machines get the instant in UTC.
        assert '<time datetime="2026-03-05T13:07Z">' in html, url


def test_a_macedonian_staff_page_names_the_month_in_macedonian(app, client, dated):
    assert Staff(client, "admin@example.org").login(lang="mk").status_code == 303
    text = _main(client.get("/mk/staff/campaigns").get_data(as_text=True))
    assert "5 мар. 2026 г." in text
    assert "Mar" not in text and not NUMERIC.search(text)


@pytest.mark.parametrize("code", list(LANGUAGES))
def test_every_language_has_babel_locale_data_in_its_own_script(app, code):
    """Montenegrin has no locale of its own in Babel (CLDR): it formats as Serbian Latin
    in Montenegro (sr_Latn_ME), which is ijekavian ("nedjelja", "jun"), not Bosnian."""
    language = LANGUAGES[code]
    locale = Locale.parse(language.babel_locale)
    month = locale.months["format"]["wide"][3]
    assert bool(re.search("[\u0400-\u04ff]", month)) == language.is_cyrillic, (code, month)
    with app.test_request_context(f"/{code}/"):
        app.preprocess_request()
        assert format_date(date(2026, 3, 15), "full")  # no fallback to English
        if code == "cnr":
            assert language.babel_locale == "sr_Latn_ME"
            assert format_date(date(2026, 3, 15), "full").startswith("nedjelja")
        if code == "hr":  # ijekavian, and Croatian month names
            assert format_date(date(2026, 3, 15), "full") == "nedjelja, 15. ožujka 2026."
