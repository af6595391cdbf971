"""The `pb` command: Flask's commands (run, routes, db ...) plus our own."""

from __future__ import annotations

import os
import sys
from collections.abc import Mapping, Sequence
from importlib.util import find_spec


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

from pb import create_app  # noqa: E402  (builds the app only when a command needs it)
from pb.commands.check_deploy import check_deploy_command  # noqa: E402
from pb.commands.sortition import sortition_group  # noqa: E402
from pb.commands.tally import tally_command  # noqa: E402
from pb.loadtest import loadtest_command  # noqa: E402


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


# Commands that do not build the app (they stay fast for researchers).
cli.add_command(tally_command)
cli.add_command(check_deploy_command)
cli.add_command(loadtest_command)
cli.add_command(sortition_group)
