"""Routes for the home page and health check."""

from __future__ import annotations

from flask import render_template

from pb.services import ping, rounds
from pb.web.access import viewer
from pb.web.main import bp


@bp.route("/")
def index() -> str:
    who = viewer()
    current = [r for r in rounds.list_rounds(who) if r.phase not in ("draft", "closed")]
    return render_template("main/index.html", rounds=current[:6])


@bp.route("/healthz")
def health() -> tuple[dict[str, str], int]:
    """Tell a load balancer whether the app and its database answer."""
    ping()
    return {"status": "ok"}, 200
