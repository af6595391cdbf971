"""Password hashing runs off the gevent loop, so one log-in does not freeze every phone."""

from __future__ import annotations

import json
import subprocess
import sys
import textwrap

import pytest
from argon2 import PasswordHasher
from argon2.exceptions import VerifyMismatchError

from pb.services.offload import off_loop, under_gevent

# Run in a process of its own: gevent's monkey-patching cannot be undone.
GEVENT_PROCESS = textwrap.dedent("""
    from gevent import monkey
    monkey.patch_all()
    import json
    import gevent
    from argon2 import PasswordHasher
    from pb.services.offload import off_loop, under_gevent

    hasher = PasswordHasher()
    stored = hasher.hash("correct horse")
    ticks = 0

    def heartbeat():
        global ticks
        while True:
            ticks += 1
            gevent.sleep(0.001)

    gevent.spawn(heartbeat)
    gevent.sleep(0.01)

    def ticks_during(call):
        before = ticks
        result = call()
        return ticks - before, result

    off = ticks_during(lambda: off_loop(hasher.verify, stored, "correct horse"))
    plain = ticks_during(lambda: hasher.verify(stored, "correct horse"))
    try:
        off_loop(hasher.verify, stored, "wrong")
        error = None
    except Exception as exc:
        error = type(exc).__name__
    print(json.dumps({"gevent": under_gevent(), "off": off, "plain": plain, "error": error}))
""")


def test_without_gevent_it_is_the_plain_call() -> None:
    hasher = PasswordHasher()
    stored = hasher.hash("correct horse")
    assert not under_gevent()
    assert off_loop(hasher.verify, stored, "correct horse") is True
    with pytest.raises(VerifyMismatchError):
        off_loop(hasher.verify, stored, "wrong")


def test_on_gevent_the_loop_goes_on_while_a_password_is_checked() -> None:
    done = subprocess.run([sys.executable, "-c", GEVENT_PROCESS], capture_output=True,
                          text=True, timeout=60, check=True)
    seen = json.loads(done.stdout.strip().splitlines()[-1])
    assert seen["gevent"] is True
    ticks, verified = seen["off"]
    assert verified is True
    assert ticks > 0, "other greenlets ran while the password was checked"
    # The plain call holds the loop for the whole hash: the difference off_loop makes.
    assert seen["plain"] == [0, True]
    assert seen["error"] == "VerifyMismatchError"  # a wrong password still fails the same way
