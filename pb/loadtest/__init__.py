"""`pb loadtest`: fill a live session with simulated phones and measure what they feel.

Run as its own process against a running server (`--url`), or let it start one: with no
`--url` it builds a throwaway instance (SQLite), starts `pb serve` (gevent) on a free port,
and tears everything down afterwards. It then:

1. logs a facilitator in over HTTP and opens the console over Socket.IO (python-socketio's
   asyncio client);
2. connects N phones over websockets and joins each to the session by its code, measuring the
   join time. Each phone speaks Engine.IO 4 / Socket.IO 5 itself (`PhoneSocket`, a few
   lines over aiohttp): python-socketio's client runs a task per received event, and with
   thousands of phones in one process the load generator, not the server, became the limit;
3. opens scoring, has every phone score the pitch at a random moment in a window, measuring
   each vote's acknowledgement latency;
4. records every `tally` each phone receives, and measures, for sampled votes, the delay from
   the vote's acknowledgement until each phone has seen a tally that includes it;
5. samples the server's CPU and memory throughout.

The figures are printed as a table (and appended to the file given to `--record`).

It drives a server from outside, as a hall would: it imports nothing of pb but `create_app`
and the services that seed its throwaway instance, and only `pb.cli` imports it.
"""

from __future__ import annotations

import asyncio
import resource
import shutil
import subprocess
from contextlib import suppress
from pathlib import Path
from typing import Any

import click

from pb.loadtest.figures import record_to, report
from pb.loadtest.instance import build_instance
from pb.loadtest.phones import run


def main(url: str | None, code: str | None, project: str | None, participants: int,
         window: float, connect_rate: float, record: str | Path | None) -> dict[str, Any]:
    """Run the load test (starting a throwaway server unless `url` is given); with `record`,
    append the figures to that file."""
    soft, hard = resource.getrlimit(resource.RLIMIT_NOFILE)
    want = min(hard, max(soft, participants * 2 + 256))
    with suppress(ValueError, OSError):
        resource.setrlimit(resource.RLIMIT_NOFILE, (want, hard))
    instance = None
    if url is None:
        instance = build_instance(participants)
        url, code, project = instance.url, instance.code, instance.project
    if not code or not project:
        raise SystemExit("give --code and --project with --url")
    pid = instance.process.pid if instance and instance.process else None
    try:
        figures = asyncio.run(run(url, code, project, participants, window, connect_rate, pid))
    finally:
        if instance is not None and instance.process is not None:
            instance.process.terminate()
            with suppress(subprocess.TimeoutExpired):
                instance.process.wait(timeout=10)
            if instance.folder:
                shutil.rmtree(instance.folder, ignore_errors=True)
    table = report(figures)
    print(table)
    if record:
        record_to(Path(record), table, participants, window, connect_rate)
    return figures


@click.command("loadtest")
@click.option("--participants", "-n", default=2000, show_default=True,
              help="Simulated phones to join and score.")
@click.option("--window", default=10.0, show_default=True,
              help="Seconds over which the phones' scores arrive.")
@click.option("--connect-rate", default=200.0, show_default=True,
              help="Phones arriving per second.")
@click.option("--url", default=None, help="A running server (default: start a throwaway one).")
@click.option("--code", default=None, help="With --url: the session's join code.")
@click.option("--project", default=None, help="With --url: the proposal id being scored.")
@click.option("--record", type=click.Path(dir_okay=False, path_type=Path), default=None,
              help="Append the figures to this Markdown file (e.g. BENCHMARKS.md).")
def loadtest_command(participants: int, window: float, connect_rate: float, url: str | None,
                     code: str | None, project: str | None, record: Path | None) -> None:
    """Fill a live session with simulated phones and report what they feel."""
    figures = main(url, code, project, participants, window, connect_rate, record)
    if figures["votes_acked"] < figures["participants"]:
        raise SystemExit(1)
