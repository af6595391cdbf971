"""pb: deliberative participatory budgeting.

Importing `pb` stays light (no Flask), so `pb.domain` can be used on its own; `create_app`
loads the app factory (`pb.factory`) only when called.
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
