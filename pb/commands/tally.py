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
    TallyInput,
    file_rule,
    from_election,
    parse_rule,
    tally,
)
from pb.domain.tally.outcome import Outcome, money


def read_file(path: str) -> str:
    """Return the text of a .pb file (UTF-8, with or without a byte-order mark)."""
    with open(path, encoding="utf-8-sig", newline="") as handle:
        return handle.read()


def not_utf8(path: str) -> str:
    """Return the sentence for a file that is not UTF-8 (`pb tally` and `pb import` alike)."""
    return f"{path} is not UTF-8 text; pabulib files are UTF-8."


@click.command("tally")
@click.argument("file", required=False, type=click.Path(dir_okay=False))
@click.option("--rule", "rule_name", default=None,
              help=f"Counting rule: {', '.join(TALLY_RULES)} (also e.g. mes+add1). "
                   "Default: the file's META rule (greedy when it names none); a rule pb "
                   "does not know must be replaced with one named here.")
@click.option("--completion", type=click.Choice(COMPLETIONS), default=None,
              help="Completion for mes (default: none, or the one META names).")
@click.option("--json", "as_json", is_flag=True, help="Print the outcome as JSON.")
@click.option("--round", "round_id", default=None, type=int, metavar="ID",
              help="Recount a round stored in the database instead of a file.")
def tally_command(file: str | None, rule_name: str | None, completion: str | None,
                  as_json: bool, round_id: int | None) -> None:
    """Count FILE.pb (or a stored round) and explain why each project was or was not funded."""
    if file is None and round_id is None:
        raise click.UsageError("Give a .pb file to count, or --round ID.")
    if file is not None and round_id is not None:
        raise click.ClickException("Give either a .pb file or --round ID to count, not both.")
    try:
        data = from_election(read_pabulib(read_file(file))) if file else None
        if data is None:
            data, stored_rule = _round_input(round_id)
            rule_name = rule_name or stored_rule
        if rule_name is None:
            rule_name, meta_completion = file_rule(data.file_rule)
            completion = completion or meta_completion
        rule, completion = parse_rule(rule_name, completion)
        outcome = tally(data, rule, completion)
    except OSError as error:
        raise click.ClickException(f"Cannot read {file}: {error.strerror or error}.") from None
    except UnicodeDecodeError:
        raise click.ClickException(not_utf8(str(file))) from None
    except PabulibError as error:
        raise click.ClickException(f"{file} is not a valid pabulib file: {error}.") from None
    except TallyError as error:
        raise click.ClickException(str(error)) from None
    if as_json:
        json.dump(outcome.to_json(), sys.stdout, ensure_ascii=False, indent=1)
        sys.stdout.write("\n")
    else:
        click.echo(render_text(outcome, data.names))


def _round_input(round_id: int | None) -> tuple[TallyInput, str]:
    """Load a stored round's projects and ballots (this needs the app and its database)."""
    from flask.cli import ScriptInfo  # noqa: PLC0415  (`pb tally FILE` loads no Flask)

    from pb.extensions import db  # noqa: PLC0415  (likewise)
    from pb.models import Round  # noqa: PLC0415  (likewise)
    from pb.services import ServiceError, counting  # noqa: PLC0415  (likewise)

    app = click.get_current_context().ensure_object(ScriptInfo).load_app()
    with app.app_context():
        round_ = db.session.get(Round, round_id)
        if round_ is None:
            raise click.ClickException(f"There is no round {round_id}.")
        proposals = counting.ballot_proposals(round_)
        ballots = counting.ballot_items(round_)
        try:
            return counting.tally_input(round_, proposals, ballots), round_.tally_rule
        except ServiceError as error:
            raise click.ClickException(str(error)) from None


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
