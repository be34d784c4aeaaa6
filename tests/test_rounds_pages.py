"""The rounds pages as staff use them: a series made and filled by clicking, items matched
through the form, bad input refused in words, and the change page for a municipality
with one round or with two."""

from __future__ import annotations

from sqlalchemy import select

from surveyapp.extensions import db
from surveyapp.models import AuditEvent, ItemMatch, RoundSeries, SeriesRound
from tests.test_rounds import RENAMED, Rounds, _answer_trust


def _series_id(app) -> int:
    with app.app_context():
        return db.session.scalar(select(RoundSeries.id).order_by(RoundSeries.id.desc()))


def test_staff_make_a_series_and_add_rounds(app, staff):
    admin = staff("analyst")
    home = admin.client.get("/en/staff/").get_data(as_text=True)
    assert "/en/staff/rounds" in home
    reply = admin.post_form("/en/staff/rounds", {"name": "  "})
    assert reply.status_code == 303
    page = admin.client.get(reply.location).get_data(as_text=True)
    assert "Please give the series a name." in page
    with app.app_context():
        assert db.session.scalar(select(RoundSeries.id)) is None

    reply = admin.post_form("/en/staff/rounds", {"name": "City needs"})
    series_path = reply.location
    series_id = _series_id(app)
    with app.app_context():
        campaign_id = db.session.scalar(select(db.text("id FROM campaign ORDER BY id")))
    reply = admin.post_form(series_path, {"campaign": str(campaign_id)})
    assert "round 1" in admin.client.get(reply.location).get_data(as_text=True)
    for bad in ("nope", "2147483648", "0"):  # the second: beyond PostgreSQL's integer
        reply = admin.post_form(series_path, {"campaign": bad})
        assert reply.status_code == 303, bad
        page = admin.client.get(reply.location).get_data(as_text=True)
        assert "Please choose one of the campaigns" in page, bad
    with app.app_context():
        rounds = db.session.scalars(
            select(SeriesRound.campaign_id).where(SeriesRound.series_id == series_id)
        ).all()
        assert rounds == [campaign_id]
        actions = db.session.scalars(select(AuditEvent.action)).all()
        assert "series_created" in actions and "round_added" in actions


def test_staff_match_a_renamed_item_and_see_the_change(app, staff):
    with app.app_context():
        rounds = Rounds()
        _answer_trust(rounds, rounds.first, "trust_institutions_need", [5, 5, 4, 4, 5], [1] * 5)
        _answer_trust(rounds, rounds.second, RENAMED, [2, 3, 2, 3, 2], [3] * 5)
        series_id, second = rounds.series_id, rounds.second.id
    admin = staff("analyst")
    base = f"/en/staff/rounds/{series_id}"
    left = admin.client.get(base + "/left-out").get_data(as_text=True)
    assert "trust_institutions_need" in left and "Not asked in City needs 2026" in left

    # Not comparable without a reason: refused in words, nothing saved.
    reply = admin.post_form(
        base + "/items",
        {"campaign": str(second), "item": RENAMED, "comparable": "no", "reason": ""},
        form_page=base + "/items",
    )
    assert "Please say why the item is not comparable." in admin.client.get(
        reply.location
    ).get_data(as_text=True)
    with app.app_context():
        assert db.session.scalar(select(ItemMatch.id)) is None

    admin.post_form(
        base + "/items",
        {"campaign": str(second), "item": RENAMED, "matches": "trust_institutions_need"},
        form_page=base + "/items",
    )
    items = admin.client.get(base + "/items").get_data(as_text=True)
    assert "matched by staff" in items
    change = admin.client.get(base + "/change?area=mk-cair").get_data(as_text=True)
    assert "5 respondents" in change
    assert "<svg" in change and "change-chart-title" in change
    assert "within the noise" in change  # capacity 1 -> 3 is not, but the need of others is
    assert "answered only one round" not in change

    one = admin.client.get(base + "/change?area=mk-bitola").get_data(as_text=True)
    assert "has not answered any round" in one
    assert admin.client.get(base + "/change?area=xx-nowhere").status_code == 404
    assert admin.client.get(base + "/change?role=emperor").status_code == 404


def test_a_municipality_with_one_round_says_so(app, staff):
    with app.app_context():
        rounds = Rounds()
        _answer_trust(rounds, rounds.first, "trust_institutions_need", [5, 5, 4, 4, 5], [1] * 5)
        series_id = rounds.series_id
    admin = staff("analyst")
    page = admin.client.get(f"/sr/staff/rounds/{series_id}/change?area=mk-cair")
    assert page.status_code == 200
    html = admin.client.get(f"/en/staff/rounds/{series_id}/change?area=mk-cair").get_data(
        as_text=True
    )
    assert "answered only one round of this series" in html
    assert "change-chart-title" not in html
