"""Importing contacts from CSV or XLSX: headers in any of the app's languages,
municipalities by code or by name in any language, every bad row reported with its
line and nothing imported until the file is clean, duplicates merged by e-mail."""

from __future__ import annotations

import io
import zipfile

import openpyxl
import pytest
from sqlalchemy import select

from surveyapp.extensions import db
from surveyapp.models import AuditEvent, Contact
from surveyapp.outreach.contact_import import import_contacts
from tests.outreach_support import STAFF, make_contact


def _csv(*lines: str, encoding: str = "utf-8-sig") -> bytes:
    return "\r\n".join(lines).encode(encoding)


def _xlsx(rows: list[list[object]]) -> bytes:
    workbook = openpyxl.Workbook()
    sheet = workbook.active
    for row in rows:
        sheet.append(row)
    buffer = io.BytesIO()
    workbook.save(buffer)
    return buffer.getvalue()


def _import(app, data: bytes):
    with app.app_context():
        return import_contacts(data, STAFF)


def _contacts(app) -> dict[str, tuple]:
    with app.app_context():
        return {
            c.email: (c.municipality.code, c.name, c.role, c.language)
            for c in db.session.scalars(select(Contact))
        }


def test_a_bosnian_headed_csv_with_names_in_every_script_is_imported(app):
    data = _csv(
        "Ime i prezime;E-mail;Uloga;Općina;Jezik",
        "Ана Петровска;ANA@example.org;Градоначалник;Чаир;mk",  # Macedonian, Cyrillic name
        "Arben Krasniqi;arben@example.org;Këshilltar;Çair;Shqip",  # Albanian name of Čair
        "Milan Jović;milan@example.org;odbornik;Novi Sad;Srpski",  # Serbian Latin
        "Марко Марковић;marko@example.org;Одборник у скупштини општине;Нови Сад;",
        "Vesna Vuković;vesna@example.org;Municipal staff;Opština Kotor;crnogorski",
        "Edin Hadžić;edin@example.org;deputy_mayor;ba-centar-sarajevo;bs",
    )
    report = _import(app, data)
    assert report.ok and report.created == 6 and report.rows == 6
    assert _contacts(app) == {
        "ana@example.org": ("mk-cair", "Ана Петровска", "mayor", "mk"),
        "arben@example.org": ("mk-cair", "Arben Krasniqi", "councillor", "sq"),
        "milan@example.org": ("rs-novi-sad", "Milan Jović", "councillor", "sr-Latn"),
        # No language given: the first language of the municipality's country.
        "marko@example.org": ("rs-novi-sad", "Марко Марковић", "councillor", "sr"),
        "vesna@example.org": ("me-kotor", "Vesna Vuković", "municipal_staff", "cnr"),
        "edin@example.org": ("ba-centar-sarajevo", "Edin Hadžić", "deputy_mayor", "bs"),
    }
    with app.app_context():
        event = db.session.scalar(
            select(AuditEvent).where(AuditEvent.action == "contacts_imported")
        )
        assert event.details["created"] == 6


def test_an_xlsx_with_serbian_cyrillic_headers_is_imported(app):
    data = _xlsx(
        [
            ["Име и презиме", "Е-пошта", "Улога", "Општина", "Држава", "Напомена"],
            ["Милан Јовић", "milan@example.org", "одборник", "Centar", "MK", "x"],
            # Kupres is in both entities: the name as the app writes it tells them apart.
            ["Ana", "ana@example.org", "mayor", "Купрес (РС)", "Bosna i Hercegovina", None],
        ]
    )
    report = _import(app, data)
    assert [str(p.message) for p in report.problems] == []
    assert report.ignored_headers == ["Напомена"]
    contacts = _contacts(app)
    # "Centar" is a municipality of Skopje and one of Sarajevo: the country settles it.
    assert contacts["milan@example.org"] == ("mk-centar", "Милан Јовић", "councillor", "mk")
    assert contacts["ana@example.org"] == ("ba-kupres-rs", "Ana", "mayor", "bs")


def test_every_bad_row_is_reported_with_its_line_and_nothing_is_imported(app):
    data = _csv(
        "email,name,role,municipality,language",
        "good@example.org,Good Person,mayor,mk-cair,mk",
        "not-an-address,Bad Mail,mayor,mk-cair,mk",
        "role@example.org,Bad Role,emperor,mk-cair,mk",
        "town@example.org,Bad Town,mayor,Atlantis,mk",
        "shared@example.org,Shared Name,mayor,Kupres,bs",
        "lang@example.org,Bad Language,mayor,mk-cair,Klingon",
        'multi@example.org,"Two\nLines",mayor,mk-cair,mk',
        ",No Mail,mayor,mk-cair,mk",
        "good2@example.org,Good Two,councillor,al-tirane,sq",
    )
    report = _import(app, data)
    assert not report.ok
    lines = {problem.line: str(problem.message) for problem in report.problems}
    assert set(lines) == {3, 4, 5, 6, 7, 8, 10}
    assert "“not-an-address” is not an e-mail address." == lines[3]
    assert "emperor" in lines[4] and "Atlantis" in lines[5]
    assert "Kupres (FBiH) (ba-kupres-fbih), Kupres (RS) (ba-kupres-rs)" in lines[6]
    assert "add a country column" in lines[6] and "Klingon" in lines[7]
    assert "one line" in lines[8] and "missing" in lines[10]
    assert _contacts(app) == {}


def test_the_page_shows_the_problems_with_their_lines(app, staff):
    admin = staff("admin")
    data = _csv(
        "email,name,role,municipality", "x,Bad,mayor,mk-cair", "y@example.org,Y,mayor,mk-cair"
    )
    html = admin.client.get("/en/staff/contacts/import").get_data(as_text=True)
    from tests.conftest import csrf_token

    reply = admin.client.post(
        "/en/staff/contacts/import",
        data={"csrf_token": csrf_token(html), "contacts_file": (io.BytesIO(data), "list.csv")},
        content_type="multipart/form-data",
    )
    body = reply.get_data(as_text=True)
    assert reply.status_code == 422
    assert "Nothing was imported: 1 problem" in body and "Line 2:" in body
    assert _contacts(app) == {}
    good = _csv("email,name,role,municipality", "y@example.org,Y,mayor,mk-cair")
    html = admin.client.get("/en/staff/contacts/import").get_data(as_text=True)
    reply = admin.client.post(
        "/en/staff/contacts/import",
        data={"csrf_token": csrf_token(html), "contacts_file": (io.BytesIO(good), "list.csv")},
        content_type="multipart/form-data",
    )
    assert reply.status_code == 303
    assert "1 added" in admin.client.get(reply.location).get_data(as_text=True)


def test_duplicates_are_merged_by_address_within_the_file_and_with_contacts(app):
    with app.app_context():
        make_contact("ana@example.org", "mk-cair", "mayor", "mk", "Ana P.")
        make_contact("same@example.org", "mk-cair", "mayor", "mk", "Same")
    data = _csv(
        "email,name,role,municipality,language",
        "besa@example.org,Besa Hoxha,mayor,al-tirane,sq",
        "BESA@example.org,Besa Hoxha,Mayor,Tiranë,Albanian",  # the same, written otherwise
        "ana@example.org,Ана Петровска,deputy mayor,mk-cair,",  # updates Ana; keeps her language
        "same@example.org,Same,mayor,mk-cair,mk",
    )
    report = _import(app, data)
    assert report.ok
    assert (report.created, report.updated, report.unchanged, report.merged) == (1, 1, 1, 1)
    contacts = _contacts(app)
    assert contacts["besa@example.org"] == ("al-tirane", "Besa Hoxha", "mayor", "sq")
    assert contacts["ana@example.org"] == ("mk-cair", "Ана Петровска", "deputy_mayor", "mk")


def test_a_repeated_address_that_says_something_else_is_an_error(app):
    data = _csv(
        "email,name,role,municipality",
        "besa@example.org,Besa Hoxha,mayor,al-tirane",
        "besa@example.org,Besa Hoxha,councillor,al-durres",
    )
    report = _import(app, data)
    assert [problem.line for problem in report.problems] == [3]
    assert "line 2" in str(report.problems[0].message)
    assert "municipality, role" in str(report.problems[0].message)
    assert _contacts(app) == {}


@pytest.mark.parametrize(
    ("data", "expected"),
    [
        (b"", "The file is empty."),
        (_csv("name,role", "A,mayor"), "Not found: email, municipality."),
        (
            _csv("email,name,role,municipality", "a@b.org,Ana,mayor,mk-cair", encoding="cp1250")
            + "č".encode("cp1250"),
            "UTF-8",
        ),
        (b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1" + b"\0" * 100, ".xls"),
        (b"PK\x03\x04not really a zip", "could not be read"),
        (_csv("email,email,name,role,municipality"), "Two columns"),
        (_csv("email,name,role,municipality"), "no contacts"),
    ],
)
def test_files_that_cannot_be_read_are_refused_with_a_reason(app, data, expected):
    report = _import(app, data)
    assert not report.ok and expected in str(report.problems[0].message)


def test_an_xlsx_with_a_dtd_is_refused(app):
    good = _xlsx([["email", "name", "role", "municipality"], ["a@b.org", "A", "mayor", "mk-cair"]])
    source = zipfile.ZipFile(io.BytesIO(good))
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w") as target:
        for item in source.infolist():
            content = source.read(item)
            if item.filename == "xl/worksheets/sheet1.xml":
                content = b'<!DOCTYPE x [<!ENTITY a "aaaa">]>' + content
            target.writestr(item, content)
    report = _import(app, buffer.getvalue())
    assert "document type declaration" in str(report.problems[0].message)
    assert _contacts(app) == {}


def test_too_many_problems_are_counted_not_all_listed(app):
    rows = [f"bad{n},Name,mayor,mk-cair" for n in range(250)]
    report = _import(app, _csv("email,name,role,municipality", *rows))
    assert len(report.problems) == 200 and report.more_problems == 50
