"""Routes for the home page and health check."""

from __future__ import annotations

import sqlalchemy as sa
from flask import Blueprint, render_template
from flask_login import current_user

from pb.extensions import db
from pb.services import rounds

bp = Blueprint("main", __name__)


@bp.route("/")
def index() -> str:
    viewer = current_user if current_user.is_authenticated else None
    current = [r for r in rounds.list_rounds(viewer) if r.phase not in ("draft", "closed")]
    return render_template("main/index.html", rounds=current[:6])


@bp.route("/healthz")
def health() -> tuple[dict[str, str], int]:
    """Tell a load balancer whether the app and its database answer."""
    db.session.execute(sa.text("SELECT 1"))
    return {"status": "ok"}, 200
