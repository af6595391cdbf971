"""The `pb` command: Flask's commands (run, routes, db ...) plus our own."""

from __future__ import annotations

import click
from flask import Flask
from flask.cli import FlaskGroup

from pb import create_app


@click.group(cls=FlaskGroup, create_app=create_app, load_dotenv=False,
             help="Run and manage pb, the participatory-budgeting platform.")
def cli() -> None:
    """Run and manage pb."""


def _add_standalone_commands() -> None:
    """Add commands that must not build the app (they stay fast for researchers)."""
    from pb.commands.tally import tally_command

    cli.add_command(tally_command)


_add_standalone_commands()


def register(app: Flask) -> None:
    """Add the commands that need the app and its database."""

    @app.cli.command("create-admin")
    @click.option("--email", prompt=True, help="Email address of the admin.")
    @click.option("--name", prompt="Display name", help="Name shown to other people.")
    @click.password_option(help="Password (asked for when not given).")
    def create_admin(email: str, name: str, password: str) -> None:
        """Create the first admin, or make an existing account an admin."""
        from pb.domain.errors import UserError
        from pb.services import accounts

        try:
            user = accounts.do_create_admin(email, name, password)
        except UserError as error:
            raise click.ClickException(str(error)) from None
        click.echo(f"{user.email} is an admin.")

    @app.cli.command("demo")
    def demo() -> None:
        """Seed a demo town with rounds, proposals and one account per role (idempotent)."""
        from pb.services import demo as seed

        for line in seed.seed():
            click.echo(line)

    @app.cli.command("import")
    @click.argument("file", type=click.Path(exists=True, dir_okay=False))
    @click.option("--currency", default=None, help="Currency when the file names none.")
    def import_file(file: str, currency: str | None) -> None:
        """Import a pabulib .pb file as a round in the results phase, and count it."""
        from pathlib import Path

        from pb.commands.tally import read_file
        from pb.domain.errors import UserError
        from pb.services import pabulib_io

        try:
            round_ = pabulib_io.do_import(read_file(file), None, name=Path(file).stem,
                                          currency=currency)
        except UserError as error:
            raise click.ClickException(str(error)) from None
        click.echo(f"Imported round {round_.id}: {round_.title} ({round_.tally_rule}).")

    @app.cli.command("advance-phases")
    def advance_phases() -> None:
        """Move rounds whose next planned phase has started (run it from cron every minute)."""
        from pb.services import rounds

        for round_ in rounds.do_advance_due():
            click.echo(f"Round {round_.id} ({round_.title}) is now in {round_.phase}.")

    @app.cli.command("outbox")
    @click.option("--limit", default=10, show_default=True)
    def outbox(limit: int) -> None:
        """Print the latest emails kept in the outbox."""
        import sqlalchemy as sa

        from pb.extensions import db
        from pb.models import OutboxMessage

        for m in db.session.scalars(sa.select(OutboxMessage)
                                    .order_by(OutboxMessage.id.desc()).limit(limit)):
            state = "sent" if m.sent_at else ("failed: " + m.error if m.error else "kept")
            click.echo(f"#{m.id} {m.created_at:%Y-%m-%d %H:%M} to {m.recipient} ({state})\n"
                       f"Subject: {m.subject}\n\n{m.body}\n{'-' * 60}")

    @app.cli.command("serve")
    @click.option("--host", default="127.0.0.1", show_default=True)
    @click.option("--port", default=5000, show_default=True)
    def serve(host: str, port: int) -> None:
        """Serve the app with websockets (gevent when installed, else threads)."""
        import os

        from pb.extensions import socketio

        # Flask refuses app.run() inside its CLI; this command is the server, so allow it.
        os.environ.pop("FLASK_RUN_FROM_CLI", None)
        click.echo(f"pb is serving on http://{host}:{port}/ (Ctrl+C to stop)")
        socketio.run(app, host=host, port=port, allow_unsafe_werkzeug=True)

    @app.cli.command("verify-records")
    def verify_records() -> None:
        """Check the whole decision record's hash chain; exit 1 naming the first bad entry."""
        from pb.services import records

        verdict = records.verify()
        if verdict.problem is not None:
            click.echo(f"The decision record does not match. {verdict.problem.reason}", err=True)
            click.echo(f"The {verdict.count} entries before it match.", err=True)
            raise SystemExit(1)
        click.echo(f"The decision record is intact: {verdict.count} entries, "
                   f"latest hash {verdict.head}.")
