"""Is this process ready to serve: can it reach its database and, when configured, Redis?

For load balancers and service managers (`/healthz`, `/readyz`). Each check answers within
a few seconds, reachable or not, and never raises.
"""

from __future__ import annotations

import logging
from collections.abc import Mapping
from typing import Any

import sqlalchemy as sa

from pb.extensions import db
from pb.services import discard

log = logging.getLogger(__name__)
TIMEOUT = 2.0  # seconds a check may wait for Redis


def database_answers() -> bool:
    """Ask the database a trivial question."""
    try:
        db.session.execute(sa.text("SELECT 1"))
        return True
    except Exception as error:  # noqa: BLE001 - any failure means "not ready"
        log.warning("Readiness: the database does not answer: %s", error)
        try:
            discard()
        except Exception:  # noqa: BLE001 - the connection is gone; the pool replaces it
            log.debug("Readiness: could not roll back", exc_info=True)
        return False


def redis_answers(url: str) -> bool:
    """Ping the Redis at `url`."""
    # Here, not at the top: redis comes with the server extra, and only a site with
    # PB_REDIS_URL (or a Redis message queue or rate-limit store) asks for this check.
    import redis  # noqa: PLC0415

    try:
        client = redis.Redis.from_url(url, socket_connect_timeout=TIMEOUT,
                                      socket_timeout=TIMEOUT)
        return bool(client.ping())
    except (redis.RedisError, OSError) as error:
        log.warning("Readiness: Redis at %s does not answer: %s", url, error)
        return False


def redis_urls(config: Mapping[str, Any]) -> list[str]:
    """Return the Redis servers the app uses: its message queue and rate-limit store."""
    return sorted({url for url in (config["PB_SOCKETIO_MESSAGE_QUEUE"],
                                   config["RATELIMIT_STORAGE_URI"])
                   if url and url.startswith(("redis://", "rediss://"))})


def readiness(config: Mapping[str, Any]) -> dict[str, str]:
    """Return "ok" or "unreachable" for the database and, if any, the Redis servers."""
    checks = {"database": "ok" if database_answers() else "unreachable"}
    urls = redis_urls(config)
    if urls:
        reached = all(redis_answers(url) for url in urls)
        checks["redis"] = "ok" if reached else "unreachable"
    return checks
