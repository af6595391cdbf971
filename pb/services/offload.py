"""Run slow native code, such as password hashing, without stopping a gevent server.

Under `pb serve` one gevent process holds every connection on one thread, so a 40 ms Argon2
hash would freeze every phone and screen for 40 ms, and a room of people logging in at once
for seconds. Argon2 releases the GIL while it hashes, so in gevent's thread pool it runs on
another core while the loop goes on. Without gevent (tests, `flask run`) it is a plain call.
"""

from __future__ import annotations

import sys
from collections.abc import Callable
from typing import Any, TypeVar

T = TypeVar("T")


def under_gevent() -> bool:
    """Tell whether this process runs on gevent's loop (threading is monkey-patched)."""
    monkey = sys.modules.get("gevent.monkey")
    return monkey is not None and bool(monkey.is_module_patched("threading"))


def off_loop(fn: Callable[..., T], *args: Any) -> T:
    """Return `fn(*args)`, run in gevent's thread pool when on gevent; its errors are raised
    here as they would be from the plain call."""
    if not under_gevent():
        return fn(*args)
    import gevent  # noqa: PLC0415  (gevent is optional: the server extra)

    return gevent.get_hub().threadpool.apply(fn, args)  # type: ignore[no-any-return]
