"""The /live namespace: joining, controls, scoring, questions, and every bad payload."""

from __future__ import annotations

from typing import Any

import pytest
import sqlalchemy as sa

from pb.extensions import db
from pb.models import Ballot, LiveParticipant, LiveQuestion
from pb.services import live, rounds
from tests.factories import NS, add_projects, connect, console, control, phone, plain_user


def states(sock: Any) -> list[dict[str, Any]]:
    return [e["args"][0] for e in sock.get_received(NS) if e["name"] == "state"]


def test_a_whole_evening(app: Any, client: Any, login: Any, evening: Any) -> None:
    desk = console(app, client, login, evening)
    one, joined = phone(app, evening)
    assert joined["participant"] and joined["state"]["phase"] == "lobby"
    assert joined["state"]["totals"] is None  # phones never see values before the reveal
    one.get_received(NS)
    assert control(desk, "start")["ok"]
    (state,) = states(one)
    assert state["phase"] == "pitch" and state["current"]["proposal"] == int(evening.pids[0])
    assert state["timer"]["ends"] - state["server_now"] == pytest.approx(60_000, abs=2_000)
    early = one.emit("vote", {"key": "score-key-001", "items": {evening.pids[0]: 8}},
                     namespace=NS, callback=True)
    assert early["ok"] is False and "not open" in early["error"]
    assert control(desk, "open_questions")["ok"]
    asked = one.emit("ask", {"text": "  How many   young people will it reach? "},
                     namespace=NS, callback=True)
    assert asked["ok"]
    two, _ = phone(app, evening)
    assert two.emit("upvote", {"question": asked["question"]}, namespace=NS,
                    callback=True)["votes"] == 1
    again = two.emit("upvote", {"question": asked["question"]}, namespace=NS, callback=True)
    assert again["ok"] is False
    assert control(desk, "open_scoring")["ok"]
    scored = one.emit("vote", {"key": "score-key-001", "items": {evening.pids[0]: 8}},
                      namespace=NS, callback=True)
    assert scored["ok"] and scored["receipt"]
    assert one.emit("vote", {"key": "score-key-001", "items": {evening.pids[0]: 8}},
                    namespace=NS, callback=True)["receipt"] == scored["receipt"]
    other_pitch = one.emit("vote", {"key": "score-key-002", "items": {evening.pids[1]: 5}},
                           namespace=NS, callback=True)
    assert other_pitch["ok"] is False
    assert control(desk, "next")["ok"]
    assert control(desk, "open_scoring")["ok"]
    assert one.emit("vote", {"key": "score-key-003", "items": {evening.pids[1]: 6}},
                    namespace=NS, callback=True)["ok"]
    assert two.emit("vote", {"key": "score-key-004", "items": {evening.pids[1]: 10}},
                    namespace=NS, callback=True)["ok"]
    ballots = {tuple(sorted(b.items.items())) for b in db.session.scalars(sa.select(Ballot))}
    assert ballots == {((evening.pids[0], 8), (evening.pids[1], 6)),
                       ((evening.pids[1], 10),)}
    assert control(desk, "reveal")["ok"] is False  # close first
    assert control(desk, "close")["ok"]
    assert control(desk, "reveal")["ok"]
    final = states(one)[-1]
    assert final["phase"] == "revealed" and final["results_visible"]
    assert [f["id"] for f in final["results"]["funded"]] == [int(evening.pids[1]),
                                                             int(evening.pids[0])]
    assert final["totals"] == {evening.pids[0]: 8, evening.pids[1]: 16, evening.pids[2]: 0}


def test_a_phone_that_reconnects_is_the_same_participant(app: Any, client: Any, login: Any,
                                                         evening: Any) -> None:
    desk = console(app, client, login, evening)
    control(desk, "start")
    control(desk, "open_scoring_all")
    sock, joined = phone(app, evening)
    token = joined["participant"]
    assert sock.emit("vote", {"key": "before-drop-01", "items": {evening.pids[2]: 7}},
                     namespace=NS, callback=True)["ok"]
    sock.disconnect(namespace=NS)
    back, rejoined = phone(app, evening, participant=token)
    assert rejoined["participant"] == token and rejoined["state"]["scoring"] == "all"
    assert rejoined["mine"] == {evening.pids[2]: 7}
    assert back.emit("vote", {"key": "after-drop-01", "items": {evening.pids[0]: 9}},
                     namespace=NS, callback=True)["ok"]
    assert db.session.scalar(sa.select(sa.func.count(LiveParticipant.id))) == 1
    assert db.session.scalar(sa.select(Ballot.items)) == {evening.pids[2]: 7,
                                                          evening.pids[0]: 9}


def test_phones_cannot_control_and_bad_payloads_get_error_acks(app: Any, evening: Any) -> None:
    sock, _ = phone(app, evening)
    assert "console" in control(sock, "start")["error"]
    for event, payload in [("join", None), ("join", "ABC"), ("join", {"code": 7}),
                           ("join", {"code": "ZZZZZZ"}), ("join", {"code": "x" * 9000}),
                           ("vote", []), ("vote", {"items": "lots"}),
                           ("vote", {"key": "k" * 12, "items": {evening.pids[0]: 11}}),
                           ("ask", {"text": ""}), ("ask", {"text": "x" * 500}),
                           ("upvote", {"question": "1"}), ("upvote", {"question": 999}),
                           ("control", {"action": "explode"})]:
        ack = sock.emit(event, payload, namespace=NS, callback=True)
        assert ack["ok"] is False and ack["error"], (event, payload)
    assert sock.is_connected(NS)
    assert db.session.scalar(sa.select(sa.func.count(LiveQuestion.id))) == 0


def test_floods_are_refused_politely(app: Any, client: Any, login: Any, evening: Any) -> None:
    desk = console(app, client, login, evening)
    control(desk, "start")
    control(desk, "open_questions")
    sock, _ = phone(app, evening)
    assert sock.emit("ask", {"text": "First question"}, namespace=NS, callback=True)["ok"]
    second = sock.emit("ask", {"text": "Second question"}, namespace=NS, callback=True)
    assert second["ok"] is False and "wait" in second["error"]
    acks = [sock.emit("upvote", {"question": 999}, namespace=NS, callback=True)
            for _ in range(40)]
    assert any("Too many" in a["error"] for a in acks)
    assert sock.is_connected(NS)


def test_scores_out_of_range_and_closed_scoring(app: Any, client: Any, login: Any,
                                                evening: Any) -> None:
    desk = console(app, client, login, evening)
    control(desk, "start")
    sock, _ = phone(app, evening)
    assert "not open" in sock.emit("vote", {"key": "closed-key-1", "items": {
        evening.pids[0]: 5}}, namespace=NS, callback=True)["error"]
    control(desk, "open_scoring")
    bad = sock.emit("vote", {"key": "range-key-01", "items": {evening.pids[0]: 0}},
                    namespace=NS, callback=True)
    assert bad["ok"] is False
    bad = sock.emit("vote", {"key": "range-key-02", "items": {evening.pids[0]: 11}},
                    namespace=NS, callback=True)
    assert "1 to 10" in bad["error"]
    listed = sock.emit("vote", {"key": "range-key-03", "items": [evening.pids[0]]},
                       namespace=NS, callback=True)  # a list is how approval sessions send
    assert listed["ok"] is False and "score for each" in listed["error"]
    assert db.session.scalar(sa.select(sa.func.count(Ballot.id))) == 0


def test_paper_scorecards_count_in_the_same_tally(app: Any, client: Any, login: Any,
                                                  evening: Any) -> None:
    import time

    from pb.services.voting import paper

    desk = console(app, client, login, evening)
    control(desk, "start")
    screen = connect(app)
    screen.emit("join", {"code": evening.join_code, "role": "screen"}, namespace=NS,
                callback=True)
    screen.get_received(NS)
    round_ = evening.round
    batch = paper.do_create_batch(evening.officer, round_, 1, "Scorecards table 1", 2)
    for position, score in ((1, 9), (2, 4)):
        paper.do_enter(evening.officer, round_, batch, 1, position,
                       {evening.pids[0]: score}, spoilt=False)
    paper.do_count(evening.officer, round_, batch)
    deadline = time.monotonic() + 5
    tallies: list[dict[str, Any]] = []
    while time.monotonic() < deadline and not tallies:
        tallies = [e["args"][0] for e in screen.get_received(NS) if e["name"] == "tally"]
        time.sleep(0.05)
    assert tallies and tallies[-1]["paper"] == 2
    assert tallies[-1]["scored"][evening.pids[0]] == 2
    assert tallies[-1]["totals"] is None  # the screen sees counts, not values


def test_controls_carry_the_revision_the_console_saw(app: Any, client: Any, login: Any,
                                                     evening: Any) -> None:
    login(evening.officer)
    client.get("/")
    desk = connect(app, client)
    seen = desk.emit("join", {"code": evening.join_code, "role": "console"}, namespace=NS,
                     callback=True)["state"]["revision"]
    started = control(desk, "start", revision=seen)
    assert started["ok"] and started["revision"] == seen + 1
    stale = control(desk, "next", revision=seen)  # pressed on a screen that had not updated
    assert stale["ok"] is False and "Another console" in stale["error"]
    assert control(desk, "next", revision=seen + 1)["ok"]


def tallies(sock: Any, wait: float = 5.0) -> list[dict[str, Any]]:
    """Return the `tally` events a client has received, waiting a moment for the first
    (the broadcasts are throttled, so they come from a background task)."""
    import time

    deadline = time.monotonic() + wait
    found: list[dict[str, Any]] = []
    while not found and time.monotonic() < deadline:
        found = [e["args"][0] for e in sock.get_received(NS) if e["name"] == "tally"]
        time.sleep(0.05)
    return found


def test_phones_see_the_running_count_but_not_who_is_joining(app: Any, client: Any,
                                                             login: Any, evening: Any) -> None:
    desk = console(app, client, login, evening)
    control(desk, "start")
    control(desk, "open_scoring")
    one, _ = phone(app, evening)
    one.get_received(NS)
    phone(app, evening)  # presence changes reach screens and consoles only
    assert tallies(one, wait=1.0) == []
    assert [t["present"] for t in tallies(desk)][-1] == 2
    assert one.emit("vote", {"key": "count-key-01", "items": {evening.pids[0]: 6}},
                    namespace=NS, callback=True)["ok"]
    seen = tallies(one)
    assert seen and seen[-1]["scored"][evening.pids[0]] == 1
    assert seen[-1]["totals"] is None and seen[-1]["present"] == 2
    assert tallies(desk)[-1]["totals"][evening.pids[0]] == 6


def test_presence_counts_connections_of_new_and_returning_phones(app: Any, client: Any,
                                                                 login: Any,
                                                                 evening: Any) -> None:
    sock, joined = phone(app, evening)
    assert live.present(evening) == 1  # counted in the commit that let the phone in
    again = sock.emit("join", {"code": evening.join_code, "participant": joined["participant"]},
                      namespace=NS, callback=True)
    assert again["ok"] and live.present(evening) == 1  # the same connection, counted once
    sock.disconnect(namespace=NS)
    assert live.present(evening) == 0
    back, _ = phone(app, evening, participant=joined["participant"])
    assert live.present(evening) == 1
    assert db.session.scalar(sa.select(sa.func.count(LiveParticipant.id))) == 1
    back.disconnect(namespace=NS)
    assert live.present(evening) == 0


def test_a_phone_joining_sees_the_agenda_of_the_current_version(app: Any,
                                                                evening: Any) -> None:
    _, before = phone(app, evening)
    assert [i["proposal"] for i in before["state"]["agenda"]] == [int(p) for p in evening.pids]
    live.do_update(evening.officer, evening, "Youth Decide night", "open", "scoring",
                   [(int(pid), 90, 30) for pid in reversed(evening.pids)])
    _, after = phone(app, evening)
    assert after["state"]["revision"] == before["state"]["revision"] + 1
    assert [i["proposal"] for i in after["state"]["agenda"]] == \
        [int(p) for p in reversed(evening.pids)]
    assert after["state"]["agenda"][0]["pitch_seconds"] == 90


def test_an_account_joining_sees_the_scores_it_already_cast(app: Any, client: Any,
                                                           login: Any, make_round: Any) -> None:
    from pb.services import voting

    officer = plain_user("officer")
    round_ = make_round("deliberation", officer=officer, ballot_method="scoring",
                        budget_minor=100_000)
    projects = add_projects(round_, [40_000, 50_000])
    rounds.do_change_phase(officer, round_, "voting")
    session = live.do_create(officer, round_, "Members' evening", "accounts", "scoring",
                             [(p.id, 60, 30) for p in projects])
    resident = plain_user()
    voting.do_cast(round_, voting.voter_for_user(round_, resident), {str(projects[0].id): 4},
                   "online-key-01")
    login(resident)
    client.get("/")
    sock = connect(app, client)
    joined = sock.emit("join", {"code": session.join_code}, namespace=NS, callback=True)
    assert joined["ok"] and joined["mine"] == {str(projects[0].id): 4}
    live.do_control(officer, session, "start")
    live.do_control(officer, session, "open_scoring_all")
    assert sock.emit("vote", {"key": "live-key-0001", "items": {str(projects[1].id): 9}},
                     namespace=NS, callback=True)["ok"]
    (ballot,) = db.session.scalars(sa.select(Ballot)).all()  # one ballot: nobody counts twice
    assert ballot.items == {str(projects[0].id): 4, str(projects[1].id): 9}


def test_every_phone_gets_the_tally_whatever_its_slice(app: Any, client: Any, login: Any,
                                                      evening: Any) -> None:
    from pb.broadcast import events
    from pb.extensions import socketio

    desk = console(app, client, login, evening)
    control(desk, "start")
    control(desk, "open_scoring")
    phones = [phone(app, evening)[0] for _ in range(events.LIVE_PHONE_SLICES + 1)]
    prefix = f"live:{evening.id}:phones:"
    used = {room for room in socketio.server.manager.rooms.get(NS, {})
            if isinstance(room, str) and room.startswith(prefix)}
    assert len(used) == events.LIVE_PHONE_SLICES  # nine phones fill all eight slices
    assert phones[0].emit("vote", {"key": "slices-key-01", "items": {evening.pids[0]: 4}},
                          namespace=NS, callback=True)["ok"]
    for i, sock in enumerate(phones):  # slice after slice, every phone gets it
        seen = tallies(sock)
        assert seen and seen[-1]["scored"][evening.pids[0]] == 1, (i, seen)
