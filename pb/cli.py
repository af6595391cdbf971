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

from collections.abc import Callable  # noqa: E402

import click  # noqa: E402
from flask import Flask  # noqa: E402
from flask.cli import FlaskGroup  # noqa: E402

from pb import create_app  # noqa: E402  (builds the app only when a command needs it)

# Our own commands are imported only when they run (or `pb --help` lists them): `pb tally
# FILE` then loads the counting code and nothing else, while `pb sortition` would bring the
# services, the models and Socket.IO (about 1.5 s). Each import stays an import statement,
# so import-linter still sees every arrow.


def _tally() -> click.Command:
    from pb.commands.tally import tally_command  # noqa: PLC0415  (lazy: see above)

    return tally_command


def _check_deploy() -> click.Command:
    from pb.commands.check_deploy import check_deploy_command  # noqa: PLC0415  (lazy)

    return check_deploy_command


def _loadtest() -> click.Command:
    from pb.loadtest import loadtest_command  # noqa: PLC0415  (lazy)

    return loadtest_command


def _sortition() -> click.Command:
    from pb.commands.sortition import sortition_group  # noqa: PLC0415  (lazy)

    return sortition_group


# Commands that do not build the app (they stay fast for researchers), by name.
LAZY_COMMANDS: dict[str, Callable[[], click.Command]] = {
    "tally": _tally,
    "check-deploy": _check_deploy,
    "loadtest": _loadtest,
    "sortition": _sortition,
}


class LazyFlaskGroup(FlaskGroup):
    """Flask's group (run, shell, routes and the app's own commands) plus `lazy_commands`,
    imported on first use (click's "lazy loading of subcommands")."""

    def __init__(self, *args: object, lazy_commands: dict[str, Callable[[], click.Command]],
                 **kwargs: object) -> None:
        super().__init__(*args, **kwargs)  # type: ignore[arg-type]
        self.lazy_commands = lazy_commands

    def get_command(self, ctx: click.Context, name: str) -> click.Command | None:
        load = self.lazy_commands.get(name)
        if load is None:
            return super().get_command(ctx, name)
        # Not through Flask's lookup: that would load the plugins' commands (flask_limiter,
        # rich) first.
        if name not in self.commands:
            self.add_command(load(), name)
        return self.commands[name]

    def list_commands(self, ctx: click.Context) -> list[str]:
        return sorted(set(super().list_commands(ctx)) | set(self.lazy_commands))


def _create_app() -> Flask:
    """Build the app for a command; `pb serve` on gevent asks Socket.IO for gevent by name.

    (Flask's command line sets FLASK_RUN_FROM_CLI, which makes Flask-SocketIO's own choice
    threads; every other command keeps threads, as it serves nothing and is not patched.)
    """
    return create_app({"PB_ASYNC_MODE": "gevent"} if GEVENT else None)


@click.group(cls=LazyFlaskGroup, create_app=_create_app, load_dotenv=False,
             lazy_commands=LAZY_COMMANDS,
             help="Run and manage pb, the participatory-budgeting platform.")
def cli() -> None:
    """Run and manage pb."""
