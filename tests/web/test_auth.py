"""Accounts through the real forms: register, log in and out, reset a password."""

from __future__ import annotations

import re
from typing import Any

import sqlalchemy as sa
from freezegun import freeze_time

from pb.extensions import db
from pb.models import OutboxMessage, User
from pb.services import accounts
from tests.conftest import PASSWORD, text

GOOD = {"display_name": "Maria", "email": "Maria@Example.org", "password": PASSWORD,
        "confirm": PASSWORD}


def register(client: Any, **changes: str) -> Any:
    return client.post("/account/register", data={**GOOD, **changes})


def users() -> int:
    return db.session.scalar(sa.select(sa.func.count()).select_from(User))


def test_register_creates_a_resident_and_logs_them_in(client: Any) -> None:
    response = register(client)
    assert response.status_code == 302
    user = accounts.find_by_email("maria@example.org")
    assert user is not None and user.role_names == {"resident"}
    assert user.password_hash.startswith("$argon2id$")
    assert "Welcome, Maria" in text(client.get("/"))


def test_duplicate_email_is_refused_whatever_its_case(client: Any) -> None:
    register(client)
    client.post("/account/logout")
    response = register(client, email="MARIA@example.ORG ")
    assert response.status_code == 400
    assert "An account with this email already exists" in text(response)
    assert users() == 1


def test_weak_password_is_refused_and_nothing_is_saved(client: Any) -> None:
    response = register(client, password="password123", confirm="password123")
    assert response.status_code == 400
    body = text(response)
    assert "too easy to guess" in body
    assert 'aria-invalid="true"' in body and 'value="Maria"' in body  # keeps what was typed
    assert users() == 0


def test_mismatched_confirmation_and_bad_email_are_explained(client: Any) -> None:
    response = register(client, email="not-an-email", confirm="something else entirely")
    body = text(response)
    assert response.status_code == 400
    assert "right format" in body and "not the same" in body
    assert users() == 0


def test_login_and_logout(client: Any, make_user: Any) -> None:
    user = make_user(email="sam@example.org")
    response = client.post("/account/login?next=/rounds/",
                           data={"email": "SAM@example.org", "password": PASSWORD})
    assert response.status_code == 302 and response.headers["Location"].endswith("/rounds/")
    assert "Log out" in text(client.get("/"))
    with client.session_transaction() as session:
        account, generation, token = session["_user_id"].split(":")
        assert (account, generation) == (str(user.id), "0") and len(token) == 43
    client.post("/account/logout")
    assert "Log in" in text(client.get("/"))


def test_wrong_password_is_refused_without_saying_which_part_was_wrong(
        client: Any, make_user: Any) -> None:
    make_user(email="sam@example.org")
    for email in ("sam@example.org", "nobody@example.org"):
        response = client.post("/account/login", data={"email": email, "password": "wrong one!"})
        assert response.status_code == 400
        assert "do not match an account" in text(response)


def test_login_never_redirects_off_site(client: Any, make_user: Any) -> None:
    make_user(email="sam@example.org")
    for target in ("https://evil.example/", "//evil.example/", "/\\evil.example"):
        response = client.post(f"/account/login?next={target}",
                               data={"email": "sam@example.org", "password": PASSWORD})
        assert response.headers["Location"] in ("/", "http://pb.test/")
        client.post("/account/logout")


def test_login_attempts_are_rate_limited(app: Any, client: Any) -> None:
    app.config["PB_LOGIN_LIMIT"] = "3 per minute"
    for _ in range(3):
        client.post("/account/login", data={"email": "a@example.org", "password": "nope nope"})
    response = client.post("/account/login",
                           data={"email": "a@example.org", "password": "nope nope"})
    assert response.status_code == 429
    assert "wait a minute" in text(response)


def reset_link(email: str) -> str:
    message = db.session.scalars(sa.select(OutboxMessage).where(
        OutboxMessage.recipient == email).order_by(OutboxMessage.id.desc())).first()
    assert message is not None, "no reset email in the outbox"
    return re.search(r"http://pb\.test(/account/reset/\S+)", message.body).group(1)


def test_password_reset_by_emailed_link(client: Any, make_user: Any) -> None:
    make_user(email="sam@example.org")
    response = client.post("/account/forgot", data={"email": "sam@example.org"})
    assert response.status_code == 302
    link = reset_link("sam@example.org")
    new = "a brand new passphrase"
    response = client.post(link, data={"password": new, "confirm": new})
    assert response.status_code == 302
    assert accounts.authenticate("sam@example.org", new) is not None
    assert accounts.authenticate("sam@example.org", PASSWORD) is None
    # The link works once: the password it was made for has changed.
    response = client.post(link, data={"password": "yet another phrase", "confirm":
                                       "yet another phrase"})
    assert response.status_code == 400 and "already been used" in text(response)


def test_forgot_password_says_the_same_for_unknown_addresses(client: Any) -> None:
    response = client.post("/account/forgot", data={"email": "nobody@example.org"},
                           follow_redirects=True)
    assert "If an account uses that address" in text(response)
    assert db.session.scalar(sa.select(sa.func.count()).select_from(OutboxMessage)) == 0


def test_expired_and_forged_reset_links_are_refused(client: Any, make_user: Any) -> None:
    make_user(email="sam@example.org")
    with freeze_time("2026-01-01 12:00"):
        client.post("/account/forgot", data={"email": "sam@example.org"})
    link = reset_link("sam@example.org")
    with freeze_time("2026-01-01 13:01"):
        response = client.get(link)
    assert response.status_code == 400 and "has expired" in text(response)
    forged = link[:-3] + ("AAA" if not link.endswith("AAA") else "BBB")
    response = client.get(forged)
    assert response.status_code == 400 and "not valid" in text(response)


def test_reset_with_a_weak_password_keeps_the_old_one(client: Any, make_user: Any) -> None:
    make_user(email="sam@example.org")
    client.post("/account/forgot", data={"email": "sam@example.org"})
    response = client.post(reset_link("sam@example.org"),
                           data={"password": "short", "confirm": "short"})
    assert response.status_code == 400 and "at least 10" in text(response)
    assert accounts.authenticate("sam@example.org", PASSWORD) is not None


def test_account_page_needs_a_login(client: Any) -> None:
    response = client.get("/account/")
    assert response.status_code == 302 and "/account/login" in response.headers["Location"]
