"""Staff invite municipalities in bulk and download the links."""

from __future__ import annotations

import csv
import io

from sqlalchemy import func, select

from surveyapp.extensions import db
from surveyapp.models import Campaign, Invitation


def _campaign_id(app) -> int:
    with app.app_context():
        return db.session.scalar(select(Campaign.id))


def _count(app) -> int:
    with app.app_context():
        return db.session.scalar(select(func.count()).select_from(Invitation))


def test_invite_a_whole_country_and_some_municipalities_then_download_links(app, staff, client):
    analyst = staff("analyst")
    url = f"/en/staff/campaigns/{_campaign_id(app)}/invite"
    made = analyst.post_form(
        url,
        {
            "countries": ["ME"],
            "municipalities": ["mk-cair", "rs-nis"],
            "roles": ["mayor", "councillor"],
            "language": "cnr",
        },
    )
    assert made.status_code == 303
    assert _count(app) == (25 + 2) * 2
    with analyst.client.get(f"/en/staff/campaigns/{_campaign_id(app)}/invitations.csv") as got:
        rows = list(csv.DictReader(io.StringIO(got.get_data().decode("utf-8-sig"))))
    assert len(rows) == 54
    cetinje = next(
        r for r in rows if r["municipality_code"] == "me-cetinje" and r["role"] == "mayor"
    )
    assert cetinje["language"] == "cnr" and cetinje["link"].startswith("http://localhost/r/")
    # The link works for the respondent, in the invitation's language.
    opened = client.get(cetinje["link"].replace("http://localhost", ""))
    assert opened.location.endswith("/cnr/r/" + cetinje["link"].rsplit("/", 1)[1])


def test_inviting_nothing_or_unknown_codes_creates_nothing(app, staff):
    analyst = staff("analyst")
    url = f"/en/staff/campaigns/{_campaign_id(app)}/invite"
    empty = analyst.post_form(url, {"roles": ["mayor"]})
    assert empty.status_code == 200 and "Please choose at least one municipality" in empty.get_data(
        as_text=True
    )
    unknown = analyst.post_form(url, {"municipalities": ["xx-nowhere"], "roles": ["mayor"]})
    assert "xx-nowhere" in unknown.get_data(as_text=True)
    assert _count(app) == 0


def test_translators_cannot_invite(app, staff):
    assert (
        staff("translator")
        .client.get(f"/en/staff/campaigns/{_campaign_id(app)}/invite")
        .status_code
        == 403
    )
