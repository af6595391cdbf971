"""pb: deliberative participatory budgeting.

Importing `pb` stays light (no Flask), so `pb.domain` can be used on its own: this module
imports the app factory (`pb.factory`) only when `create_app` is called. The layers below it
are described in README.md ("Architecture") and kept by import-linter (pyproject.toml).
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from flask import Flask


def create_app(config: Mapping[str, Any] | None = None) -> Flask:
    """Build the app: settings from the environment, with `config` on top (tests use it)."""
    # Here, not at the top: `import pb.domain` must not load Flask and every feature.
    from pb.factory import create_app as build  # noqa: PLC0415

    return build(config)
