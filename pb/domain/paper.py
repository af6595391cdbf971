"""Paper ballots typed in by staff: which entries agree, which differ, and what is missing.

A batch of `size` ballots is typed once (pass 1) or, in a double-entry round, twice by two
different people (pass 2 is the check entry). A position counts when its passes agree, or when
an officer has resolved the disagreement by recording what the paper says (the resolution,
kept apart from both passes so neither person's typing is overwritten).

An entry is a ballot in its stored form (see `pb.domain.ballots`), or `SPOILT` for a paper that
is blank or invalid as marked: spoilt entries are compared like any other but count no ballot.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Any

from pb.domain.errors import N_, UserError
from pb.domain.values import MAX_ID

FIRST, CHECK, RESOLUTION = 1, 2, 3
SPOILT = "spoilt"
MAX_SIZE = 1000
LABEL_MAX = 120

Entry = Any  # a stored ballot (list or dict of project ids) or SPOILT


class PaperError(UserError):
    """A batch or an entry that cannot be accepted, with what to do instead."""


@dataclass(frozen=True)
class Reconciliation:
    """How far a batch is: what is missing in each pass, what differs, and what counts.

    `missing` maps each pass needed to the positions not typed in it yet; `mismatched` lists
    the positions whose passes differ with no resolution; `counts` holds, for every position
    settled so far, the entry that counts.
    """

    size: int
    passes: int
    missing: dict[int, tuple[int, ...]]
    mismatched: tuple[int, ...]
    resolved: tuple[int, ...]
    counts: dict[int, Entry] = field(default_factory=dict)

    def entered(self, pass_no: int) -> int:
        """Return how many positions have been typed in a pass."""
        return self.size - len(self.missing.get(pass_no, ()))

    @property
    def complete(self) -> bool:
        """Every position has every pass it needs."""
        return not any(self.missing.values())

    @property
    def ready(self) -> bool:
        """Complete, with every disagreement resolved: the batch can be counted."""
        return self.complete and not self.mismatched

    @property
    def ballots(self) -> list[Entry]:
        """Return the ballots that count, by position, leaving out spoilt papers."""
        return [self.counts[p] for p in sorted(self.counts) if self.counts[p] != SPOILT]

    @property
    def spoilt(self) -> int:
        """Return how many settled papers are spoilt."""
        return sum(1 for entry in self.counts.values() if entry == SPOILT)

    def next_missing(self, pass_no: int, after: int = 0) -> int | None:
        """Return the first position after `after` still missing in a pass (wrapping round)."""
        gaps = self.missing.get(pass_no, ())
        later = [p for p in gaps if p > after]
        return (later or list(gaps) or [None])[0]


def reconcile(size: int, passes: int, entries: Mapping[int, Mapping[int, Entry]],
              resolutions: Mapping[int, Entry] | None = None) -> Reconciliation:
    """Compare the passes of a batch, position by position.

    `entries` maps a pass number to {position: entry}; `resolutions` maps a position to the
    entry an officer settled on. Positions outside 1..size are ignored. With one pass, what
    was typed counts as it is; with two, a resolution counts only where the passes differ.
    """
    if passes not in (1, 2):
        raise ValueError("a batch is entered once or twice")
    resolutions = resolutions or {}
    needed = range(FIRST, FIRST + passes)
    missing = {n: tuple(p for p in range(1, size + 1) if p not in entries.get(n, {}))
               for n in needed}
    mismatched: list[int] = []
    resolved: list[int] = []
    counts: dict[int, Entry] = {}
    for position in range(1, size + 1):
        typed = [entries.get(n, {}).get(position) for n in needed]
        if any(position not in entries.get(n, {}) for n in needed):
            continue
        if all(same(typed[0], other) for other in typed[1:]):
            counts[position] = typed[0]
        elif position in resolutions:
            counts[position] = resolutions[position]
            resolved.append(position)
        else:
            mismatched.append(position)
    return Reconciliation(size, passes, missing, tuple(mismatched), tuple(resolved), counts)


def same(a: Entry, b: Entry) -> bool:
    """Tell whether two entries record the same paper.

    Stored ballots are already in one canonical order (ballot order for picks, first choice
    first for ranks) and dicts compare without regard to order, so equality is enough.
    """
    return bool(a == b)


# Checks -------------------------------------------------------------------------------------

def passes_needed(double_entry: bool) -> int:
    """Return how many times each paper is typed in a round."""
    return 2 if double_entry else 1


def check_batch(number: int | None, size: int | None, label: str) -> None:
    """Refuse a batch number, size or label that cannot be right."""
    if number is None or number < 1:
        raise PaperError(N_("Give the batch a number of 1 or more."), field="number")
    if number > MAX_ID:  # more than the database can store, and than anyone writes on a bundle
        raise PaperError(N_("Use a number from %(min)s to %(max)s."), field="number", min=1,
                         max=MAX_ID)
    if size is None or not 1 <= size <= MAX_SIZE:
        raise PaperError(N_("A batch holds from 1 to %(max)d ballots; count the papers and "
                            "enter how many there are."), field="size", max=MAX_SIZE)
    if len(label) > LABEL_MAX:
        raise PaperError(N_("Keep the label to %(max)d characters."), field="label",
                         max=LABEL_MAX)


def check_slot(size: int, passes: int, pass_no: int, position: int) -> None:
    """Refuse a pass or position the batch does not have."""
    if pass_no not in range(FIRST, FIRST + passes):
        if pass_no == CHECK:
            raise PaperError(N_("This round's paper ballots are entered once; use the first "
                                "entry."))
        raise PaperError(N_("There is no such entry pass; use the first or the check entry."))
    if not 1 <= position <= size:
        raise PaperError(N_("This batch holds ballots 1 to %(size)d; pick one of those."),
                         size=size)
