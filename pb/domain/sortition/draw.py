"""The published files of a selection by lot, the draw from a public seed, and its check.

Before the draw pb publishes four files, each with its SHA-256 in the decision record:

- `quotas.csv`: feature, category, min, max, population;
- `pool.csv`: every confirmed volunteer's anonymous number and categories;
- `probabilities.csv`: each number's chance of selection under the fair distribution;
- `panels.csv`: the lottery, a numbered list of panels (`panel,members`: members are
  numbers separated by spaces). Drawing one of these panels uniformly at random gives each
  volunteer the published chance, give or take `seats / M` for M panels (the bound of
  Flanigan, Kehne and Procaccia, *Fair sortition made transparent*, 2021); the measured
  gap is published with the selection.

The seed comes from a public source fixed in advance (numbers drawn at a public meeting, say).
The panel drawn is number `1 + (N mod M)`, where M is the number of panels and N is the
SHA-256 of `pb-sortition:<seed>:<hash of panels.csv>` read as a big-endian whole number;
the seed is written as its parts separated by single spaces. Anyone can replay that with
`pb sortition verify` or the few lines of Python in docs/sortition.md.

A replacement for a member who drops out is drawn the same way from the same seed, among the
volunteers not yet drawn with the same categories (see `replacement`). Pure: stdlib only, so
the check does not need pb's web stack (or the solver) to run.
"""

from __future__ import annotations

import csv
import hashlib
import io
import re
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass

from pb.domain.errors import N_
from pb.domain.sortition.quotas import (
    Quotas,
    SortitionError,
    Volunteer,
    parse_quotas,
)

FILES = ("quotas.csv", "pool.csv", "probabilities.csv", "panels.csv")
SEED_MIN = 4
SEED_MAX = 200
_SEED_PARTS = re.compile(r"[\s,;]+")


def sha256(text: str) -> str:
    """Return the SHA-256 (hex) of `text` in UTF-8: how each published file is hashed."""
    return hashlib.sha256(text.encode("utf-8")).hexdigest()


def normalise_seed(text: str) -> str:
    """Return the seed as it is hashed: its parts (split on spaces, commas or semicolons)
    joined by single spaces; refuse one too short or too long to be a public draw."""
    seed = " ".join(p for p in _SEED_PARTS.split(text.strip()) if p)
    if len(seed) < SEED_MIN:
        raise SortitionError(N_("Enter the seed as announced: at least %(min)d characters, "
                                "e.g. the numbers drawn at the public meeting."), min=SEED_MIN)
    if len(seed) > SEED_MAX:
        raise SortitionError(N_("The seed is too long: use at most %(max)d characters."),
                             max=SEED_MAX)
    return seed


def _index(label: str, seed: str, panels_hash: str, count: int) -> int:
    digest = hashlib.sha256(f"{label}:{seed}:{panels_hash}".encode()).digest()
    return int.from_bytes(digest, "big") % count


def draw_number(seed: str, panels_hash: str, count: int) -> int:
    """Return the number (from 1) of the panel that `seed` draws from `count` panels."""
    return 1 + _index("pb-sortition", normalise_seed(seed), panels_hash, count)


# Files ---------------------------------------------------------------------------------------

def _write(rows: Iterable[Sequence[object]]) -> str:
    out = io.StringIO()
    csv.writer(out, lineterminator="\n").writerows(rows)
    return out.getvalue()


def pool_csv(quotas: Quotas, pool: Iterable[Volunteer]) -> str:
    """Return the published pool: number and categories, by number."""
    names = [f.name for f in quotas.features]
    return _write([["number", *names], *([v.number, *(v.categories[n] for n in names)]
                                         for v in sorted(pool, key=lambda v: v.number))])


def probabilities_csv(probabilities: Mapping[int, float]) -> str:
    """Return the published chances, by number, to six decimal places."""
    return _write([["number", "probability"],
                   *([n, f"{p:.6f}"] for n, p in sorted(probabilities.items()))])


def panels_csv(panels: Sequence[frozenset[int]]) -> str:
    """Return the published lottery: one numbered row a panel, members in order."""
    return _write([["panel", "members"],
                   *([i, " ".join(str(n) for n in sorted(p))]
                     for i, p in enumerate(panels, start=1))])


def _rows(text: str, name: str, columns: Sequence[str]) -> list[list[str]]:
    rows = list(csv.reader(io.StringIO(text)))
    if not rows or [c.strip().lower() for c in rows[0][:len(columns)]] != list(columns):
        raise SortitionError(N_("%(file)s does not start with the columns %(columns)s."),
                             file=name, columns=", ".join(columns))
    return [r for r in rows[1:] if any(c.strip() for c in r)]


def parse_pool(quotas: Quotas, text: str) -> list[Volunteer]:
    """Read a published pool.csv back."""
    names = [f.name for f in quotas.features]
    pool = []
    for row in _rows(text, "pool.csv", ["number"]):
        if len(row) != len(names) + 1 or not row[0].strip().isdigit():
            raise SortitionError(N_("pool.csv has a row that is not a number and %(count)d "
                                    "categories."), count=len(names))
        pool.append(Volunteer(int(row[0]), dict(zip(names, (c.strip() for c in row[1:]),
                                                    strict=True))))
    return pool


def parse_panels(text: str) -> list[frozenset[int]]:
    """Read a published panels.csv back, checking that panels are numbered 1, 2, 3, …"""
    panels = []
    for i, row in enumerate(_rows(text, "panels.csv", ["panel", "members"]), start=1):
        if len(row) < 2 or row[0].strip() != str(i):
            raise SortitionError(N_("panels.csv must number its panels 1, 2, 3, … in order."))
        try:
            panels.append(frozenset(int(n) for n in row[1].split()))
        except ValueError as error:
            raise SortitionError(N_("Panel %(panel)d in panels.csv lists something that is not "
                                    "a volunteer's number."), panel=i) from error
    if not panels:
        raise SortitionError(N_("panels.csv lists no panel."))
    return panels


def parse_probabilities(text: str) -> dict[int, float]:
    found = {}
    for row in _rows(text, "probabilities.csv", ["number", "probability"]):
        try:
            found[int(row[0])] = float(row[1])
        except (ValueError, IndexError) as error:
            raise SortitionError(N_("probabilities.csv has a row that is not a number and a "
                                    "probability.")) from error
    return found


# Replacements --------------------------------------------------------------------------------

def replacement(quotas: Quotas, pool: Sequence[Volunteer], seated: Sequence[int],
                leaving: int, unavailable: Iterable[int], seed: str, panels_hash: str
                ) -> int | None:
    """Return the number of the volunteer who takes `leaving`'s seat, or None if nobody can.

    The candidates are the volunteers not drawn before (not in `seated`, not `unavailable`:
    earlier replacements and anyone who withdrew or declined) who share every category with
    the member leaving, so the council's composition does not change. If nobody does, the
    candidates are those whose arrival keeps every quota with the others still seated. One
    candidate is drawn from the list in number order, by the public seed and the leaving
    member's number: `sha256("pb-sortition-replace:<seed>:<panels hash>:<leaving>")` mod the
    number of candidates.
    """
    by_number = {v.number: v for v in pool}
    gone = set(seated) | set(unavailable) | {leaving}
    others = [by_number[n] for n in seated if n != leaving and n in by_number]
    free = [v for v in sorted(pool, key=lambda v: v.number) if v.number not in gone]
    same = [v for v in free if dict(v.categories) == dict(by_number[leaving].categories)]
    candidates = same or [v for v in free if quotas.met_by([*others, v])]
    if not candidates:
        return None
    label = f"pb-sortition-replace:{normalise_seed(seed)}:{panels_hash}:{leaving}"
    digest = hashlib.sha256(label.encode()).digest()
    return candidates[int.from_bytes(digest, "big") % len(candidates)].number


# The check -----------------------------------------------------------------------------------

@dataclass(frozen=True)
class Replay:
    """What the published files say: the panel drawn, and what was checked on the way."""

    panel_number: int
    panel: frozenset[int]
    panels: int
    hashes: dict[str, str]
    smallest: float
    # The most any volunteer's share of the listed panels differs from their published chance.
    largest_gap: float


def replay(files: Mapping[str, str], seats: int, seed: str,
           expected: Mapping[str, str] | None = None) -> Replay:
    """Check the published files against each other (and against `expected` hashes, from the
    decision record) and return the panel `seed` draws.

    Refused: a file whose hash is not the one recorded, a panel of the wrong size, with a
    number not in the pool or breaking a quota, or a lottery that does not give each
    volunteer their published chance to within `seats / M` for M panels.
    """
    missing = [name for name in FILES if name not in files]
    if missing:
        raise SortitionError(N_("Missing file: %(names)s."), names=", ".join(missing))
    hashes = {name: sha256(files[name]) for name in FILES}
    for name, wanted in (expected or {}).items():
        if name in hashes and hashes[name] != wanted:
            raise SortitionError(N_("%(file)s is not the published file: its SHA-256 is "
                                    "%(got)s, the record says %(wanted)s."),
                                 file=name, got=hashes[name], wanted=wanted)
    quotas = parse_quotas(files["quotas.csv"])
    pool = {v.number: v for v in parse_pool(quotas, files["pool.csv"])}
    panels = parse_panels(files["panels.csv"])
    chances = parse_probabilities(files["probabilities.csv"])
    for i, panel in enumerate(panels, start=1):
        if len(panel) != seats or not panel <= pool.keys() \
                or not quotas.met_by([pool[n] for n in panel]):
            raise SortitionError(N_("Panel %(panel)d in panels.csv is not %(seats)d volunteers "
                                    "from the pool keeping every quota."),
                                 panel=i, seats=seats)
    share = {n: 0 for n in pool}
    for panel in panels:
        for n in panel:
            share[n] += 1
    gap = max(abs(share[n] / len(panels) - chances.get(n, 0.0)) for n in pool)
    if gap > seats / len(panels) + 1e-6:
        raise SortitionError(N_("The panels in panels.csv do not give each volunteer the "
                                "chance in probabilities.csv."))
    number = draw_number(seed, hashes["panels.csv"], len(panels))
    return Replay(number, panels[number - 1], len(panels), hashes,
                  min(chances.values()) if chances else 0.0, gap)
