"""Sessions kept at the server (docs/accounts.md): logging out ends a session wherever its
cookies were copied to; staff and residents' sessions run out; people see and end their
sessions, change their password, and admins end someone's sessions."""

from __future__ import annotations

import logging
import time
from datetime import UTC, datetime, timedelta
from typing import Any

import pytest
import sqlalchemy as sa
from flask import g
from freezegun import freeze_time

from pb import config
from pb.extensions import db
from pb.models import AccountSession
from pb.services import accounts, login_sessions
from tests.conftest import PASSWORD, csrf_token, text
from tests.factories import app_code, connect, enrolled, security_events

T0 = datetime.fromtimestamp(time.time() // 60 * 60, UTC)
FIREFOX = "Mozilla/5.0 (Windows NT 10.0; Win64; x64; rv:133.0) Gecko/20100101 Firefox/133.0"
IPHONE = ("Mozilla/5.0 (iPhone; CPU iPhone OS 17_5 like Mac OS X) AppleWebKit/605.1.15 "
          "(KHTML, like Gecko) Version/17.5 Mobile/15E148 Safari/604.1")
NEW_PASSWORD = "a different long passphrase"


@pytest.fixture(autouse=True)
def _security_log(caplog: Any) -> None:
    caplog.set_level(logging.INFO, logger="pb.security")


def log_in(client: Any, email: str, agent: str = FIREFOX, password: str = PASSWORD,
           **extra: Any) -> Any:
    return client.post("/account/login", data={"email": email, "password": password, **extra},
                       headers={"User-Agent": agent})


def logged_in(client: Any) -> bool:
    return client.get("/account/").status_code == 200


def copy_of(app: Any, client: Any, name: str) -> Any:
    """Return a new client holding only `client`'s cookie `name`, as someone who copied it."""
    other = app.test_client()
    cookie = client.get_cookie(name, domain="pb.test")
    assert cookie is not None, f"no {name} cookie"
    other.set_cookie(name, cookie.value, domain="pb.test")
    return other


def rows(user: Any) -> list[AccountSession]:
    return list(db.session.scalars(sa.select(AccountSession).where(
        AccountSession.user_id == user.id).order_by(AccountSession.id)))


# V7.4.1: after logout the session is ended at the server --------------------------------------


def test_copies_of_the_cookies_taken_before_logout_are_refused(app: Any, client: Any,
                                                               make_user: Any,
                                                               caplog: Any) -> None:
    user = make_user(email="kim@example.org")
    log_in(client, "kim@example.org", remember="y")
    stolen_session = copy_of(app, client, "session")
    stolen_remember = copy_of(app, client, "remember_token")
    assert logged_in(stolen_session) and logged_in(stolen_remember)
    client.post("/account/logout")
    assert not logged_in(client)
    assert not logged_in(stolen_session)
    assert not logged_in(stolen_remember)
    assert [r.ended_how for r in rows(user)] == ["logout"]
    assert [(e["account"], e["how"]) for e in security_events(caplog, "session.ended")] == [
        (user.id, "logout")]


def test_session_ids_from_before_sessions_were_kept_log_nobody_in(client: Any,
                                                                   make_user: Any) -> None:
    user = make_user(email="kim@example.org")
    for old in (str(user.id), f"{user.id}:0"):
        with client.session_transaction() as session:
            session["_user_id"] = old
        assert not logged_in(client)
    log_in(client, "kim@example.org")
    assert logged_in(client)


def test_only_the_browser_and_system_are_kept_and_the_token_only_hashed(
        client: Any, make_user: Any) -> None:
    user = make_user(email="kim@example.org")
    log_in(client, "kim@example.org", agent=IPHONE)
    with client.session_transaction() as session:
        token = session["_user_id"].split(":")[2]
    [row] = rows(user)
    assert (row.browser, row.system, row.staff) == ("Safari", "iPhone", False)
    assert row.token_hash != token and len(row.token_hash) == 64 and token not in row.token_hash


# V7.3.1, V7.3.2: staff and residents' sessions run out ---------------------------------------


def test_a_staff_session_ends_after_two_hours_unused(client: Any, make_user: Any,
                                                     caplog: Any) -> None:
    officer = make_user("officer", email="ola@example.org")
    with freeze_time(T0):
        log_in(client, "ola@example.org")
    with freeze_time(T0 + timedelta(minutes=119)):
        assert logged_in(client)  # each page counts as use
    with freeze_time(T0 + timedelta(minutes=119 + 119)):
        assert logged_in(client)
    with freeze_time(T0 + timedelta(minutes=119 + 119 + 120)):
        response = client.get("/account/")
        assert response.status_code == 302 and "/account/login" in response.headers["Location"]
    assert [r.ended_how for r in rows(officer)] == ["expired"]
    [ended] = security_events(caplog, "session.ended")
    assert (ended["account"], ended["how"], ended["reason"]) == (officer.id, "expired", "idle")


def test_a_staff_session_ends_twelve_hours_after_the_login_however_busy(
        client: Any, make_user: Any, caplog: Any) -> None:
    make_user("admin", email="ade@example.org")
    with freeze_time(T0):
        log_in(client, "ade@example.org", remember="y")
    for hour in range(1, 12):
        with freeze_time(T0 + timedelta(hours=hour)):
            assert logged_in(client)
    with freeze_time(T0 + timedelta(hours=12)):
        assert not logged_in(client)  # the "Keep me logged in" cookie too
    assert security_events(caplog, "session.ended")[0]["reason"] == "absolute"


def test_anyone_with_two_factor_login_gets_the_staff_limits(client: Any,
                                                            make_user: Any) -> None:
    user = make_user(email="kim@example.org")
    with freeze_time(T0):
        enrolled(user)
    with freeze_time(T0 + timedelta(minutes=1)):
        log_in(client, "kim@example.org")
        client.post("/account/login/code", data={"code": app_code(user)})
        assert logged_in(client)
    with freeze_time(T0 + timedelta(minutes=1 + 120)):
        assert not logged_in(client)


def test_a_socket_connect_counts_as_use(app: Any, client: Any, make_user: Any) -> None:
    officer = make_user("officer", email="ola@example.org")
    with freeze_time(T0):
        log_in(client, "ola@example.org")
    with freeze_time(T0 + timedelta(minutes=100)):
        g.pop("_login_user", None)  # the tests' app context keeps the last user loaded
        sock = connect(app, client)
        assert sock.is_connected("/live")
        sock.disconnect("/live")
    assert rows(officer)[0].last_seen_at == T0 + timedelta(minutes=100)
    with freeze_time(T0 + timedelta(minutes=100 + 119)):
        assert logged_in(client)


def test_a_residents_session_has_no_idle_limit_and_ends_after_thirty_days(
        app: Any, client: Any, make_user: Any) -> None:
    make_user(email="kim@example.org")
    with freeze_time(T0):
        log_in(client, "kim@example.org", remember="y")
        kept = client.get_cookie("remember_token", domain="pb.test").value
    with freeze_time(T0 + timedelta(days=29, hours=23)):
        assert logged_in(client)  # a month unused is fine
    with freeze_time(T0 + timedelta(days=30)):
        again = app.test_client()  # the cookie itself, however long a browser keeps it
        again.set_cookie("remember_token", kept, domain="pb.test")
        assert not logged_in(again)


def test_last_use_is_written_at_most_once_a_minute(client: Any, make_user: Any) -> None:
    user = make_user(email="kim@example.org")
    with freeze_time(T0):
        log_in(client, "kim@example.org")
    with freeze_time(T0 + timedelta(seconds=59)):
        logged_in(client)
    assert rows(user)[0].last_seen_at == T0
    with freeze_time(T0 + timedelta(seconds=61)):
        logged_in(client)
    assert rows(user)[0].last_seen_at == T0 + timedelta(seconds=61)


def test_the_limits_are_settings(app: Any, client: Any, make_user: Any, tmp_path: Any) -> None:
    loaded = config.load(str(tmp_path), environ={})
    assert (loaded["PB_STAFF_SESSION_HOURS"], loaded["PB_STAFF_IDLE_MINUTES"],
            loaded["PB_SESSION_DAYS"]) == (12, 120, 30)
    assert loaded["REMEMBER_COOKIE_DURATION"] == timedelta(days=30)
    loaded = config.load(str(tmp_path), environ={"PB_STAFF_SESSION_HOURS": "8",
                                          "PB_STAFF_IDLE_MINUTES": "30",
                                          "PB_SESSION_DAYS": "7"})
    assert (loaded["PB_STAFF_SESSION_HOURS"], loaded["PB_STAFF_IDLE_MINUTES"],
            loaded["PB_SESSION_DAYS"]) == (8, 30, 7)
    assert loaded["REMEMBER_COOKIE_DURATION"] == timedelta(days=7)
    with pytest.raises(config.ConfigError, match="PB_STAFF_IDLE_MINUTES"):
        config.load(str(tmp_path), environ={"PB_STAFF_IDLE_MINUTES": "0"})
    app.config["PB_STAFF_IDLE_MINUTES"] = 30
    make_user("officer", email="ola@example.org")
    with freeze_time(T0):
        log_in(client, "ola@example.org")
    with freeze_time(T0 + timedelta(minutes=30)):
        assert not logged_in(client)


# V7.5.2: your sessions, ended after your password or a code -----------------------------------


def test_the_account_page_lists_sessions_and_ends_one_after_the_password(
        app: Any, client: Any, make_user: Any, caplog: Any) -> None:
    user = make_user(email="kim@example.org")
    phone, tablet = app.test_client(), app.test_client()
    with freeze_time(T0):
        log_in(client, "kim@example.org", agent=FIREFOX)
        log_in(phone, "kim@example.org", agent=IPHONE, remember="y")
        log_in(tablet, "kim@example.org", agent="")
    page = text(client.get("/account/"))
    assert "Your sessions" in page
    assert "Firefox on Windows</strong> · this device" in page
    assert "Safari on iPhone" in page and "An unknown device" in page
    assert "Logged in " in page and "last active " in page
    phone_row = next(r for r in rows(user) if r.system == "iPhone")
    chosen = {"end-session": [str(phone_row.id)], "end-scope": "chosen"}
    response = client.post("/account/sessions", data=chosen)
    assert response.status_code == 400 and "Enter your password or a code." in text(response)
    response = client.post("/account/sessions", data={**chosen, "end-proof": "not it at all"})
    assert response.status_code == 400
    assert "That is not your password." in text(response)
    assert logged_in(phone)
    response = client.post("/account/sessions", data={**chosen, "end-proof": PASSWORD})
    assert response.status_code == 302
    assert not logged_in(phone) and not logged_in(copy_of(app, phone, "remember_token"))
    assert logged_in(client) and logged_in(tablet)
    assert "Safari on iPhone" not in text(client.get("/account/"))
    assert [(e["account"], e["how"], e["count"]) for e in security_events(
        caplog, "session.ended")] == [(user.id, "user", 1)]
    assert security_events(caplog, "reauth.failed")[0]["purpose"] == "sessions"


def test_ending_all_other_sessions_with_a_code_from_the_app(app: Any, client: Any,
                                                            make_user: Any) -> None:
    user = make_user(email="kim@example.org")
    with freeze_time(T0):
        enrolled(user)
    others = [app.test_client() for _ in range(2)]
    step = iter(range(1, 10))
    for device in (client, *others):
        with freeze_time(T0 + timedelta(seconds=30 * next(step))):
            log_in(device, "kim@example.org")
            device.post("/account/login/code", data={"code": app_code(user)})
    with freeze_time(T0 + timedelta(seconds=30 * next(step))):
        assert all(logged_in(d) for d in (client, *others))
        page = text(client.get("/account/"))
        assert "Your password, or a code from your app" in page
        response = client.post("/account/sessions", data={
            "end-scope": "others", "end-proof": app_code(user)})
        assert response.status_code == 302
        assert logged_in(client) and not any(logged_in(d) for d in others)
        assert "You are logged in on this device only." in text(client.get("/account/"))


def test_ending_sessions_needs_the_form_token_and_a_choice(app: Any, client: Any,
                                                           make_user: Any) -> None:
    make_user(email="kim@example.org")
    phone = app.test_client()
    log_in(client, "kim@example.org")
    log_in(phone, "kim@example.org")
    response = client.post("/account/sessions", data={"end-proof": PASSWORD})
    assert response.status_code == 400 and "Tick the sessions to end" in text(response)
    app.config["WTF_CSRF_ENABLED"] = True
    response = client.post("/account/sessions", data={"end-proof": PASSWORD,
                                                      "end-scope": "others"})
    assert response.status_code == 400
    app.config["WTF_CSRF_ENABLED"] = False
    assert logged_in(phone)


def test_neither_someone_elses_session_nor_this_one_is_ended_from_the_list(app: Any, client: Any,
                                                              make_user: Any) -> None:
    make_user(email="kim@example.org")
    lee = make_user(email="lee@example.org")
    lees = app.test_client()
    log_in(client, "kim@example.org")
    log_in(lees, "lee@example.org")
    kims = rows(accounts.find_by_email("kim@example.org"))
    response = client.post("/account/sessions", data={
        "end-session": [str(rows(lee)[0].id), str(kims[0].id)], "end-scope": "chosen",
        "end-proof": PASSWORD})
    assert response.status_code == 302
    assert logged_in(lees)
    assert logged_in(client)  # this device is never ended from the list


# V6.2.2, V6.2.3, V7.4.3: changing the password ------------------------------------------------


def test_changing_the_password_on_the_account_page(app: Any, client: Any, make_user: Any,
                                                   caplog: Any) -> None:
    user = make_user(email="kim@example.org")
    phone = app.test_client()
    log_in(client, "kim@example.org")
    log_in(phone, "kim@example.org", remember="y")
    remembered = copy_of(app, phone, "remember_token")
    page = text(client.get("/account/"))
    assert "Change your password" in page
    assert '<input checked id="pw-end_others" name="pw-end_others" type="checkbox"' in page
    form = {"pw-current": PASSWORD, "pw-password": NEW_PASSWORD,
            "pw-confirm": NEW_PASSWORD, "pw-end_others": "y"}
    response = client.post("/account/password", data={**form, "pw-current": "wrong one!"})
    assert response.status_code == 400 and "That is not your current password" in text(
        response)
    response = client.post("/account/password", data={**form, "pw-password": "short",
                                                       "pw-confirm": "short"})
    assert response.status_code == 400 and "at least 10 characters" in text(response)
    response = client.post("/account/password", data={**form, "pw-password": "password123",
                                                       "pw-confirm": "password123"})
    assert response.status_code == 400 and "too easy to guess" in text(response)
    assert accounts.authenticate("kim@example.org", PASSWORD) is user
    response = client.post("/account/password", data=form, follow_redirects=True)
    assert "Your password has been changed." in text(response)
    assert "Your other devices are logged out (sessions ended: 1)." in text(response)
    assert logged_in(client) and not logged_in(phone) and not logged_in(remembered)
    assert accounts.authenticate("kim@example.org", PASSWORD) is None
    assert accounts.authenticate("kim@example.org", NEW_PASSWORD) is user
    [changed] = security_events(caplog, "password.changed")
    assert (changed["account"], changed["by"], changed["others_ended"]) == (user.id, "user", 1)
    assert "kim@example.org" not in caplog.text


def test_other_devices_may_stay_logged_in_after_a_password_change(app: Any, client: Any,
                                                                  make_user: Any) -> None:
    make_user(email="kim@example.org")
    phone = app.test_client()
    log_in(client, "kim@example.org")
    log_in(phone, "kim@example.org")
    response = client.post("/account/password", data={
        "pw-current": PASSWORD, "pw-password": NEW_PASSWORD, "pw-confirm": NEW_PASSWORD})
    assert response.status_code == 302
    assert logged_in(client) and logged_in(phone)


def test_a_reset_link_from_before_a_password_change_no_longer_works(client: Any,
                                                                    make_user: Any) -> None:
    user = make_user(email="kim@example.org")
    token = accounts.make_reset_token(user)
    log_in(client, "kim@example.org")
    client.post("/account/password", data={
        "pw-current": PASSWORD, "pw-password": NEW_PASSWORD, "pw-confirm": NEW_PASSWORD})
    response = client.get(f"/account/reset/{token}")
    assert response.status_code == 400 and "already been used" in text(response)


def test_turning_two_factor_off_offers_to_log_out_other_devices(app: Any, client: Any,
                                                                make_user: Any) -> None:
    user = make_user(email="kim@example.org")
    with freeze_time(T0):
        enrolled(user)
    phone = app.test_client()
    for n, device in enumerate((client, phone), start=1):
        with freeze_time(T0 + timedelta(seconds=30 * n)):
            log_in(device, "kim@example.org")
            device.post("/account/login/code", data={"code": app_code(user)})
    with freeze_time(T0 + timedelta(seconds=90)):
        page = text(client.get("/account/"))
        assert '<input checked id="off-end_others" name="off-end_others" type="checkbox"' in page
        client.post("/account/two-factor/off", data={"off-proof": PASSWORD,
                                                     "off-end_others": "y"})
        assert not user.two_factor_enabled
        assert logged_in(client) and not logged_in(phone)


# V7.4.5: an admin ends someone's sessions ------------------------------------------------------


def test_an_admin_ends_all_of_a_persons_sessions(app: Any, client: Any, make_user: Any,
                                                 login: Any, caplog: Any) -> None:
    admin = login(make_user("admin"))
    user = make_user(email="kim@example.org", name="Kim")
    phone, laptop = app.test_client(), app.test_client()
    log_in(phone, "kim@example.org", remember="y")
    log_in(laptop, "kim@example.org")
    remembered = copy_of(app, phone, "remember_token")
    page = text(client.get("/admin/users"))
    assert "End all sessions<span class=\"visually-hidden\"> of Kim</span>" in page
    app.config["WTF_CSRF_ENABLED"] = True
    assert client.post(f"/admin/users/{user.id}/sessions").status_code == 400
    assert logged_in(phone)
    token = csrf_token(client, "/admin/users")
    response = client.post(f"/admin/users/{user.id}/sessions", data={"csrf_token": token},
                           follow_redirects=True)
    app.config["WTF_CSRF_ENABLED"] = False
    assert "Sessions of Kim ended: 2." in text(response)
    assert not logged_in(phone) and not logged_in(laptop) and not logged_in(remembered)
    assert logged_in(client)
    [ended] = security_events(caplog, "session.ended")
    assert (ended["account"], ended["how"], ended["by"], ended["count"]) == (
        user.id, "admin", admin.id, 2)
    log_in(phone, "kim@example.org")
    assert logged_in(phone)


def test_only_admins_end_other_peoples_sessions(app: Any, client: Any, make_user: Any,
                                                login: Any) -> None:
    login(make_user("officer"))
    user = make_user(email="kim@example.org")
    phone = app.test_client()
    log_in(phone, "kim@example.org")
    assert client.post(f"/admin/users/{user.id}/sessions").status_code == 403
    assert logged_in(phone)
    assert login_sessions.active(user)
