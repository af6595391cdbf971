"""pb: deliberative participatory budgeting.

Importing `pb` stays light (no Flask), so `pb.domain` can be used on its own.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from flask import Flask


def create_app(config: Mapping[str, Any] | None = None) -> Flask:
    """Build the app: settings from the environment, with `config` on top (tests use it)."""
    from pb import setup

    app = setup.make_app(config)
    setup.register_extensions(app)
    setup.register_i18n(app)
    setup.register_blueprints(app)
    setup.register_errorhandlers(app)
    setup.register_template_helpers(app)
    setup.register_security_headers(app)
    setup.register_commands(app)
    return app
