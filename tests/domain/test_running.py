"""Running counts: one rule for online totals and live tallies."""

from __future__ import annotations

from pb.domain.running import running_counts


def test_points_ballots_add_up_their_values_and_count_their_mentions() -> None:
    counts = running_counts([{"1": 8, "2": 3}, {"1": 5}, {}], points=True)
    assert counts.ballots == 3
    assert counts.mentions == {"1": 2, "2": 1}
    assert counts.support == {"1": 13, "2": 3}


def test_a_listed_project_counts_one_in_a_points_round() -> None:
    counts = running_counts([{"1": 8}, ["1", "2"]], points=True)
    assert counts.support == {"1": 9, "2": 1}
    assert counts.mentions == {"1": 2, "2": 1}


def test_approvals_count_the_ballots_naming_a_project() -> None:
    counts = running_counts([["1", "2"], ["2"], ["3", "2"]], points=False)
    assert counts.ballots == 3
    assert counts.support == counts.mentions == {"1": 1, "2": 3, "3": 1}


def test_no_ballots_count_nothing() -> None:
    counts = running_counts([], points=True)
    assert (counts.ballots, counts.mentions, counts.support) == (0, {}, {})
