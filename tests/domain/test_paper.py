"""Comparing the two typed passes of a batch of paper ballots."""

from __future__ import annotations

from typing import Any

import pytest
from hypothesis import given
from hypothesis import strategies as st

from pb.domain.paper import (
    SPOILT,
    PaperError,
    check_batch,
    check_slot,
    passes_needed,
    reconcile,
    same,
)

A, B = ["1", "2"], ["1", "3"]


def test_a_single_pass_counts_as_typed_once_complete() -> None:
    state = reconcile(3, 1, {1: {1: A, 2: SPOILT}})
    assert state.missing == {1: (3,)} and not state.complete and not state.ready
    assert state.entered(1) == 2 and state.next_missing(1) == 3
    state = reconcile(3, 1, {1: {1: A, 2: SPOILT, 3: B}})
    assert state.ready and state.ballots == [A, B] and state.spoilt == 1


def test_two_passes_agreeing_count_and_differing_are_mismatches() -> None:
    first = {1: A, 2: A, 3: SPOILT}
    state = reconcile(3, 2, {1: first, 2: {1: A, 2: B, 3: SPOILT}})
    assert state.complete and state.mismatched == (2,) and not state.ready
    assert state.counts == {1: A, 3: SPOILT}


def test_a_resolution_settles_a_mismatch_and_only_a_mismatch() -> None:
    entries = {1: {1: A, 2: A}, 2: {1: A, 2: B}}
    state = reconcile(2, 2, entries, {2: B, 1: SPOILT})
    assert state.ready and state.resolved == (2,) and state.ballots == [A, B]


def test_missing_positions_are_listed_per_pass_and_found_in_order() -> None:
    state = reconcile(5, 2, {1: {1: A, 2: A, 4: A}, 2: {2: A}})
    assert state.missing == {1: (3, 5), 2: (1, 3, 4, 5)}
    assert state.next_missing(1, after=3) == 5
    assert state.next_missing(1, after=5) == 3  # wraps round to the first gap
    assert state.next_missing(2, after=1) == 3
    assert reconcile(1, 1, {1: {1: A}}).next_missing(1) is None


def test_entries_outside_the_batch_are_ignored() -> None:
    state = reconcile(1, 1, {1: {1: A, 7: B}})
    assert state.ready and state.ballots == [A]


def test_dicts_compare_by_content_and_lists_by_order() -> None:
    assert same({"1": 3, "2": 5}, {"2": 5, "1": 3})
    assert not same(["1", "2"], ["2", "1"])  # ranked ballots: order is the vote
    assert not same(SPOILT, [])


@pytest.mark.parametrize(("number", "size", "label", "field"), [
    (0, 10, "", "number"), (None, 10, "", "number"), (1, 0, "", "size"),
    (1, 1001, "", "size"), (1, None, "", "size"), (1, 10, "x" * 121, "label"),
])
def test_bad_batches_are_refused_with_the_field(number: Any, size: Any, label: str,
                                                field: str) -> None:
    with pytest.raises(PaperError) as caught:
        check_batch(number, size, label)
    assert caught.value.field == field


def test_slots_outside_the_batch_or_its_passes_are_refused() -> None:
    check_slot(10, 2, 2, 10)
    with pytest.raises(PaperError, match="entered once"):
        check_slot(10, passes_needed(False), 2, 1)
    with pytest.raises(PaperError, match="ballots 1 to 10"):
        check_slot(10, 2, 1, 11)
    with pytest.raises(PaperError, match="no such entry pass"):
        check_slot(10, 2, 3, 1)


ballots = st.one_of(st.just(SPOILT), st.lists(st.sampled_from("123456"), max_size=3,
                                               unique=True))


@st.composite
def batches(draw: Any) -> tuple[int, dict[int, dict[int, Any]], dict[int, Any]]:
    size = draw(st.integers(1, 12))
    positions = st.dictionaries(st.integers(1, size), ballots, max_size=size)
    return size, {1: draw(positions), 2: draw(positions)}, draw(positions)


@given(batches())
def test_every_position_is_exactly_one_of_missing_mismatched_or_counted(batch: Any) -> None:
    size, entries, resolutions = batch
    state = reconcile(size, 2, entries, resolutions)
    missing = set(state.missing[1]) | set(state.missing[2])
    mismatched, counted = set(state.mismatched), set(state.counts)
    assert missing | mismatched | counted == set(range(1, size + 1))
    assert not (missing & mismatched or missing & counted or mismatched & counted)
    assert state.ready == (not missing and not mismatched)
    assert len(state.ballots) + state.spoilt == len(counted)
    for position in counted - set(state.resolved):  # agreed: both passes say the same
        assert same(entries[1][position], entries[2][position])


@given(batches())
def test_the_passes_are_symmetric(batch: Any) -> None:
    size, entries, resolutions = batch
    forward = reconcile(size, 2, entries, resolutions)
    backward = reconcile(size, 2, {1: entries[2], 2: entries[1]}, resolutions)
    assert (forward.mismatched, forward.counts) == (backward.mismatched, backward.counts)
    assert forward.missing == {1: backward.missing[2], 2: backward.missing[1]}
