"""Choices a budget round is configured with, by stored name."""

from __future__ import annotations

# Ballot methods a round can use; the rules behind each name arrive with voting.
BALLOT_METHODS: tuple[str, ...] = ("approval", "knapsack", "cumulative", "scoring", "ranked")
# Counting rules a round can use, by the names of the tally registry.
TALLY_RULES: tuple[str, ...] = ("greedy", "mes", "phragmen")
# Languages people may say their text is written in (shown as the `lang` of that text).
CONTENT_LANGUAGES: tuple[str, ...] = ("en", "cy")
TITLE_MAX = 200
AREA_MAX = 120
DESCRIPTION_MAX = 20_000
