"""`pb loadtest` itself: small runs against a real gevent server must count every phone.

These check what the load generator counts and reports, never how fast: benchmarks print
their figures (BENCHMARKS.md), tests do not time anything."""

from __future__ import annotations

import math
import os
from pathlib import Path

import pytest
import sqlalchemy as sa
from click.testing import CliRunner

from pb.loadtest import loadtest_command, main, report
from pb.loadtest.figures import command_of, record_to
from pb.loadtest.instance import build_instance
from pb.loadtest.sampler import Mark, Sampler


def test_a_small_load_test_joins_scores_and_sees_every_tally() -> None:
    figures = main(None, None, None, participants=12, window=1.0, connect_rate=50.0,
                   record=False)
    assert figures["joined"] == 12 and figures["votes_acked"] == 12
    assert figures["acked"] == figures["expected"] == 12
    assert figures["errors"] == {} and figures["lost"] == 0
    assert figures["seen_never"] == 0  # every phone saw a tally holding every vote
    assert figures["rss_held_mib"] > 0  # the server was sampled
    assert figures["client_lag_p99"] >= 0  # and the load generator's own event loop
    # and the server's CPU and wait for a core in each phase, from its own clocks
    assert figures["vote_cpu"] >= 0 and figures["vote_waited"] >= 0
    assert figures["join_cpu"] > 0
    table = report(figures)
    assert "vote ack p50 / p95 / p99" in table
    assert "server waiting for a core while joining / while scoring" in table
    assert figures["vote_stolen"] >= 0 and "CPU the host took (stolen)" in table
    assert all(seconds > 0 for seconds in figures["pace"])  # the machine's speed, measured
    assert "10 million Python additions before / after the run" in table


def test_phones_on_long_polling_up_vote_every_question_at_once() -> None:
    figures = main(None, None, None, participants=10, window=0.5, connect_rate=50.0,
                   record=False, transport="polling", questions=3)
    assert figures["transport"] == "polling" and figures["joined"] == 10
    assert figures["asked"] == 3
    assert figures["acked"] == figures["expected"] == 30  # every up-vote acknowledged
    assert figures["refused"] == {} and figures["errors"] == {} and figures["lost"] == 0
    assert figures["seen_never"] == 0  # every phone saw every up-vote counted
    assert figures["lists_max"] >= 1
    table = report(figures)
    assert "up-vote ack p50 / p95 / p99" in table
    assert "`questions` lists each phone got while up-voting" in table
    assert command_of({**figures, "processes": 1}) == (
        "pb loadtest --participants 10 --window 0.5 --connect-rate 50 --transport polling "
        "--questions 3")


@pytest.mark.redis
def test_a_small_load_test_on_two_server_processes_counts_every_phone() -> None:
    figures = main(None, None, None, participants=12, window=5.0, connect_rate=50.0,
                   record=False, processes=2)
    assert figures["joined"] == 12 and figures["acked"] == 12
    assert figures["errors"] == {} and figures["lost"] == 0
    assert figures["seen_never"] == 0  # scores cast on either process reach every phone
    assert figures["rss_held_mib"] > 0  # both workers, found as the server's children
    # Each phone hears from its own process only, at most one tally a LIVE_PHONE_TALLY_
    # INTERVAL (0.5 s): at most 11 in the 5 s of scoring, 2.2 a second. Through the message
    # queue, both processes' tallies reached every phone (2.6 to 3 a second here).
    assert figures["tallies_per_s"] <= 2.4


@pytest.mark.postgres
def test_the_throwaway_instance_can_run_on_postgresql() -> None:
    instance = build_instance(12, 1, "postgresql")
    try:
        assert instance.postgres is not None
        engine = sa.create_engine(instance.postgres.url)
        with engine.connect() as connection:  # the seeded session is in PostgreSQL
            codes = connection.execute(sa.text("SELECT join_code FROM live_sessions")).all()
        engine.dispose()
        assert [row[0] for row in codes] == [instance.code]
        assert not list(Path(instance.folder or "").glob("*.sqlite3"))
        # The database's processes are sampled with the server's
        database = instance.postgres.pid()
        assert database is not None
        assert database in {p.pid for p in Sampler(None, database)._server()}
    finally:
        instance.stop()
    assert instance.folder and not Path(instance.folder).exists()
    assert not instance.postgres.folder.exists()


@pytest.mark.postgres
@pytest.mark.redis
def test_a_small_load_test_on_two_processes_and_postgresql_counts_every_phone() -> None:
    figures = main(None, None, None, participants=12, window=2.0, connect_rate=50.0,
                   record=False, processes=2, database="postgresql")
    assert figures["database"] == "postgresql"
    assert figures["joined"] == 12 and figures["acked"] == 12
    assert figures["errors"] == {} and figures["lost"] == 0 and figures["seen_never"] == 0
    assert "on PostgreSQL (its processes counted with the server's)" in report(figures)
    assert command_of(figures).endswith("--processes 2 --database postgresql")


def test_a_phase_shows_the_servers_cpu_and_its_wait_for_a_core() -> None:
    sampler = Sampler(None)
    sampler.marks["votes"] = Mark(at=10.0, cpu=5.0, waited=1.0, own_cpu=2.0, own_waited=0.0,
                                  stolen=100.0)
    sampler.marks["voted"] = Mark(at=12.0, cpu=6.5, waited=2.0, own_cpu=2.5, own_waited=0.1,
                                  stolen=100.0 + 0.5 * (os.cpu_count() or 1))
    phase = sampler.between("votes", "voted")
    assert phase["seconds"] == pytest.approx(2.0)
    assert phase["cpu"] == pytest.approx(75.0)  # 1.5 s of CPU in 2 s
    assert phase["waited"] == pytest.approx(50.0)  # runnable, but another process ran
    assert phase["own_cpu"] == pytest.approx(25.0)
    assert phase["stolen"] == pytest.approx(25.0)  # the host ran others a quarter of the time
    sampler.mark("now")  # the generator's own clocks, with no server to watch
    assert sampler.marks["now"].own_cpu > 0
    assert sampler.marks["now"].stolen >= 0  # /proc/stat read (0 where the host says none)
    assert math.isnan(sampler.between("votes", "missing")["cpu"])  # no such mark


def test_recorded_figures_name_the_command_and_the_server(tmp_path: Path) -> None:
    target = tmp_path / "BENCH.md"
    figures = {"participants": 5000, "vote_window_s": 10.0, "connect_rate": 200.0,
               "transport": "websocket", "questions": 0, "processes": 2,
               "load_before": os.getloadavg()[0]}
    record_to(target, "| measure | value |", figures)
    text = target.read_text()
    assert "## Live sessions (pb loadtest)" in text
    assert ("`pb loadtest --participants 5000 --window 10 --connect-rate 200 --processes 2`"
            in text)
    assert "`pb serve --processes 2` (gevent, sharing rooms through Redis) on SQLite" in text
    record_to(target, "| measure | value |", {**figures, "database": "postgresql"})
    text = target.read_text()
    assert "--processes 2 --database postgresql`" in text
    assert "Redis) on PostgreSQL (its processes counted with the server's)" in text


def test_the_command_offers_processes_long_polling_and_questions() -> None:
    shown = CliRunner().invoke(loadtest_command, ["--help"])
    assert shown.exit_code == 0
    for option in ("--participants", "--window", "--processes", "--transport", "--questions",
                   "--database", "--record"):
        assert option in shown.output
    refused = CliRunner().invoke(loadtest_command, ["--transport", "carrier-pigeon"])
    assert refused.exit_code != 0
    refused = CliRunner().invoke(loadtest_command, ["--database", "mysql"])
    assert refused.exit_code != 0 and "postgresql" in refused.output
