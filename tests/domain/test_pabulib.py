"""Reading and writing pabulib files: real files, round trips and bad input."""

from __future__ import annotations

import random
from fractions import Fraction
from pathlib import Path

import pytest

from pb.domain.pabulib import PabulibError, read_pabulib, write_pabulib
from tests.shared_data import shared_data

DATA = shared_data() / "pabulib"
FILES = sorted(DATA.glob("*.pb"))

SMALL = """META
key;value
description;Test
budget;100.50
vote_type;cumulative
currency;GBP
PROJECTS
project_id;cost;name
1;50.25;"Park ""Green"" corner"
2;40;Bins
VOTES
voter_id;vote;points;age
a;1,2;3,2;40
b;2;5;
"""


def test_reads_small_file_exactly() -> None:
    election = read_pabulib(SMALL)
    assert election.budget == Fraction(201, 2)
    assert election.projects["1"].cost == Fraction(201, 4)
    assert election.projects["1"].fields["name"] == 'Park "Green" corner'
    assert election.votes[0].projects == ("1", "2")
    assert election.votes[0].points == (3, 2)
    assert election.votes[1].extra == ("",)
    assert election.vote_columns == ("age",)


@pytest.mark.parametrize("ending", ["\n", "\r\n"])
def test_line_endings(ending: str) -> None:
    assert read_pabulib(SMALL.replace("\n", ending)) == read_pabulib(SMALL)


def test_mixed_line_endings_and_bom() -> None:
    lines = SMALL.split("\n")
    mixed = "\ufeff" + "".join(line + ("\r\n" if i % 2 else "\n") for i, line in enumerate(lines))
    assert read_pabulib(mixed) == read_pabulib(SMALL)


def test_round_trip_small() -> None:
    election = read_pabulib(SMALL)
    assert read_pabulib(write_pabulib(election)) == election


def test_shuffled_anonymous_export() -> None:
    election = read_pabulib(SMALL)
    first = read_pabulib(write_pabulib(election, shuffle=random.Random(1)))
    assert [v.voter_id for v in first.votes] == ["1", "2"]
    assert sorted(v.projects for v in first.votes) == sorted(v.projects for v in election.votes)
    assert write_pabulib(election, shuffle=7) == write_pabulib(election, shuffle=7)


@pytest.mark.parametrize("path", FILES, ids=[p.name[:30] for p in FILES])
def test_round_trip_real_files(path: Path) -> None:
    election = read_pabulib(path.read_text(encoding="utf-8"))
    assert election.votes and election.projects
    again = read_pabulib(write_pabulib(election))
    assert again == election


BAD = [
    (SMALL.replace("budget;100.50\n", ""), "no 'budget'", None),
    (SMALL.replace("budget;100.50", "budget;lots"), "budget 'lots' is not a number", None),
    (SMALL.replace("2;40;Bins", "2;forty;Bins"), "cost 'forty'", 10),
    (SMALL.replace("2;40;Bins", "1;40;Bins"), "project id '1' appears twice", 10),
    (SMALL.replace("b;2;5;", "b;7;5;"), "project '7', which is not in PROJECTS", 14),
    (SMALL.replace("b;2;5;", "a;2;5;"), "voter id 'a' appears twice", 14),
    (SMALL.replace("b;2;5;", "b;2;5"), "need 4 fields", 14),
    (SMALL.replace("a;1,2;3,2;40", "a;1,2;3;40"), "2 projects but gives 1 points", 13),
    (SMALL.replace("a;1,2;3,2;40", "a;1,1;3,2;40"), "same project twice", 13),
    (SMALL.replace("vote_type;cumulative", "vote_type;borda"), "unknown vote_type", None),
    (SMALL.replace("VOTES\n", ""), "no VOTES section", None),
    (SMALL.replace("project_id;cost;name", "project_id;price;name"), "no 'cost' column", 8),
    ("hello\n" + SMALL, "before any data", 1),
]


@pytest.mark.parametrize(("text", "message", "line"), BAD)
def test_bad_files(text: str, message: str, line: int | None) -> None:
    with pytest.raises(PabulibError, match=message) as caught:
        read_pabulib(text)
    if line is not None:
        assert caught.value.line == line
        assert str(caught.value).startswith(f"line {line}:")

