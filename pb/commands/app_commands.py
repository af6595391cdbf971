"""The `pb` commands that need the app and its database (create-admin, demo, import, serve,
advance-phases, outbox, verify-records), added to `app.cli` by the app factory."""

from __future__ import annotations

from pathlib import Path

import click
import sqlalchemy as sa
from flask import Flask

from pb import demo as seed
from pb import serve
from pb.commands.tally import read_file
from pb.domain.errors import UserError
from pb.extensions import db
from pb.models import OutboxMessage
from pb.services import accounts, pabulib_io, records, rounds
from pb.services import backup as backups


def register(app: Flask) -> None:
    """Add the commands that need the app and its database to `app.cli`."""

    @app.cli.command("create-admin")
    @click.option("--email", prompt=True, help="Email address of the admin.")
    @click.option("--name", prompt="Display name", help="Name shown to other people.")
    @click.password_option(help="Password (asked for when not given).")
    def create_admin(email: str, name: str, password: str) -> None:
        """Create the first admin, or make an existing account an admin."""
        try:
            user = accounts.do_create_admin(email, name, password)
        except UserError as error:
            raise click.ClickException(str(error)) from None
        click.echo(f"{user.email} is an admin.")

    @app.cli.command("demo")
    def demo() -> None:
        """Seed a demo town with rounds, proposals and one account per role (idempotent)."""
        for line in seed.seed():
            click.echo(line)

    @app.cli.command("import")
    @click.argument("file", type=click.Path(exists=True, dir_okay=False))
    @click.option("--currency", default=None, help="Currency when the file names none.")
    def import_file(file: str, currency: str | None) -> None:
        """Import a pabulib .pb file as a round in the results phase, and count it."""
        try:
            round_ = pabulib_io.do_import(read_file(file), None, name=Path(file).stem,
                                          currency=currency)
        except UserError as error:
            raise click.ClickException(str(error)) from None
        click.echo(f"Imported round {round_.id}: {round_.title} ({round_.tally_rule}).")

    @app.cli.command("advance-phases")
    def advance_phases() -> None:
        """Move rounds whose next planned phase has started (run it from cron every minute)."""
        for round_ in rounds.do_advance_due():
            click.echo(f"Round {round_.id} ({round_.title}) is now in {round_.phase}.")

    @app.cli.command("outbox")
    @click.option("--limit", default=10, show_default=True)
    def outbox(limit: int) -> None:
        """Print the latest emails kept in the outbox."""
        for m in db.session.scalars(sa.select(OutboxMessage)
                                    .order_by(OutboxMessage.id.desc()).limit(limit)):
            state = "sent" if m.sent_at else ("failed: " + m.error if m.error else "kept")
            click.echo(f"#{m.id} {m.created_at:%Y-%m-%d %H:%M} to {m.recipient} ({state})\n"
                       f"Subject: {m.subject}\n\n{m.body}\n{'-' * 60}")

    app.cli.add_command(serve.serve_command)

    @app.cli.command("backup")
    @click.argument("file", type=click.Path(dir_okay=False, writable=True, path_type=Path))
    def backup(file: Path) -> None:
        """Back the whole database up into FILE, safely while the site runs."""
        try:
            made = backups.do_backup(file)
        except backups.BackupError as error:
            raise click.ClickException(str(error)) from None
        click.echo(f"Backed up the {made.kind} database (schema {made.revision}, "
                   f"{made.ballots:,} ballots or more) to {file}: {made.size / 1e6:.1f} MB "
                   f"in {made.seconds:.1f} s.")

    @app.cli.command("restore")
    @click.argument("file", type=click.Path(exists=True, dir_okay=False, path_type=Path))
    @click.option("--replace", is_flag=True,
                  help="Overwrite a database that is not empty (everything in it is lost).")
    def restore(file: Path, replace: bool) -> None:
        """Restore a backup made by pb backup into an empty database."""
        try:
            done = backups.do_restore(file, replace=replace)
        except backups.BackupError as error:
            raise click.ClickException(str(error)) from None
        click.echo(f"Restored {file} ({done.ballots:,} ballots) in {done.seconds:.1f} s. "
                   "Check the decision record with pb verify-records.")

    @app.cli.command("verify-records")
    def verify_records() -> None:
        """Check the whole decision record's hash chain; exit 1 naming the first bad entry."""
        verdict = records.verify()
        if verdict.problem is not None:
            click.echo(f"The decision record does not match. {verdict.problem.reason}", err=True)
            click.echo(f"The {verdict.count} entries before it match.", err=True)
            raise SystemExit(1)
        click.echo(f"The decision record is intact: {verdict.count} entries, "
                   f"latest hash {verdict.head}.")
