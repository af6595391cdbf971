"""Two-factor login through the real pages, sessions that end, and staff sent to enrol."""

from __future__ import annotations

import logging
import re
import time
from datetime import UTC, datetime, timedelta
from typing import Any

import pytest
from freezegun import freeze_time

from pb.services import accounts, two_factor
from tests.conftest import PASSWORD, csrf_token, text
from tests.factories import app_code, enrolled, security_events, session_id

# The start of a time step near now (a session cookie signed far from now has expired).
T0 = datetime.fromtimestamp(time.time() // 30 * 30, UTC)


@pytest.fixture(autouse=True)
def _security_log(caplog: Any) -> None:
    caplog.set_level(logging.INFO, logger="pb.security")


def password_step(client: Any, email: str, **extra: Any) -> Any:
    return client.post("/account/login", data={"email": email, "password": PASSWORD, **extra})


def logged_in(client: Any) -> bool:
    return client.get("/account/").status_code == 200


def remembered_only(app: Any, client: Any) -> Any:
    """Return a client holding only `client`'s "Keep me logged in" cookie, as a browser has
    after a restart."""
    other = app.test_client()
    cookie = client.get_cookie("remember_token", domain="pb.test")
    assert cookie is not None, "no remember-me cookie"
    other.set_cookie("remember_token", cookie.value, domain="pb.test")
    return other


def test_logging_in_asks_for_the_code_after_the_password(client: Any, make_user: Any,
                                                         caplog: Any) -> None:
    user = make_user(email="kim@example.org")
    with freeze_time(T0):
        enrolled(user)
    with freeze_time(T0 + timedelta(minutes=1)):
        response = password_step(client, "kim@example.org")
        assert response.headers["Location"].endswith("/account/login/code")
        assert not logged_in(client)  # the password alone opens nothing
        page = client.get("/account/login/code")
        assert "Enter your code" in text(page)
        response = client.post("/account/login/code", data={"code": app_code(user)})
        assert response.status_code == 302
        assert logged_in(client)
    succeeded = security_events(caplog, "login.succeeded")
    assert [(e["account"], e["second_factor"]) for e in succeeded] == [(user.id, "totp")]


def test_a_reused_code_is_refused_with_a_sentence(app: Any, client: Any, make_user: Any,
                                                  caplog: Any) -> None:
    user = make_user(email="kim@example.org")
    with freeze_time(T0):
        enrolled(user)
    with freeze_time(T0 + timedelta(minutes=1)):
        code = app_code(user)
        password_step(client, "kim@example.org")
        client.post("/account/login/code", data={"code": code})
        assert logged_in(client)
        other = app.test_client()  # another device, or someone who saw the code
        password_step(other, "kim@example.org")
        response = other.post("/account/login/code", data={"code": code})
    assert response.status_code == 400
    assert "That code has already been used. Wait for your app to show a new one" in text(
        response)
    assert not logged_in(other)
    assert security_events(caplog, "two_factor.failed")[-1]["reason"] == "reused"


def test_a_recovery_code_logs_in_once(client: Any, make_user: Any) -> None:
    user = make_user(email="kim@example.org")
    codes = enrolled(user)
    password_step(client, "kim@example.org")
    response = client.post("/account/login/code", data={"code": codes[0]}, follow_redirects=True)
    assert "Recovery codes left: 9." in text(response)
    client.post("/account/logout")
    password_step(client, "kim@example.org")
    response = client.post("/account/login/code", data={"code": codes[0]})
    assert response.status_code == 400 and "already been used" in text(response)
    assert not logged_in(client)


def test_a_burst_of_wrong_codes_is_throttled(app: Any, client: Any, make_user: Any,
                                             caplog: Any) -> None:
    app.config["PB_LOGIN_LIMIT"] = "3 per minute"
    user = make_user(email="kim@example.org")
    enrolled(user)
    password_step(client, "kim@example.org")
    right = app_code(user)
    wrong = f"{(int(right) + 500_000) % 1_000_000:06d}"
    for _ in range(3):
        assert client.post("/account/login/code", data={"code": wrong}).status_code == 400
    response = client.post("/account/login/code", data={"code": right})
    assert response.status_code == 429 and "Too many attempts" in text(response)
    assert not logged_in(client)
    assert security_events(caplog, "login.throttled")[-1]["account"] == user.id


def test_throttled_logins_and_reset_requests_are_logged(app: Any, client: Any,
                                                        caplog: Any) -> None:
    app.config["PB_LOGIN_LIMIT"] = "1 per minute"
    for url, data in (("/account/login", {"email": "a@example.org", "password": "nope"}),
                      ("/account/forgot", {"email": "a@example.org"})):
        client.post(url, data=data)
        assert client.post(url, data=data).status_code == 429
    assert [e["page"] for e in security_events(caplog, "login.throttled")] == [
        "auth.login", "auth.forgot"]


def test_guesses_from_many_addresses_meet_one_limit_per_account(app: Any, make_user: Any) -> None:
    app.config["PB_LOGIN_LIMIT"] = "3 per minute"
    user = make_user(email="kim@example.org")
    enrolled(user)
    statuses = []
    for n in range(5):
        other = app.test_client()
        address = {"REMOTE_ADDR": f"198.51.100.{n + 1}"}
        other.post("/account/login", data={"email": "kim@example.org", "password": PASSWORD},
                   environ_base=address)
        statuses.append(other.post("/account/login/code", data={"code": "000000"},
                                   environ_base=address).status_code)
    assert statuses[:3] == [400, 400, 400] and statuses[3:] == [429, 429]


def test_login_starts_a_fresh_session(client: Any, make_user: Any) -> None:
    user = make_user(email="kim@example.org")
    with client.session_transaction() as session:
        session["planted"] = "by someone else"
    password_step(client, "kim@example.org")
    with client.session_transaction() as session:
        assert "planted" not in session
        assert session["_user_id"].startswith(f"{user.id}:0:")


def test_a_session_from_before_a_password_change_is_refused(client: Any, make_user: Any,
                                                            app: Any) -> None:
    user = make_user(email="kim@example.org")
    password_step(client, "kim@example.org", remember="y")
    assert logged_in(client)
    remembered = remembered_only(app, client)
    assert logged_in(remembered)
    accounts.do_reset_password(user, "a brand new passphrase")
    assert not logged_in(client)
    assert not logged_in(remembered)


def test_log_out_everywhere_ends_every_session(app: Any, client: Any, make_user: Any,
                                               caplog: Any) -> None:
    user = make_user(email="kim@example.org")
    phone = app.test_client()
    password_step(client, "kim@example.org")
    password_step(phone, "kim@example.org", remember="y")
    remembered = remembered_only(app, phone)
    assert logged_in(remembered)
    assert "Log out everywhere" in text(client.get("/account/"))
    response = client.post("/account/logout-everywhere", follow_redirects=True)
    assert "You are logged out on every device" in text(response)
    assert not logged_in(client) and not logged_in(phone) and not logged_in(remembered)
    assert [e["account"] for e in security_events(caplog, "logout.everywhere")] == [user.id]
    password_step(phone, "kim@example.org")
    assert logged_in(phone)


def test_log_out_everywhere_needs_the_form_token(app: Any, client: Any, make_user: Any) -> None:
    make_user(email="kim@example.org")
    password_step(client, "kim@example.org")
    app.config["WTF_CSRF_ENABLED"] = True
    response = client.post("/account/logout-everywhere")
    assert response.status_code == 400
    app.config["WTF_CSRF_ENABLED"] = False
    assert logged_in(client)


def test_a_role_change_ends_the_persons_sessions(client: Any, make_user: Any) -> None:
    admin, user = make_user("admin"), make_user(email="kim@example.org")
    password_step(client, "kim@example.org")
    assert logged_in(client)
    accounts.do_grant_role(admin, user, "officer")
    assert not logged_in(client)
    password_step(client, "kim@example.org")
    assert "Officer" in text(client.get("/account/"))


def test_enrolling_on_the_account_page(app: Any, client: Any, make_user: Any, login: Any,
                                       caplog: Any) -> None:
    user = login(make_user())
    elsewhere = app.test_client()
    with elsewhere.session_transaction() as session:
        session["_user_id"] = session_id(user)
    assert "Turn on two-factor login" in text(client.get("/account/"))
    page = client.get("/account/two-factor")
    body = text(page)
    assert page.headers["Cache-Control"] == "no-store"
    assert '<svg role="img" aria-label="QR code' in body
    assert 'href="otpauth://totp/' in body  # opens the app on the phone showing the page
    secret = re.search(r'<code class="secret" id="secret">([A-Z2-7 ]+)</code>', body).group(1)
    assert secret.replace(" ", "") == user.totp_secret
    response = client.post("/account/two-factor", data={"code": "12345x"})
    assert response.status_code == 400 and "not right" in text(response)
    response = client.post("/account/two-factor", data={"code": app_code(user)})
    codes = re.findall(r"<li>([a-z2-7]{4}(?:-[a-z2-7]{4}){3})</li>", text(response))
    assert len(codes) == 10 and response.headers["Cache-Control"] == "no-store"
    assert user.two_factor_enabled
    # This device stays logged in; one logged in with the password alone does not.
    assert logged_in(client) and not logged_in(elsewhere)
    account_page = text(client.get("/account/"))
    assert "Unused recovery codes: 10." in account_page
    assert not any(c in account_page for c in codes)  # shown once only
    assert security_events(caplog, "two_factor.enrolled")


def test_turning_it_off_on_the_account_page(client: Any, make_user: Any, login: Any) -> None:
    user = make_user()
    enrolled(user)
    login(user)
    response = client.post("/account/two-factor/off", data={"off-proof": "wrong guess"},
                           follow_redirects=True)
    assert "Two-factor login stays on. That is neither your password" in text(response)
    assert user.two_factor_enabled
    response = client.post("/account/two-factor/off", data={"off-proof": PASSWORD},
                           follow_redirects=True)
    assert "Two-factor login is off" in text(response)
    assert not user.two_factor_enabled


def test_turning_it_off_with_a_code(client: Any, make_user: Any, login: Any) -> None:
    user = make_user()
    with freeze_time(T0):
        enrolled(user)
    with freeze_time(T0 + timedelta(minutes=1)):
        login(user)  # in frozen time: a cookie signed later than "now" is refused
        client.post("/account/two-factor/off", data={"off-proof": app_code(user)})
    assert not user.two_factor_enabled


def test_new_recovery_codes_on_the_account_page(client: Any, make_user: Any,
                                                login: Any) -> None:
    user = make_user()
    with freeze_time(T0):
        old = enrolled(user)
    with freeze_time(T0 + timedelta(minutes=1)):
        login(user)  # in frozen time: a cookie signed later than "now" is refused
        response = client.post("/account/two-factor/recovery-codes",
                               data={"codes-code": app_code(user)})
    assert "the old ones no longer work" in text(response)
    with pytest.raises(Exception, match="not right"):
        two_factor.do_verify(user, old[1])


@pytest.mark.parametrize("role", ["officer", "admin"])
def test_required_two_factor_sends_staff_to_enrol(app: Any, client: Any, make_user: Any,
                                                  login: Any, role: str) -> None:
    app.config["PB_REQUIRE_TWO_FACTOR"] = True
    login(make_user(role))
    for url in ("/rounds/new", "/", "/account/"):
        response = client.get(url)
        assert response.status_code == 302, url
        assert response.headers["Location"].endswith("/account/two-factor"), url
    page = client.get("/account/two-factor")
    assert page.status_code == 200
    assert "This site asks staff to use two-factor login" in text(page)
    client.post("/account/logout")  # logging out still works
    assert client.get("/").status_code == 200


def test_required_two_factor_leaves_residents_alone(app: Any, client: Any, make_user: Any,
                                                    login: Any) -> None:
    app.config["PB_REQUIRE_TWO_FACTOR"] = True
    login(make_user())
    assert client.get("/").status_code == 200
    assert client.get("/account/").status_code == 200


@pytest.mark.parametrize("role", ["officer", "admin"])
def test_enrolled_staff_use_staff_pages_and_cannot_turn_it_off(
        app: Any, client: Any, make_user: Any, login: Any, role: str) -> None:
    app.config["PB_REQUIRE_TWO_FACTOR"] = True
    officer = make_user(role)
    enrolled(officer)
    login(officer)
    assert client.get("/rounds/new").status_code == 200
    page = text(client.get("/account/"))
    assert "requires two-factor login for your role, so it stays on" in page
    assert "Turn two-factor login off" not in page
    client.post("/account/two-factor/off", data={"off-proof": PASSWORD})
    assert officer.two_factor_enabled


def test_the_code_must_follow_the_password_within_ten_minutes(client: Any,
                                                              make_user: Any) -> None:
    user = make_user(email="kim@example.org")
    enrolled(user)
    with freeze_time(T0 + timedelta(minutes=1)):
        password_step(client, "kim@example.org")
    with freeze_time(T0 + timedelta(minutes=12)):
        response = client.post("/account/login/code", data={"code": app_code(user)},
                               follow_redirects=True)
    assert "it is more than ten minutes since you typed your password" in text(response)
    assert not logged_in(client)


@pytest.mark.parametrize("role", ["facilitator", "council"])
def test_required_two_factor_is_for_officers_and_admins_only(app: Any, client: Any,
                                                             make_user: Any, login: Any,
                                                             role: str) -> None:
    app.config["PB_REQUIRE_TWO_FACTOR"] = True
    login(make_user(role))
    assert client.get("/").status_code == 200


def test_after_an_operator_reset_the_password_alone_logs_in_then_enrolment(
        app: Any, client: Any, make_user: Any) -> None:
    app.config["PB_REQUIRE_TWO_FACTOR"] = True
    officer = make_user("officer", email="kim@example.org")
    with freeze_time(T0):
        enrolled(officer)
    phone = app.test_client()
    with freeze_time(T0 + timedelta(minutes=1)):   # the code follows the password at once
        password_step(phone, "kim@example.org")
        phone.post("/account/login/code", data={"code": app_code(officer)})
        assert logged_in(phone)
    result = app.test_cli_runner().invoke(args=["users", "reset-two-factor", officer.email])
    assert result.exit_code == 0, result.output
    assert not logged_in(phone)  # logged out everywhere
    response = password_step(client, "kim@example.org")
    assert not response.headers["Location"].endswith("/account/login/code")
    assert client.get("/rounds/new").headers["Location"].endswith("/account/two-factor")


def test_logging_out_and_asking_for_a_reset_are_logged(client: Any, make_user: Any,
                                                       caplog: Any) -> None:
    user = make_user(email="kim@example.org")
    password_step(client, "kim@example.org")
    client.post("/account/logout")
    client.post("/account/forgot", data={"email": "kim@example.org"})
    client.post("/account/forgot", data={"email": "nobody@example.org"})
    assert [e["account"] for e in security_events(caplog, "logout")] == [user.id]
    assert [e["account"] for e in security_events(caplog, "password.reset_requested")
            ] == [user.id, None]
    security = " ".join(r.getMessage() for r in caplog.records if r.name == "pb.security")
    assert "kim@" not in security and "nobody" not in security


def test_the_page_after_enrolling_has_forms_that_work(app: Any, client: Any, make_user: Any,
                                                      login: Any) -> None:
    """The recovery codes page comes from the renewed session: its forms' tokens are good."""
    user = login(make_user())
    client.get("/account/two-factor")
    app.config["WTF_CSRF_ENABLED"] = True
    try:
        token = csrf_token(client, "/account/two-factor")
        page = text(client.post("/account/two-factor",
                                data={"code": app_code(user), "csrf_token": token}))
        assert "Your recovery codes" in page
        after = re.search(r'name="csrf_token" value="([^"]+)"', page).group(1)
        response = client.post("/account/logout", data={"csrf_token": after})
    finally:
        app.config["WTF_CSRF_ENABLED"] = False
    assert response.status_code == 302
    assert not logged_in(client)
