"""A live room's turn across server processes, through a real Redis (pb.broadcast.turns).

Two threads stand for two server processes: each holds only its own thread's turns, and the
Redis lock and `seq` counter are what they share, as two processes would.
"""

from __future__ import annotations

import threading
import time
from collections.abc import Iterator
from typing import Any

import pytest

from pb.broadcast import events, queue, turns
from tests.servers import redis

pytestmark = pytest.mark.redis


@pytest.fixture()
def shared_turns() -> Iterator[str]:
    with redis() as url:
        turns.configure(url)
        try:
            yield url
        finally:
            turns.configure(None)


def test_a_process_that_took_a_later_seq_publishes_after_the_earlier_one(
        shared_turns: str) -> None:
    room, channel = "live:991", []

    def process(name: str, start_after: float, reading: float) -> None:
        time.sleep(start_after)
        with turns.across_processes(room):
            seq = events.next_seq(room)
            time.sleep(reading)  # reading what the event carries
            channel.append((name, seq))  # publishing

    slow = threading.Thread(target=process, args=("A", 0.0, 0.4))
    quick = threading.Thread(target=process, args=("B", 0.1, 0.0))
    slow.start(), quick.start()
    slow.join(), quick.join()
    # Without the shared turn, B (which started while A was reading) published first.
    assert [name for name, _ in channel] == ["A", "B"]
    assert channel[0][1] < channel[1][1]


def test_seq_comes_from_redis_above_every_process_last(shared_turns: str) -> None:
    room = "live:992"
    with turns.across_processes(room):
        first = events.next_seq(room)
    # Another process gave a seq far ahead of this process's clock (say, a faster clock).
    import redis as redis_client  # noqa: PLC0415
    redis_client.Redis.from_url(shared_turns).set(f"pb:seq:{room}", str(first + 10**9))
    with turns.across_processes(room):
        assert events.next_seq(room) == first + 10**9 + 1


def test_one_process_holds_a_lease_until_it_runs_out(shared_turns: str) -> None:
    assert turns.holds_lease("live:993:phones", 0.3)
    assert turns.holds_lease("live:993:phones", 0.3)  # renewed by its holder
    turns._me, me = "another-process", turns._me  # noqa: SLF001 - a second process
    try:
        assert not turns.holds_lease("live:993:phones", 0.3)
        time.sleep(0.5)
        assert turns.holds_lease("live:993:phones", 0.3)  # the first stopped renewing
    finally:
        turns._me = me  # noqa: SLF001


def test_live_events_reach_this_process_clients_only_through_the_channel(
        shared_turns: str) -> None:
    """The live namespace's events are published, not handled here first; others are."""
    manager = queue.OrderedRedisManager(shared_turns, channel="pb-test")
    handled: list[Any] = []
    published: list[dict[str, Any]] = []
    manager._handle_emit = handled.append  # type: ignore[method-assign]  # noqa: SLF001
    manager._publish = published.append  # type: ignore[method-assign]  # noqa: SLF001
    manager.emit("tally", {"seq": 1}, namespace="/live", to="live:1:screens")
    assert handled == [] and published[0]["host_id"] == queue.STREAM
    assert published[0]["data"] == [{"seq": 1}] and published[0]["room"] == "live:1:screens"
    manager.emit("comment_added", {"id": 1}, namespace="/", to="proposal:1")
    assert len(handled) == 1 and len(published) == 2  # as Socket.IO does: here, then Redis


def test_without_redis_turns_change_nothing() -> None:
    turns.configure(None)
    with turns.across_processes("live:994"):
        seq = events.next_seq("live:994")
    assert events.next_seq("live:994") > seq and turns.holds_lease("x", 1.0)
