"""The protocol third parties build on: one ordering rule, strict types, unknown tokens and
events refused out loud, every control followed by a `state`, question lists throttled."""

from __future__ import annotations

import threading
import time
from typing import Any

import pytest
import sqlalchemy as sa

from pb.broadcast.throttle import Throttle
from pb.extensions import db
from pb.models import Ballot, LiveParticipant
from pb.services import live
from pb.services.live import screens
from pb.services.live.store import cache
from tests.factories import NS, connect, console, control, phone, socket

LIVE_OUT = ("state", "tally", "questions")
QUESTIONS_INTERVAL = 0.5  # seconds: docs/live.md promises at most two question lists a second


def received(sock: Any, names: tuple[str, ...] = LIVE_OUT) -> list[tuple[str, dict[str, Any]]]:
    return [(e["name"], e["args"][0]) for e in sock.get_received(NS) if e["name"] in names]


def settle() -> None:
    """Wait until every throttled broadcast already asked for has gone out."""
    for throttle in vars(cache()).values():
        if isinstance(throttle, Throttle):
            assert throttle.wait_idle(10)


def applied(events: list[tuple[str, dict[str, Any]]], field: str) -> list[tuple[str, dict]]:
    """Apply events as the docs tell a client to, blindly: drop any whose `field` is not
    larger than the last one applied, whatever its name."""
    last, kept = 0, []
    for name, payload in events:
        if payload[field] > last:
            last = payload[field]
            kept.append((name, payload))
    return kept


def screen(app: Any, evening: Any) -> Any:
    sock = connect(app)
    assert sock.emit("join", {"code": evening.join_code, "role": "screen"}, namespace=NS,
                     callback=True)["ok"]
    return sock


@pytest.mark.parametrize("field", ["seq", "version"])
def test_a_client_applying_one_rule_to_every_event_misses_nothing(
        app: Any, client: Any, login: Any, evening: Any, field: str) -> None:
    desk = console(app, client, login, evening)
    one, joined = phone(app, evening)
    projector = screen(app, evening)
    assert control(desk, "start")["ok"]
    assert control(desk, "open_questions")["ok"]
    asked = one.emit("ask", {"text": "Who looks after it?"}, namespace=NS, callback=True)
    assert asked["ok"]
    assert control(desk, "open_scoring")["ok"]
    assert one.emit("vote", {"key": "one-rule-key-01", "items": {evening.pids[0]: 7}},
                    namespace=NS, callback=True)["ok"]
    settle()
    assert control(desk, "next")["ok"]  # a `state` after `tally` and `questions`
    settle()
    for sock in (one, projector, desk):
        events = received(sock)
        assert all(p["version"] == p["seq"] for _, p in events)
        kept = applied([("state", joined["state"])] + events if sock is one else events, field)
        assert len(kept) == len(events) + (sock is one)  # one process: nothing out of order
        last_state = [p for name, p in kept if name == "state"][-1]
        assert last_state["position"] == 1 and last_state["phase"] == "pitch"
        assert [p for name, p in kept if name == "questions"][-1]["questions"][0]["id"] == \
            asked["question"]


def test_a_tally_waits_for_a_state_that_took_an_earlier_seq(
        app: Any, client: Any, login: Any, evening: Any, monkeypatch: Any) -> None:
    """A `state` still reading when a throttled `tally` fires: the tally, which took a later
    `seq`, used to go out first, and a client applying the rule dropped the `state`."""
    desk = console(app, client, login, evening)
    assert control(desk, "start")["ok"] and control(desk, "open_scoring_all")["ok"]
    seat, _token = live.do_join(live.view(evening.id))
    one, _ = phone(app, evening)
    projector = screen(app, evening)
    settle()
    for sock in (one, projector, desk):
        sock.get_received(NS)
    read, scored = screens.question_states, []

    def score_elsewhere() -> None:
        with app.app_context():
            scored.append(live.do_score(live.view(evening.id), seat, {evening.pids[0]: 5},
                                        "race-key-000001"))

    def slow_read(session: Any) -> dict[str, Any]:
        if not scored:  # a score arrives, and its tally is due, while this state reads
            elsewhere = threading.Thread(target=score_elsewhere)
            elsewhere.start()
            elsewhere.join()
            time.sleep(1.0)  # longer than the tallies' intervals (0.3 s and 0.5 s)
        return read(session)

    monkeypatch.setattr(screens, "question_states", slow_read)
    assert control(desk, "open_questions")["ok"]
    settle()
    assert scored
    for sock in (one, projector, desk):
        events = received(sock)
        assert [name for name, _ in events if name == "tally"], "the tally was sent"
        assert [p["seq"] for _, p in events] == sorted(p["seq"] for _, p in events), events
        kept = applied(events, "seq")
        assert [p for name, p in kept if name == "state"][-1]["questions_open"] is True


def test_a_later_event_never_carries_older_data(app: Any, client: Any, login: Any,
                                                 evening: Any, monkeypatch: Any) -> None:
    desk = console(app, client, login, evening)
    assert control(desk, "start")["ok"]
    assert control(desk, "open_questions")["ok"]
    one, _ = phone(app, evening)
    two, _ = phone(app, evening)
    asked = one.emit("ask", {"text": "Is it open on Sundays?"}, namespace=NS, callback=True)
    settle()
    seat, _token = live.do_join(live.view(evening.id))
    projector = screen(app, evening)
    read, raced = screens.questions, []

    def upvote_elsewhere() -> None:
        with app.app_context():
            raced.append(live.do_upvote(live.view(evening.id), seat, asked["question"]))

    def slow_read(session: Any) -> list[dict[str, Any]]:
        rows = read(session)
        if not raced:  # another up-vote is stored and sent while this list is on its way
            elsewhere = threading.Thread(target=upvote_elsewhere)
            elsewhere.start()
            elsewhere.join()
        return rows

    monkeypatch.setattr(screens, "questions", slow_read)
    assert two.emit("upvote", {"question": asked["question"]}, namespace=NS,
                    callback=True)["ok"]
    settle()
    assert raced == [2]
    lists = applied(received(projector, ("questions",)), "seq")
    assert lists[-1][1]["questions"][0]["votes"] == 2


def test_fifty_upvotes_send_a_handful_of_question_lists(app: Any, client: Any, login: Any,
                                                        evening: Any) -> None:
    desk = console(app, client, login, evening)
    assert control(desk, "start")["ok"]
    assert control(desk, "open_questions")["ok"]
    one, _ = phone(app, evening)
    asked = one.emit("ask", {"text": "Will it have lights?"}, namespace=NS, callback=True)
    seats = [live.do_join(live.view(evening.id))[0] for _ in range(50)]
    settle()
    projector = screen(app, evening)
    began = time.monotonic()
    for seat in seats:
        live.do_upvote(live.view(evening.id), seat, asked["question"])
    took = time.monotonic() - began
    settle()
    lists = [p for _, p in received(projector, ("questions",))]
    # One right away, then at most one an interval, however long the up-votes took here.
    assert 1 <= len(lists) <= 2 + took / QUESTIONS_INTERVAL
    assert len(lists) < 25
    assert lists[-1]["questions"][0]["votes"] == 50  # the last list has every up-vote


@pytest.mark.parametrize(("event", "payload", "says"), [
    ("vote", {"key": "strict-key-01", "items": {"PID": "8"}}, "whole numbers"),
    ("vote", {"key": "strict-key-02", "items": {"PID": True}}, "whole numbers"),
    ("vote", {"key": "strict-key-03", "items": {"PID": 8.0}}, "whole numbers"),
    ("vote", {"key": "strict-key-04", "items": [8]}, "as a list"),
    ("vote", {"key": 12345678, "items": {"PID": 8}}, "key as text"),
    ("join", {"code": "CODE", "card": ["x"]}, "card as text"),
    ("join", {"code": "CODE", "participant": 42}, "token as text"),
    ("join", {"code": "CODE", "role": 1}, "role"),
    ("join", {"code": ["CODE"]}, "code as text"),
    ("ask", {"text": 42}, "question as text"),
    ("upvote", {"question": "1"}, "as a number"),
    ("upvote", {"question": True}, "as a number"),
    ("control", {"action": 3}, "action as text"),
    ("control", {"action": "answer", "question": "1"}, "as a number"),
    ("control", {"action": "next", "revision": "1"}, "revision as a number"),
    ("control", {"action": "next", "revision": False}, "revision as a number"),
])
def test_numbers_are_json_numbers_and_text_is_text(app: Any, client: Any, login: Any,
                                                   evening: Any, event: str,
                                                   payload: dict[str, Any], says: str) -> None:
    desk = console(app, client, login, evening)
    assert control(desk, "start")["ok"] and control(desk, "open_scoring")["ok"]
    one, _ = phone(app, evening)
    sock = desk if event == "control" else one
    swap = {"PID": evening.pids[0], "CODE": evening.join_code}
    sent = {k: swap.get(v, v) if isinstance(v, str) else
            ({swap.get(i, i): s for i, s in v.items()} if isinstance(v, dict) else
             [swap.get(i, i) if isinstance(i, str) else i for i in v]
             if isinstance(v, list) else v)
            for k, v in payload.items()}
    ack = sock.emit(event, sent, namespace=NS, callback=True)
    assert ack["ok"] is False and says in ack["error"], ack
    assert db.session.scalar(sa.select(sa.func.count(Ballot.id))) == 0
    assert db.session.scalar(sa.select(sa.func.count(LiveParticipant.id))) == 1


def test_a_ballot_over_the_default_namespace_takes_numbers_not_text(app: Any,
                                                                   evening: Any) -> None:
    sock = socket(app)
    ack = sock.emit("vote", {"round": evening.round_id, "key": "k" * 16,
                             "items": {evening.pids[0]: "8"}}, callback=True)
    assert ack["ok"] is False and "JSON numbers" in ack["error"]


def test_an_unknown_participant_token_is_refused_not_replaced(app: Any, evening: Any) -> None:
    other = live.do_create(evening.officer, evening.round, "Second night", "open", "scoring",
                           [(int(evening.pids[0]), 60, 30)])
    _, elsewhere = phone(app, other)
    for token in ("x" * 32, "short", elsewhere["participant"]):
        sock = connect(app)
        ack = sock.emit("join", {"code": evening.join_code, "participant": token},
                        namespace=NS, callback=True)
        assert ack["ok"] is False and ack["field"] == "participant", ack
        assert "without it" in ack["error"]
    assert live.present(evening) == 0
    fresh, joined = phone(app, evening)  # without the token: a new participant
    again, rejoined = phone(app, evening, participant=joined["participant"])
    assert rejoined["participant"] == joined["participant"]


@pytest.mark.parametrize("namespace", [NS, "/"])
def test_an_unknown_event_gets_an_error_ack_naming_it(app: Any, namespace: str) -> None:
    sock = connect(app) if namespace == NS else socket(app)
    ack = sock.emit("explode", {"now": True}, namespace=namespace, callback=True)
    assert ack["ok"] is False and ack["event"] == "explode" and "explode" in ack["error"]
    assert sock.emit("shout", namespace=namespace, callback=True)["event"] == "shout"
    assert sock.is_connected(namespace)


def test_a_number_of_more_than_100_digits_gets_an_error_ack(app: Any, client: Any,
                                                           login: Any, evening: Any,
                                                           caplog: Any) -> None:
    desk = console(app, client, login, evening)
    assert control(desk, "start")["ok"] and control(desk, "open_scoring")["ok"]
    one, _ = phone(app, evening)
    ack = one.emit("vote", {"key": "long-number-01", "items": {evening.pids[0]: 10**101}},
                   namespace=NS, callback=True)
    assert ack["ok"] is False and "100 digits" in ack["error"]
    assert socket(app).emit("vote", {"round": 1, "key": "k" * 16, "items": {"1": -10**120}},
                            callback=True)["ok"] is False
    assert "Traceback" not in caplog.text
    assert one.is_connected(NS)


def test_every_control_sends_a_state_answering_a_question_too(app: Any, client: Any,
                                                              login: Any, evening: Any) -> None:
    desk = console(app, client, login, evening)
    assert control(desk, "start")["ok"] and control(desk, "open_questions")["ok"]
    one, _ = phone(app, evening)
    asked = one.emit("ask", {"text": "How long will it last?"}, namespace=NS, callback=True)
    settle()
    one.get_received(NS)
    desk.get_received(NS)
    assert control(desk, "answer", question=asked["question"])["ok"]
    for sock in (one, desk):
        (state,) = [p for name, p in received(sock, ("state",))]
        assert state["questions"] == [] or all(q["id"] != asked["question"]
                                               for q in state["questions"])


def test_a_projector_screen_needs_no_login(app: Any, evening: Any) -> None:
    sock = connect(app)  # no login cookie
    ack = sock.emit("join", {"code": evening.join_code, "role": "screen"}, namespace=NS,
                    callback=True)
    assert ack["ok"] and ack["state"]["totals"] is None and "participant" not in ack


def test_scored_counts_paper_and_paper_leaves_out_spoilt_cards(app: Any, client: Any,
                                                               login: Any,
                                                               evening: Any) -> None:
    from pb.services.voting import paper

    desk = console(app, client, login, evening)
    assert control(desk, "start")["ok"] and control(desk, "open_scoring")["ok"]
    one, _ = phone(app, evening)
    assert one.emit("vote", {"key": "phone-and-paper", "items": {evening.pids[0]: 6}},
                    namespace=NS, callback=True)["ok"]
    round_ = evening.round
    batch = paper.do_create_batch(evening.officer, round_, 1, "Scorecards table 2", 3)
    paper.do_enter(evening.officer, round_, batch, 1, 1, {evening.pids[0]: 9}, spoilt=False)
    paper.do_enter(evening.officer, round_, batch, 1, 2, {evening.pids[0]: 4}, spoilt=False)
    paper.do_enter(evening.officer, round_, batch, 1, 3, None, spoilt=True)
    paper.do_count(evening.officer, round_, batch)
    settle()
    tally = [p for _, p in received(desk, ("tally",))][-1]
    assert tally["paper"] == 2  # the spoilt card is left out
    assert tally["scored"][evening.pids[0]] == 3  # the phone's score and two cards
    assert tally["totals"][evening.pids[0]] == 6 + 9 + 4  # points, for the console
    assert set(tally["scored"]) == set(evening.pids)  # every pitch, by id as text
