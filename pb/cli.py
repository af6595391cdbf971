"""The `pb` command: Flask's commands (run, routes, db ...) plus our own."""

from __future__ import annotations

import contextlib
import os
import socket
import sys
from collections.abc import Mapping, Sequence
from importlib.util import find_spec
from typing import Any


def _serves_on_gevent(argv: Sequence[str], environ: Mapping[str, str]) -> bool:
    """Tell whether this process is `pb serve` and should run on gevent.

    That is when PB_ASYNC_MODE says gevent, or says nothing in production and gevent is
    installed (the `server` extra). Development and tests keep threads.
    """
    # The `pb` script, or `python -c "from pb.cli import cli; cli()"` (benchmarks/voting.py).
    if not argv or os.path.basename(argv[0]) not in ("pb", "-c"):
        return False
    words = iter(argv[1:])
    command = None
    for word in words:
        if word in ("-A", "--app", "-e", "--env-file"):
            next(words, None)
        elif not word.startswith("-"):
            command = word
            break
    if command != "serve" or find_spec("gevent") is None:
        return False
    production = environ.get("PB_ENV", "development") == "production"
    mode = environ.get("PB_ASYNC_MODE") or ("gevent" if production else "threading")
    return mode == "gevent"


GEVENT = _serves_on_gevent(sys.argv, os.environ)
if GEVENT:
    # Before anything imports sockets, locks or ssl: patched, a greenlet waiting on Redis (the
    # message queue, rate limits), the network or a sleep lets the others run, instead of
    # stopping the whole process. python-socketio refuses Redis on gevent without it.
    from gevent import monkey

    monkey.patch_all()

import click  # noqa: E402
from flask import Flask  # noqa: E402
from flask.cli import FlaskGroup  # noqa: E402

from pb import create_app  # noqa: E402


def _create_app() -> Flask:
    """Build the app for a command; `pb serve` on gevent asks Socket.IO for gevent by name.

    (Flask's command line sets FLASK_RUN_FROM_CLI, which makes Flask-SocketIO's own choice
    threads; every other command keeps threads, as it serves nothing and is not patched.)
    """
    return create_app({"PB_ASYNC_MODE": "gevent"} if GEVENT else None)


@click.group(cls=FlaskGroup, create_app=_create_app, load_dotenv=False,
             help="Run and manage pb, the participatory-budgeting platform.")
def cli() -> None:
    """Run and manage pb."""


def _add_standalone_commands() -> None:
    """Add commands that must not build the app (they stay fast for researchers)."""
    from pb.commands.loadtest import loadtest_command
    from pb.commands.tally import tally_command

    cli.add_command(tally_command)
    cli.add_command(loadtest_command)


_add_standalone_commands()


def _gevent_handler() -> type:
    """Return gevent's request handler, closing each connection its websocket used.

    Websockets on gevent come from simple-websocket, which answers the upgrade on the raw
    socket; pywsgi would otherwise read the client's last websocket frames as a next HTTP
    request and log them as an invalid method.
    """
    from gevent import pywsgi

    class Handler(pywsgi.WSGIHandler):
        def handle(self) -> None:
            # Small answers (a ballot's receipt, a Socket.IO frame) go out at once: without
            # TCP_NODELAY, Nagle's algorithm can hold one back until the client's delayed
            # ACK, about 40 ms later.
            with contextlib.suppress(OSError):
                self.socket.setsockopt(socket.IPPROTO_TCP, socket.TCP_NODELAY, 1)
            super().handle()

        def handle_one_response(self) -> None:
            super().handle_one_response()
            if self.environ.get("HTTP_UPGRADE", "").lower() == "websocket":
                self.close_connection = True

    return Handler


# Full collections of the cycle collector stop a gevent process, and every greenlet in it,
# for as long as they take: with 2,000 phones held (over a million objects) that was 80–320 ms,
# nine or ten times in a live evening's load test, and it set the tail of the vote acks.
# Reference counting frees nearly everything a request makes, so the oldest generation is
# collected 100 times less often than Python's default (10).
COLLECTOR_THRESHOLDS = (700, 10, 1000)


def _tune_collector() -> None:
    """Make full collections rare in a long-running server, and leave out what start-up made
    (the app, its modules and templates: never garbage, and scanned by every full
    collection otherwise)."""
    import gc

    gc.collect()
    gc.freeze()
    gc.set_threshold(*COLLECTOR_THRESHOLDS)


def _serve_shared(app: Flask, host: str, port: int, handler: type) -> None:
    """Serve on gevent from a socket that shares `port` with the other workers (SO_REUSEPORT:
    the kernel gives each new connection to one of them)."""
    from gevent import pywsgi

    listener = socket.socket(socket.AF_INET6 if ":" in host else socket.AF_INET,
                             socket.SOCK_STREAM)
    listener.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
    listener.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEPORT, 1)
    listener.bind((host, port))
    listener.listen(1024)
    server = pywsgi.WSGIServer(listener, app, handler_class=handler, log=None)
    click.echo(f"pb worker {os.getpid()} is serving on http://{host}:{port}/")
    with contextlib.suppress(KeyboardInterrupt):
        server.serve_forever()


def _supervise(host: str, port: int, processes: int) -> int:
    """Run `processes` workers on one port until Ctrl+C or SIGTERM, or until one of them
    stops (then stop the others and exit non-zero, for the service manager to restart)."""
    import signal
    import subprocess
    import time

    env = {**os.environ, "PB_ASYNC_MODE": "gevent",
           # A long-polling client's requests are separate connections, which the kernel may
           # give to different workers; a websocket is one connection, so it stays on one.
           "PB_SOCKETIO_TRANSPORTS": "websocket"}
    command = [sys.executable, "-c", "from pb.cli import cli; cli()", "serve", "--host", host,
               "--port", str(port), "--reuse-port"]
    workers = [subprocess.Popen(command, env=env) for _ in range(processes)]  # noqa: S603
    click.echo(f"pb is serving on http://{host}:{port}/ with {processes} gevent processes "
               "sharing rooms through Redis (Ctrl+C to stop)")
    asked = False  # to stop, by Ctrl+C or SIGTERM

    def stop_all(signum: int) -> None:
        for worker in workers:
            if worker.poll() is None:
                worker.send_signal(signum)

    def on_signal(signum: int, _frame: object) -> None:
        nonlocal asked
        asked = True
        stop_all(signum)

    signal.signal(signal.SIGINT, on_signal)
    signal.signal(signal.SIGTERM, on_signal)
    try:
        while not asked and all(worker.poll() is None for worker in workers):
            time.sleep(0.2)
    finally:
        if not asked:  # a worker died: take the others down too
            click.echo("pb: a server process stopped; stopping the others.", err=True)
            stop_all(signal.SIGTERM)
        for worker in workers:
            try:
                worker.wait(10)
            except subprocess.TimeoutExpired:
                worker.kill()
                worker.wait()
    return 0 if asked else 1


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
    @click.option("--processes", default=1, show_default=True, type=click.IntRange(1, 64),
                  help="Server processes sharing the port (gevent only; more than one needs "
                       "PB_REDIS_URL, and Socket.IO then takes websockets only).")
    @click.option("--reuse-port", is_flag=True, hidden=True,
                  help="Share the port with other processes (set by --processes).")
    def serve(host: str, port: int, processes: int, reuse_port: bool) -> None:
        """Serve the app with websockets: gevent in production, threads in development.

        One process serves one port and holds thousands of connections. `--processes N`
        starts N of them on the same port (the kernel shares out the connections), one per
        core; they share live rooms through Redis (PB_REDIS_URL).
        """
        from pb.extensions import socketio

        mode = socketio.server.eio.async_mode
        if processes > 1:
            if mode != "gevent":
                raise click.ClickException(
                    "--processes needs the production server (gevent): set PB_ENV=production.")
            if not app.config["PB_SOCKETIO_MESSAGE_QUEUE"]:
                raise click.ClickException(
                    "Several processes must share live rooms: set PB_REDIS_URL to a Redis "
                    "server, e.g. export PB_REDIS_URL=redis://localhost:6379/0.")
            raise SystemExit(_supervise(host, port, processes))
        options: dict[str, Any] = {}
        if mode == "gevent":
            from gevent import monkey

            if not monkey.is_module_patched("socket"):
                raise click.ClickException(
                    "gevent needs the standard library patched before the app loads; start "
                    "the server with the `pb serve` command itself.")
            if find_spec("geventwebsocket") is None:  # else Flask-SocketIO uses its handler
                options["handler_class"] = _gevent_handler()
            _tune_collector()
            if reuse_port:
                _serve_shared(app, host, port, options["handler_class"])
                return
        # Flask refuses app.run() inside its CLI; this command is the server, so allow it.
        os.environ.pop("FLASK_RUN_FROM_CLI", None)
        queue = " sharing rooms through Redis" if app.config["PB_SOCKETIO_MESSAGE_QUEUE"] \
            else ""
        click.echo(f"pb is serving on http://{host}:{port}/ with {mode}{queue} "
                   "(Ctrl+C to stop)")
        socketio.run(app, host=host, port=port, allow_unsafe_werkzeug=True, **options)

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
