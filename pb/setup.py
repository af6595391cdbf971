"""The steps `create_app` runs, in order; each one wires one concern into the app."""

from __future__ import annotations

import logging
from collections.abc import Mapping
from typing import Any

from flask import Flask

from pb import config as settings
from pb.extensions import babel, csrf, db, limiter, login, migrate, socketio


def make_app(overrides: Mapping[str, Any] | None) -> Flask:
    """Create the Flask object with templates, static files and settings."""
    # static_folder=None: pb.web.assets serves /static/ with fingerprints and compression.
    app = Flask("pb", root_path=str(settings.ROOT), instance_relative_config=True,
                template_folder="templates", static_folder=None)
    from pb.web.requests import Request

    app.request_class = Request  # query and form text without NUL characters
    app.config.update(settings.load(app.instance_path, overrides))
    logging.basicConfig(level=logging.INFO)
    return app


def register_extensions(app: Flask) -> None:
    """Bind the extensions of `pb.extensions` to this app."""
    from pb import models  # noqa: F401  (registers the tables with SQLAlchemy)
    from pb.models import User

    db.init_app(app)
    migrate.init_app(app, db, directory=str(settings.ROOT / "migrations"))
    csrf.init_app(app)
    limiter.init_app(app)
    login.init_app(app)
    login.login_view = "auth.login"
    login.login_message_category = "info"
    login.session_protection = "basic"

    @login.user_loader
    def load_user(user_id: str) -> User | None:
        return db.session.get(User, int(user_id)) if user_id.isdigit() else None

    # Handlers register on import; importing them before init_app lets every app (each test
    # builds its own) receive them, not just the first one.
    from pb.realtime import handlers  # noqa: F401

    origins = app.config["PB_SOCKETIO_ORIGINS"] or None  # None: same origin only
    socketio.init_app(app, async_mode=app.config["PB_ASYNC_MODE"],
                      message_queue=app.config["PB_SOCKETIO_MESSAGE_QUEUE"],
                      cors_allowed_origins=origins, manage_session=False,
                      transports=app.config["PB_SOCKETIO_TRANSPORTS"] or None)


def register_i18n(app: Flask) -> None:
    """Choose each visitor's language and time zone."""
    from pb import i18n

    babel.init_app(app, locale_selector=i18n.select_locale,
                   timezone_selector=lambda: app.config["PB_TIMEZONE"])
    app.after_request(i18n.remember_choice)
    login.localize_callback = i18n.translate


def register_blueprints(app: Flask) -> None:
    """Mount every feature's routes."""
    from pb.web import converters

    converters.register(app)  # before the routes, which read `<int:...>` with it
    from pb.web.admin.routes import bp as admin
    from pb.web.auth.routes import bp as auth
    from pb.web.council.routes import bp as council
    from pb.web.discussion.routes import bp as discussion
    from pb.web.eligibility.routes import bp as eligibility
    from pb.web.live.routes import bp as live_pages
    from pb.web.main.routes import bp as main
    from pb.web.paper.routes import bp as paper
    from pb.web.proposals.routes import bp as proposals
    from pb.web.records.routes import bp as records
    from pb.web.results.routes import bp as results
    from pb.web.rounds.routes import bp as rounds
    from pb.web.voting.routes import bp as voting

    app.register_blueprint(main)
    app.register_blueprint(auth)
    app.register_blueprint(rounds)
    app.register_blueprint(proposals)
    app.register_blueprint(results)
    app.register_blueprint(admin)
    app.register_blueprint(council)
    app.register_blueprint(records)
    app.register_blueprint(discussion)
    app.register_blueprint(voting)
    app.register_blueprint(eligibility)
    app.register_blueprint(paper)
    app.register_blueprint(live_pages)


def register_errorhandlers(app: Flask) -> None:
    """Show friendly pages for errors, saying what to do next."""
    from pb.web import errors

    errors.register(app)


def register_template_helpers(app: Flask) -> None:
    """Give templates the filters and values they share."""
    from pb.web import assets, helpers

    assets.register(app)
    helpers.register(app)


def register_security_headers(app: Flask) -> None:
    """Send headers that keep pages from being framed, sniffed or fed foreign scripts."""

    @app.after_request
    def headers(response: Any) -> Any:
        response.headers.setdefault(
            "Content-Security-Policy",
            "default-src 'self'; img-src 'self' data:; style-src 'self'; script-src 'self'; "
            "connect-src 'self' ws: wss:; frame-ancestors 'none'; base-uri 'self'; "
            "form-action 'self'")
        response.headers.setdefault("X-Content-Type-Options", "nosniff")
        response.headers.setdefault("Referrer-Policy", "same-origin")
        response.headers.setdefault("X-Frame-Options", "DENY")
        return response


def register_commands(app: Flask) -> None:
    """Add our commands to the app's command line (`pb ...`)."""
    from pb import cli

    cli.register(app)
