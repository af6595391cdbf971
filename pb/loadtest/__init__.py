"""`pb loadtest`: fill a live session with simulated phones and measure what they feel.

Run as its own process against a running server (`--url`), or let it start one: with no
`--url` it builds a throwaway instance (SQLite, or with `--database postgresql` a throwaway
PostgreSQL cluster), starts `pb serve` (gevent) on a free port (`--processes N`: N workers
sharing rooms through a throwaway redis-server), and tears everything down afterwards. It then:

1. logs a facilitator in over HTTP and opens the console over Socket.IO (python-socketio's
   asyncio client);
2. connects N phones over websockets (or `--transport polling`: Engine.IO's long polling)
   and joins each to the session by its code, measuring the join time. Each phone speaks
   Engine.IO 4 / Socket.IO 5 itself (`sockets`, a few lines over aiohttp): python-socketio's
   client runs a task per received event, and with thousands of phones in one process the
   load generator, not the server, became the limit;
3. opens scoring and has every phone score the pitch at a random moment in a window,
   measuring each vote's acknowledgement latency; or, with `--questions K`, has K phones ask
   a question and every phone up-vote all K at a random moment in the window;
4. records every `tally` (or `questions` list) each phone receives, and measures, for
   sampled votes, the delay from the vote's acknowledgement until each phone has seen a
   tally (or list) that includes it;
5. samples the server's CPU and memory throughout, and its CPU and its wait for a core
   (runnable while another process had the CPU) in each phase (`sampler`).

The figures are printed as a table (and appended to the file given to `--record`).

It drives a server from outside, as a hall would: it imports nothing of pb but `create_app`
and the services that seed its throwaway instance, and only `pb.cli` imports it.
"""

from __future__ import annotations

import asyncio
import resource
from contextlib import suppress
from pathlib import Path
from typing import Any

import click

from pb.loadtest.figures import record_to, report
from pb.loadtest.instance import build_instance
from pb.loadtest.phones import Scenario, run
from pb.loadtest.sampler import pace


def main(url: str | None, code: str | None, project: str | None, participants: int,
         window: float, connect_rate: float, record: str | Path | None, *,
         processes: int = 1, transport: str = "websocket", questions: int = 0,
         database: str = "sqlite") -> dict[str, Any]:
    """Run the load test (starting a throwaway server unless `url` is given); with `record`,
    append the figures to that file.

    `processes` is the throwaway server's (`pb serve --processes N`, with a throwaway Redis);
    `transport` the phones' (websocket, or polling: Engine.IO's long polling, as a phone
    whose network refuses websockets); `questions` > 0 runs the questions scenario instead
    of scoring: that many phones ask a question and every phone up-votes each one at once.
    `database` is the throwaway instance's: sqlite, or postgresql (a throwaway cluster, as a
    site with several processes has).
    """
    soft, hard = resource.getrlimit(resource.RLIMIT_NOFILE)
    want = min(hard, max(soft, participants * 4 + 256))
    with suppress(ValueError, OSError):
        resource.setrlimit(resource.RLIMIT_NOFILE, (want, hard))
    before = pace()  # the machine's speed, before anything of the run starts
    instance = None
    if url is None:
        instance = build_instance(participants, processes, database)
        url, code, project = instance.url, instance.code, instance.project
    if not code or not project:
        raise SystemExit("give --code and --project with --url")
    pid = instance.process.pid if instance and instance.process else None
    database_pid = instance.postgres.pid() if instance and instance.postgres else None
    scenario = Scenario(participants, window, connect_rate, transport, questions)
    try:
        figures = asyncio.run(run(url, code, project, scenario, pid, database_pid))
        figures["pace"] = (before, pace())  # and after, with the server idle again
    except BaseException:
        if instance is not None:
            print("The server's last output:\n" + instance.log_tail())
        raise
    finally:
        if instance is not None:
            instance.stop()
    figures["processes"] = processes
    figures["database"] = database if instance is not None else None
    table = report(figures)
    print(table)
    if record:
        record_to(Path(record), table, figures)
    return figures


@click.command("loadtest")
@click.option("--participants", "-n", default=2000, show_default=True,
              help="Simulated phones to join and score.")
@click.option("--window", default=10.0, show_default=True,
              help="Seconds over which the phones' scores arrive.")
@click.option("--connect-rate", default=200.0, show_default=True,
              help="Phones arriving per second.")
@click.option("--processes", default=1, show_default=True, type=click.IntRange(1, 16),
              help="The throwaway server's processes (pb serve --processes N; several share "
                   "rooms through a throwaway redis-server).")
@click.option("--transport", type=click.Choice(["websocket", "polling"]), default="websocket",
              show_default=True, help="How the phones connect (polling: Engine.IO's long "
                                      "polling, as on a network that refuses websockets).")
@click.option("--questions", default=0, show_default=True, type=click.IntRange(0, 20),
              help="Instead of scoring: this many phones ask a question, then every phone "
                   "up-votes every question at once (within --window).")
@click.option("--database", type=click.Choice(["sqlite", "postgresql"]), default="sqlite",
              show_default=True, help="The throwaway instance's database (postgresql: a "
                                      "throwaway cluster, as a site with several processes "
                                      "has; needs PostgreSQL installed).")
@click.option("--url", default=None, help="A running server (default: start a throwaway one).")
@click.option("--code", default=None, help="With --url: the session's join code.")
@click.option("--project", default=None, help="With --url: the proposal id being scored.")
@click.option("--record", type=click.Path(dir_okay=False, path_type=Path), default=None,
              help="Append the figures to this Markdown file (e.g. BENCHMARKS.md).")
def loadtest_command(participants: int, window: float, connect_rate: float, processes: int,
                     transport: str, questions: int, database: str, url: str | None,
                     code: str | None, project: str | None, record: Path | None) -> None:
    """Fill a live session with simulated phones and report what they feel."""
    figures = main(url, code, project, participants, window, connect_rate, record,
                   processes=processes, transport=transport, questions=questions,
                   database=database)
    if figures["acked"] < figures["expected"]:
        raise SystemExit(1)
