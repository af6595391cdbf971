"""Counting: pure tally rules that give the same results as pabutools 1.2.3.

Part of the pure domain: it imports only the standard library and `pb.domain`.

    >>> data = build_input({"a": 60, "b": 50, "c": 40}, 100, [["a"], ["a", "b"], ["c"]])
    >>> tally(data, "greedy").selected
    ('a', 'c')
"""

from pb.domain.tally.model import TallyError, TallyInput, build_input, from_election
from pb.domain.tally.outcome import Outcome
from pb.domain.tally.rules import (
    COMPLETIONS,
    META_RULES,
    TALLY_RULES,
    default_rule,
    file_rule,
    parse_rule,
    tally,
)

__all__ = [
    "COMPLETIONS",
    "META_RULES",
    "TALLY_RULES",
    "Outcome",
    "TallyError",
    "TallyInput",
    "build_input",
    "default_rule",
    "file_rule",
    "from_election",
    "parse_rule",
    "tally",
]
