"""Errors get friendly pages with a 4xx/5xx status, never a stack trace."""

from __future__ import annotations

from typing import Any

import pytest
from flask import Flask

from pb import config as settings
from pb import create_app
from tests.conftest import csrf_token, make_config, text


def test_not_found_page_says_what_to_do(client: Any) -> None:
    response = client.get("/no/such/page")
    assert response.status_code == 404
    assert "Page not found" in text(response) and "list of budget rounds" in text(response)


def test_wrong_method(client: Any) -> None:
    response = client.get("/account/logout")
    assert response.status_code == 405 and "not possible here" in text(response)


def test_oversized_request_body(client: Any) -> None:
    response = client.post("/account/login", data={"email": "a@b.org", "password": "x" * 2_000_000})
    assert response.status_code == 413 and "too large" in text(response)


def test_unexpected_errors_show_a_friendly_page(app: Flask, client: Any) -> None:
    @app.get("/boom")
    def boom() -> str:
        raise RuntimeError("secret internals")

    response = client.get("/boom")
    assert response.status_code == 500
    assert "Something went wrong on our side" in text(response)
    assert "secret internals" not in text(response) and "Traceback" not in text(response)


@pytest.fixture()
def csrf_client(migrated_db: Any, tmp_path: Any) -> Any:
    """A client on an app with CSRF protection on, as in production."""
    import shutil

    from pb import create_app
    from tests.conftest import make_config

    database = tmp_path / "csrf.sqlite3"
    shutil.copy(migrated_db, database)
    app = create_app(make_config(database, WTF_CSRF_ENABLED=True))
    with app.app_context():
        yield app.test_client()


@pytest.mark.parametrize("url", ["/account/register", "/account/login", "/account/forgot",
                                 "/account/logout", "/rounds/new", "/rounds/1/phase",
                                 "/admin/users/1/roles"])
def test_every_form_needs_a_csrf_token(csrf_client: Any, url: str) -> None:
    response = csrf_client.post(url, data={"email": "a@example.org"})
    assert response.status_code in (400, 302)  # 302: login first, before any form is read
    if response.status_code == 400:
        assert "form had expired" in text(response)


def test_forms_work_with_their_csrf_token(csrf_client: Any) -> None:
    token = csrf_token(csrf_client, "/account/register")
    response = csrf_client.post("/account/register", data={
        "csrf_token": token, "display_name": "Ana", "email": "ana@example.org",
        "password": "correct horse battery", "confirm": "correct horse battery"})
    assert response.status_code == 302


def test_security_headers(client: Any) -> None:
    response = client.get("/")
    assert "frame-ancestors 'none'" in response.headers["Content-Security-Policy"]
    assert response.headers["X-Content-Type-Options"] == "nosniff"


def test_error_pages_survive_a_layout_that_fails_too(app: Flask, client: Any) -> None:
    """When the layout itself cannot render (say the database is down), still say sorry."""

    @app.get("/db-down")
    def db_down() -> str:
        raise RuntimeError("first failure")

    original = app.jinja_env.get_template

    def broken(*args: Any, **kwargs: Any) -> Any:
        raise RuntimeError("the layout cannot load the current user")

    app.jinja_env.get_template = broken  # type: ignore[method-assign]
    try:
        response = client.get("/db-down")
    finally:
        app.jinja_env.get_template = original  # type: ignore[method-assign]
    assert response.status_code == 500
    assert "Something went wrong on our side" in response.get_data(as_text=True)


def test_the_error_page_renders_in_full_after_a_database_error(app: Flask, client: Any,
                                                               make_user: Any,
                                                               login: Any) -> None:
    from pb.extensions import db
    from pb.models import User

    taken = login(make_user("officer", name="Olu Officer")).email

    @app.post("/broken")
    def broken() -> str:
        db.session.expire_all()  # as in a request of its own: nothing loaded yet
        db.session.add(User(email=taken, display_name="Copy", password_hash="x"))
        db.session.commit()  # IntegrityError: the session must be rolled back before reuse
        return "not reached"

    response = client.post("/broken")
    page = text(response)
    assert response.status_code == 500 and "Something went wrong on our side" in page
    # The whole layout, with the visitor's account: not the plain fallback page.
    assert "Error code 500" in page and "Go to the budget rounds" in page
    assert "New round" in page
    assert client.get("/rounds/").status_code == 200  # and the next request works too


def test_hsts_only_where_cookies_are_secure(client: Any, database_uri: str) -> None:
    assert "Strict-Transport-Security" not in client.get("/").headers  # tests run over http
    production = create_app(make_config(database_uri, PB_ENV="production", PB_HSTS=True,
                                        PB_BASE_URL="https://pb.test"))
    with production.app_context():
        response = production.test_client().get("/healthz")
    assert response.headers["Strict-Transport-Security"] == "max-age=31536000; includeSubDomains"


def test_production_turns_hsts_on_unless_cookies_are_not_secure(tmp_path: Any) -> None:
    base = {"PB_ENV": "production", "SECRET_KEY": "x" * 32, "PB_BASE_URL": "https://pb.test"}
    folder = str(tmp_path)
    assert settings.load(folder, environ=base)["PB_HSTS"] is True
    assert settings.load(folder, environ={**base, "PB_SECURE_COOKIES": "0"})["PB_HSTS"] is False
    assert settings.load(folder, environ={"SECRET_KEY": "x"})["PB_HSTS"] is False
