"""The console's controls: which a live session's state offers, and the usual next step."""

from __future__ import annotations

import pytest

from pb.domain.live import (
    ACTIONS,
    ASK_EVERY,
    LiveError,
    State,
    apply,
    check_ask_spacing,
    check_version,
    controls,
    method_for,
)

NOW = 1_700_000_000_000
ITEMS = 3


def step(state: State, action: str) -> State:
    return apply(state, action, now=NOW, items=ITEMS, pitch_seconds=[60] * ITEMS,
                 question_seconds=[30] * ITEMS)


def reachable() -> set[State]:
    """Every state a three-pitch evening can reach from the lobby, by any control."""
    seen, todo = {State()}, [State()]
    while todo:
        state = todo.pop()
        for action in ACTIONS:
            try:
                new = step(state, action)
            except LiveError:
                continue
            if new not in seen:
                seen.add(new)
                todo.append(new)
    return seen


def test_every_control_offered_is_one_the_state_machine_accepts() -> None:
    states = reachable()
    assert {s.phase for s in states} == {"lobby", "pitch", "questions", "scoring", "closed",
                                         "revealed"}
    for state in states:
        offered, usual = controls(state, items=ITEMS)
        assert offered, state
        assert list(offered) == [a for a in ACTIONS if a in offered]  # in a fixed order
        assert usual is None or usual in offered, state
        for action in offered:
            step(state, action)  # raises LiveError if the console offered a refused control


@pytest.mark.parametrize("actions, offered, usual", [
    ([], {"start"}, "start"),
    (["start"], {"next", "open_questions", "open_scoring", "open_scoring_all",
                 "restart_timer", "pause", "close"}, "open_questions"),
    (["start", "open_questions"], {"next", "close_questions", "open_scoring",
                                   "open_scoring_all", "restart_timer", "pause", "close"},
     "open_scoring"),
    (["start", "open_scoring"], {"next", "close_scoring", "open_scoring_all", "pause",
                                 "close"}, "next"),
    (["start", "next", "next", "open_scoring"], {"back", "close_scoring", "open_scoring_all",
                                                 "pause", "close"}, "close"),
    (["start", "next", "open_scoring_all"], {"next", "back", "close_scoring", "pause",
                                             "close"}, "close"),
    (["start", "pause"], {"next", "open_questions", "open_scoring", "open_scoring_all",
                          "restart_timer", "resume", "close"}, "resume"),
    (["start", "close"], {"back", "reveal"}, "reveal"),
    (["start", "close", "reveal"], {"hide_results"}, None),
])
def test_what_the_console_offers_along_an_evening(actions: list[str], offered: set[str],
                                                  usual: str | None) -> None:
    state = State()
    for action in actions:
        state = step(state, action)
    assert controls(state, items=ITEMS) == (tuple(a for a in ACTIONS if a in offered), usual)


def test_a_one_pitch_agenda_offers_no_next_pitch() -> None:
    state = apply(State(), "start", now=NOW, items=1, pitch_seconds=[60], question_seconds=[30])
    offered, usual = controls(state, items=1)
    assert "next" not in offered and "back" not in offered and usual == "open_questions"
    scoring = apply(state, "open_scoring", now=NOW, items=1, pitch_seconds=[60],
                    question_seconds=[30])
    assert controls(scoring, items=1)[1] == "close"


def test_a_stale_version_is_refused_and_none_means_not_sent() -> None:
    check_version(None, 4)
    check_version(4, 4)
    for seen in (3, 5):
        with pytest.raises(LiveError, match="Another console changed the session"):
            check_version(seen, 4)


def test_questions_are_spaced() -> None:
    check_ask_spacing(None, 5.0)
    check_ask_spacing(100.0, 100.0 + ASK_EVERY)
    with pytest.raises(LiveError, match="wait a few seconds"):
        check_ask_spacing(100.0, 100.0 + ASK_EVERY - 0.1)


@pytest.mark.parametrize("ballot_method, method", [
    ("scoring", "scoring"), ("approval", "approval"), ("knapsack", "approval"),
    ("cumulative", "scoring"),
])
def test_the_room_scores_as_the_round_counts(ballot_method: str, method: str) -> None:
    assert method_for(ballot_method) == method
