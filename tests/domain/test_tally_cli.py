"""The `pb tally` command: text and JSON output, defaults, and one-line errors."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from click.testing import CliRunner

from pb.commands.tally import tally_command

GOOD = """META
key;value
budget;100
vote_type;approval
rule;greedy
currency;EUR
PROJECTS
project_id;cost;name
a;60;Alpha
b;50;Beta
c;40;Gamma
VOTES
voter_id;vote
1;a
2;a,b
3;b
4;c
"""


@pytest.fixture
def pb_file(tmp_path: Path):
    def write(text: str = GOOD) -> str:
        path = tmp_path / "election.pb"
        path.write_text(text, encoding="utf-8")
        return str(path)
    return write


def run(*args: str):
    return CliRunner().invoke(tally_command, list(args))


def test_text_output(pb_file) -> None:
    result = run(pb_file())
    assert result.exit_code == 0, result.output
    assert "Rule: greedy" in result.output
    assert "Selected 2 projects for 100 EUR of 100 EUR: a, c" in result.output
    assert "b (Beta): Not funded: with greedy, 40 EUR was left" in result.output


def test_json_output(pb_file) -> None:
    result = run(pb_file(), "--rule", "mes", "--completion", "add1", "--json")
    assert result.exit_code == 0, result.output
    data = json.loads(result.output)
    assert data["rule"] == "mes+add1"
    assert set(data) >= {"selected", "projects", "rule", "budget_used"}
    assert set(data["projects"]) == {"a", "b", "c"}
    assert all("sentence" in e and "status" in e for e in data["projects"].values())


def test_default_rule_from_meta(pb_file) -> None:
    text = GOOD.replace("rule;greedy", "rule;equalshares/add1")
    assert json.loads(run(pb_file(text), "--json").output)["rule"] == "mes+add1"
    text = GOOD.replace("rule;greedy\n", "")
    assert json.loads(run(pb_file(text), "--json").output)["rule"] == "greedy"


@pytest.mark.parametrize("written", ["greedy-custom", "greedy-exclusive", "unknown"])
def test_a_rule_pb_does_not_know_is_counted_only_when_named(pb_file, written: str) -> None:
    path = pb_file(GOOD.replace("rule;greedy", f"rule;{written}"))
    refused = run(path, "--json")
    assert refused.exit_code == 1
    assert f"The file's rule {written!r} is not one pb can count" in refused.output
    assert "--rule greedy" in refused.output
    assert json.loads(run(path, "--rule", "mes", "--json").output)["rule"] == "mes"


@pytest.mark.parametrize(("text", "args", "message"), [
    (GOOD, ["--rule", "borda"], "Unknown rule 'borda'"),
    (GOOD, ["--rule", "greedy", "--completion", "add1"], "does not take completion"),
    (GOOD.replace("budget;100", "budget;0"), [], "budget must be more than zero"),
    (GOOD.replace("4;c\n", "4;zz\n"), [], "line 17: the vote names project 'zz'"),
    (GOOD.replace("b;50;Beta", "a;50;Beta"), [], "project id 'a' appears twice"),
    (GOOD.replace("4;c\n", "3;c\n"), [], "voter id '3' appears twice"),
    (GOOD.split("1;a")[0], [], "no votes"),
    (GOOD.replace("vote_type;approval", "vote_type;cumulative"), [], "'points' column"),
    (GOOD, ["--round", "7"], "either a .pb file or --round ID"),
])
def test_errors_are_one_line(pb_file, text: str, args: list[str], message: str) -> None:
    result = run(pb_file(text), *args)
    assert result.exit_code != 0
    assert message in result.output
    assert "Traceback" not in result.output
    assert len(result.output.strip().splitlines()) == 1


def test_missing_file() -> None:
    result = run("/nonexistent/file.pb")
    assert result.exit_code != 0
    assert "Cannot read" in result.output


def test_costs_more_than_budget_is_reported_not_an_error(pb_file) -> None:
    result = run(pb_file(GOOD.replace("a;60;Alpha", "a;600;Alpha")))
    assert result.exit_code == 0
    assert "more than the whole budget" in result.output
