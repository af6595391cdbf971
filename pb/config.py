"""Settings from the environment, with defaults that run anywhere on SQLite.

Every setting a deployment may change is read here and nowhere else. Names start with `PB_`
except `SECRET_KEY`, which keeps the name every Flask guide uses.
"""

from __future__ import annotations

import os
import secrets
from collections.abc import Mapping
from datetime import timedelta
from pathlib import Path
from typing import Any
from urllib.parse import urlsplit

ENVIRONMENTS = ("development", "production", "testing")
PACKAGE = Path(__file__).resolve().parent
# Where templates/, static/, migrations/ and translations/ are: beside pb/ in a checkout,
# inside the package in an installed wheel (which carries them there).
ROOT = PACKAGE if (PACKAGE / "templates").is_dir() else PACKAGE.parent
INSTALLED = ROOT == PACKAGE


def instance_folder(environ: Mapping[str, str] | None = None) -> str:
    """Return the instance folder (the SQLite database and the development secret):
    PB_INSTANCE_PATH, else `instance/` in a checkout, else `instance/` in the current
    directory of an installed pb (never inside site-packages)."""
    env = os.environ if environ is None else environ
    if env.get("PB_INSTANCE_PATH"):
        return str(Path(env["PB_INSTANCE_PATH"]).resolve())
    return str((Path.cwd() if INSTALLED else ROOT) / "instance")


class ConfigError(RuntimeError):
    """A setting is missing or wrong; the message says which and how to fix it."""


def _flag(value: str | None, default: bool) -> bool:
    if value is None or value == "":
        return default
    return value.strip().lower() in {"1", "true", "yes", "on"}


def _whole(value: str | None, name: str) -> int:
    if value is None or value.strip() == "":
        return 0
    if not value.strip().isascii() or not value.strip().isdigit() or int(value) > 10:
        raise ConfigError(f"{name} must be a whole number of proxies from 0 to 10, not "
                          f"{value!r}.")
    return int(value)


def _positive(value: str | None, default: int, name: str) -> int:
    if value is None or value.strip() == "":
        return default
    if not value.strip().isascii() or not value.strip().isdigit() or int(value) < 1:
        raise ConfigError(f"{name} must be a whole number from 1 up, not {value!r}.")
    return int(value)


def load(instance_path: str, overrides: Mapping[str, Any] | None = None,
         environ: Mapping[str, str] | None = None) -> dict[str, Any]:
    """Return the app settings from `environ`, then `overrides` on top."""
    env = os.environ if environ is None else environ
    overrides = dict(overrides or {})
    mode = overrides.get("PB_ENV") or env.get("PB_ENV", "development")
    if mode not in ENVIRONMENTS:
        raise ConfigError(f"PB_ENV must be one of {', '.join(ENVIRONMENTS)}, not {mode!r}.")
    production = mode == "production"

    database_url = env.get("PB_DATABASE_URL") or (
        "sqlite:///" + str(Path(instance_path) / "pb.sqlite3"))
    # One Redis for everything several server processes share: Socket.IO's rooms (message
    # queue) and the rate-limit counters. Either can still be pointed elsewhere on its own.
    redis_url = env.get("PB_REDIS_URL") or None
    settings: dict[str, Any] = {
        "PB_ENV": mode,
        "TESTING": mode == "testing",
        "SQLALCHEMY_DATABASE_URI": database_url,
        "MAX_CONTENT_LENGTH": int(env.get("PB_MAX_CONTENT_LENGTH", 1024 * 1024)),
        # Where photos and PDF papers are kept (docs/deploy/uploads.md): every server process
        # of one site must see the same folder. The limit of one upload's request, in bytes.
        "PB_UPLOADS": env.get("PB_UPLOADS") or str(Path(instance_path) / "uploads"),
        "PB_UPLOAD_MAX_CONTENT_LENGTH": int(env.get("PB_UPLOAD_MAX_CONTENT_LENGTH",
                                                    11 * 1024 * 1024)),
        "SESSION_COOKIE_HTTPONLY": True,
        "SESSION_COOKIE_SAMESITE": "Lax",
        "SESSION_COOKIE_SECURE": _flag(env.get("PB_SECURE_COOKIES"), production),
        "REMEMBER_COOKIE_HTTPONLY": True,
        "REMEMBER_COOKIE_SAMESITE": "Lax",
        "REMEMBER_COOKIE_SECURE": _flag(env.get("PB_SECURE_COOKIES"), production),
        "WTF_CSRF_TIME_LIMIT": 8 * 3600,
        "RATELIMIT_STORAGE_URI": env.get("PB_RATELIMIT_STORAGE_URI") or redis_url or "memory://",
        "RATELIMIT_ENABLED": _flag(env.get("PB_RATELIMIT_ENABLED"), True),
        "RATELIMIT_HEADERS_ENABLED": True,
        # With Redis unreachable, rate limits count in this process's memory (with a logged
        # warning) until it answers again, and a limiter error never fails a request.
        "RATELIMIT_IN_MEMORY_FALLBACK_ENABLED": True,
        "RATELIMIT_SWALLOW_ERRORS": True,
        # How many reverse proxies stand in front of pb and set X-Forwarded-For, -Proto,
        # -Host and -Port; with 0 (the default) those headers are ignored, as anyone can send
        # them.
        "PB_TRUSTED_PROXIES": _whole(env.get("PB_TRUSTED_PROXIES"), "PB_TRUSTED_PROXIES"),
        # Strict-Transport-Security: browsers use https only for this site from then on. On
        # by default where cookies are Secure (production over https).
        "PB_HSTS": _flag(env.get("PB_HSTS"),
                         _flag(env.get("PB_SECURE_COOKIES"), production)),
        "PB_LOGIN_LIMIT": env.get("PB_LOGIN_LIMIT", "10 per minute; 50 per hour"),
        "PB_PROPOSAL_LIMIT": env.get("PB_PROPOSAL_LIMIT", "20 per hour"),
        # Offers to serve on a council sent from one address (a library's or community
        # centre's computer may help several neighbours in an hour).
        "PB_VOLUNTEER_LIMIT": env.get("PB_VOLUNTEER_LIMIT", "30 per hour"),
        # Failed attempts at a voting code or census details, per address (right ones are free,
        # so a school hall behind one address is never locked out).
        "PB_ELIGIBILITY_LIMIT": env.get("PB_ELIGIBILITY_LIMIT", "20 per minute; 100 per hour"),
        "PB_RESET_TOKEN_MAX_AGE": int(env.get("PB_RESET_TOKEN_MAX_AGE", 3600)),
        # How long a link confirming a new email address works, in seconds (a day).
        "PB_EMAIL_TOKEN_MAX_AGE": int(env.get("PB_EMAIL_TOKEN_MAX_AGE", 86400)),
        # How long a login lasts before pb asks for the password again (docs/accounts.md).
        # Staff (admins, officers, anyone with two-factor login): 12 hours from the login and
        # 2 hours unused, NIST 800-63B's AAL2 with a longer idle spell, so a facilitator's
        # console never drops mid-evening (each page and socket connect counts as use).
        # Everyone else: 30 days (AAL1), the "Keep me logged in" cookie's life too.
        "PB_STAFF_SESSION_HOURS": _positive(env.get("PB_STAFF_SESSION_HOURS"), 12,
                                            "PB_STAFF_SESSION_HOURS"),
        "PB_STAFF_IDLE_MINUTES": _positive(env.get("PB_STAFF_IDLE_MINUTES"), 120,
                                           "PB_STAFF_IDLE_MINUTES"),
        "PB_SESSION_DAYS": _positive(env.get("PB_SESSION_DAYS"), 30, "PB_SESSION_DAYS"),
        # How long publishing a council's selection by lot may compute from a web page;
        # `pb sortition publish` on the server has no limit.
        "PB_SORTITION_TIMEOUT": int(env.get("PB_SORTITION_TIMEOUT", 600)),
        # Threads for development and tests; in production Flask-SocketIO picks gevent when it
        # is installed (`pb serve` and `gunicorn -k gevent` both run on it; see README).
        "PB_ASYNC_MODE": env.get("PB_ASYNC_MODE") or (None if production else "threading"),
        "PB_REDIS_URL": redis_url,
        "PB_SOCKETIO_MESSAGE_QUEUE": env.get("PB_SOCKETIO_MESSAGE_QUEUE") or redis_url,
        "PB_SOCKETIO_ORIGINS": [o for o in env.get("PB_SOCKETIO_ORIGINS", "").split(",") if o],
        # Which Socket.IO transports to accept; `pb serve --processes N` starts its workers with
        # "websocket" only, as a long-polling client's requests could reach different workers.
        "PB_SOCKETIO_TRANSPORTS": [t.strip() for t in env.get("PB_SOCKETIO_TRANSPORTS", "")
                                   .split(",") if t.strip()],
        "PB_MAIL_SENDER": env.get("PB_MAIL_SENDER", "pb <no-reply@localhost>"),
        "PB_SMTP_HOST": env.get("PB_SMTP_HOST") or None,
        "PB_SMTP_PORT": int(env.get("PB_SMTP_PORT", 587)),
        "PB_SMTP_USER": env.get("PB_SMTP_USER") or None,
        "PB_SMTP_PASSWORD": env.get("PB_SMTP_PASSWORD") or None,
        "PB_SMTP_STARTTLS": _flag(env.get("PB_SMTP_STARTTLS"), True),
        "PB_TIMEZONE": env.get("PB_TIMEZONE", "Europe/London"),
        "PB_DEFAULT_CURRENCY": env.get("PB_DEFAULT_CURRENCY", "GBP"),
        # Where visitors get this site's source code, linked from every page's footer: the
        # AGPL asks a site that runs a changed pb to offer its users the changed source.
        "PB_SOURCE_URL": env.get("PB_SOURCE_URL", "").strip(),
        # Who runs this site and how to reach them, filled into the default privacy notice
        # and accessibility statement (docs/accounts.md); admins may rewrite both pages.
        "PB_ORGANISATION": env.get("PB_ORGANISATION", "").strip(),
        "PB_CONTACT_EMAIL": env.get("PB_CONTACT_EMAIL", "").strip(),
        # The site's address as residents type it (https://pb.example.org). Every absolute
        # link pb writes (password resets, confirmations, feeds, QR codes) starts with it, and
        # requests for any other host are refused. Required in production.
        "PB_BASE_URL": env.get("PB_BASE_URL", "").strip().rstrip("/"),
        # Other host names requests may use besides PB_BASE_URL's (a load balancer's health
        # check by address); the loopback names are always allowed, for checks on the server.
        "PB_TRUSTED_HOSTS": [h.strip() for h in env.get("PB_TRUSTED_HOSTS", "").split(",")
                             if h.strip()],
        # Staff accounts (admins and officers) must sign in with a second factor (a code from
        # an authenticator app) before they can use staff pages; anyone may turn it on. Off by
        # default; docs/security.md asks production sites to turn it on.
        "PB_REQUIRE_TWO_FACTOR": _flag(env.get("PB_REQUIRE_TWO_FACTOR"), False),
        # Map tiles behind proposals' places (docs/deploy/README.md): a URL template with
        # {z}, {x} and {y}; empty for no maps, only lists of places.
        "PB_MAP_TILES": env.get("PB_MAP_TILES", OSM_TILES).strip(),
        "PB_MAP_ATTRIBUTION": env.get("PB_MAP_ATTRIBUTION", OSM_ATTRIBUTION).strip(),
        "BABEL_DEFAULT_LOCALE": "en",
        "BABEL_DEFAULT_TIMEZONE": env.get("PB_TIMEZONE", "Europe/London"),
        "BABEL_TRANSLATION_DIRECTORIES": str(ROOT / "translations"),
        "PB_LANGUAGES": {"en": "English", "cy": "Cymraeg"},
    }
    settings.update(overrides)
    # A "Keep me logged in" cookie lasts as long as the longest session may.
    settings.setdefault("REMEMBER_COOKIE_DURATION", timedelta(days=settings["PB_SESSION_DAYS"]))
    source = settings["PB_SOURCE_URL"]
    if source and not source.startswith(("https://", "http://")):
        raise ConfigError(f"PB_SOURCE_URL must be a web address starting https://, not {source}.")
    settings["PB_MAP_TILE_ORIGIN"] = map_tile_origin(settings["PB_MAP_TILES"])
    unknown = set(settings["PB_SOCKETIO_TRANSPORTS"]) - {"polling", "websocket"}
    if unknown:
        raise ConfigError("PB_SOCKETIO_TRANSPORTS takes polling and websocket, separated by "
                          f"commas, not {', '.join(sorted(unknown))}.")
    # Secure cookies take the __Host- prefix: browsers then refuse them unless they came over
    # https from this very host (no Domain, Path=/), so a neighbouring subdomain cannot set one.
    prefix = "__Host-" if settings["SESSION_COOKIE_SECURE"] else ""
    settings.setdefault("SESSION_COOKIE_NAME", f"{prefix}session")
    if settings["REMEMBER_COOKIE_SECURE"]:
        settings.setdefault("REMEMBER_COOKIE_NAME", "__Host-remember_token")
    # A server database may drop idle connections, so each checkout is pinged first; an
    # embedded SQLite file cannot, and the ping would cost every request a round trip.
    settings.setdefault("SQLALCHEMY_ENGINE_OPTIONS", {
        "pool_pre_ping": not str(settings["SQLALCHEMY_DATABASE_URI"]).startswith("sqlite")})
    settings["SECRET_KEY"] = (overrides.get("SECRET_KEY") or env.get("SECRET_KEY")
                              or _dev_secret(instance_path, production))
    settings.update(_site_address(settings["PB_BASE_URL"], settings["PB_TRUSTED_HOSTS"],
                                  production))
    # Keys census entries, access codes and receipts; keep it when rotating SECRET_KEY, or the
    # census and codes of open rounds stop matching.
    settings["PB_VOTING_KEY"] = (overrides.get("PB_VOTING_KEY") or env.get("PB_VOTING_KEY")
                                 or settings["SECRET_KEY"])
    return settings


LOOPBACK_HOSTS = ("localhost", "127.0.0.1", "[::1]")
OSM_TILES = "https://tile.openstreetmap.org/{z}/{x}/{y}.png"
OSM_ATTRIBUTION = ('&copy; <a href="https://www.openstreetmap.org/copyright">OpenStreetMap</a> '
                   "contributors")


def map_tile_origin(template: str) -> str:
    """Return the origin map tiles come from (for the Content-Security-Policy), or "" for
    none; refuse a template that is not a web address with {z}, {x} and {y} in it."""
    if not template:
        return ""
    parts = urlsplit(template.replace("{s}", "a"))
    if parts.scheme not in ("https", "http") or not parts.hostname or any(
            f"{{{name}}}" not in template for name in "zxy"):
        raise ConfigError("PB_MAP_TILES must be a tile address with {z}, {x} and {y} in it, "
                          "e.g. https://tile.openstreetmap.org/{z}/{x}/{y}.png, or empty for "
                          f"no maps; not {template!r}.")
    host = parts.netloc.replace("a.", "*.", 1) if "{s}" in template else parts.netloc
    return f"{parts.scheme}://{host}"


def _site_address(base_url: str, extra_hosts: list[str], production: bool) -> dict[str, Any]:
    """Return Flask's settings for the canonical address PB_BASE_URL: links are built on it
    (SERVER_NAME, PREFERRED_URL_SCHEME) and other Host headers are refused (TRUSTED_HOSTS)."""
    if not base_url:
        if production:
            raise ConfigError(
                "PB_BASE_URL is not set. In production pb needs the site's address as people "
                "type it, e.g. PB_BASE_URL=https://pb.example.org: links in emails and feeds "
                "start with it, and requests naming another host are refused.")
        return {}
    parts = urlsplit(base_url)
    if parts.scheme not in ("https", "http") or not parts.hostname or parts.path not in (
            "", "/") or parts.query or parts.fragment or parts.username or parts.password:
        raise ConfigError("PB_BASE_URL must be the site's address with nothing after the host "
                          f"(and port), e.g. https://pb.example.org, not {base_url!r}.")
    return {"SERVER_NAME": parts.netloc, "PREFERRED_URL_SCHEME": parts.scheme,
            "TRUSTED_HOSTS": [parts.hostname, *extra_hosts, *LOOPBACK_HOSTS]}


def _dev_secret(instance_path: str, production: bool) -> str:
    """Return a secret kept in the instance folder, outside production only."""
    if production:
        raise ConfigError(
            "SECRET_KEY is not set. In production pb needs a long random SECRET_KEY in the "
            "environment, e.g. export SECRET_KEY=$(python3 -c 'import secrets; "
            "print(secrets.token_hex(32))').")
    path = Path(instance_path) / "secret_key"
    if not path.exists():
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(secrets.token_hex(32))
        path.chmod(0o600)
    return path.read_text().strip()
