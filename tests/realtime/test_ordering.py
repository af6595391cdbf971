"""One ordering rule for every event: `seq` only grows for a room, across event names."""

from __future__ import annotations

import time
from typing import Any

from pb.broadcast import events
from tests.factories import NS, console, control, phone


def test_seq_only_grows_for_a_room_even_when_the_clock_stands_still(monkeypatch: Any) -> None:
    monkeypatch.setattr(time, "time_ns", lambda: 1_764_000_000_000_000_000)
    # Rooms of their own: the catalogue remembers every room it numbered in this process.
    first = events.next_seq("test:still:a")
    assert [events.next_seq("test:still:a") - first for _ in range(3)] == [1, 2, 3]
    assert events.next_seq("test:still:b") == first  # another room keeps its own order


def test_seq_follows_the_clock_when_it_moves_on(monkeypatch: Any) -> None:
    now = [time.time_ns() + 10**12]  # later than anything numbered so far
    monkeypatch.setattr(time, "time_ns", lambda: now[0])
    before = events.next_seq("test:moving")
    now[0] += 5_000_000  # five milliseconds later
    assert events.next_seq("test:moving") == before + 5_000


def test_a_consoles_events_of_every_name_arrive_in_seq_order(app: Any, client: Any,
                                                            login: Any, evening: Any) -> None:
    desk = console(app, client, login, evening)
    one, joined = phone(app, evening)
    assert control(desk, "start")["ok"]
    assert control(desk, "open_questions")["ok"]
    assert one.emit("ask", {"text": "Who will run it?"}, namespace=NS, callback=True)["ok"]
    assert control(desk, "open_scoring")["ok"]
    assert one.emit("vote", {"key": "order-key-001", "items": {evening.pids[0]: 7}},
                    namespace=NS, callback=True)["ok"]
    time.sleep(events.LIVE_TALLY_INTERVAL + 0.2)  # let the throttled tally go out
    received = [e for e in desk.get_received(NS) if e["name"] in ("state", "tally", "questions")]
    names = {e["name"] for e in received}
    assert names == {"state", "tally", "questions"}
    seqs = [e["args"][0]["seq"] for e in received]
    assert seqs == sorted(seqs) and len(set(seqs)) == len(seqs)
    on_phone = [e["args"][0]["seq"] for e in one.get_received(NS) if e["name"] == "state"]
    assert on_phone and joined["state"]["seq"] < min(on_phone)  # the join's snapshot came first
