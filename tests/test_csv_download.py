"""The CSV download writes each cell as its field's text, prepared once (a choice's label
once per export, not once per cell), and the text is exactly what the csv module writes
for the cells: quoting, formulas defused, dates and times as ISO text."""

from __future__ import annotations

from datetime import date, datetime

from sqlalchemy import select

from surveyapp.core import spreadsheets
from surveyapp.extensions import db
from surveyapp.models import Campaign
from surveyapp.responses import exports

FORMULA = '=HYPERLINK("http://evil.example","click")'


def _campaign_id(app) -> int:
    with app.app_context():
        return db.session.scalar(select(Campaign.id))


def test_prepared_csv_fields_are_what_the_csv_module_writes():
    """The download's rows come prepared (``csv_field``) and are only joined: each field
    must be what the csv module writes for the cell, quoting and defusing included."""
    from datetime import UTC, timedelta, timezone
    from decimal import Decimal

    cells = [
        "plain", "a,b", 'say "hi"', "two\nlines", "cr\rhere", "", " spaced ", "Доњи Жабар",
        "=1+1", "@SUM(A1)", "+cmd", "-2", "-x", "\tx", "'quoted", '="a,b"', "-1,5",
        None, 0, 1, -3, 1.5, 2.0, 1e20, float("nan"), True, Decimal("1.10"),
        date(2026, 3, 1), datetime(2026, 3, 1, 9, 30, 5), datetime(2026, 3, 1, 9, 30, tzinfo=UTC),
        datetime(2026, 3, 1, 9, 30, tzinfo=timezone(timedelta(hours=2))),
    ]  # fmt: skip
    rows = [cells, list(reversed(cells)), ["", None], ["x", ""]]
    written = "".join(spreadsheets.csv_chunks(iter(rows)))
    prepared = [[spreadsheets.csv_field(cell) for cell in row] for row in rows]
    assert "".join(spreadsheets.csv_chunks(iter(prepared), prepared=True)) == written
    assert spreadsheets.csv_utc(datetime(2026, 3, 1, 9, 30, 5)) == spreadsheets.csv_field(
        datetime(2026, 3, 1, 9, 30, 5, tzinfo=UTC)
    )
    assert spreadsheets.csv_utc(None) == spreadsheets.csv_field(None) == ""


def test_the_downloaded_csv_is_the_csv_of_the_exported_cells(app, staff, make_response):
    """The download prepares each cell as its CSV field (a choice's label once): the text is
    the same as the cells' own, written by the csv module, labels and codes alike."""
    from surveyapp.questionnaires.texts import save_translation

    make_response(municipality="mk-bitola", lang="mk", safety_council="no", comments="=1+1")
    make_response(
        municipality="mk-bitola", lang="sq", safety_council="yes_active", comments='a, "b"\r\nc'
    )
    with app.app_context():
        campaign_id = _campaign_id(app)
        version_id = db.session.get(Campaign, campaign_id).version_id
        save_translation(version_id, "choice.council_status.no.label", "mk", FORMULA)
        save_translation(version_id, "choice.council_status.yes_active.label", "mk", 'Да, "точно"')
        for labels in ("mk", "sq", None):
            cells = "".join(spreadsheets.csv_chunks(exports.response_rows(campaign_id, labels)))
            rows = exports.response_rows(campaign_id, labels, for_csv=True)
            assert "".join(spreadsheets.csv_chunks(rows, prepared=True)) == cells, labels
