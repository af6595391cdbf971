"""`pb worker`: send the outbox with retries, the voting reminders and the daily digest, and
prepare photos left processing (docs/deploy/worker.md)."""

from __future__ import annotations

import signal
import threading

import click
from flask import current_app
from flask.cli import with_appcontext

from pb.services import mail, worker


@click.command("worker")
@click.option("--once", is_flag=True, help="Do one pass (what is due now) and stop.")
@click.option("--interval", default=worker.INTERVAL, show_default=True, type=click.FloatRange(1),
              help="Seconds between passes.")
@with_appcontext
def worker_command(once: bool, interval: float) -> None:
    """Send waiting emails (trying failed ones again later), reminders and digests, and
    prepare photos a stopped server left processing.

    Run one `pb worker` beside a multi-process install (`pb serve --processes N`); the
    single-process `pb serve` runs the worker itself.
    """
    if once:
        sent = worker.run_once()
        click.echo(f"Sent {sent} email(s); {mail.waiting()} waiting.")
        return
    stop = threading.Event()

    def on_signal(_signum: int, _frame: object) -> None:
        stop.set()
        mail.WAKE.set()

    signal.signal(signal.SIGINT, on_signal)
    signal.signal(signal.SIGTERM, on_signal)
    if not current_app.config["PB_SMTP_HOST"]:
        click.echo("PB_SMTP_HOST is not set: emails stay in the outbox (admins read them); "
                   "reminders and digests are still made.", err=True)
    click.echo(f"pb worker is running (a pass every {interval:g} s; Ctrl+C to stop)")
    worker.run_forever(current_app._get_current_object(), stop, interval)
