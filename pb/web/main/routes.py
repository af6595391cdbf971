"""Routes for the home page and health check."""

from __future__ import annotations

from flask import current_app, render_template

from pb.services import health as health_checks
from pb.services import rounds
from pb.web.access import viewer
from pb.web.main import bp


@bp.route("/")
def index() -> str:
    who = viewer()
    current = [r for r in rounds.list_rounds(who) if r.phase not in ("draft", "closed")]
    return render_template("main/index.html", rounds=current[:6])


@bp.route("/healthz")
def health() -> tuple[dict[str, str], int]:
    """Tell a service manager that this process answers (nothing else is checked)."""
    return {"status": "ok"}, 200


@bp.route("/readyz")
def ready() -> tuple[dict[str, str], int]:
    """Tell a load balancer whether this process can serve: its database answers and, when
    one is configured, so does Redis (503 otherwise)."""
    checks = health_checks.readiness(current_app.config)
    ready_now = all(v == "ok" for v in checks.values())
    return {"status": "ok" if ready_now else "unavailable", **checks}, 200 if ready_now else 503
