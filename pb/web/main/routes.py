"""Routes for the home page, health checks and what makes the site work offline."""

from __future__ import annotations

import hashlib
import json
from pathlib import Path

from flask import Response, current_app, render_template, url_for
from flask_babel import gettext as _

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


# What the service worker keeps ready, so the live phone page and the ballot page work when the
# connection drops (static/sw.js says what it keeps of pages, and why that is safe).
OFFLINE_ASSETS = ("css/app.css", "css/live.css", "vendor/socket.io/socket.io.min.js",
                  "js/money.js", "js/live-common.js", "js/offline-store.js", "js/live-phone.js",
                  "js/ballot.js", "js/offline-guard.js", "js/pwa.js", "icons/pb-192.png")
THEME_COLOUR = "#0b5c48"  # --brand in static/css/app.css


@bp.route("/sw.js")
def service_worker() -> Response:
    """Serve the service worker from the site's root, so that its scope is the whole site,
    with the fingerprinted files it keeps filled in (a new deploy is a new worker)."""
    asset_url = current_app.jinja_env.globals["asset_url"]
    assets = [asset_url(name) for name in OFFLINE_ASSETS]
    version = hashlib.sha256("\n".join(assets).encode()).hexdigest()[:12]
    source = (Path(current_app.root_path) / "static" / "sw.js").read_text(encoding="utf-8")
    source = source.replace('var VERSION = "dev";', f'var VERSION = "{version}";', 1)
    source = source.replace("var ASSETS = [];", f"var ASSETS = {json.dumps(assets)};", 1)
    response = Response(source, content_type="application/javascript; charset=utf-8")
    response.headers["Cache-Control"] = "no-cache"  # browsers look for a new worker each visit
    return response


@bp.route("/manifest.webmanifest")
def manifest() -> Response:
    """Describe the site to phones that add it to their home screen."""
    asset_url = current_app.jinja_env.globals["asset_url"]
    name = current_app.config.get("PB_SITE_NAME", "pb")
    icon = {"src": asset_url("icons/pb-512.png"), "sizes": "512x512", "type": "image/png"}
    body = {
        "name": name, "short_name": name,
        "description": _("Propose, discuss and vote on how public money is spent."),
        "start_url": url_for("main.index"), "scope": "/", "display": "standalone",
        "background_color": "#ffffff", "theme_color": THEME_COLOUR,
        "icons": [{"src": asset_url("icons/pb-192.png"), "sizes": "192x192",
                   "type": "image/png", "purpose": "any"},
                  {**icon, "purpose": "any"}, {**icon, "purpose": "maskable"}],
    }
    response = Response(json.dumps(body, ensure_ascii=False),
                        content_type="application/manifest+json; charset=utf-8")
    response.headers["Cache-Control"] = "no-cache"  # its words follow the reader's language
    return response


@bp.route("/offline")
def offline() -> str:
    """The page the service worker shows for an address it kept no copy of."""
    return render_template("main/offline.html")
