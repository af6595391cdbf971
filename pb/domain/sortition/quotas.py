"""Quotas and volunteers for a selection by lot: read them, check them, count them.

A recruitment names its features (age band, gender, area, …), each with categories, and for
each category the fewest and most seats it may take on the panel, usually from its share of
the population. Officers write quotas as the Sortition Foundation's spreadsheets do, one row
a category:

    feature,category,min,max,population
    Age,16-29,2,4,0.22

`population` (the category's share of the population, 0–1 or a percentage) is optional and
only shown beside the panel's composition. Pure: text in, values or errors out.
"""

from __future__ import annotations

import csv
import io
from collections import Counter
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, field

from pb.domain.errors import N_, UserError
from pb.domain.values import FORMULA_STARTS, parse_whole

NAME_MAX = 60
MAX_FEATURES = 12
MAX_CATEGORIES = 40
MAX_SEATS = 500
QUOTA_COLUMNS = ("feature", "category", "min", "max")


@dataclass(frozen=True)
class Shortfall:
    """One quota that no panel can keep, and the value that would work (the library's advice)."""

    feature: str
    category: str
    bound: str      # "min" or "max"
    now: int
    would_work: int


class SortitionError(UserError):
    """Quotas, a pool or a seed that cannot give a fair draw; `lines` name each conflict."""

    def __init__(self, problem: str | list[Shortfall], **params: object) -> None:
        if isinstance(problem, list):
            self.lines = problem
            super().__init__(N_("No panel can meet these quotas with these volunteers. "
                                "Change the quotas below (or find more volunteers) and try "
                                "again; nothing was drawn."))
        else:
            self.lines = []
            super().__init__(problem, **params)


@dataclass(frozen=True)
class Category:
    feature: str
    name: str
    minimum: int
    maximum: int
    population: float | None = None


@dataclass(frozen=True)
class Feature:
    name: str
    categories: tuple[Category, ...]

    def category(self, name: str) -> Category | None:
        """Return the category called `name` (case and spaces ignored), if there is one."""
        wanted = _key(name)
        return next((c for c in self.categories if _key(c.name) == wanted), None)


@dataclass(frozen=True)
class Volunteer:
    """A volunteer as the selection sees them: their public number and their categories."""

    number: int
    categories: Mapping[str, str] = field(hash=False)


def _key(text: str) -> str:
    return " ".join(text.split()).casefold()


@dataclass(frozen=True)
class Quotas:
    features: tuple[Feature, ...]

    def feature(self, name: str) -> Feature | None:
        wanted = _key(name)
        return next((f for f in self.features if _key(f.name) == wanted), None)

    def categories(self) -> Iterable[Category]:
        for feature in self.features:
            yield from feature.categories

    def check_seats(self, seats: int) -> None:
        """Refuse a panel size that some feature's quotas cannot add up to."""
        if not 1 <= seats <= MAX_SEATS:
            raise SortitionError(N_("A panel has from 1 to %(most)d seats."), most=MAX_SEATS)
        for feature in self.features:
            low = sum(c.minimum for c in feature.categories)
            high = sum(c.maximum for c in feature.categories)
            if low > seats:
                raise SortitionError(
                    N_("The minimums for “%(feature)s” add up to %(low)d, more than the "
                       "%(seats)d seats. Lower them so they add up to %(seats)d or fewer."),
                    feature=feature.name, low=low, seats=seats)
            if high < seats:
                raise SortitionError(
                    N_("The maximums for “%(feature)s” add up to %(high)d, fewer than the "
                       "%(seats)d seats. Raise them so they add up to %(seats)d or more."),
                    feature=feature.name, high=high, seats=seats)

    def counts(self, pool: Iterable[Volunteer]) -> dict[tuple[str, str], int]:
        """Return how many of `pool` are in each (feature, category)."""
        counted = Counter((f, c) for v in pool for f, c in v.categories.items())
        return {(c.feature, c.name): counted.get((c.feature, c.name), 0)
                for c in self.categories()}

    def met_by(self, panel: Sequence[Volunteer]) -> bool:
        """Tell whether `panel` keeps every minimum and maximum."""
        counts = self.counts(panel)
        return all(c.minimum <= counts[(c.feature, c.name)] <= c.maximum
                   for c in self.categories())

    def explain(self, pool: Sequence[Volunteer], seats: int) -> list[Shortfall] | str:
        """Say why no panel can be drawn from `pool`: a pool smaller than the panel, or
        categories with fewer volunteers than their minimum."""
        if len(pool) < seats:
            return N_("There are fewer confirmed volunteers than seats; recruit more, or "
                      "make the panel smaller. Nothing was drawn.")
        counts = self.counts(pool)
        short = [Shortfall(c.feature, c.name, "min", c.minimum, counts[(c.feature, c.name)])
                 for c in self.categories() if counts[(c.feature, c.name)] < c.minimum]
        return short or N_("No panel can meet these quotas with these volunteers; nothing "
                           "was drawn.")

    def csv(self) -> str:
        """Return the quotas as the canonical CSV that is published and hashed."""
        out = io.StringIO()
        writer = csv.writer(out, lineterminator="\n")
        writer.writerow([*QUOTA_COLUMNS, "population"])
        for c in self.categories():
            writer.writerow([c.feature, c.name, c.minimum, c.maximum,
                             "" if c.population is None else f"{c.population:.4f}"])
        return out.getvalue()


def _population(text: str, row: int) -> float | None:
    text = text.strip().rstrip("%").strip()
    if not text:
        return None
    try:
        value = float(text)
    except ValueError:
        value = -1.0
    if value > 1:
        value /= 100
    if not 0 <= value <= 1:
        raise SortitionError(N_("Row %(row)d: write the population share as a fraction "
                                "(0.22) or a percentage (22%%), or leave it empty."), row=row)
    return value


def parse_quotas(text: str) -> Quotas:
    """Read quotas from CSV text (see the module's docstring); refuse anything unclear with
    the row it is on."""
    rows = list(csv.reader(io.StringIO(text.strip())))
    if not rows:
        raise SortitionError(N_("Write the quotas: a header line “feature,category,min,max” "
                                "and then one line for each category."))
    header = [_key(h) for h in rows[0]]
    missing = [c for c in QUOTA_COLUMNS if c not in header]
    if missing:
        raise SortitionError(N_("The first line must name the columns feature, category, "
                                "min and max (and population, if you like); %(missing)s "
                                "is missing."), missing=", ".join(missing))
    at = {name: header.index(name) for name in (*QUOTA_COLUMNS, "population") if name in header}
    features: dict[str, list[Category]] = {}
    names: dict[str, str] = {}
    for number, row in enumerate(rows[1:], start=2):
        if not any(cell.strip() for cell in row):
            continue
        cells = {name: (row[i].strip() if i < len(row) else "") for name, i in at.items()}
        feature, name = " ".join(cells["feature"].split()), " ".join(cells["category"].split())
        if not feature or not name:
            raise SortitionError(N_("Row %(row)d: give both the feature and the category."),
                                 row=number)
        if len(feature) > NAME_MAX or len(name) > NAME_MAX:
            raise SortitionError(N_("Row %(row)d: use at most %(max)d characters for a name."),
                                 row=number, max=NAME_MAX)
        if feature.startswith(FORMULA_STARTS) or name.startswith(FORMULA_STARTS):
            raise SortitionError(N_("Row %(row)d: a name may not start with =, +, - or @, which "
                                    "a spreadsheet would run as a formula (the published files "
                                    "name every category)."), row=number)
        low, high = parse_whole(cells["min"], MAX_SEATS), parse_whole(cells["max"], MAX_SEATS)
        if low is None or high is None:
            raise SortitionError(N_("Row %(row)d: min and max must be whole numbers of seats "
                                    "(0 to %(most)d)."), row=number, most=MAX_SEATS)
        if low > high:
            raise SortitionError(N_("Row %(row)d: the min (%(low)d) is more than the max "
                                    "(%(high)d)."), row=number, low=low, high=high)
        feature = names.setdefault(_key(feature), feature)
        listed = features.setdefault(feature, [])
        if any(_key(c.name) == _key(name) for c in listed):
            raise SortitionError(N_("Row %(row)d: “%(category)s” is listed twice under "
                                    "“%(feature)s”."), row=number, category=name,
                                 feature=feature)
        listed.append(Category(feature, name, low, high,
                               _population(cells.get("population", ""), number)))
    if not features:
        raise SortitionError(N_("List at least one feature with its categories."))
    if len(features) > MAX_FEATURES:
        raise SortitionError(N_("Use at most %(max)d features."), max=MAX_FEATURES)
    for feature, listed in features.items():
        if len(listed) < 2:
            raise SortitionError(N_("“%(feature)s” has only one category; a feature needs at "
                                    "least two."), feature=feature)
        if len(listed) > MAX_CATEGORIES:
            raise SortitionError(N_("“%(feature)s” has more than %(max)d categories."),
                                 feature=feature, max=MAX_CATEGORIES)
    return Quotas(tuple(Feature(name, tuple(listed)) for name, listed in features.items()))


def answers(quotas: Quotas, given: Mapping[str, str]) -> dict[str, str]:
    """Return a volunteer's categories, one for each feature, spelt as the quotas spell them;
    refuse a missing feature or a category the quotas do not list."""
    chosen: dict[str, str] = {}
    keyed = {_key(k): v for k, v in given.items()}
    for feature in quotas.features:
        value = (keyed.get(_key(feature.name)) or "").strip()
        if not value:
            raise SortitionError(N_("Choose your answer for “%(feature)s”."),
                                 feature=feature.name)
        category = feature.category(value)
        if category is None:
            raise SortitionError(
                N_("“%(value)s” is not a category of “%(feature)s”; use one of: "
                   "%(allowed)s."), value=value, feature=feature.name,
                allowed=", ".join(c.name for c in feature.categories))
        chosen[feature.name] = category.name
    return chosen
