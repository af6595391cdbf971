"""`pb tally FILE.pb`: count a pabulib file with any rule and explain every project.

A plain click command (no Flask app is built), so it starts fast; `pb.cli` registers it.
"""

from __future__ import annotations

import json
import sys

import click

from pb.domain.pabulib import PabulibError, read_pabulib
from pb.domain.tally import (
    COMPLETIONS,
    TALLY_RULES,
    TallyError,
    default_rule,
    from_election,
    parse_rule,
    tally,
)
from pb.domain.tally.outcome import Outcome, money


def read_file(path: str) -> str:
    """Return the text of a .pb file (UTF-8, with or without a byte-order mark)."""
    with open(path, encoding="utf-8-sig", newline="") as handle:
        return handle.read()


@click.command("tally")
@click.argument("file", required=False, type=click.Path(dir_okay=False))
@click.option("--rule", "rule_name", default=None,
              help=f"Counting rule: {', '.join(TALLY_RULES)} (also e.g. mes+add1). "
                   "Default: the file's META rule if known, else greedy.")
@click.option("--completion", type=click.Choice(COMPLETIONS), default=None,
              help="Completion for mes (default: none, or the one META names).")
@click.option("--json", "as_json", is_flag=True, help="Print the outcome as JSON.")
@click.option("--round", "round_id", default=None, metavar="ID",
              help="Count a stored round instead of a file (not available yet).")
def tally_command(file: str | None, rule_name: str | None, completion: str | None,
                  as_json: bool, round_id: str | None) -> None:
    """Count FILE.pb and explain why each project was or was not funded."""
    if round_id is not None:
        # Hook for the database layer: load the round's ballots as a TallyInput here.
        raise click.ClickException("--round is not available yet; export the round as a .pb "
                                   "file and count that file.")
    if file is None:
        raise click.UsageError("Give a .pb file to count.")
    try:
        data = from_election(read_pabulib(read_file(file)))
        if rule_name is None:
            rule_name, meta_completion = default_rule(data)
            completion = completion or meta_completion
        rule, completion = parse_rule(rule_name, completion)
        outcome = tally(data, rule, completion)
    except OSError as error:
        raise click.ClickException(f"Cannot read {file}: {error.strerror or error}.") from None
    except UnicodeDecodeError:
        raise click.ClickException(f"{file} is not UTF-8 text; pabulib files are UTF-8.") \
            from None
    except PabulibError as error:
        raise click.ClickException(f"{file} is not a valid pabulib file: {error}.") from None
    except TallyError as error:
        raise click.ClickException(str(error)) from None
    if as_json:
        json.dump(outcome.to_json(), sys.stdout, ensure_ascii=False, indent=1)
        sys.stdout.write("\n")
    else:
        click.echo(render_text(outcome, data.names))


def render_text(outcome: Outcome, names: tuple[str, ...] = ()) -> str:
    """Return the outcome as text: the selection, then one line per project."""
    cur = outcome.currency
    lines = [f"Rule: {outcome.rule}",
             f"Selected {len(outcome.selected)} projects for {money(outcome.budget_used, cur)} "
             f"of {money(outcome.budget, cur)}: {', '.join(outcome.selection_order) or 'none'}",
             ""]
    titles = dict(zip(outcome.projects, names, strict=False))
    for project_id, explanation in outcome.projects.items():
        title = titles.get(project_id) or ""
        label = f"{project_id} ({title[:60]})" if title else project_id
        lines.append(f"{label}: {explanation['sentence']}")
    return "\n".join(lines)
