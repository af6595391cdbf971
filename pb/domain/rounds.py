"""Choices a budget round is configured with, by stored name."""

from __future__ import annotations

# Ballot methods a round can use; the rules behind each name arrive with voting.
BALLOT_METHODS: tuple[str, ...] = ("approval", "knapsack", "cumulative", "scoring", "ranked")
# Counting rules a round can use: names `pb.domain.tally.parse_rule` accepts ("rule+completion").
TALLY_RULES: tuple[str, ...] = ("greedy", "greedy-threshold", "greedy-no-skip", "mes+add1",
                                "mes", "mes+add1-greedy", "mes+add1-nostop", "phragmen")
# How each ballot method's ballots are counted.
TALLY_KINDS = {"approval": "approval", "knapsack": "approval", "cumulative": "points",
               "scoring": "points", "ranked": "ordinal"}
TITLE_MAX = 200
AREA_MAX = 120
DESCRIPTION_MAX = 20_000
