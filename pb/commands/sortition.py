"""`pb sortition`: replay a council's draw from its published files, or publish a selection.

`pb sortition verify FOLDER` needs no database and no Flask: anyone who downloaded the four
files and selection.json from the recruitment's page checks that the files are the ones the
decision record names, that every listed panel keeps the quotas and gives each volunteer
the published chance, and prints the panel the seed draws. `pb sortition publish ID`
computes and publishes a closed recruitment's selection on the server, without the time
limit a web request has (large pools take minutes).
"""

from __future__ import annotations

import json
import os

import click
from flask.cli import with_appcontext

from pb.domain.sortition import draw
from pb.domain.sortition.quotas import SortitionError
from pb.services import ServiceError
from pb.services.accounts import find_by_email
from pb.services.council import recruitment, selection


def _read(folder: str, name: str) -> str:
    path = os.path.join(folder, name)
    try:
        with open(path, encoding="utf-8", newline="") as handle:
            return handle.read()
    except OSError as error:
        raise click.ClickException(f"Cannot read {path}: {error.strerror}.") from error


def _message(error: SortitionError) -> str:
    text = error.template % error.params if error.params else error.template
    for line in error.lines:
        text += (f"\n  {line.feature} “{line.category}”: the {line.bound}imum of {line.now} "
                 f"cannot be kept; {line.would_work} would work.")
    return text


@click.group("sortition")
def sortition_group() -> None:
    """Choosing a council by lot: check a draw, publish a selection."""


@sortition_group.command("verify")
@click.argument("folder", type=click.Path(file_okay=False, exists=True))
@click.option("--seed", default=None,
              help="The seed as announced (default: the one in selection.json).")
def verify_command(folder: str, seed: str | None) -> None:
    """Replay the draw from FOLDER's quotas.csv, pool.csv, probabilities.csv, panels.csv and
    selection.json, and print the panel drawn."""
    try:
        manifest = json.loads(_read(folder, "selection.json"))
    except json.JSONDecodeError as error:
        raise click.ClickException(f"selection.json is not JSON: {error}") from error
    seed = seed or manifest.get("seed")
    if not seed:
        raise click.ClickException("No seed yet: the panel has not been drawn. Give the seed "
                                   "with --seed to see which panel it would draw.")
    files = {name: _read(folder, name) for name in draw.FILES}
    try:
        replay = draw.replay(files, int(manifest["seats"]), seed, manifest.get("sha256"))
    except SortitionError as error:
        raise click.ClickException(_message(error)) from error
    click.echo(f"Files match the SHA-256 in selection.json: {', '.join(draw.FILES)}.")
    click.echo(f"Every one of the {replay.panels} panels keeps the quotas; each volunteer's "
               f"share of them is within {replay.largest_gap:.4f} of their published chance; "
               f"the smallest chance is {replay.smallest:.4f}.")
    click.echo(f"Seed “{draw.normalise_seed(seed)}” draws panel {replay.panel_number} of "
               f"{replay.panels}:")
    click.echo(" ".join(str(n) for n in sorted(replay.panel)))
    recorded = manifest.get("panel")
    if recorded is not None and manifest.get("seed") == draw.normalise_seed(seed):
        if sorted(recorded) != sorted(replay.panel):
            raise click.ClickException(f"selection.json says panel {manifest.get('panel_number')}"
                                       f" was drawn ({recorded}), not this one.")
        click.echo("This is the panel published as drawn.")


@sortition_group.command("publish")
@click.argument("recruitment_id", type=int)
@click.option("--as", "email", required=True, help="The email of the officer publishing.")
@with_appcontext
def publish_command(recruitment_id: int, email: str) -> None:
    """Compute and publish the selection of recruitment RECRUITMENT_ID (closed)."""
    found = recruitment.get_recruitment(recruitment_id)
    officer = find_by_email(email)
    if found is None:
        raise click.ClickException(f"There is no recruitment {recruitment_id}.")
    if officer is None:
        raise click.ClickException(f"No account uses {email}.")
    try:
        selection.do_publish(officer, found, time_limit=False)
    except SortitionError as error:
        raise click.ClickException(_message(error)) from error
    except ServiceError as error:
        raise click.ClickException(str(error)) from error
    click.echo(f"Published: {len(recruitment.pool(found))} volunteers, smallest chance "
               f"{found.smallest:.4f}, mean {found.mean:.4f}, {found.panel_count} panels.")
