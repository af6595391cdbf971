"""The fair selection: LEXIMIN over types of volunteer, its lottery, and the greedy method."""

from __future__ import annotations

import random
from collections import Counter

import pytest

from pb.domain.sortition import fair
from pb.domain.sortition.quotas import SortitionError, Volunteer, parse_quotas

QUOTAS = """feature,category,min,max
Age,Young,1,3
Age,Middle,1,3
Age,Old,1,3
Gender,Woman,2,3
Gender,Man,2,3
Area,North,1,4
Area,South,1,4
"""
SEATS = 5


def random_pool(size: int, seed: int = 1) -> list[Volunteer]:
    """Return `size` volunteers, skewed towards the old, the men and the north."""
    rnd = random.Random(seed)
    return [Volunteer(n, {"Age": rnd.choices(["Young", "Middle", "Old"], [1, 2, 3])[0],
                          "Gender": rnd.choices(["Woman", "Man"], [2, 3])[0],
                          "Area": rnd.choices(["North", "South"], [3, 1])[0]})
            for n in range(1, size + 1)]


@pytest.fixture(scope="module")
def case() -> tuple:
    quotas, pool = parse_quotas(QUOTAS), random_pool(24)
    return quotas, pool, fair.leximin(quotas, pool, SEATS)


@pytest.fixture(scope="module")
def maximin(case: tuple) -> dict[int, float]:
    """Each volunteer's chance under the library's own maximin (the library's solver)."""
    from sortition_algorithms.committee_generation.maximin import find_distribution_maximin

    quotas, pool, _ = case
    features, people = fair._library_inputs(quotas, pool, SEATS)
    panels, weights, _ = find_distribution_maximin(features, people, SEATS, [])
    chances = {v.number: 0.0 for v in pool}
    for panel, weight in zip(panels, weights, strict=True):
        for agent in panel:
            chances[int(agent)] += weight
    return chances


def test_probabilities_add_up_to_the_seats(case: tuple) -> None:
    _, pool, distribution = case
    assert sum(distribution.probabilities.values()) == pytest.approx(SEATS, abs=1e-6)
    assert set(distribution.probabilities) == {v.number for v in pool}
    assert sum(distribution.types.weights) == pytest.approx(1.0)


def test_every_panel_keeps_the_quotas(case: tuple) -> None:
    quotas, pool, distribution = case
    by_number = {v.number: v for v in pool}
    lottery = fair.lottery(distribution, 300, seed="q")
    assert len(set(lottery)) > 1
    for panel in lottery:
        assert len(panel) == SEATS
        assert quotas.met_by([by_number[n] for n in panel])


def test_volunteers_with_the_same_answers_are_one_type() -> None:
    quotas = parse_quotas(QUOTAS)
    pool = random_pool(400, seed=3)
    distribution = fair.leximin(quotas, pool, SEATS)
    assert len(distribution.types.types.members) <= 3 * 2 * 2
    by_answers: dict[tuple, set[float]] = {}
    for v in pool:
        by_answers.setdefault(tuple(v.categories.values()), set()).add(
            round(distribution.probabilities[v.number], 9))
    assert all(len(chances) == 1 for chances in by_answers.values())


def test_smallest_chance_is_the_librarys_maximin(case: tuple, maximin: dict) -> None:
    _, _, distribution = case
    assert distribution.smallest == pytest.approx(min(maximin.values()), abs=1e-4)


def test_leximin_is_lexicographically_at_least_maximin(case: tuple, maximin: dict) -> None:
    _, _, distribution = case
    ours, theirs = sorted(distribution.probabilities.values()), sorted(maximin.values())
    for mine, other in zip(ours, theirs, strict=True):
        if abs(mine - other) > 1e-4:
            assert mine > other
            break


def test_interchangeable_volunteers_get_equal_chances() -> None:
    quotas = parse_quotas("feature,category,min,max\nAge,Young,2,2\nAge,Old,2,2\n"
                          "Gender,Woman,2,2\nGender,Man,2,2\n")
    pool = [Volunteer(n, {"Age": ("Young", "Old")[n % 2], "Gender": ("Woman", "Man")[n // 2 % 2]})
            for n in range(12)]
    distribution = fair.leximin(quotas, pool, 4)
    for chance in distribution.probabilities.values():
        assert chance == pytest.approx(4 / 12, abs=1e-6)


def test_a_case_worked_by_hand() -> None:
    # Every panel needs the one lead (1) and one man (3 or 4); 2 can never sit.
    quotas = parse_quotas("feature,category,min,max\nRole,Lead,1,1\nRole,Other,1,1\n"
                          "Gender,Woman,1,1\nGender,Man,1,1\n")
    pool = [Volunteer(1, {"Role": "Lead", "Gender": "Woman"}),
            Volunteer(2, {"Role": "Other", "Gender": "Woman"}),
            Volunteer(3, {"Role": "Other", "Gender": "Man"}),
            Volunteer(4, {"Role": "Other", "Gender": "Man"})]
    distribution = fair.leximin(quotas, pool, 2)
    assert distribution.probabilities == pytest.approx({1: 1.0, 2: 0.0, 3: 0.5, 4: 0.5},
                                                       abs=1e-6)
    lottery = fair.lottery(distribution, 10, seed="h")
    assert Counter(lottery) == {frozenset({1, 3}): 5, frozenset({1, 4}): 5}


def test_quotas_no_panel_can_meet_name_the_categories() -> None:
    # Two young people are needed, but both are women and only one woman may sit.
    quotas = parse_quotas("feature,category,min,max\nGender,Woman,1,1\nGender,Man,1,1\n"
                          "Age,Young,2,2\nAge,Old,0,2\n")
    pool = [Volunteer(1, {"Gender": "Woman", "Age": "Young"}),
            Volunteer(2, {"Gender": "Woman", "Age": "Young"}),
            Volunteer(3, {"Gender": "Man", "Age": "Old"}),
            Volunteer(4, {"Gender": "Woman", "Age": "Old"})]
    with pytest.raises(SortitionError) as raised:
        fair.leximin(quotas, pool, 2)
    assert raised.value.lines
    assert {(line.feature, line.category) for line in raised.value.lines} <= {
        ("Gender", "Woman"), ("Gender", "Man"), ("Age", "Young"), ("Age", "Old")}


def test_too_few_in_a_category_names_it() -> None:
    quotas = parse_quotas("feature,category,min,max\nGender,Woman,2,3\nGender,Man,1,3\n")
    pool = [Volunteer(1, {"Gender": "Woman"})] + [Volunteer(n, {"Gender": "Man"})
                                                  for n in range(2, 6)]
    with pytest.raises(SortitionError) as raised:
        fair.leximin(quotas, pool, 3)
    assert [(s.feature, s.category, s.bound) for s in raised.value.lines] == [
        ("Gender", "Woman", "min")]


def test_a_pool_smaller_than_the_panel_is_refused() -> None:
    quotas = parse_quotas("feature,category,min,max\nGender,Woman,0,5\nGender,Man,0,5\n")
    pool = [Volunteer(n, {"Gender": ("Woman", "Man")[n % 2]}) for n in range(3)]
    with pytest.raises(SortitionError):
        fair.leximin(quotas, pool, 5)


def test_the_lottery_gives_each_volunteer_their_chance(case: tuple) -> None:
    _, _, distribution = case
    size = 200
    lottery = fair.lottery(distribution, size, seed="s")
    assert len(lottery) == size
    assert lottery == fair.lottery(distribution, size, seed="s")
    assert lottery == sorted(lottery, key=sorted)
    assert lottery != fair.lottery(distribution, size, seed="another")
    # Each profile is listed floor or ceiling of size × weight times (pipage rounding), and
    # within a type seats go round in turn: so a volunteer's share of the listed panels is
    # within the published bound, seats / size, of their chance.
    seats = Counter(n for panel in lottery for n in panel)
    for number, chance in distribution.probabilities.items():
        assert abs(seats[number] / size - chance) <= SEATS / size
    members = distribution.types.types.members
    for t, group in enumerate(members):
        listed = [seats[n] for n in group]
        assert max(listed) - min(listed) <= 1, t


def test_greedy_estimates_are_frequencies(case: tuple) -> None:
    quotas, pool, _ = case
    estimates, failed = fair.greedy_probabilities(quotas, pool, SEATS, runs=50, seed="g")
    assert set(estimates) == {v.number for v in pool}
    assert all(0 <= p <= 1 for p in estimates.values())
    assert sum(estimates.values()) == pytest.approx(SEATS, abs=1e-9)
    assert failed >= 0
