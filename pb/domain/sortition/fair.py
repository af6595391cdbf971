"""The fair selection: the LEXIMIN distribution, its lottery of panels, and the greedy
method to compare.

The Sortition Foundation's `sortition-algorithms` library reads quotas and pool into its own
types, explains quotas that no panel can meet (`setup_committee_generation` and its suggested
relaxation), rounds a distribution to a lottery (`lottery_rounding`, pipage rounding) and
runs the greedy method (`find_random_sample_legacy_single_attempt`). Its own LEXIMIN
(Flanigan et al., Nature 2021) solves one linear program per stage with Gurobi, a
commercial solver that a council cannot be asked to buy (and whose free licence stops at
2,000 variables, one per volunteer); run over volunteers with HiGHS instead, its stages took
a minute for 500 volunteers and more than twenty for 2,000 (BENCHMARKS.md).

So `by_type` runs the library's stages over types of volunteer (those who gave the same
answers, whom LEXIMIN treats alike) with HiGHS, which gives the same chances on a few hundred
variables whatever the size of the pool; this module joins it to the library.

Heavy imports (numpy, highspy, the library) stay in this package's `fair` and `by_type`,
which only the selection itself loads: a worker process (`solve`), the tests and the benchmark.
"""

from __future__ import annotations

import hashlib
from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any

from sortition_algorithms import errors as sa_errors
from sortition_algorithms.committee_generation.common import (
    setup_committee_generation,
)
from sortition_algorithms.committee_generation.legacy import (
    find_random_sample_legacy_single_attempt,
)
from sortition_algorithms.core import lottery_rounding
from sortition_algorithms.features import (
    FeatureValueMinMax,
    check_desired,
    set_default_max_flex,
)
from sortition_algorithms.people import People, check_enough_people_for_every_feature_value
from sortition_algorithms.utils import set_random_provider

from pb.domain.sortition import by_type
from pb.domain.sortition.quotas import Quotas, Shortfall, SortitionError, Volunteer


@dataclass(frozen=True)
class Distribution:
    """The LEXIMIN distribution over profiles of types, and each volunteer's chance."""

    types: by_type.TypeDistribution
    probabilities: dict[int, float]

    @property
    def smallest(self) -> float:
        """Return the smallest selection probability in the pool."""
        return min(self.probabilities.values())


def _seed(text: str) -> int:
    """Return a positive 31-bit number from `text`: the library seeds Python's `random`."""
    return int.from_bytes(hashlib.sha256(text.encode("utf-8")).digest()[:4], "big") % \
        (2**31 - 2) + 1


def _library_inputs(quotas: Quotas, pool: Sequence[Volunteer], seats: int
                    ) -> tuple[Any, People]:
    """Return the library's feature collection and people for `quotas` and `pool`."""
    features: Any = {}
    for feature in quotas.features:
        features[feature.name] = {
            category.name: FeatureValueMinMax(min=category.minimum, max=category.maximum)
            for category in feature.categories}
    # As the library's own reader does: without it no maximum may be relaxed, so quotas no
    # panel can meet would get no advice.
    set_default_max_flex(features)
    people = People(columns_to_keep=[])
    for volunteer in pool:
        people.add(str(volunteer.number), dict(volunteer.categories), features, row_number=0)
    try:
        check_desired(features, seats)
        check_enough_people_for_every_feature_value(features, people)
    except sa_errors.SelectionError as error:
        raise SortitionError(quotas.explain(pool, seats)) from error
    return features, people


def _committee_generation(quotas: Quotas, pool: Sequence[Volunteer], seats: int) -> None:
    """Raise SortitionError with the library's advice if no panel keeps the quotas."""
    features, people = _library_inputs(quotas, pool, seats)
    try:
        setup_committee_generation(features, people, seats, [], solver_backend="highspy")
    except sa_errors.InfeasibleQuotasError as error:
        raise SortitionError(_shortfalls(quotas, error.features)) from error
    except sa_errors.InfeasibleQuotasCantRelaxError as error:
        raise SortitionError(quotas.explain(pool, seats)) from error


def _shortfalls(quotas: Quotas, relaxed: Any) -> list[Shortfall]:
    """Turn the library's suggested relaxation into one line per quota to change."""
    lines = []
    for feature in quotas.features:
        for category in feature.categories:
            now = relaxed[feature.name][category.name]
            if now.min < category.minimum:
                lines.append(Shortfall(feature.name, category.name, "min", category.minimum,
                                       now.min))
            if now.max > category.maximum:
                lines.append(Shortfall(feature.name, category.name, "max", category.maximum,
                                       now.max))
    return lines


def leximin(quotas: Quotas, pool: Sequence[Volunteer], seats: int) -> Distribution:
    """Return the LEXIMIN distribution: no volunteer's chance can rise without lowering a
    smaller one. Quotas no panel can meet raise SortitionError with the library's advice."""
    _library_inputs(quotas, pool, seats)          # the library's checks of pool and quotas
    try:
        found = by_type.leximin(quotas, pool, seats)
    except SortitionError:
        _committee_generation(quotas, pool, seats)   # raises with the library's advice
        raise
    return Distribution(found, found.probabilities())


def lottery(distribution: Distribution, size: int, *, seed: str) -> list[frozenset[int]]:
    """Round the distribution to `size` panels, each to be drawn with chance 1/size: the
    library's pipage rounding (Flanigan, Kehne and Procaccia, 2021) picks how many times each
    profile is listed, then each type's seats go to its volunteers in turn. The list is
    sorted, so its order says nothing; `seed` makes it repeatable."""
    set_random_provider(_seed("lottery:" + seed))
    found = distribution.types
    tokens = [frozenset({str(i)}) for i in range(len(found.profiles))]
    rounded = lottery_rounding(tokens, list(found.weights), size)
    profiles = [found.profiles[int(next(iter(token)))] for token in rounded]
    return sorted(by_type.people(found, profiles, seed), key=sorted)


def greedy_probabilities(quotas: Quotas, pool: Sequence[Volunteer], seats: int, *,
                         runs: int, seed: str = "") -> tuple[dict[int, float], int]:
    """Estimate each volunteer's chance under the library's greedy ("legacy") method from
    `runs` simulated draws; return the estimates and how many runs failed the quotas."""
    set_random_provider(_seed("greedy:" + seed))
    features, people = _library_inputs(quotas, pool, seats)
    counts = {v.number: 0 for v in pool}
    done = failed = 0
    while done < runs and failed < runs:
        try:
            panels, _ = find_random_sample_legacy_single_attempt(people, features, seats, [])
        except sa_errors.SelectionError:
            failed += 1
            continue
        panel = panels[0]
        if not quotas.met_by([v for v in pool if str(v.number) in panel]):
            failed += 1
            continue
        done += 1
        for number in panel:
            counts[int(number)] += 1
    return {n: c / max(done, 1) for n, c in counts.items()}, failed
