"""The production server behind `pb serve`: gevent workers, one or several sharing a port.

`pb.cli` decides before anything else loads whether this process serves on gevent, and
patches the standard library then; this module holds the rest. Like `pb.cli` it is at the top:
it may import anything in pb, and nothing in pb imports it but the command line.
"""

from __future__ import annotations

import contextlib
import gc
import os
import signal
import socket
import subprocess
import sys
import time
from importlib.util import find_spec
from typing import Any

import click
from flask import Flask, current_app
from flask.cli import with_appcontext
from werkzeug.serving import WSGIRequestHandler

from pb.extensions import socketio


def _gevent_handler() -> type:
    """Return gevent's request handler, closing each connection its websocket used.

    Websockets on gevent come from simple-websocket, which answers the upgrade on the raw
    socket; pywsgi would otherwise read the client's last websocket frames as a next HTTP
    request and log them as an invalid method.
    """
    from gevent import pywsgi  # noqa: PLC0415  (gevent is optional: the server extra)

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
    gc.collect()
    gc.freeze()
    gc.set_threshold(*COLLECTOR_THRESHOLDS)


def _tune_gevent() -> None:
    """Spawn greenlets without recording who spawned them and from where.

    gevent keeps, for every greenlet, its spawner, the spawner's locals and the last ten
    frames of the spawning stack (for debugging tools); every Socket.IO event and every
    websocket runs in greenlets of its own, so a hall pays for that thousands of times a
    second: it doubled the cost of starting one (about 7 µs against 3 µs).
    """
    import gevent  # noqa: PLC0415  (gevent is optional: the server extra)

    gevent.config.track_greenlet_tree = False


class _QuietHandler(WSGIRequestHandler):
    """Werkzeug's development handler, without its name and Python's version in `Server`
    (gevent's sends no `Server` header at all)."""

    server_version = "pb"
    sys_version = ""

    def version_string(self) -> str:
        return self.server_version


def _serve_shared(app: Flask, host: str, port: int, handler: type) -> None:
    """Serve on gevent from a socket that shares `port` with the other workers (SO_REUSEPORT:
    the kernel gives each new connection to one of them)."""
    from gevent import pywsgi  # noqa: PLC0415  (gevent is optional: the server extra)

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
    env = {**os.environ, "PB_ASYNC_MODE": "gevent",
           # A long-polling client's requests are separate connections, which the kernel may
           # give to different workers; a websocket is one connection, so it stays on one.
           "PB_SOCKETIO_TRANSPORTS": "websocket"}
    # -P: the current directory stays off the import path, so a folder there named `pb` (a
    # checkout, a backup) cannot stand in for the installed package.
    command = [sys.executable, "-P", "-c", "from pb.cli import cli; cli()", "serve", "--host", host,
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


@click.command("serve")
@click.option("--host", default="127.0.0.1", show_default=True)
@click.option("--port", default=5000, show_default=True)
@click.option("--processes", default=1, show_default=True, type=click.IntRange(1, 64),
              help="Server processes sharing the port (gevent only; more than one needs "
                   "PB_REDIS_URL, and Socket.IO then takes websockets only).")
@click.option("--reuse-port", is_flag=True, hidden=True,
              help="Share the port with other processes (set by --processes).")
@click.option("--worker/--no-worker", default=True, show_default=True,
              help="Run the worker (emails with retries, reminders, digests) in this process; "
                   "with --processes N, run `pb worker` beside the servers instead.")
@with_appcontext
def serve_command(host: str, port: int, processes: int, reuse_port: bool,
                  worker: bool) -> None:
    """Serve the app with websockets: gevent in production, threads in development.

    One process serves one port and holds thousands of connections. `--processes N`
    starts N of them on the same port (the kernel shares out the connections), one per
    core; they share live rooms through Redis (PB_REDIS_URL).
    """
    mode = socketio.server.eio.async_mode
    if processes > 1:
        if mode != "gevent":
            raise click.ClickException(
                "--processes needs the production server (gevent): set PB_ENV=production.")
        if not current_app.config["PB_SOCKETIO_MESSAGE_QUEUE"]:
            raise click.ClickException(
                "Several processes must share live rooms: set PB_REDIS_URL to a Redis "
                "server, e.g. export PB_REDIS_URL=redis://localhost:6379/0.")
        raise SystemExit(_supervise(host, port, processes))
    options: dict[str, Any] = {}
    if mode == "threading":
        options["request_handler"] = _QuietHandler
    if mode == "gevent":
        from gevent import monkey  # noqa: PLC0415  (gevent is optional: the server extra)

        if not monkey.is_module_patched("socket"):
            raise click.ClickException(
                "gevent needs the standard library patched before the app loads; start "
                "the server with the `pb serve` command itself.")
        if find_spec("geventwebsocket") is None:  # else Flask-SocketIO uses its handler
            options["handler_class"] = _gevent_handler()
        _tune_collector()
        _tune_gevent()
        if reuse_port:
            _serve_shared(current_app._get_current_object(), host, port, options["handler_class"])
            return
    if worker:  # the embedded default: one process sends the mail too
        from pb.services import worker as background  # noqa: PLC0415  (only when serving)

        socketio.start_background_task(background.run_forever,
                                       current_app._get_current_object())
    # Flask refuses app.run() inside its CLI; this command is the server, so allow it.
    os.environ.pop("FLASK_RUN_FROM_CLI", None)
    queue = " sharing rooms through Redis" if current_app.config["PB_SOCKETIO_MESSAGE_QUEUE"] \
        else ""
    click.echo(f"pb is serving on http://{host}:{port}/ with {mode}{queue} "
               "(Ctrl+C to stop)")
    socketio.run(current_app._get_current_object(), host=host, port=port,
                 allow_unsafe_werkzeug=True, **options)
