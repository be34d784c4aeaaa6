"""The engagement log: staff record, change, mark done and delete what the hub did
with each municipality (audited, by role); the import refuses a bad file whole with
every problem's line; an exchange of the planner becomes planned engagements; a
municipality's timeline shows its rounds and engagements in date order, with the
small-group rule on its figures."""

from __future__ import annotations

import io
import re
from datetime import date, datetime, timedelta

import openpyxl
import pytest
from sqlalchemy import func, select

from surveyapp.core.database import write_transaction
from surveyapp.engagements import records
from surveyapp.engagements.engagement_import import import_engagements
from surveyapp.extensions import db
from surveyapp.models import AuditEvent, Campaign, Engagement, Question
from surveyapp.models.base import utcnow
from tests.conftest import Staff, csrf_token


def _engagements(app) -> list[tuple]:
    with app.app_context():
        return [
            (
                e.municipality.code,
                e.kind,
                e.held_on.isoformat(),
                e.status,
                [d.code for d in e.domains],
                [m.code for m in e.partners],
                e.note,
            )
            for e in db.session.scalars(select(Engagement).order_by(Engagement.id))
        ]


def _actions(app) -> list[str]:
    with app.app_context():
        return list(
            db.session.scalars(
                select(AuditEvent.action)
                .where(
                    AuditEvent.action.like("engagement%")
                    | (AuditEvent.action == "exchange_planned")
                )
                .order_by(AuditEvent.id)
            )
        )


def _add(app, town="me-danilovgrad", kind="roundtable", day="2024-05-14", status="done", **more):
    with app.app_context():
        fields = records.EngagementFields(
            municipality=town,
            kind=kind,
            held_on=date.fromisoformat(day),
            status=status,
            domains=more.get("domains", []),
            partners=more.get("partners", []),
            note=more.get("note", ""),
        )
        return records.add_engagement(fields, None).id


# --- recording, changing, marking done, deleting ----------------------------------------


def test_staff_record_change_mark_done_and_delete_an_engagement_and_each_step_is_audited(
    app, client, staff
):
    admin = staff("admin")
    planned_on = (utcnow().date() + timedelta(days=30)).isoformat()
    reply = admin.post_form(
        "/en/staff/engagements/new",
        {
            "municipality": "al-elbasan",
            "kind": "peer_exchange",
            "held_on": planned_on,
            "status": "planned",
            "domains": ["youth", "trust"],
            "partners": ["mk-kumanovo", "me-danilovgrad"],
            "note": "Exchange on youth engagement\nwith two hosts",
        },
    )
    assert reply.status_code == 303
    assert _engagements(app) == [
        (
            "al-elbasan",
            "peer_exchange",
            planned_on,
            "planned",
            ["trust", "youth"],  # in the domains' order
            ["me-danilovgrad", "mk-kumanovo"],
            "Exchange on youth engagement\nwith two hosts",
        )
    ]
    with app.app_context():
        engagement_id = db.session.scalar(select(Engagement.id))
        recorded_by = db.session.scalar(select(Engagement.recorded_by_id))
    assert recorded_by is not None

    log = client.get("/en/staff/engagements").get_data(as_text=True)
    assert "Elbasan" in log and "Peer exchange" in log and "Planned" in log

    reply = admin.post_form(
        f"/en/staff/engagements/{engagement_id}",
        {
            "municipality": "al-elbasan",
            "kind": "study_visit",
            "held_on": planned_on,
            "status": "planned",
            "domains": ["youth"],
            "partners": ["mk-kumanovo"],
            "note": "A study visit instead",
        },
    )
    assert reply.status_code == 303
    assert _engagements(app)[0][1:] == (
        "study_visit", planned_on, "planned", ["youth"], ["mk-kumanovo"], "A study visit instead"
    )  # fmt: skip

    # Marked done before its planned day: it took place today.
    reply = admin.post_form(
        f"/en/staff/engagements/{engagement_id}/done", {}, form_page="/en/staff/engagements"
    )
    assert reply.status_code == 303
    assert _engagements(app)[0][2:4] == (utcnow().date().isoformat(), "done")

    # Deleting asks first; the confirmation deletes.
    page = client.get(f"/en/staff/engagements/{engagement_id}/delete").get_data(as_text=True)
    assert "Delete the engagement?" in page
    assert _engagements(app) != []
    reply = admin.post_form(f"/en/staff/engagements/{engagement_id}/delete", {})
    assert reply.status_code == 303
    assert _engagements(app) == []
    assert _actions(app) == [
        "engagement_created",
        "engagement_changed",
        "engagement_done",
        "engagement_deleted",
    ]
    # The audit log says it in words, naming the municipality.
    audit = client.get("/en/staff/audit").get_data(as_text=True)
    assert "recorded an engagement with a municipality" in audit
    assert "marked an engagement as done" in audit and "deleted an engagement" in audit
    assert "Elbasan" in audit


@pytest.mark.parametrize(
    ("change", "field", "message"),
    [
        ({"municipality": ""}, "municipality", "Please choose the municipality."),
        ({"municipality": "xx-nowhere"}, "municipality", "Please choose one of the municipalities"),
        ({"kind": "party"}, "kind", "Please choose one of the kinds in the list."),
        ({"held_on": ""}, "held_on", "Please give the date"),
        ({"held_on": "1066-10-14"}, "held_on", "between the years 2000 and 2100"),
        ({"held_on": "2099-01-01"}, "held_on", "cannot have a date still to come"),
        ({"domains": ["no_such_domain"]}, "domains", "Please choose domains from the list."),
        ({"partners": ["me-danilovgrad"]}, "partners", "cannot be its own partner"),
        ({"note": "x" * 4001}, "note", "at most 4000 characters"),
    ],
)
def test_a_wrong_field_is_named_beside_it_and_nothing_is_stored(app, staff, change, field, message):
    admin = staff("admin")
    data = {
        "municipality": "me-danilovgrad",
        "kind": "roundtable",
        "held_on": "2024-05-14",
        "status": "done",
        **change,
    }
    reply = admin.post_form("/en/staff/engagements/new", data)
    assert reply.status_code == 422
    html = reply.get_data(as_text=True)
    assert message in html and f'href="#{field}"' in html
    assert _engagements(app) == []
    assert _actions(app) == []


def test_translators_read_the_log_and_timelines_but_cannot_change_them(app, client, make_user):
    engagement_id = _add(app)
    assert Staff(client, make_user("translator")).login().status_code == 303
    log = client.get("/en/staff/engagements")
    assert log.status_code == 200
    html = log.get_data(as_text=True)
    assert "Danilovgrad" in html
    assert "Record an engagement" not in html and "Mark done" not in html
    assert client.get("/en/staff/municipalities/me-danilovgrad").status_code == 200
    for path in (
        "/en/staff/engagements/new",
        f"/en/staff/engagements/{engagement_id}",
        f"/en/staff/engagements/{engagement_id}/delete",
        "/en/staff/engagements/import",
    ):
        assert client.get(path).status_code == 403, path
    token = csrf_token(html) if 'name="csrf_token"' in html else ""
    reply = client.post(f"/en/staff/engagements/{engagement_id}/done", data={"csrf_token": token})
    assert reply.status_code == 403
    assert len(_engagements(app)) == 1


def test_analysts_may_record_engagements(app, staff):
    analyst = staff("analyst")
    reply = analyst.post_form(
        "/en/staff/engagements/new",
        {"municipality": "mk-kumanovo", "kind": "training", "held_on": "2024-11-20",
         "status": "done", "domains": ["schools"], "note": "School psychologists"},
    )  # fmt: skip
    assert reply.status_code == 303
    assert _engagements(app)[0][:5] == (
        "mk-kumanovo",
        "training",
        "2024-11-20",
        "done",
        ["schools"],
    )


# --- import ---------------------------------------------------------------------------


def _xlsx(rows: list[list[object]]) -> bytes:
    workbook = openpyxl.Workbook()
    sheet = workbook.active
    for row in rows:
        sheet.append(row)
    buffer = io.BytesIO()
    workbook.save(buffer)
    return buffer.getvalue()


def test_an_import_with_bad_rows_is_refused_whole_and_each_problem_names_its_line(app, staff):
    _add(app, note="kept as it was")
    before = _engagements(app)
    admin = staff("admin")
    data = "\r\n".join(
        [
            "Municipality;Kind;Date;Status;Domains;Partners;Note",
            "Danilovgrad;Roundtable;2023-02-10;done;Trust in institutions;;fine row",
            "Atlantis;Workshop;2023-03-01;;;;",  # line 3: unknown municipality
            "Elbasan;Party;31.02.2023;;;;",  # line 4: unknown kind, impossible date
            "Kumanovo;Training;2099-01-01;done;Weather;Atlantis;",  # line 5: three problems
            "Brčko;action plan;;;;;",  # line 6: no date
            "Danilovgrad;Roundtable;2023-02-10;done;Youth;;says otherwise",  # line 7: clash
        ]
    ).encode("utf-8-sig")
    reply = admin.post_form(
        "/en/staff/engagements/import",
        {"engagements_file": (io.BytesIO(data), "engagements.csv")},
        content_type="multipart/form-data",
    )
    assert reply.status_code == 422
    html = reply.get_data(as_text=True)
    problems = re.findall(r"<li>Line (\d+): ([^<]*)</li>", html)
    lines = [int(line) for line, _ in problems]
    assert lines == [3, 4, 4, 5, 5, 5, 6, 7], problems
    text = " ".join(message for _, message in problems)
    for expected in (
        "Unknown municipality “Atlantis”",
        "Unknown kind “Party”",
        "“31.02.2023” is not a date",
        "marked done, but its date 2099-01-01 is still to come",
        "Unknown domain “Weather”",
        "The date is missing.",
        "as on line 2",
    ):
        assert expected in text.replace("&#34;", '"'), expected
    assert "Nothing was imported: 8 problems" in html
    assert _engagements(app) == before
    assert _actions(app) == []


def test_an_import_is_refused_in_the_readers_language(app, client, make_user):
    assert Staff(client, make_user("admin")).login(lang="sr").status_code == 303
    data = "Општина;Врста;Датум\r\nАтлантида;Радионица;2023-03-01\r\n".encode()
    html = client.get("/sr/staff/engagements/import").get_data(as_text=True)
    reply = client.post(
        "/sr/staff/engagements/import",
        data={"csrf_token": csrf_token(html), "engagements_file": (io.BytesIO(data), "e.csv")},
        content_type="multipart/form-data",
    )
    assert reply.status_code == 422
    page = reply.get_data(as_text=True)
    assert "Ред 2:" in page and "Атлантида" in page
    assert "Unknown municipality" not in page


def test_a_clean_file_in_any_language_and_script_is_stored_and_a_second_import_updates(app):
    today = utcnow().date()
    later = today + timedelta(days=40)
    data = _xlsx(
        [
            ["Општина", "Врста", "Датум", "Статус", "Области", "Партнери", "Напомена"],
            ["Даниловград", "Округли сто", date(2023, 9, 12), "", "Поверење у институције",
             "", "Нови савјет за безбједност"],
            ["Elbasan", "Shkëmbim", "15.10.2024", "", "Youth; trust", "Kumanovo; Danilovgrad", ""],
            ["mk-kumanovo", "обука", "2024-11-20", "реализирано", "Училишта", "", "Психолози"],
            ["Brčko", "Akcioni plan", later.strftime("%d.%m.%Y."), "", "", "", ""],
            # A repeat of the second row: taken once.
            ["Elbasan", "peer exchange", "2024-10-15", "done", "trust; youth",
             "me-danilovgrad; Куманово", ""],
        ]
    )  # fmt: skip
    with app.app_context():
        report = import_engagements(data, None)
    assert report.ok, [(p.line, str(p.message)) for p in report.problems]
    assert (report.rows, report.created, report.merged) == (5, 4, 1)
    assert sorted(_engagements(app)) == sorted(
        [
            ("me-danilovgrad", "roundtable", "2023-09-12", "done", ["trust"], [],
             "Нови савјет за безбједност"),
            ("al-elbasan", "peer_exchange", "2024-10-15", "done", ["trust", "youth"],
             ["me-danilovgrad", "mk-kumanovo"], ""),
            ("mk-kumanovo", "training", "2024-11-20", "done", ["schools"], [], "Психолози"),
            # No status: a day still to come is planned.
            ("ba-brcko", "action_plan", later.isoformat(), "planned", [], [], ""),
        ]
    )  # fmt: skip
    again = _xlsx(
        [
            ["municipality", "kind", "date", "note"],
            ["Danilovgrad", "roundtable", "2023-09-12", "A corrected note"],
            ["Kumanovo", "training", "2024-11-20", "Психолози"],
        ]
    )
    with app.app_context():
        report = import_engagements(again, None)
    assert report.ok and (report.created, report.updated) == (0, 2)
    rows = {row[0]: row for row in _engagements(app)}
    assert len(_engagements(app)) == 4
    assert rows["me-danilovgrad"][6] == "A corrected note"
    # The second file has no domains column: the row says "no domains".
    assert rows["mk-kumanovo"][4] == []


def test_the_import_page_stores_a_clean_file_and_audits_it(app, staff):
    admin = staff("admin")
    data = b"municipality,kind,date\r\nme-danilovgrad,roundtable,2023-02-10\r\n"
    reply = admin.post_form(
        "/en/staff/engagements/import",
        {"engagements_file": (io.BytesIO(data), "e.csv")},
        content_type="multipart/form-data",
    )
    assert reply.status_code == 303
    assert len(_engagements(app)) == 1
    assert _actions(app) == ["engagements_imported"]


# --- the exchange planner -------------------------------------------------------------


@pytest.fixture
def scored(app, make_response):
    """Factory: a submitted response with the given scale answers ("dk" for the rest)."""
    with app.app_context():
        campaign = db.session.scalar(select(Campaign).order_by(Campaign.id))
        names = list(
            db.session.scalars(
                select(Question.name).where(
                    Question.version_id == campaign.version_id, Question.type == "scale"
                )
            )
        )

    def make(municipality: str, **scores: str) -> int:
        return make_response(municipality=municipality, **{**dict.fromkeys(names, "dk"), **scores})

    return make


def test_an_exchange_from_the_planner_becomes_planned_engagements_for_host_and_visitors(
    app, client, staff, scored
):
    app.config["MIN_GROUP_SIZE"] = 1  # one respondent a city: the arithmetic, not the rule
    scored("al-elbasan", youth_engagement_need="5", youth_engagement_capacity="1")
    scored("mk-kumanovo", youth_engagement_need="5", youth_engagement_capacity="2")
    scored("me-danilovgrad", youth_engagement_need="2", youth_engagement_capacity="5")
    admin = staff("admin")
    with app.app_context():
        campaign_id = db.session.scalar(select(Campaign.id).order_by(Campaign.id))
    planner = client.get(f"/en/staff/campaigns/{campaign_id}/exchange").get_data(as_text=True)
    plan_url = f"/en/staff/campaigns/{campaign_id}/exchange/youth/plan"
    assert plan_url in planner
    page = client.get(plan_url).get_data(as_text=True)
    assert 'value="me-danilovgrad"' in page  # the host the planner suggests
    day = (utcnow().date() + timedelta(days=60)).isoformat()
    form = {
        "host": "me-danilovgrad",
        "visitors": ["al-elbasan", "mk-kumanovo"],
        "held_on": day,
        "note": "Youth engagement",
    }
    reply = admin.post_form(plan_url, form)
    assert reply.status_code == 303
    expected = [
        ("me-danilovgrad", "peer_exchange", day, "planned", ["youth"],
         ["al-elbasan", "mk-kumanovo"], "Youth engagement"),
        ("al-elbasan", "peer_exchange", day, "planned", ["youth"],
         ["me-danilovgrad", "mk-kumanovo"], "Youth engagement"),
        ("mk-kumanovo", "peer_exchange", day, "planned", ["youth"],
         ["al-elbasan", "me-danilovgrad"], "Youth engagement"),
    ]  # fmt: skip
    assert _engagements(app) == expected
    # The same exchange again (a double click): nobody gets it twice.
    assert admin.post_form(plan_url, form).status_code == 303
    assert _engagements(app) == expected
    assert _actions(app) == ["exchange_planned", "exchange_planned"]
    # Each is marked done on its own.
    with app.app_context():
        host = db.session.scalar(select(Engagement.id).order_by(Engagement.id))
        records.mark_done(host)
    assert [row[3] for row in _engagements(app)] == ["done", "planned", "planned"]


def test_an_exchange_refuses_a_host_or_visitor_the_planner_did_not_offer(
    app, client, staff, scored
):
    app.config["MIN_GROUP_SIZE"] = 1
    scored("al-elbasan", youth_engagement_need="5", youth_engagement_capacity="1")
    scored("me-danilovgrad", youth_engagement_need="2", youth_engagement_capacity="5")
    admin = staff("admin")
    with app.app_context():
        campaign_id = db.session.scalar(select(Campaign.id).order_by(Campaign.id))
    plan_url = f"/en/staff/campaigns/{campaign_id}/exchange/youth/plan"
    for form, message in (
        ({"host": "al-elbasan", "visitors": ["al-elbasan"]}, "cannot also be a visitor"),
        ({"other_host": "xx-nowhere", "visitors": ["al-elbasan"]}, "the host from the lists"),
        ({"host": "me-danilovgrad", "visitors": ["rs-novi-sad"]}, "from the list"),
        ({"host": "me-danilovgrad", "visitors": []}, "at least one visiting municipality"),
        ({"host": "me-danilovgrad", "visitors": ["al-elbasan"], "held_on": ""}, "planned date"),
    ):
        reply = admin.post_form(plan_url, {"held_on": "2027-05-01", **form})
        assert reply.status_code == 422
        assert message in reply.get_data(as_text=True)
    assert _engagements(app) == []


# --- the municipality's timeline ------------------------------------------------------


def _timeline_headings(html: str) -> list[str]:
    listing = html.split('<ol class="timeline-list">', 1)[1].split("</ol>", 1)[0]
    return [
        re.sub(r"<[^>]+>|\s+", " ", heading).strip()
        for heading in re.findall(r"<h3>(.*?)</h3>", listing, re.S)
    ]


def test_the_timeline_shows_rounds_and_engagements_in_date_order(app, client, staff, scored):
    app.config["MIN_GROUP_SIZE"] = 1
    scored("me-danilovgrad", youth_engagement_need="4", youth_engagement_capacity="2")
    with app.app_context(), write_transaction():
        campaign = db.session.scalar(select(Campaign).order_by(Campaign.id))
        campaign.opens_at = datetime(2024, 3, 1)
        opened = campaign.opens_at.date()
        name = campaign.name
    _add(app, kind="training", day=(opened + timedelta(days=200)).isoformat())
    _add(app, kind="roundtable", day=(opened - timedelta(days=300)).isoformat())
    _add(app, kind="workshop", day="2099-01-01", status="planned")
    _add(app, town="al-elbasan", kind="study_visit", day=opened.isoformat())  # another town
    staff("admin")
    html = client.get("/en/staff/municipalities/me-danilovgrad").get_data(as_text=True)
    headings = _timeline_headings(html)
    kinds = [
        "Roundtable" if "Roundtable" in h else "Training" if "Training" in h
        else "Workshop" if "Workshop" in h else "Round" if name in h else h
        for h in headings
    ]  # fmt: skip
    assert kinds == ["Roundtable", "Round", "Training", "Workshop"]
    assert "Study visit" not in html
    # The chart numbers its marks as the list does: four marks, 1 to 4, one a round.
    svg = html.split("<svg", 1)[1].split("</svg>", 1)[0]
    assert re.findall(r'class="mark-number[^"]*">(\d+)<', svg) == ["1", "2", "3", "4"]
    assert svg.count('class="mark round"') == 1 and svg.count('class="mark planned"') == 1
    # The round's domain gaps, worked out by hand: gap +2 (need 4, capacity 2).
    assert "Domain gaps in this round" in html
    youth_row = re.search(r"<tr><th scope=\"row\">Youth[^<]*</th>(.*?)</tr>", html, re.S)
    assert youth_row is not None
    cells = re.findall(r"<td>([^<]*)</td>", youth_row.group(1))
    assert cells == ["+2.0", "4.0", "2.0"]


def test_a_round_whose_group_is_too_small_shows_that_it_was_answered_and_no_figures(
    app, client, staff, scored
):
    app.config["MIN_GROUP_SIZE"] = 5
    scored("me-danilovgrad", youth_engagement_need="4", youth_engagement_capacity="2")
    staff("admin")
    html = client.get("/en/staff/municipalities/me-danilovgrad").get_data(as_text=True)
    assert "by fewer than 5 respondents" in html
    assert "Domain gaps in this round" not in html
    assert "1 respondent" not in html
    # Five respondents: shown.
    for _ in range(4):
        scored("me-danilovgrad", youth_engagement_need="4", youth_engagement_capacity="2")
    html = client.get("/en/staff/municipalities/me-danilovgrad").get_data(as_text=True)
    assert "5 respondents" in html and "Domain gaps in this round" in html


def test_a_translator_sees_the_timeline_without_the_profile_figures(app, client, make_user, scored):
    app.config["MIN_GROUP_SIZE"] = 1
    scored("me-danilovgrad", youth_engagement_need="4", youth_engagement_capacity="2")
    assert Staff(client, make_user("translator")).login().status_code == 303
    html = client.get("/en/staff/municipalities/me-danilovgrad").get_data(as_text=True)
    assert "Assessment round" in html
    assert "Domain gaps in this round" not in html


def test_an_unknown_municipality_has_no_page(app, client, staff):
    staff("admin")
    assert client.get("/en/staff/municipalities/xx-nowhere").status_code == 404


def test_the_log_filters_by_kind_status_domain_and_municipality(app, client, staff):
    _add(app, kind="training", domains=["schools"])
    _add(app, town="mk-kumanovo", kind="training", day="2024-11-20", domains=["schools"])
    _add(app, town="mk-kumanovo", kind="workshop", day="2099-01-01", status="planned")
    staff("admin")

    def count(query: str) -> int:
        html = client.get(f"/en/staff/engagements?{query}").get_data(as_text=True)
        return int(re.search(r"<p>(\d+) engagements?\b", html).group(1))

    assert count("") == 3
    assert count("kind=training") == 2
    assert count("status=planned") == 1
    assert count("domain=schools") == 2
    assert count("area=mk-kumanovo") == 2
    assert count("country=ME") == 1
    assert count("kind=nonsense") == 3  # a filter that cannot be right is dropped
    with app.app_context():
        assert db.session.scalar(select(func.count(Engagement.id))) == 3
