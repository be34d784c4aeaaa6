"""The read-only API as analysts' tools use it: tokens × URLs, filters and pages of
responses, JSON and CSV, conditional requests, no cookies and no redirects."""

from __future__ import annotations

import csv
import hashlib
import io
from datetime import timedelta

import pytest
from sqlalchemy import func, select

from surveyapp.core.database import write_transaction
from surveyapp.extensions import db
from surveyapp.models import ApiToken, AuditEvent, Response, User
from surveyapp.models.base import utcnow
from tests.api_support import bearer, campaign_id, make_token

#: Every data URL (``{campaign}`` and ``{version}`` filled in) and the scope it needs.
URLS = {
    "/api/v1/campaigns": "profiles",
    "/api/v1/municipalities?country=MK": "profiles",
    "/api/v1/questionnaires": "profiles",
    "/api/v1/questionnaires/{version}": "profiles",
    "/api/v1/profiles?campaign={campaign}": "profiles",
    "/api/v1/profiles?campaign={campaign}&area=mk-cair&format=csv": "profiles",
    "/api/v1/responses?campaign={campaign}": "responses",
    "/api/v1/responses?campaign={campaign}&format=csv": "responses",
}
TOKENS = ["none", "unknown", "expired", "revoked", "profiles", "responses"]


def _url(app, template: str) -> str:
    cid = campaign_id(app)
    with app.app_context():
        from surveyapp.models import Campaign

        version = db.session.get(Campaign, cid).version_id
    return template.format(campaign=cid, version=version)


def _secret(app, kind: str) -> str | None:
    if kind == "none":
        return None
    if kind == "unknown":
        return "sva_" + "x" * 43
    if kind in ("expired", "revoked"):
        return make_token(app, "analyst", "responses", kind)
    return make_token(app, "analyst", kind)


@pytest.mark.parametrize("kind", TOKENS)
def test_every_url_answers_each_kind_of_token_as_its_scope_says(app, client, make_response, kind):
    make_response()
    secret = _secret(app, kind)
    problems = []
    for template, scope in URLS.items():
        reply = client.get(_url(app, template), headers=bearer(secret))
        if kind in ("none", "unknown", "expired", "revoked"):
            expected = 401
        elif kind == "profiles" and scope == "responses":
            expected = 403
        else:
            expected = 200
        if reply.status_code != expected:
            problems.append(f"{kind} {template}: {reply.status_code}, not {expected}")
        if expected == 401:
            assert reply.headers["WWW-Authenticate"].startswith("Bearer")
        if expected != 200:
            assert reply.is_json and reply.get_json()["code"] == expected
            assert "respondent" not in reply.get_data(as_text=True)
    assert not problems, "\n".join(problems)


#: Role -> URLs its tokens may read (any scope is narrowed by the role).
ROLE_READS = {
    "admin": set(URLS),
    "analyst": set(URLS),
    "translator": {
        "/api/v1/municipalities?country=MK",
        "/api/v1/questionnaires",
        "/api/v1/questionnaires/{version}",
    },
}


@pytest.mark.parametrize("role", sorted(ROLE_READS))
def test_a_token_never_reads_more_than_its_owners_role(app, client, role):
    secret = make_token(app, role, "responses")
    for template in URLS:
        status = client.get(_url(app, template), headers=bearer(secret)).status_code
        assert status == (200 if template in ROLE_READS[role] else 403), (role, template)


def test_a_role_taken_away_or_an_account_switched_off_counts_at_once(app, client):
    secret = make_token(app, "analyst", "responses", email="ana@example.org")
    url = _url(app, "/api/v1/responses?campaign={campaign}")
    assert client.get(url, headers=bearer(secret)).status_code == 200
    with app.app_context(), write_transaction():
        db.session.scalar(select(User).where(User.email == "ana@example.org")).role = "translator"
    assert client.get(url, headers=bearer(secret)).status_code == 403
    with app.app_context(), write_transaction():
        db.session.scalar(select(User).where(User.email == "ana@example.org")).active = False
    reply = client.get("/api/v1/questionnaires", headers=bearer(secret))
    assert reply.status_code == 401 and "switched off" in reply.get_json()["message"]


def test_the_secret_is_kept_only_as_its_hash(app):
    secret = make_token(app)
    with app.app_context():
        token = db.session.scalar(select(ApiToken))
        assert token.token_hash == hashlib.sha256(secret.encode()).hexdigest()
        assert secret[len(token.prefix) :] not in (token.prefix, token.name)
        assert secret.startswith(token.prefix) and len(secret) > 40


def test_every_use_is_in_the_audit_log_and_the_last_use_is_kept(app, client):
    secret = make_token(app, "analyst", "profiles")
    expired = make_token(app, "analyst", "profiles", "expired")
    client.get("/api/v1/campaigns", headers=bearer(secret))
    client.get("/api/v1/municipalities?country=RS", headers=bearer(secret))
    client.get(_url(app, "/api/v1/responses?campaign={campaign}"), headers=bearer(secret))
    client.get("/api/v1/campaigns", headers=bearer(expired))
    with app.app_context():
        events = list(
            db.session.scalars(
                select(AuditEvent).where(AuditEvent.action == "api_request").order_by(AuditEvent.id)
            )
        )
        outcomes = [
            (e.details["path"], e.details.get("query"), e.details["outcome"]) for e in events
        ]
        assert outcomes[:2] == [
            ("/api/v1/campaigns", None, "ok"),
            ("/api/v1/municipalities", "country=RS", "ok"),
        ]
        assert outcomes[2][2] == "forbidden" and outcomes[3][2] == "expired"
        assert all(e.user_id is not None and e.target.startswith("api_token:") for e in events)
        used = db.session.scalars(select(ApiToken).order_by(ApiToken.id)).all()
        assert used[0].last_used_at is not None and used[1].last_used_at is None


def test_a_token_is_limited_in_rate(app_with, make_user):
    app = app_with(API_TOKEN_LIMITS="3 per minute")
    client = app.test_client()
    secret = make_token(app, "analyst", "profiles")
    statuses = [
        client.get("/api/v1/campaigns", headers=bearer(secret)).status_code for _ in range(4)
    ]
    assert statuses == [200, 200, 200, 429]
    reply = client.get("/api/v1/campaigns", headers=bearer(secret))
    assert reply.status_code == 429 and int(reply.headers["Retry-After"]) >= 1
    other = make_token(app, "analyst", "profiles", email="other@example.org")
    assert client.get("/api/v1/campaigns", headers=bearer(other)).status_code == 200


def test_guessing_tokens_is_limited_per_address(app_with):
    app = app_with(API_REFUSED_LIMITS="2 per minute")
    client = app.test_client()
    statuses = [
        client.get("/api/v1/campaigns", headers=bearer(f"sva_guess{n}")).status_code
        for n in range(3)
    ]
    assert statuses == [401, 401, 429]


def test_the_api_sets_no_cookie_needs_no_csrf_and_never_redirects(app, client, make_response):
    make_response()
    secret = make_token(app)
    client.get("/en/")  # a language cookie from the pages must not matter
    for template in URLS:
        reply = client.get(_url(app, template), headers=bearer(secret))
        assert reply.status_code == 200, template
        assert "Set-Cookie" not in reply.headers, template
    # A trailing slash is not found, never redirected to the data.
    assert client.get("/api/v1/campaigns/", headers=bearer(secret)).status_code == 404
    reply = client.post("/api/v1/campaigns", headers=bearer(secret))
    assert reply.status_code == 405 and reply.is_json


def _responses(app, make_response) -> dict[str, int]:
    ids = {
        "cair_mayor": make_response(municipality="mk-cair", role="mayor"),
        "cair_councillor": make_response(municipality="mk-cair", role="councillor", variant=1),
        "bitola_mayor": make_response(municipality="mk-bitola", role="mayor", variant=2),
        "rs_mayor": make_response(municipality="rs-novi-sad", role="mayor", variant=3),
        "draft": make_response(municipality="mk-cair", role="mayor", submit=False),
    }
    return ids


def test_responses_are_filtered_and_paged(app, client, make_response):
    ids = _responses(app, make_response)
    secret = make_token(app)
    base = _url(app, "/api/v1/responses?campaign={campaign}")

    def listed(query: str = "") -> list[int]:
        reply = client.get(base + query, headers=bearer(secret))
        assert reply.status_code == 200, reply.get_data(as_text=True)
        return [row["response_id"] for row in reply.get_json()["responses"]]

    submitted = [ids[k] for k in ("cair_mayor", "cair_councillor", "bitola_mayor", "rs_mayor")]
    assert listed() == submitted
    assert listed("&country=MK") == submitted[:3]
    assert listed("&municipality=mk-cair") == submitted[:2]
    assert listed("&role=mayor&country=MK") == [ids["cair_mayor"], ids["bitola_mayor"]]
    assert listed("&status=in_progress") == [ids["draft"]]
    today = utcnow().date()
    assert listed(f"&since={today}&until={today}") == submitted
    assert listed(f"&until={today - timedelta(days=1)}") == []
    first = client.get(base + "&per_page=3", headers=bearer(secret)).get_json()
    assert (first["total"], first["pages"], len(first["responses"])) == (4, 2, 3)
    second = client.get(first["next"], headers=bearer(secret)).get_json()
    assert [r["response_id"] for r in second["responses"]] == [ids["rs_mayor"]]
    assert second["next"] is None
    assert client.get(base + "&municipality=xx-nowhere", headers=bearer(secret)).status_code == 404
    assert client.get(base + "&role=king", headers=bearer(secret)).status_code == 422
    assert client.get(base + "&per_page=501", headers=bearer(secret)).status_code == 422


def test_responses_come_with_codes_or_labels_in_a_language(app, client, make_response):
    make_response(municipality="mk-cair", role="mayor")
    secret = make_token(app)
    base = _url(app, "/api/v1/responses?campaign={campaign}")
    coded = client.get(base, headers=bearer(secret)).get_json()["responses"][0]
    assert coded["role"] == "mayor" and coded["municipality_code"] == "mk-cair"
    labelled = client.get(base + "&labels=mk", headers=bearer(secret)).get_json()["responses"][0]
    assert labelled["municipality"] == "Чаир" and labelled["role"] != "mayor"
    assert labelled["submitted_at"].endswith("Z")
    # The same columns and cells as the export page's CSV (codes).
    text = client.get(base + "&format=csv", headers=bearer(secret)).get_data().decode("utf-8")
    assert text.startswith("\ufeff")
    rows = list(csv.DictReader(io.StringIO(text.lstrip("\ufeff"))))
    assert rows[0]["municipality_code"] == "mk-cair" and rows[0]["role"] == "mayor"
    columns = client.get(base, headers=bearer(secret)).get_json()["columns"]
    assert list(rows[0]) == columns


def test_a_refresh_that_finds_nothing_new_is_a_304(app, client, make_response):
    make_response()
    secret = make_token(app)
    for template in URLS:
        url = _url(app, template)
        first = client.get(url, headers=bearer(secret))
        etag = first.headers["ETag"]
        again = client.get(url, headers={**bearer(secret), "If-None-Match": etag})
        assert again.status_code == 304 and again.get_data() == b"", template
    url = _url(app, "/api/v1/responses?campaign={campaign}")
    first = client.get(url, headers=bearer(secret))
    since = first.headers["Last-Modified"]
    unchanged = client.get(url, headers={**bearer(secret), "If-Modified-Since": since})
    assert unchanged.status_code == 304
    make_response(municipality="mk-bitola", variant=2)
    changed = client.get(url, headers={**bearer(secret), "If-None-Match": first.headers["ETag"]})
    assert changed.status_code == 200 and changed.get_json()["total"] == 2
    profile = _url(app, "/api/v1/profiles?campaign={campaign}")
    assert (
        client.get(
            profile, headers={**bearer(secret), "If-None-Match": first.headers["ETag"]}
        ).status_code
        == 200
    )


def test_marking_a_response_as_a_test_changes_the_etag_and_takes_it_out(app, client, make_response):
    kept = make_response()
    marked = make_response(municipality="mk-bitola", variant=2)
    secret = make_token(app)
    url = _url(app, "/api/v1/responses?campaign={campaign}")
    first = client.get(url, headers=bearer(secret))
    with app.app_context(), write_transaction():
        db.session.get(Response, marked).marked = "test"
    again = client.get(url, headers={**bearer(secret), "If-None-Match": first.headers["ETag"]})
    assert again.status_code == 200
    assert [r["response_id"] for r in again.get_json()["responses"]] == [kept]


def test_questionnaires_come_with_their_texts_per_language(app, client):
    secret = make_token(app, "translator", "profiles")
    listing = client.get("/api/v1/questionnaires", headers=bearer(secret)).get_json()
    version = listing[0]["id"]
    assert "mk" in listing[0]["languages"] and "sr-Latn" in listing[0]["languages"]
    detail = client.get(
        f"/api/v1/questionnaires/{version}?lang=mk&lang=sr-Latn", headers=bearer(secret)
    ).get_json()
    assert set(detail["title"]) == {"mk", "sr-Latn"}
    question = detail["pages"][0]["questions"][0]
    assert question["label"]["mk"] and question["label"]["mk"] != question["label"]["sr-Latn"]
    scaled = [q for p in detail["pages"] for q in p["questions"] if q["type"] == "scale"]
    assert scaled and scaled[0]["domain"] and scaled[0]["choices"][0]["label"]["mk"]
    text = (
        client.get(f"/api/v1/questionnaires/{version}?lang=mk&format=csv", headers=bearer(secret))
        .get_data()
        .decode("utf-8-sig")
    )
    assert text.splitlines()[0].endswith("label_mk")
    assert client.get("/api/v1/questionnaires/99999", headers=bearer(secret)).status_code == 404


def test_municipalities_carry_their_names_in_each_language(app, client):
    secret = make_token(app, "translator", "profiles")
    towns = client.get("/api/v1/municipalities?country=MK", headers=bearer(secret)).get_json()
    cair = next(t for t in towns if t["code"] == "mk-cair")
    assert cair["names"]["mk"] == "Чаир" and cair["names"]["en"] == "Čair"
    assert {t["country"] for t in towns} == {"MK"}
    with app.app_context():
        from surveyapp.models import Municipality

        assert len(towns) == db.session.scalar(
            select(func.count(Municipality.id)).where(Municipality.code.like("mk-%"))
        )


def test_a_misspelt_filter_is_refused_not_ignored(app, client):
    secret = make_token(app)
    reply = client.get("/api/v1/municipalities?countyr=MK", headers=bearer(secret))
    assert reply.status_code == 422
    assert "countyr" in reply.get_json()["errors"]["query"]


def test_a_signed_in_session_is_no_token(app, client, staff):
    staff("admin")  # signed in at this client: its session cookie goes with every request
    reply = client.get("/api/v1/campaigns")
    assert reply.status_code == 401
