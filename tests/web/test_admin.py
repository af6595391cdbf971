"""Admin pages: roles, outbox, audit log."""

from __future__ import annotations

from typing import Any

import pytest

from pb.extensions import db
from pb.models import User
from pb.services import accounts
from tests.conftest import text


@pytest.fixture()
def admin(make_user: Any, login: Any) -> Any:
    return login(make_user("admin", name="Alex Admin"))


def test_admin_grants_and_revokes_a_role(client: Any, admin: Any, make_user: Any) -> None:
    person = make_user(name="Fran")
    client.post(f"/admin/users/{person.id}/roles", data={"role": "facilitator",
                                                          "action": "grant"})
    assert "facilitator" in db.session.get(User, person.id).role_names
    page = text(client.get("/admin/audit"))
    assert "user.role_granted" in page and "Alex Admin" in page
    client.post(f"/admin/users/{person.id}/roles", data={"role": "facilitator",
                                                          "action": "revoke"})
    db.session.expire_all()
    assert db.session.get(User, person.id).role_names == {"resident"}


def test_granting_twice_or_an_unknown_role_is_explained(client: Any, admin: Any,
                                                        make_user: Any) -> None:
    person = make_user("officer", name="Olu")
    response = client.post(f"/admin/users/{person.id}/roles",
                           data={"role": "officer", "action": "grant"}, follow_redirects=True)
    assert "Olu already has this role" in text(response)
    response = client.post(f"/admin/users/{person.id}/roles",
                           data={"role": "emperor", "action": "grant"}, follow_redirects=True)
    assert "Choose a role from the list" in text(response)
    assert client.post("/admin/users/9999/roles", data={"role": "officer"}).status_code == 404


def test_the_last_admin_cannot_be_removed(client: Any, admin: Any) -> None:
    response = client.post(f"/admin/users/{admin.id}/roles",
                           data={"role": "admin", "action": "revoke"}, follow_redirects=True)
    assert "last admin" in text(response)
    assert "admin" in db.session.get(User, admin.id).role_names


def test_search_finds_people_by_name_or_email(client: Any, admin: Any, make_user: Any) -> None:
    make_user(name="Gwen Jones", email="gwen@example.org")
    make_user(name="Someone Else")
    page = text(client.get("/admin/users?q=JONES"))
    assert "gwen@example.org" in page and "Someone Else" not in page


def test_outbox_shows_kept_mail(client: Any, admin: Any, make_user: Any) -> None:
    make_user(email="sam@example.org")
    accounts.request_password_reset("sam@example.org", lambda token: f"http://x/{token}")
    page = text(client.get("/admin/outbox"))
    assert "Reset your pb password" in page and "kept, not sent" in page


@pytest.mark.parametrize("url", ["/admin/users", "/admin/outbox", "/admin/audit"])
def test_admin_pages_are_for_admins_only(client: Any, make_user: Any, login: Any,
                                         url: str) -> None:
    assert client.get(url).status_code == 302  # visitors: log in first
    login(make_user("officer"))
    assert client.get(url).status_code == 403
