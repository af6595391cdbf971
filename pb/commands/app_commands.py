"""The `pb` commands that need the app and its database (create-admin, users, demo, import, serve,
advance-phases, outbox, verify-records), added to `app.cli` by the app factory."""

from __future__ import annotations

import sys
from pathlib import Path
from typing import Any

import click
import sqlalchemy as sa
from flask import Flask

from pb import demo as seed
from pb import serve
from pb.commands.tally import not_utf8
from pb.commands.worker import worker_command
from pb.domain.errors import UserError
from pb.extensions import db
from pb.models import OutboxMessage, Round
from pb.services import accounts, pabulib_io, records, rounds, two_factor
from pb.services import backup as backups


class _ProgressBar:
    """A progress bar on stderr that appears with the first step.

    Its length is the total the step gives (the file's META `num_votes`), else `guess`; a
    step of 0 gives the final total, which ends the bar and says `then`.
    """

    def __init__(self, label: str, guess: int, then: str = "") -> None:
        self.label, self.guess, self.then = label, guess, then
        self.bar: Any = None
        self.done = 0

    def __call__(self, step: int, total: int | None) -> None:
        if self.bar is None:
            self.bar = click.progressbar(length=total or max(self.guess, 1), label=self.label,
                                         file=sys.stderr)
            self.bar.__enter__()
        self.done += step
        if step:
            self.bar.update(step)
            return
        self.bar.length = max(self.done, 1)
        self.bar.update(0)
        self.close()
        if self.then:
            click.echo(self.then, err=True)

    def close(self) -> None:
        if self.bar is not None:
            self.bar.__exit__(None, None, None)
            self.bar = None


def _lines_in(file: str) -> int:
    """Count the lines of `file` quickly (bytes, not text): a guess at its number of votes."""
    with open(file, "rb") as handle:
        return sum(chunk.count(b"\n") for chunk in iter(lambda: handle.read(1 << 20), b""))


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

    @app.cli.group("users")
    def users() -> None:
        """Manage people's accounts."""

    @users.command("reset-two-factor")
    @click.argument("email")
    def reset_two_factor(email: str) -> None:
        """Turn off EMAIL's two-factor login and log them out everywhere (a lost phone)."""
        try:
            user = two_factor.do_reset(email)
        except UserError as error:
            raise click.ClickException(str(error)) from None
        click.echo(f"Two-factor login is off for {user.email}, who is logged out everywhere. "
                   "They log in with their password next, and enrol again.")

    @app.cli.command("demo")
    def demo() -> None:
        """Seed a demo town with rounds, proposals and one account per role (idempotent)."""
        for line in seed.seed():
            click.echo(line)

    @app.cli.command("import")
    @click.argument("file", type=click.Path(exists=True, dir_okay=False))
    @click.option("--currency", default=None, help="Currency when the file names none.")
    @click.option("--rule", default=None,
                  help="Count with this rule (e.g. greedy, mes+add1) instead of the file's; "
                       "needed when the file names a rule pb cannot count.")
    def import_file(file: str, currency: str | None, rule: str | None) -> None:
        """Import a pabulib .pb file as a round in the results phase, and count it.

        All or nothing: if the file cannot be read, stored or counted, no round is added.
        """
        warn = lambda message: click.echo(f"Warning: {message}", err=True)  # noqa: E731
        click.echo(f"Reading {file}...", err=True)
        bar = _ProgressBar("Storing ballots", guess=1, then="Counting...")
        try:
            bar.guess = _lines_in(file)
            # The file is read as it comes (never held whole), and nothing is stored unless
            # the whole of it was read, stored and counted.
            with open(file, encoding="utf-8-sig", newline="") as handle:
                round_ = pabulib_io.do_import(handle, None, name=Path(file).stem,
                                              currency=currency, rule=rule, warn=warn,
                                              progress=bar)
        except UnicodeDecodeError:
            raise click.ClickException(not_utf8(file)) from None
        except OSError as error:
            raise click.ClickException(f"Cannot read {file}: {error.strerror or error}.") \
                from None
        except UserError as error:
            raise click.ClickException(f"{error} No round was added.") from None
        finally:
            bar.close()
        click.echo(f"Imported round {round_.id}: {round_.title} ({round_.tally_rule}).")

    @app.cli.command("export")
    @click.argument("round_id", type=int)
    @click.option("-o", "--output", type=click.Path(dir_okay=False, writable=True),
                  default="-", show_default=True, help="Where to write the .pb file.")
    @click.option("--keep-voter-columns", default="", metavar="COLUMNS",
                  help="Personal VOTES columns to keep for a research export, comma-separated "
                       f"(any of {', '.join(pabulib_io.PERSONAL_VOTE_COLUMNS)}); "
                       "left out by default.")
    def export_file(round_id: int, output: str, keep_voter_columns: str) -> None:
        """Write a round's anonymised, shuffled ballots as a pabulib .pb file."""
        round_ = db.session.get(Round, round_id)
        if round_ is None:
            raise click.ClickException(f"There is no round {round_id}.")
        try:
            text = pabulib_io.export(round_,
                                     keep_voter_columns=keep_voter_columns.split(","))
        except UserError as error:
            raise click.ClickException(str(error)) from None
        with click.open_file(output, "wb") as handle:
            handle.write(text.encode("utf-8"))

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
            state = "sent" if m.sent_at else (f"not sent yet, {m.attempts} tries: {m.error}"
                                              if m.error else "waiting")
            click.echo(f"#{m.id} {m.created_at:%Y-%m-%d %H:%M} to {m.recipient} ({state})\n"
                       f"Subject: {m.subject}\n\n{m.body}\n{'-' * 60}")

    app.cli.add_command(serve.serve_command)
    app.cli.add_command(worker_command)

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
