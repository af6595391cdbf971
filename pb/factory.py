"""The app factory: `create_app` runs the register_* steps below in order; each one wires one
concern into the app. This module, `pb.cli` and `pb.serve` are the top: they may import
anything in pb, and nothing in pb imports them."""

from __future__ import annotations

import logging
from collections.abc import Mapping
from typing import Any

from flask import Flask, session
from werkzeug.middleware.proxy_fix import ProxyFix

from pb import config as settings
from pb import i18n, models
from pb.broadcast import queue, turns
from pb.commands import app_commands
from pb.extensions import babel, csrf, db, limiter, login, migrate, socketio

# The Socket.IO handlers' decorators add them to `socketio` when imported, before any
# init_app, so that every app (each test builds its own) gets them.
from pb.realtime import handlers as _handlers  # noqa: F401
from pb.realtime import limit_engine
from pb.realtime import live as _live_handlers  # noqa: F401
from pb.services import accounts
from pb.web import assets, converters, errors, helpers
from pb.web.blueprints import register_blueprints as mount_blueprints
from pb.web.requests import Request

HSTS = "max-age=31536000; includeSubDomains"  # a year
# Powerful browser features pb never uses, switched off for every page and any frame in it.
PERMISSIONS_POLICY = ("accelerometer=(), autoplay=(), camera=(), display-capture=(), "
                      "geolocation=(), gyroscope=(), magnetometer=(), microphone=(), "
                      "midi=(), payment=(), usb=()")


def create_app(config: Mapping[str, Any] | None = None) -> Flask:
    """Build the app: settings from the environment, with `config` on top (tests use it)."""
    app = make_app(config)
    register_extensions(app)
    register_i18n(app)
    register_blueprints(app)
    register_errorhandlers(app)
    register_template_helpers(app)
    register_security_headers(app)
    register_commands(app)
    register_proxies(app)
    return app


def make_app(overrides: Mapping[str, Any] | None) -> Flask:
    """Create the Flask object with templates, static files and settings."""
    # static_folder=None: pb.web.assets serves /static/ with fingerprints and compression.
    app = Flask("pb", root_path=str(settings.ROOT), instance_path=settings.instance_folder(),
                template_folder="templates", static_folder=None)
    app.request_class = Request  # query and form text without NUL characters
    app.config.update(settings.load(app.instance_path, overrides))
    logging.basicConfig(level=logging.INFO)
    return app


def register_extensions(app: Flask) -> None:
    """Bind the extensions of `pb.extensions` to this app."""
    db.init_app(app)
    migrate.init_app(app, db, directory=str(settings.ROOT / "migrations"))
    csrf.init_app(app)
    limiter.init_app(app)
    login.init_app(app)
    login.login_view = "auth.login"
    login.login_message_category = "info"
    # No generic "Please log in" flash: the login page says why, from `next` (docs/accounts.md).
    login.login_message = None
    login.session_protection = "basic"

    @login.user_loader
    def load_user(user_id: str) -> models.User | None:
        # The id carries the session generation: sessions (and remember-me cookies) from
        # before a password change, a role change or "log out everywhere" load nobody.
        return accounts.user_for_session(user_id)

    # None: the same origin as the request. With PB_BASE_URL, that address (and any listed).
    base = app.config["PB_BASE_URL"]
    origins = ([base, *app.config["PB_SOCKETIO_ORIGINS"]] if base
               else app.config["PB_SOCKETIO_ORIGINS"] or None)
    queue_url = app.config["PB_SOCKETIO_MESSAGE_QUEUE"]
    manager = queue.client_manager(queue_url)  # live events in one order (pb.broadcast)
    turns.configure(queue_url)
    socketio.init_app(app, async_mode=app.config["PB_ASYNC_MODE"],
                      message_queue=queue_url,
                      **({"client_manager": manager} if manager is not None else {}),
                      cors_allowed_origins=origins, manage_session=False,
                      transports=app.config["PB_SOCKETIO_TRANSPORTS"] or None,
                      **limit_engine())
    _live_handlers.serve_hot(socketio.server)


def register_i18n(app: Flask) -> None:
    """Choose each visitor's language and time zone."""
    babel.init_app(app, locale_selector=i18n.select_locale,
                   timezone_selector=lambda: app.config["PB_TIMEZONE"])
    app.after_request(i18n.remember_choice)
    login.localize_callback = i18n.translate


def register_blueprints(app: Flask) -> None:
    """Mount every feature's routes."""
    converters.register(app)  # before the routes, which read `<int:...>` with it
    mount_blueprints(app)


def register_errorhandlers(app: Flask) -> None:
    """Show friendly pages for errors, saying what to do next."""
    errors.register(app)


def register_template_helpers(app: Flask) -> None:
    """Give templates the filters and values they share."""
    assets.register(app)
    helpers.register(app)


def register_security_headers(app: Flask) -> None:
    """Send headers that keep pages from being framed, sniffed or fed foreign scripts, and
    (PB_HSTS, on in production) reached over anything but https."""
    hsts = app.config["PB_HSTS"]
    # Sockets connect to this site only: 'self' covers ws:/wss: to the page's own host in
    # current browsers; with PB_BASE_URL the socket address is named too, for older ones.
    base = app.config["PB_BASE_URL"]
    sockets = f" {base.replace('http', 'ws', 1)}" if base else ""
    # Map tiles (PB_MAP_TILES) are the only images from elsewhere.
    tiles = f" {app.config['PB_MAP_TILE_ORIGIN']}" if app.config.get("PB_MAP_TILE_ORIGIN") else ""
    policy = (f"default-src 'self'; img-src 'self' data:{tiles}; style-src 'self'; "
              "script-src 'self'; "
              f"connect-src 'self'{sockets}; object-src 'none'; frame-ancestors 'none'; "
              "base-uri 'none'; form-action 'self'")

    @app.after_request
    def headers(response: Any) -> Any:
        response.headers.setdefault("Content-Security-Policy", policy)
        response.headers.setdefault("Permissions-Policy", PERMISSIONS_POLICY)
        if "_user_id" in session and "Cache-Control" not in response.headers:
            # A signed-in page (drafts, a council's workspace, the outbox) is kept by no cache,
            # the browser's included: the next person at a library computer cannot go Back to it.
            response.headers["Cache-Control"] = "no-store"
        response.headers.setdefault("X-Content-Type-Options", "nosniff")
        response.headers.setdefault("Referrer-Policy", "same-origin")
        response.headers.setdefault("X-Frame-Options", "DENY")
        if hsts:
            response.headers.setdefault("Strict-Transport-Security", HSTS)
        return response


def register_proxies(app: Flask) -> None:
    """Behind PB_TRUSTED_PROXIES proxies, see the client's address, scheme and host as the
    proxies did. Last, so that it wraps Socket.IO's middleware too: its same-origin check of
    websockets must see https, not the proxy's plain http."""
    hops = app.config["PB_TRUSTED_PROXIES"]
    if hops:
        proxied = ProxyFix(app.wsgi_app, x_for=hops, x_proto=hops, x_host=hops, x_port=hops)
        app.wsgi_app = proxied  # type: ignore[method-assign]


def register_commands(app: Flask) -> None:
    """Add our commands to the app's command line (`pb ...`)."""
    app_commands.register(app)
