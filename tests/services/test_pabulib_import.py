"""Importing and exporting pabulib files: lossless round trips, duplicates, unknown rules,
all-or-nothing imports, and what the command line says."""

from __future__ import annotations

import io
from collections import Counter
from pathlib import Path
from typing import Any

import pytest
import sqlalchemy as sa
from click.testing import CliRunner

from pb.commands.tally import not_utf8, tally_command
from pb.domain.pabulib import Election, read_pabulib
from pb.domain.tally import META_RULES
from pb.extensions import db
from pb.models import AuditEntry, Ballot, Proposal, Round, TallyRun
from pb.services import ServiceError, counting, pabulib_io
from tests.shared_data import shared_data

DATA = shared_data() / "pabulib"
FILES = sorted(p.name for p in DATA.glob("*.pb"))
# The one shared file an export cannot give back byte for byte: one META line ends in LF
# where all the others end in CRLF, and an export writes one kind of line end.
MIXED_LINE_ENDS = {"Poland_Wieliczka_2023_Green_Budget.pb"}

SMALL = """META
key;value
description;Small
budget;100
vote_type;{vote_type}
rule;{rule}
currency;EUR
PROJECTS
project_id;cost;name;category
a;60;Alpha;parks
b;50;Beta;roads
c;40;Gamma;parks
VOTES
voter_id;vote{points_header};age;neighborhood
1;a{p1};30;North
2;a,b,a{p2};41;South
3;b{p3};52;North
4;c{p4};23;East
"""


def small(vote_type: str = "approval", rule: str = "greedy") -> str:
    if vote_type in ("cumulative", "scoring"):
        return SMALL.format(vote_type=vote_type, rule=rule, points_header=";points",
                            p1=";3", p2=";1,1,1", p3=";2", p4=";3")
    return SMALL.format(vote_type=vote_type, rule=rule, points_header="", p1="", p2="",
                        p3="", p4="")


def raw(name: str) -> str:
    with open(DATA / name, encoding="utf-8-sig", newline="") as handle:
        return handle.read()


def rule_for(election: Election) -> str | None:
    """The rule to name on import: none when pb knows the file's own."""
    return None if election.meta.get("rule", "") in META_RULES else "greedy"


def table_counts() -> tuple[int, ...]:
    return tuple(db.session.scalar(sa.select(sa.func.count()).select_from(model))
                 for model in (Round, Proposal, Ballot, TallyRun, AuditEntry))


def head(text: str) -> str:
    """The file up to and including the VOTES header line."""
    lines = text.splitlines(keepends=True)
    at = next(i for i, line in enumerate(lines) if line.strip().strip(";") == "VOTES")
    return "".join(lines[:at + 2])


def vote_lines(text: str) -> Counter[str]:
    """The vote lines without their voter ids (an export renumbers and shuffles voters)."""
    lines = text.splitlines()
    at = next(i for i, line in enumerate(lines) if line.strip().strip(";") == "VOTES")
    return Counter(line.split(";", 1)[1] for line in lines[at + 2:] if line.strip())


def votes_of(election: Election, columns: tuple[str, ...]) -> Counter[tuple[Any, ...]]:
    """The ballots as a multiset: projects, points, and the values of `columns`."""
    where = [election.vote_columns.index(c) for c in columns]
    return Counter((v.projects, v.points, tuple(v.extra[i] for i in where))
                   for v in election.votes)


# Round trips of every shared file ---------------------------------------------------------------


@pytest.mark.parametrize("name", FILES)
def test_every_shared_file_comes_back_from_import_and_export(app: Any, name: str) -> None:
    text = raw(name)
    original = read_pabulib(text)
    round_ = pabulib_io.do_import(text, None, name=name, rule=rule_for(original))
    exported_text = pabulib_io.export(round_)
    exported = read_pabulib(exported_text)
    # META: every key and value, in the file's order.
    assert list(exported.meta.items()) == list(original.meta.items())
    # PROJECTS: every column of every project, in the file's order.
    assert exported.project_columns == original.project_columns
    assert list(exported.projects.values()) == list(original.projects.values())
    # VOTES: every ballot, with every column but the voters' personal ones.
    personal = pabulib_io.personal_columns(original.vote_columns)
    kept = tuple(c for c in original.vote_columns if c not in personal)
    assert exported.vote_columns == kept
    assert votes_of(exported, kept) == votes_of(original, kept)
    assert exported.vote_type == original.vote_type
    # Byte for byte, once the personal columns are kept too: everything up to the VOTES
    # header, and every vote line but for its voter id (voters are renumbered and shuffled).
    full = pabulib_io.export(round_, keep_voter_columns=personal)
    assert votes_of(read_pabulib(full), original.vote_columns) == \
        votes_of(original, original.vote_columns)
    if name in MIXED_LINE_ENDS:
        assert full != text
        assert head(full) == head(text.replace("\r\n", "\n")).replace("\n", "\r\n")
    else:
        assert head(full) == head(text)
        assert full.endswith("\n") == text.endswith("\n")
    assert vote_lines(full) == vote_lines(text)


def test_choose_one_stays_choose_one(app: Any) -> None:
    text = raw("Poland_Wroclaw_2016_Rejon_nr_10_750.pb")
    round_ = pabulib_io.do_import(text, None)
    assert "vote_type;choose-1" in pabulib_io.export(round_)


def test_personal_columns_are_left_out_unless_named(app: Any) -> None:
    round_ = pabulib_io.do_import(small(), None)
    default = read_pabulib(pabulib_io.export(round_))
    assert default.vote_columns == ()
    research = read_pabulib(pabulib_io.export(round_, keep_voter_columns=["age"]))
    assert research.vote_columns == ("age",)
    assert sorted(v.extra for v in research.votes) == [("23",), ("30",), ("41",), ("52",)]
    with pytest.raises(ServiceError, match="no personal column shoe_size"):
        pabulib_io.export(round_, keep_voter_columns=["shoe_size"])


def test_meta_stays_as_written_until_the_round_changes(app: Any) -> None:
    text = small().replace("budget;100", "budget;100,00").replace(
        "description;Small", "description;Small\nnum_projects;9\nnum_votes;9")
    round_ = pabulib_io.do_import(text, None)
    assert list(read_pabulib(pabulib_io.export(round_)).meta.items()) == \
        list(read_pabulib(text).meta.items())  # even the wrong counts and "100,00"
    proposal = db.session.scalar(sa.select(Proposal).where(Proposal.external_id == "a"))
    proposal.title = "Alpha Park"
    proposal.cost_minor = 5025
    round_.title, round_.budget_minor, round_.tally_rule = "Renamed", 200_00, "mes"
    db.session.add(Ballot(round_id=round_.id, voter_key="paper:1", items=[str(proposal.id)],
                          source="paper"))
    db.session.commit()
    exported_text = pabulib_io.export(round_)
    exported = read_pabulib(exported_text)
    assert exported.projects["a"].fields["name"] == "Alpha Park"
    assert "\na;50.25;Alpha Park;parks\n" in exported_text
    assert (exported.meta["description"], exported.meta["budget"]) == ("Renamed", "200")
    assert exported.meta["rule"] == "equalshares"
    assert (exported.meta["num_projects"], exported.meta["num_votes"]) == ("3", "5")


def test_costs_are_written_exactly_and_shortest(app: Any) -> None:
    round_ = pabulib_io.do_import(small().replace("c;40;Gamma", "c;40,50;Gamma"), None)
    assert "\nc;40.5;Gamma;parks\n" in pabulib_io.export(round_)


def test_the_web_download_leaves_personal_columns_out(app: Any, client: Any, make_user: Any,
                                                      login: Any) -> None:
    round_ = pabulib_io.do_import(small(), None)
    login(make_user("officer"))
    response = client.get(f"/rounds/{round_.id}/ballots.pb")
    assert response.status_code == 200
    downloaded = read_pabulib(response.get_data(as_text=True))
    assert downloaded.vote_columns == () and len(downloaded.votes) == 4


def test_long_names_and_category_lists_survive(app: Any) -> None:
    name = ("Park " + "with trees and benches for everyone " * 20).strip()  # over 700
    categories = ",".join(f"category number {i}" for i in range(20))  # over 300
    text = small().replace("a;60;Alpha;parks", f'a;60;"{name}";"{categories}"')
    round_ = pabulib_io.do_import(text, None)
    proposal = db.session.scalar(sa.select(Proposal).where(Proposal.external_id == "a"))
    assert (proposal.title, proposal.category) == (name, categories)
    assert len(name) > 700 and len(categories) > 300
    exported = read_pabulib(pabulib_io.export(round_))
    assert exported.projects["a"].fields == {"name": name, "category": categories}


def test_a_long_description_becomes_the_whole_title(app: Any) -> None:
    description = "Participatory budget " * 30
    round_ = pabulib_io.do_import(small().replace("description;Small",
                                                  f"description;{description}"), None)
    assert round_.title == description.strip()
    assert read_pabulib(pabulib_io.export(round_)).meta["description"] == description.strip()


def test_a_round_made_here_exports_no_empty_category(app: Any) -> None:
    round_ = pabulib_io.do_import(small(), None)
    round_.source_meta = round_.source_format = None
    for proposal in db.session.scalars(sa.select(Proposal)):
        proposal.source_fields = None
        proposal.category = ""
    db.session.commit()
    assert "category" not in read_pabulib(pabulib_io.export(round_)).project_columns


# Ballots naming a project twice ---------------------------------------------------------------


@pytest.mark.parametrize("vote_type", ["approval", "choose-1"])
def test_a_project_named_twice_in_an_approval_vote_counts_once(app: Any,
                                                               vote_type: str) -> None:
    heard: list[str] = []
    round_ = pabulib_io.do_import(small(vote_type), None, warn=heard.append)
    assert len(heard) == 1 and heard[0].startswith("line 16: the vote names the same project")
    assert "counts once" in heard[0]
    items = db.session.scalar(sa.select(Ballot.items).where(Ballot.voter_key == "import:2"))
    assert len(items) == 2
    support = {p: e["support"] for p, e in counting.do_count(round_).outcome["projects"].items()}
    assert support["a"] == 2 and support["b"] == 2


@pytest.mark.parametrize("vote_type", ["ordinal", "cumulative", "scoring"])
def test_a_project_named_twice_elsewhere_is_still_an_error(app: Any, vote_type: str) -> None:
    before = table_counts()
    with pytest.raises(ServiceError, match="line 16: the vote names the same project twice"):
        pabulib_io.do_import(small(vote_type), None)
    assert table_counts() == before


# Rules pb does not know ------------------------------------------------------------------------


@pytest.mark.parametrize("written", ["greedy-custom", "greedy-exclusive"])
def test_an_unknown_rule_is_refused_until_one_is_named(app: Any, written: str) -> None:
    text = small(rule=written)
    before = table_counts()
    with pytest.raises(ServiceError, match=f"The file's rule “{written}” is not one we can "
                                           "count; name the rule to count with"):
        pabulib_io.do_import(text, None)
    assert table_counts() == before
    heard: list[str] = []
    round_ = pabulib_io.do_import(text, None, rule="mes", warn=heard.append)
    assert round_.tally_rule == "mes"
    assert any(f"The file's rule '{written}' is not one pb can count" in h for h in heard)
    assert read_pabulib(pabulib_io.export(round_)).meta["rule"] == written


# All or nothing ---------------------------------------------------------------------------------


def test_a_file_without_votes_adds_nothing(app: Any) -> None:
    before = table_counts()
    with pytest.raises(ServiceError, match="no votes"):
        pabulib_io.do_import(small().split("1;a;30")[0], None)
    assert table_counts() == before


def test_a_file_its_rule_cannot_count_adds_nothing(app: Any) -> None:
    before = table_counts()
    with pytest.raises(ServiceError, match="cannot be counted"):
        pabulib_io.do_import(raw("poland_czestochowa_2020_grabowka.pb"), None, rule="phragmen")
    assert table_counts() == before
    # and trying again adds nothing either
    with pytest.raises(ServiceError):
        pabulib_io.do_import(raw("poland_czestochowa_2020_grabowka.pb"), None, rule="phragmen")
    assert table_counts() == before


def test_a_bad_line_after_thousands_of_stored_ballots_adds_nothing(app: Any) -> None:
    # Ballots are stored as they are read; a bad line near the end still undoes them all.
    votes = "".join(f"{n};{'abc'[n % 3]}\n" for n in range(1, 12_001)) + "12001;zz\n"
    text = small().split("voter_id;")[0] + "voter_id;vote\n" + votes
    before = table_counts()
    stored: list[int] = []
    with pytest.raises(ServiceError, match="line 12015: the vote names project 'zz'"):
        pabulib_io.do_import(io.StringIO(text, newline=""), None,
                             progress=lambda step, _total: stored.append(step))
    assert sum(stored) == 10_000  # two chunks were stored before the bad line was read
    assert table_counts() == before


def test_a_counted_import_is_one_round_with_its_count(app: Any) -> None:
    before = table_counts()
    round_ = pabulib_io.do_import(small(), None)
    after = table_counts()
    assert after[:4] == (before[0] + 1, before[1] + 3, before[2] + 4, before[3] + 1)
    assert db.session.scalar(sa.select(TallyRun.round_id)) == round_.id


# The command line --------------------------------------------------------------------------------


def write(tmp_path: Path, text: str | bytes, name: str = "file.pb") -> str:
    path = tmp_path / name
    if isinstance(text, bytes):
        path.write_bytes(text)
    else:
        path.write_text(text, encoding="utf-8")
    return str(path)


def test_import_command_warns_counts_and_exports(app: Any, tmp_path: Path) -> None:
    runner = app.test_cli_runner()
    done = runner.invoke(args=["import", write(tmp_path, small())])
    assert done.exit_code == 0, done.output
    assert "Warning: line 16: the vote names the same project twice" in done.stderr
    assert "Storing ballots" in done.stderr
    round_id = db.session.scalar(sa.select(Round.id))
    assert f"Imported round {round_id}: Small (greedy)." in done.stdout
    out = tmp_path / "out.pb"
    exported = runner.invoke(args=["export", str(round_id), "-o", str(out),
                                   "--keep-voter-columns", "neighborhood"])
    assert exported.exit_code == 0, exported.output
    assert read_pabulib(out.read_text(encoding="utf-8")).vote_columns == ("neighborhood",)


def test_import_command_refuses_an_unknown_rule_and_adds_nothing(app: Any,
                                                                 tmp_path: Path) -> None:
    runner = app.test_cli_runner()
    path = write(tmp_path, small(rule="greedy-custom"))
    refused = runner.invoke(args=["import", path])
    assert refused.exit_code == 1
    assert "is not one we can count" in refused.output and "No round was added." in \
        refused.output
    assert "Traceback" not in refused.output
    assert db.session.scalar(sa.select(sa.func.count()).select_from(Round)) == 0
    named = runner.invoke(args=["import", path, "--rule", "greedy"])
    assert named.exit_code == 0, named.output
    assert "Warning: The file's rule 'greedy-custom' is not one pb can count" in named.stderr


def test_import_command_says_a_failed_count_added_nothing(app: Any, tmp_path: Path) -> None:
    runner = app.test_cli_runner()
    path = write(tmp_path, raw("poland_czestochowa_2020_grabowka.pb"))
    for _ in range(2):
        failed = runner.invoke(args=["import", path, "--rule", "phragmen"])
        assert failed.exit_code == 1
        assert "No round was added." in failed.output
    assert db.session.scalar(sa.select(sa.func.count()).select_from(Round)) == 0


def test_a_file_that_is_not_utf8_gets_the_same_sentence_as_tally(app: Any,
                                                                 tmp_path: Path) -> None:
    path = write(tmp_path, small().replace("Alpha", "Ålpha").encode("latin-1"))
    runner = app.test_cli_runner()
    imported = runner.invoke(args=["import", path])
    tallied = CliRunner().invoke(tally_command, [path])
    assert imported.exit_code == tallied.exit_code == 1
    assert f"Error: {not_utf8(path)}" in imported.output
    assert imported.output.splitlines()[-1] == tallied.output.strip()
    assert "Traceback" not in imported.output
    assert db.session.scalar(sa.select(sa.func.count()).select_from(Round)) == 0


LONG_PROJECT = "c" * 65
LONG_VOTER = "3" * 122


@pytest.mark.parametrize(("changes", "words"), [
    ([("c;40", f"{LONG_PROJECT};40"), ("4;c", f"4;{LONG_PROJECT}")],
     f"Project id “{LONG_PROJECT}” is longer than 64 characters."),
    ([("\n3;b", f"\n{LONG_VOTER};b")],
     f"Voter id “{LONG_VOTER}” is longer than 121 characters."),
])
def test_ids_too_long_to_keep_are_refused_by_name(app: Any, changes: list[tuple[str, str]],
                                                  words: str) -> None:
    text = small()
    for old, new in changes:
        text = text.replace(old, new)
    before = table_counts()
    with pytest.raises(ServiceError, match=words):
        pabulib_io.do_import(text, None)
    assert table_counts() == before
