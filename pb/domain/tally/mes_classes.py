"""Group Equal Shares voters into classes that hold the same money, cached per set of purchases.

A voter's *class* is the set of bought projects on their ballot, with their utility for each
(points ballots give different supporters different utilities). Everyone in a class has paid
the same prices, so holds the same money; MES only ever needs, for a project, how many of its
supporters are in each class (its *histogram*). A class is an int bitmask with one bit per
(project, utility) pair, so a ballot's class after buying the projects in mask X is just
`ballot_mask & X`.

A histogram depends only on the *set* of projects bought so far, not on the voters' budget or
the buying order. The add1 completion reruns MES with growing budgets and the reruns go
through many of the same sets, so histograms live on a trie node per set and are shared by
every rerun; each is built lazily, the first time a run needs it.
"""

from __future__ import annotations

from collections import Counter
from fractions import Fraction
from itertools import chain

# A histogram: (class, utility, voters) for the supporters of one project.
Hist = list[tuple[int, int, int]]


class Node:
    """The projects bought so far (as a class mask), and the histograms known for that set."""

    __slots__ = ("children", "hists", "mask")

    def __init__(self, mask: int) -> None:
        self.mask = mask
        self.children: dict[int, Node] = {}  # project bought next -> node
        self.hists: dict[int, Hist] = {}  # project -> histogram of its supporters


class VoterClasses:
    """Ballot masks, and the trie of histograms keyed by the set of bought projects."""

    def __init__(self, groups: tuple[tuple[tuple[int, ...], tuple[int, ...], int], ...],
                 count: int, support: tuple[int | Fraction, ...]) -> None:
        # The most supported projects get the lowest bits: they are bought first, so class
        # masks stay short ints, which are quicker to build and hash.
        pairs = sorted(set(chain.from_iterable(zip(projects, sats, strict=True)
                                               for projects, sats, _ in groups)),
                       key=lambda pair: (-support[pair[0]], pair))
        bit = {pair: 1 << i for i, pair in enumerate(pairs)}
        self.sat_bits: list[dict[int, int]] = [{} for _ in range(count)]  # p -> {utility: bit}
        self.bits = [0] * count  # every bit of project p
        self.sat_of: dict[int, int] = {}  # bit -> utility
        for (p, s), b in bit.items():
            self.sat_bits[p][s] = b
            self.bits[p] |= b
            self.sat_of[b] = s
        self.groups = groups
        self.masks: list[int] = []
        self.voters = [0] * count  # supporters of each project
        self.total_sat = [0] * count  # their total utility
        # Each project's supporters' ballot masks: cast once, or (mask, voters).
        self.singles: list[list[int]] = [[] for _ in range(count)]
        self.multiples: list[list[tuple[int, int]]] = [[] for _ in range(count)]
        by_sat: list[dict[int, int]] = [{} for _ in range(count)]
        one_sat = all(pair[1] == 1 for pair in pairs)  # approval: skip the utilities
        single_bit = [self.bits[p] for p in range(count)]
        for projects, sats, mult in groups:
            if one_sat:
                mask = sum(map(single_bit.__getitem__, projects))
            else:
                mask = sum(map(bit.__getitem__, zip(projects, sats, strict=True)))
                for p, s in zip(projects, sats, strict=True):
                    by_sat[p][s] = by_sat[p].get(s, 0) + mult
                    self.total_sat[p] += s * mult
            self.masks.append(mask)
            if mult == 1:
                for p in projects:
                    self.singles[p].append(mask)
                    self.voters[p] += 1
            else:
                entry = (mask, mult)
                for p in projects:
                    self.multiples[p].append(entry)
                    self.voters[p] += mult
        if one_sat:
            self.total_sat = list(self.voters)
        self.root = Node(0)
        for p in range(count):
            if self.voters[p]:
                self.root.hists[p] = ([(0, 1, self.voters[p])] if one_sat else
                                      [(0, s, n) for s, n in sorted(by_sat[p].items())])
        self.nodes = {0: self.root}

    def child(self, node: Node, q: int) -> Node:
        """Return the node for `node`'s set plus project `q` (shared by every buying order)."""
        found = node.children.get(q)
        if found is None:
            mask = node.mask | self.bits[q]
            found = self.nodes.get(mask)
            if found is None:
                found = self.nodes[mask] = Node(mask)
            node.children[q] = found
        return found

    def build(self, p: int, node: Node) -> Hist:
        """Return (and cache on `node`) project p's histogram for `node`'s set.

        Counting single voters' ballots runs in C (`Counter` over `map`); ballots cast by
        several voters are added with their counts.
        """
        own = self.bits[p]
        # Keys carry p's own utility bit so supporters with different utilities stay apart.
        mask = node.mask | own
        counts = Counter(map(mask.__and__, self.singles[p]))
        for member, mult in self.multiples[p]:
            counts[member & mask] += mult
        sat_of, rest = self.sat_of, ~own
        hist = [(key & rest, sat_of[key & own], n) for key, n in counts.items()]
        node.hists[p] = hist
        return hist
