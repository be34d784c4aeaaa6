"""Requests that used to reach users as a 500 (#13 finding 12): each gets a clear,
translated 4xx or form error and changes nothing."""

from __future__ import annotations

import pytest
from sqlalchemy import select

from config import TestConfig
from surveyapp import create_app
from surveyapp.extensions import db
from surveyapp.models import AuditEvent
from tests.conftest import Staff
from tests.plans import builtin_version

TOO_BIG = ["99999999999999999999", "2147483648", "9223372036854775808"]


@pytest.mark.parametrize("number", TOO_BIG)
def test_ids_beyond_the_database_integer_range_are_not_found(app, staff, number):
    admin = staff("admin")
    with app.app_context():
        version_id = builtin_version().id
    for path in (
        f"/en/staff/campaigns/{number}",
        f"/en/staff/campaigns/{number}/profile",
        f"/en/staff/campaigns/{number}/responses.csv",
        f"/en/staff/questionnaires/{number}",
        f"/en/staff/questions/{number}",
        f"/en/staff/translations/{number}/mk.po",
        f"/en/staff/questionnaires/{version_id}/preview/en/{number}",
    ):
        assert admin.client.get(path).status_code == 404, path
    closing = admin.post_form(
        f"/en/staff/campaigns/{number}/close", {}, form_page="/en/staff/campaigns"
    )
    assert closing.status_code == 404


@pytest.mark.parametrize("question", ["abc", "1e3", "-1", "99999999999999999999"])
def test_a_question_filter_that_is_not_an_id_is_not_found(app, staff, question):
    analyst = staff("analyst")
    with app.app_context():
        version_id = builtin_version().id
    texts = f"/en/staff/questionnaires/{version_id}/texts?question={question}"
    assert analyst.client.get(texts).status_code == 404


@pytest.mark.parametrize(
    "target",
    [
        "/en/staff/%0d%0aSet-Cookie:%20x=1",
        "/en/staff/%0aLocation:%20https://evil.example",
        "/%09/evil.example",
        "/%5C/evil.example",
        "//evil.example",
        "///evil.example",
        "https://evil.example",
        "/\\evil.example",
        "javascript:alert(1)",
    ],
)
def test_signing_in_never_follows_a_next_that_leaves_the_site(client, make_user, target):
    member = Staff(client, make_user("analyst"))
    signed_in = member.login(next_url=target)
    assert signed_in.status_code == 303
    assert signed_in.location == "/en/staff/", signed_in.location
    assert "Set-Cookie: x" not in str(signed_in.headers)


def test_the_language_cookie_is_secure_in_production(app):
    production = create_app(
        {
            **{k: getattr(TestConfig, k) for k in dir(TestConfig) if k.isupper()},
            "SQLALCHEMY_DATABASE_URI": app.config["SQLALCHEMY_DATABASE_URI"],
            "SESSION_COOKIE_SECURE": True,
            "PREFERRED_URL_SCHEME": "https",
        }
    )
    reply = production.test_client().get("/mk/", base_url="https://localhost")
    cookie = next(v for v in reply.headers.getlist("Set-Cookie") if v.startswith("lang="))
    assert "Secure" in cookie and "HttpOnly" in cookie
    assert reply.headers["Strict-Transport-Security"].startswith("max-age=31536000")
    with production.app_context():
        db.engine.dispose()  # its own pool: closed here, not by the garbage collector


def test_no_hsts_when_the_site_is_not_served_over_https(client):
    reply = client.get("/en/")
    assert "Strict-Transport-Security" not in reply.headers
    cookie = next(v for v in reply.headers.getlist("Set-Cookie") if v.startswith("lang="))
    assert "Secure" not in cookie


@pytest.mark.parametrize(
    "body",
    [b"", b"   \n", b"this is not a catalog", b"\x00\xff", b'msgid "x"\nmsgstr', b"# only\n"],
)
def test_an_empty_or_broken_catalog_upload_is_refused(app, staff, body):
    import io

    translator = staff("translator")
    with app.app_context():
        version_id = builtin_version().id
    upload = f"/en/staff/translations/{version_id}/upload"
    reply = translator.post_form(
        upload,
        {"language": "mk", "catalog": (io.BytesIO(body), "mk.po")},
        content_type="multipart/form-data",
    )
    html = reply.get_data(as_text=True)
    assert reply.status_code == 422, reply.status_code
    assert "The catalog was not imported" in html
    with app.app_context():
        actions = db.session.scalars(select(AuditEvent.action)).all()
    assert "translation_import" not in actions and "translation_import_refused" in actions


HUGE = "x" * 1_900_000  # 1.9 MB, under the 2 MB request limit


def test_huge_texts_in_staff_forms_are_refused_and_nothing_is_stored(app, staff):
    from sqlalchemy import func

    from surveyapp.models import TextEntry

    analyst = staff("analyst")
    with app.app_context():
        version = builtin_version()
        version_id, page_id = version.id, version.pages[0].id
    editor = f"/en/staff/questionnaires/{version_id}"
    for url, data, form_page in [
        ("/en/staff/questionnaires", {"name": "huge", "title": HUGE}, None),
        (f"{editor}/pages", {"title": HUGE}, editor),
        (f"{editor}/duplicate", {"new_name": HUGE}, editor),
        (
            f"/en/staff/pages/{page_id}/questions/new",
            {"name": "q", "type": "text", "label": HUGE},
            None,
        ),
        (f"{editor}/texts", {"text-0-en": HUGE}, None),
        (f"{editor}/texts", {"text-0-mk": HUGE}, None),
    ]:
        reply = analyst.post_form(url, data, form_page=form_page)
        assert reply.status_code in (200, 303, 400, 413, 422), (url, reply.status_code)
        if reply.status_code == 303:
            reply = analyst.client.get(reply.location)
        assert "at most" in reply.get_data(as_text=True), url
    with app.app_context():
        longest = db.session.scalar(select(func.max(func.length(TextEntry.text))))
        assert longest < 5000


def test_a_huge_password_or_translation_is_refused(app, client, make_user, staff):
    member = Staff(client, make_user("analyst"))
    refused = member.login(password=HUGE)
    assert refused.status_code in (200, 401, 422) and refused.status_code != 500
    translator = staff("translator")
    with app.app_context():
        version_id = builtin_version().id
    edit = f"/en/staff/translations/{version_id}/mk/edit?key=questionnaire.title"
    reply = translator.client.get(edit)
    if reply.status_code == 200:
        saved = translator.post_form(edit, {"text": HUGE})
        assert saved.status_code in (200, 422) and "at most" in saved.get_data(as_text=True)


def test_a_nul_byte_anywhere_in_a_form_or_query_is_a_bad_request(app, staff):
    analyst = staff("analyst")
    with app.app_context():
        from surveyapp.models import Campaign

        campaign_id = db.session.scalar(select(Campaign.id))
    invite = f"/en/staff/campaigns/{campaign_id}/invite"
    refused = analyst.post_form(invite, {"municipalities": ["mk-cair", "rs-\x00nis"]})
    assert refused.status_code == 400
    assert analyst.client.get("/en/staff/audit?action=x\x00").status_code == 400


def test_a_length_limit_speaks_the_staff_members_language(staff):
    analyst = staff("analyst")
    reply = analyst.post_form("/mk/staff/questionnaires", {"name": "long", "title": "x" * 301})
    assert "Најголем дозволен број знаци: 300." in reply.get_data(as_text=True)


@pytest.mark.parametrize(
    "version", [None, "", "abc", "-9223372036854775809", "99999999999999999999", "999999"]
)
def test_a_questionnaire_that_is_not_offered_is_refused_in_campaign_forms(app, staff, version):
    """Found by the scanner's payloads (test_scanner_payloads): a missing or huge
    questionnaire id in the campaign forms was a server error."""
    from surveyapp.models import Campaign

    analyst = staff("analyst")
    with app.app_context():
        campaign_id = db.session.scalar(select(Campaign.id))
        before = db.session.execute(select(Campaign.id, Campaign.version_id)).all()
    common = {"name": "Round two", "opens_on": "2025-03-15"}
    for url in ("/en/staff/campaigns", f"/en/staff/campaigns/{campaign_id}/edit"):
        data = {**common, **({"version": version} if version is not None else {})}
        reply = analyst.post_form(url, data)
        assert reply.status_code == 200, (url, reply.status_code)
        assert "Please choose a published questionnaire." in reply.get_data(as_text=True), url
    with app.app_context():
        assert db.session.execute(select(Campaign.id, Campaign.version_id)).all() == before
