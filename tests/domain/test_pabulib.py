"""Reading and writing pabulib files: real files, round trips and bad input."""

from __future__ import annotations

import io
import random
from fractions import Fraction
from pathlib import Path

import pytest

from pb.domain.pabulib import (
    SINK_CHUNK,
    Election,
    PabulibError,
    Vote,
    read_pabulib,
    write_pabulib,
)
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



@pytest.mark.parametrize(("text", "message", "line"), BAD)
def test_bad_files_read_line_by_line_say_the_same(text: str, message: str,
                                                  line: int | None) -> None:
    with pytest.raises(PabulibError, match=message) as caught:
        read_pabulib(io.StringIO(text, newline=""))
    with pytest.raises(PabulibError) as whole:
        read_pabulib(text)
    assert str(caught.value) == str(whole.value)
    if line is not None:
        assert caught.value.line == line


@pytest.mark.parametrize("path", FILES, ids=[p.name[:30] for p in FILES])
def test_reading_an_open_file_equals_reading_its_text(path: Path) -> None:
    text = path.read_text(encoding="utf-8-sig")
    with path.open(encoding="utf-8-sig", newline="") as handle:
        streamed = read_pabulib(handle)
    whole = read_pabulib(path.read_bytes().decode("utf-8-sig"))
    assert streamed == whole == read_pabulib(text)
    assert (streamed.vote_header, streamed.newline, streamed.final_newline) == \
        (whole.vote_header, whole.newline, whole.final_newline)


# Written back, a file is byte for byte what was read; but for this one, where one META line
# ends in LF among CRLF lines (the writer uses the line end most lines have).
MIXED_LINE_ENDS = "Poland_Wieliczka_2023_Green_Budget.pb"


@pytest.mark.parametrize("path", FILES, ids=[p.name[:30] for p in FILES])
def test_writing_gives_the_file_back_byte_for_byte(path: Path) -> None:
    text = path.read_bytes().decode("utf-8-sig")
    written = write_pabulib(read_pabulib(text))
    if path.name == MIXED_LINE_ENDS:
        assert written != text
        assert written == text.replace("\r\n", "\n").replace("\n", "\r\n")
    else:
        assert written == text


@pytest.mark.parametrize("vote_type", ["approval", "choose-1"])
def test_a_project_twice_in_an_approval_vote_counts_once_with_a_warning(vote_type: str) -> None:
    text = SMALL.replace("vote_type;cumulative", f"vote_type;{vote_type}").replace(
        "voter_id;vote;points;age\na;1,2;3,2;40\nb;2;5;",
        "voter_id;vote;age\na;1,2,1;40\nb;2;\nc;2,2;\nd;1,2,1;")
    election = read_pabulib(text)
    assert [v.projects for v in election.votes] == [("1", "2"), ("2",), ("2",), ("1", "2")]
    assert election.warnings == ["lines 13, 15, 16: the 3 votes name the same project twice; "
                                 "each project counts once in an approval vote, as pabutools "
                                 "reads it."]
    assert read_pabulib(io.StringIO(text)).warnings == election.warnings


def test_votes_columns_are_written_where_the_file_had_them() -> None:
    text = SMALL.replace("voter_id;vote;points;age\na;1,2;3,2;40\nb;2;5;",
                         "age;voter_id;points;vote\n40;a;3,2;1,2\n;b;5;2")
    election = read_pabulib(text)
    assert election.vote_header == ("age", "voter_id", "points", "vote")
    assert write_pabulib(election) == text


@pytest.mark.parametrize("as_lines", [False, True])
def test_a_sink_gets_the_votes_in_chunks_as_they_are_read(as_lines: bool) -> None:
    path = DATA / "Poland_Wroclaw_2016_Rejon_nr_10_750.pb"
    text = path.read_bytes().decode("utf-8-sig")
    whole = read_pabulib(text)
    chunks: list[list[Vote]] = []

    def sink(election: Election, votes: list[Vote]) -> None:
        assert election.meta == whole.meta and election.vote_columns == whole.vote_columns
        chunks.append(list(votes))

    source = io.StringIO(text, newline="") if as_lines else text
    streamed = read_pabulib(source, sink=sink)
    assert streamed.votes == [] and streamed.projects == whole.projects
    assert [len(c) for c in chunks[:-1]] == [SINK_CHUNK] * (len(chunks) - 1)
    assert [v for c in chunks for v in c] == whole.votes and len(chunks) > 2


@pytest.mark.parametrize(("ids", "twice"), [
    (["1", "2", "1"], "1"), (["0", "00", "0"], "0"), (["12345678", "12345678"], "12345678"),
    (["123456789", "123456789"], "123456789"), (["x", "y", "x"], "x"), (["²", "²"], "²"),
    (["007", "7", "07", "0007"], None), (["99999999", "1", "3"], None),
])
def test_a_voter_id_twice_is_found_however_it_is_written(ids: list[str],
                                                         twice: str | None) -> None:
    text = ("META\nkey;value\nbudget;10\nPROJECTS\nproject_id;cost\na;1\nVOTES\nvoter_id;vote\n"
            + "".join(f"{voter};a\n" for voter in ids))
    if twice is None:
        assert [v.voter_id for v in read_pabulib(text).votes] == ids
    else:
        with pytest.raises(PabulibError, match=f"voter id '{twice}' appears twice"):
            read_pabulib(text)
