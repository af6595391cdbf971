"""Casting over the socket (`vote`) and running totals (`round_totals`)."""

from __future__ import annotations

import time
from typing import Any

import sqlalchemy as sa

from pb.domain.eligibility import keyed_hash
from pb.extensions import db
from pb.models import AccessCode, Ballot, BallotSubmission
from pb.services import rounds, voting
from pb.services.voting import totals
from tests.factories import open_round, socket


def test_a_logged_in_voter_casts_over_the_socket(app: Any, client: Any, make_round: Any,
                                                 make_user: Any, login: Any) -> None:
    round_ = open_round(make_round, make_user, ballot_method="cumulative", ballot_points=10)
    login(make_user())
    client.get("/")
    phone = socket(app, client)
    a, b, _ = round_.ids
    payload = {"round": round_.id, "key": "socket-key-0001", "items": {a: 6, b: 4}}
    ack = phone.emit("vote", payload, callback=True)
    assert ack["ok"] is True and len(ack["receipt"]) == 14 and ack["items"] == {a: 6, b: 4}
    assert phone.emit("vote", payload, callback=True)["receipt"] == ack["receipt"]
    assert db.session.scalar(sa.select(sa.func.count(BallotSubmission.id))) == 1
    changed = phone.emit("vote", {**payload, "key": "socket-key-0002", "items": {a: 10}},
                         callback=True)
    assert changed["ok"] and changed["replaced"] and changed["receipt"] != ack["receipt"]
    assert db.session.scalar(sa.select(Ballot.items)) == {a: 10}


def test_bad_vote_payloads_get_error_acks_and_store_nothing(
        app: Any, client: Any, make_round: Any, make_user: Any, login: Any) -> None:
    round_ = open_round(make_round, make_user, ballot_method="cumulative", ballot_points=10)
    anonymous = socket(app)
    assert "Log in" in anonymous.emit("vote", {"round": round_.id, "key": "k" * 16,
                                              "items": {round_.ids[0]: 1}}, callback=True)["error"]
    login(make_user())
    client.get("/")
    phone = socket(app, client)
    a = round_.ids[0]
    for payload in (None, [], "vote", {"round": "1"}, {"round": 99999, "key": "k" * 16},
                    {"round": round_.id, "key": "short", "items": {a: 1}},
                    {"round": round_.id, "key": "k" * 16, "items": {a: 11}},
                    {"round": round_.id, "key": "k" * 16, "items": {"999": 1}},
                    {"round": round_.id, "key": "k" * 16, "items": [a] * 5000},
                    {"round": round_.id, "key": "k" * 16, "items": {a: "lots"}},
                    {"round": round_.id, "key": "k" * 16, "items": {a: 1}, "code": 7}):
        ack = phone.emit("vote", payload, callback=True)
        assert ack["ok"] is False and ack["error"], payload
    assert phone.is_connected()
    assert db.session.scalar(sa.select(sa.func.count(Ballot.id))) == 0
    assert db.session.scalar(sa.select(sa.func.count(BallotSubmission.id))) == 0


def test_a_code_sent_with_the_ballot_votes_once(app: Any, make_round: Any,
                                                make_user: Any) -> None:
    round_ = open_round(make_round, make_user, ballot_method="approval", eligibility="codes")
    code = "ABCDEFGHJKMN"
    db.session.add(AccessCode(round_id=round_.id, code_hash=keyed_hash(
        app.config["PB_VOTING_KEY"].encode(), "code", code)))
    db.session.commit()
    kiosk = socket(app)
    first = kiosk.emit("vote", {"round": round_.id, "key": "kiosk-key-001", "code": code,
                                "items": [round_.ids[0]]}, callback=True)
    assert first["ok"]
    again = kiosk.emit("vote", {"round": round_.id, "key": "kiosk-key-002", "code": code,
                                "items": [round_.ids[1]]}, callback=True)
    assert again["ok"] is False and "already been used" in again["error"]
    assert db.session.scalar(sa.select(Ballot.items)) == [round_.ids[0]]


def test_votes_after_close_are_refused(app: Any, client: Any, make_round: Any,
                                       make_user: Any, login: Any) -> None:
    round_ = open_round(make_round, make_user, ballot_method="approval")
    login(make_user())
    client.get("/")
    phone = socket(app, client)
    assert phone.emit("vote", {"round": round_.id, "key": "before-close-1",
                               "items": [round_.ids[0]]}, callback=True)["ok"]
    rounds.do_change_phase(round_.officer, round_, "results")
    late = phone.emit("vote", {"round": round_.id, "key": "after-close-01",
                               "items": [round_.ids[1]]}, callback=True)
    assert late["ok"] is False and "closed" in late["error"]
    assert db.session.scalar(sa.select(Ballot.items)) == [round_.ids[0]]


def _totals(events: list[dict[str, Any]]) -> list[dict[str, Any]]:
    return [e["args"][0] for e in events if e["name"] == "round_totals"]


def test_running_totals_are_throttled_and_only_where_asked_for(
        app: Any, client: Any, make_round: Any, make_user: Any) -> None:
    shown = open_round(make_round, make_user, ballot_method="approval", running_totals=True)
    hidden = open_round(make_round, make_user, ballot_method="approval")
    watcher = socket(app)
    for round_ in (shown, hidden):
        watcher.emit("watch", {"round": round_.id}, callback=True)
    watcher.get_received()
    started = time.monotonic()
    for n in range(30):
        for round_ in (shown, hidden):
            voting.do_cast(round_, voting.Voter(round_.id, f"user:{n}"),
                           [round_.ids[n % 3]], f"totals-key-{n:04d}")
    elapsed = time.monotonic() - started
    deadline = time.monotonic() + 3
    received: list[dict[str, Any]] = []
    while time.monotonic() < deadline:
        received += _totals(watcher.get_received())
        if received and received[-1]["ballots"] == 30:
            break
        time.sleep(0.05)
    assert received, "running totals were broadcast"
    assert {e["round"] for e in received} == {shown.id}  # never for the round that hides them
    # Coalesced: one broadcast per interval at most, however many ballots arrived.
    assert len(received) <= elapsed / totals.INTERVAL + 2
    # Spaced by the server's clock (`version`): the throttle spaces the sends' starts by the
    # interval, and each stamps its event after reading, which a loaded machine slows, so a
    # gap can be shorter by one read (0.26 s seen); unthrottled sends would be milliseconds.
    gaps = [(b["version"] - a["version"]) / 1e6
            for a, b in zip(received, received[1:], strict=False)]
    assert all(gap >= totals.INTERVAL * 0.5 for gap in gaps), gaps
    assert received[-1]["ballots"] == 30  # the last ballot is always in the last broadcast
    assert received[-1]["support"] == {pid: 10 for pid in shown.ids}
    page = client.get(f"/rounds/{shown.id}").get_data(as_text=True)
    assert 'id="running-totals"' in page
    assert 'id="running-totals"' not in client.get(f"/rounds/{hidden.id}").get_data(as_text=True)
