"""Quotas, published files, the draw and replacements: the rules of a selection by lot."""

from __future__ import annotations

import hashlib

import pytest

from pb.domain.sortition import draw
from pb.domain.sortition.quotas import SortitionError, Volunteer, answers, parse_quotas

QUOTAS = """feature,category,min,max,population
Age,Under 40,1,2,45%
Age,40 and over,1,2,0.55
Area,North,1,2,
Area,South,1,2,
"""


def test_quotas_are_read_in_the_spreadsheet_format() -> None:
    quotas = parse_quotas(QUOTAS)
    assert [f.name for f in quotas.features] == ["Age", "Area"]
    age = quotas.features[0].categories
    assert [(c.name, c.minimum, c.maximum, c.population) for c in age] == \
        [("Under 40", 1, 2, 0.45), ("40 and over", 1, 2, 0.55)]
    assert quotas.features[1].categories[0].population is None
    # The canonical CSV reads back to the same quotas.
    assert parse_quotas(quotas.csv()) == quotas
    quotas.check_seats(3)


@pytest.mark.parametrize(("text", "message"), [
    ("", "header line"),
    ("feature,category,min\nAge,A,1\n", "max is missing"),
    ("feature,category,min,max\nAge,A,1,2\nAge,B,3,2\n", "Row 3: the min"),
    ("feature,category,min,max\nAge,A,1,2\nAge,a,0,2\n", "listed twice"),
    ("feature,category,min,max\nAge,A,1,2\n", "only one category"),
    ("feature,category,min,max\nAge,A,one,2\nAge,B,0,2\n", "whole numbers"),
    ("feature,category,min,max\nAge,,1,2\n", "give both"),
    ("feature,category,min,max\nAge,=1+1,1,2\nAge,B,0,2\n", "Row 2: a name may not start"),
    ("feature,category,min,max\n@Age,A,1,2\n@Age,B,0,2\n", "run as a formula"),
    ("feature,category,min,max,population\nAge,A,1,2,150%\nAge,B,0,2,\n", "population share"),
])
def test_unusable_quotas_name_the_line_to_fix(text: str, message: str) -> None:
    with pytest.raises(SortitionError, match=message):
        parse_quotas(text)


def test_seats_must_fit_every_features_minimums_and_maximums() -> None:
    quotas = parse_quotas(QUOTAS)
    with pytest.raises(SortitionError, match="minimums for “Age” add up to 2, more than the 1"):
        quotas.check_seats(1)
    with pytest.raises(SortitionError, match="maximums for “Age” add up to 4, fewer than the 5"):
        quotas.check_seats(5)


def test_answers_are_matched_without_case_and_must_all_be_given() -> None:
    quotas = parse_quotas(QUOTAS)
    assert answers(quotas, {"age": " under 40 ", "AREA": "south"}) == \
        {"Age": "Under 40", "Area": "South"}
    with pytest.raises(SortitionError, match="Choose your answer for “Area”"):
        answers(quotas, {"Age": "Under 40"})
    with pytest.raises(SortitionError, match="“Teen” is not a category of “Age”"):
        answers(quotas, {"Age": "Teen", "Area": "North"})


def test_the_seed_is_its_parts_separated_by_single_spaces() -> None:
    assert draw.normalise_seed(" 12,  7;33 ") == "12 7 33"
    with pytest.raises(SortitionError, match="at least 4"):
        draw.normalise_seed(" 1 ")


def test_the_draw_is_the_documented_sha256_formula() -> None:
    panels_hash = draw.sha256("panel,members\n1,1 2\n2,3 4\n3,1 4\n")
    expected = 1 + int.from_bytes(hashlib.sha256(
        f"pb-sortition:12 7 33:{panels_hash}".encode()).digest(), "big") % 3
    assert draw.draw_number("12, 7 33", panels_hash, 3) == expected
    # Another seed or another list of panels can draw another panel.
    drawn = {draw.draw_number(f"seed {i}", panels_hash, 3) for i in range(30)}
    assert drawn == {1, 2, 3}


def people() -> list[Volunteer]:
    cats = [("Under 40", "North"), ("Under 40", "South"), ("40 and over", "North"),
            ("40 and over", "South"), ("Under 40", "North"), ("40 and over", "South")]
    return [Volunteer(n, {"Age": a, "Area": b}) for n, (a, b) in enumerate(cats, start=1)]


def test_a_replacement_shares_every_category_with_the_member_leaving() -> None:
    quotas = parse_quotas(QUOTAS)
    pool = people()
    # 1 (Under 40, North) leaves; 5 is the only other Under 40 in the North.
    assert draw.replacement(quotas, pool, [1, 4], 1, [1, 4], "12 7 33", "h") == 5
    # With 5 gone too, anyone who keeps the quotas with 4 (40 and over) still seated: under
    # these quotas (any area), 2 alone, the other one under 40.
    loose = parse_quotas(QUOTAS.replace("Area,North,1,2,", "Area,North,0,2,")
                         .replace("Area,South,1,2,", "Area,South,0,2,"))
    chosen = {draw.replacement(loose, pool, [1, 4], 1, [1, 4, 5], f"seed {i}", "h")
              for i in range(20)}
    assert chosen == {2}
    # Under the strict quotas nobody can: 2 leaves the North empty, 3 and 6 the under-40s.
    assert draw.replacement(quotas, pool, [1, 4], 1, [1, 4, 5], "12 7 33", "h") is None
    # Among several candidates, the seed picks, so different seeds pick different people.
    wide = [*pool, Volunteer(7, {"Age": "Under 40", "Area": "North"}),
            Volunteer(8, {"Age": "Under 40", "Area": "North"})]
    assert {draw.replacement(quotas, wide, [1, 4], 1, [1, 4], f"seed {i}", "h")
            for i in range(30)} == {5, 7, 8}
    # Nobody left: None.
    assert draw.replacement(quotas, pool, [1, 4], 1, [1, 2, 3, 4, 5, 6], "12 7 33", "h") is None


def files() -> dict[str, str]:
    quotas = parse_quotas(QUOTAS)
    pool = people()
    panels = [frozenset({1, 4}), frozenset({2, 3}), frozenset({5, 6}), frozenset({1, 4})]
    chances = {n: sum(n in p for p in panels) / len(panels) for n in range(1, 7)}
    return {"quotas.csv": quotas.csv(), "pool.csv": draw.pool_csv(quotas, pool),
            "probabilities.csv": draw.probabilities_csv(chances),
            "panels.csv": draw.panels_csv(panels)}


def test_replay_checks_the_files_and_draws_the_same_panel() -> None:
    published = files()
    replay = draw.replay(published, 2, "12 7 33")
    assert replay.panel == draw.parse_panels(published["panels.csv"])[replay.panel_number - 1]
    assert replay.largest_gap == pytest.approx(0, abs=1e-6)
    hashes = {name: draw.sha256(text) for name, text in published.items()}
    assert draw.replay(published, 2, "12 7 33", hashes).panel_number == replay.panel_number


@pytest.mark.parametrize(("change", "message"), [
    (lambda f: f.update({"panels.csv": f["panels.csv"].replace("1,1 4", "1,1 5")}),
     "not the published file"),
    (lambda f: f.pop("pool.csv"), "Missing file: pool.csv"),
])
def test_replay_refuses_files_that_are_not_the_published_ones(change, message) -> None:
    published = files()
    hashes = {name: draw.sha256(text) for name, text in published.items()}
    change(published)
    with pytest.raises(SortitionError, match=message):
        draw.replay(published, 2, "12 7 33", hashes)


def test_replay_refuses_a_lottery_that_breaks_quotas_or_chances() -> None:
    published = files()
    published["panels.csv"] = draw.panels_csv([frozenset({1, 5})] * 4)   # two Under-40 North
    with pytest.raises(SortitionError, match="Panel 1 in panels.csv"):
        draw.replay(published, 2, "12 7 33")
    published = files()
    published["probabilities.csv"] = draw.probabilities_csv({n: 1 / 3 for n in range(1, 7)})
    published["panels.csv"] = draw.panels_csv([frozenset({1, 4})] * 4)
    with pytest.raises(SortitionError, match="do not give each volunteer"):
        draw.replay(published, 2, "12 7 33")
