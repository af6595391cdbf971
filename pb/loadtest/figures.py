"""The load test's figures: percentiles, the table it prints, and the section `--record`
appends to a file."""

from __future__ import annotations

import bisect
import time
from pathlib import Path
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:  # phones.py builds the figures with these
    from pb.loadtest.phones import Phone, Scenario
    from pb.loadtest.sampler import Sampler


def _percentile(values: list[float], pct: float) -> float:
    if not values:
        return float("nan")
    ordered = sorted(values)
    index = min(len(ordered) - 1, max(0, round(pct / 100 * (len(ordered) - 1))))
    return ordered[index]


def _seen_delays(timelines: list[tuple[list[float], list[int]]], acked: list[float],
                 step: int) -> tuple[list[float], int]:
    """For sampled k, how long after the k-th acknowledgement did each phone first see a
    count of at least k? Return those delays (ms) and how many phones never did."""
    delays: list[float] = []
    never = 0
    for k in range(1, len(acked) + 1, step):
        at = acked[k - 1]
        for times, running in timelines:
            i = bisect.bisect_left(running, k)
            if i >= len(running):
                never += 1
                continue
            delays.append(max(0.0, times[i] - at) * 1000)
    return delays, never


def _timeline(seen: list[tuple[float, int]]) -> tuple[list[float], list[int]]:
    """Return a phone's (times, counts) with counts made a running maximum: they only grow,
    except for events overtaken on the way."""
    times, running, best = [], [], 0
    for at, count in seen:
        best = max(best, count)
        times.append(at)
        running.append(best)
    return times, running


def _common(phones: list[Phone], all_joined: float, votes_done: float, scenario: Scenario,
            sampler: Sampler, held_rss: int) -> dict[str, Any]:
    """Return the figures every scenario has: joins, errors, CPU, memory."""
    joined = [p for p in phones if p.joined is not None]
    join_ms = [((p.joined or 0) - p.join_started) * 1000 for p in joined]
    errors: dict[str, int] = {}
    for phone in phones:
        for problem in (phone.error, phone.lost and f"connection lost: {phone.lost}"):
            if problem:
                kind = ":".join(problem.split(":")[:2]) if problem.startswith(
                    "connection lost") else problem.split(":")[0]
                errors[kind] = errors.get(kind, 0) + 1
    joining, voting = sampler.between("joins", "joined"), sampler.between("votes", "voted")
    return {
        "participants": len(phones), "joined": len(joined), "transport": scenario.transport,
        "questions": scenario.questions, "connect_rate": scenario.connect_rate,
        "join_all_s": all_joined, "join_p50": _percentile(join_ms, 50),
        "join_p95": _percentile(join_ms, 95), "join_p99": _percentile(join_ms, 99),
        "vote_window_s": scenario.window, "votes_s": votes_done,
        "lost": sum(1 for p in phones if p.lost),
        "cpu_mean": sum(sampler.cpu) / len(sampler.cpu) if sampler.cpu else float("nan"),
        "cpu_max": max(sampler.cpu, default=float("nan")),
        "join_cpu": joining["cpu"], "join_waited": joining["waited"],
        "vote_cpu": voting["cpu"], "vote_waited": voting["waited"],
        "join_stolen": joining["stolen"], "vote_stolen": voting["stolen"],
        "client_cpu_mean": (sum(sampler.own_cpu) / len(sampler.own_cpu)
                            if sampler.own_cpu else float("nan")),
        "vote_client_cpu": voting["own_cpu"],
        "client_lag_p99": _percentile(sampler.lag_ms, 99),
        "client_lag_max": max(sampler.lag_ms, default=float("nan")),
        "load_before": sampler.load_before,
        "rss_held_mib": held_rss / 2**20,
        "rss_max_mib": max(sampler.rss, default=0) / 2**20, "errors": errors,
    }


def figures_of(phones: list[Phone], all_joined: float, votes_done: float, scenario: Scenario,
               sampler: Sampler, held_rss: int) -> dict[str, Any]:
    """Return the figures of a scoring run."""
    acked = sorted((p for p in phones if p.vote_acked is not None),
                   key=lambda p: p.vote_acked or 0)
    ack_ms = [((p.vote_acked or 0) - (p.vote_sent or 0)) * 1000 for p in acked]
    # The k-th acknowledged vote is in any tally whose count is at least k.
    timelines = [_timeline(p.tallies) for p in phones if p.joined is not None]
    seen, never = _seen_delays(timelines, [p.vote_acked or 0 for p in acked],
                               max(1, len(acked) // 200))
    # How many tallies a phone got a second while the votes came in (each is a message to
    # every phone: the server's largest fan-out)
    start, end = sampler.marks.get("votes"), sampler.marks.get("voted")
    rate = float("nan")
    if start is not None and end is not None and end.at > start.at and timelines:
        got = sum(1 for times, _ in timelines for t in times if start.at <= t <= end.at)
        rate = got / len(timelines) / (end.at - start.at)
    return {
        **_common(phones, all_joined, votes_done, scenario, sampler, held_rss),
        "expected": sum(1 for p in phones if p.joined is not None), "acked": len(acked),
        "votes_acked": len(acked),
        "ack_p50": _percentile(ack_ms, 50), "ack_p95": _percentile(ack_ms, 95),
        "ack_p99": _percentile(ack_ms, 99),
        "seen_p50": _percentile(seen, 50), "seen_p95": _percentile(seen, 95),
        "seen_p99": _percentile(seen, 99), "seen_never": never, "tallies_per_s": rate,
    }


def questions_figures_of(phones: list[Phone], all_joined: float, votes_done: float,
                         scenario: Scenario, asked: int, sampler: Sampler,
                         held_rss: int) -> dict[str, Any]:
    """Return the figures of a questions run: up-vote acks, refusals, how many `questions`
    events each phone got, and when each saw every up-vote counted."""
    joined = [p for p in phones if p.joined is not None]
    acks = sorted(acked for p in phones for _sent, acked in p.upvotes)
    ack_ms = [(acked - sent) * 1000 for p in phones for sent, acked in p.upvotes]
    # The k-th acknowledged up-vote is in any list whose up-votes add up to at least k.
    timelines = [_timeline(p.questions) for p in joined]
    seen, never = _seen_delays(timelines, acks, max(1, len(acks) // 50))
    refused: dict[str, int] = {}
    for phone in phones:
        for message in phone.refusals:
            refused[message] = refused.get(message, 0) + 1
    lists = [len(p.questions) for p in joined]
    return {
        **_common(phones, all_joined, votes_done, scenario, sampler, held_rss),
        "asked": asked, "expected": len(joined) * asked, "acked": len(acks),
        "refused": refused,
        "ack_p50": _percentile(ack_ms, 50), "ack_p95": _percentile(ack_ms, 95),
        "ack_p99": _percentile(ack_ms, 99),
        "seen_p50": _percentile(seen, 50), "seen_p95": _percentile(seen, 95),
        "seen_p99": _percentile(seen, 99), "seen_never": never,
        "lists_mean": sum(lists) / len(lists) if lists else float("nan"),
        "lists_max": max(lists, default=0),
    }


def report(figures: dict[str, Any]) -> str:
    """Return the figures as a Markdown table row set."""
    f = figures
    pace_before, pace_after = f.get("pace", (float("nan"), float("nan")))
    upvotes = bool(f.get("questions"))
    what = "up-votes" if upvotes else "votes"
    doing = "up-voting" if upvotes else "scoring"
    lines = [
        f"| participants | {f['participants']} over {f['transport']} (joined {f['joined']}, "
        f"{what} acknowledged {f['acked']} of {f['expected']}) |",
        f"| server | {server_of(f)} |",
        f"| join: all joined in | {f['join_all_s']:.1f} s |",
        f"| join time p50 / p95 / p99 | {f['join_p50']:.0f} / {f['join_p95']:.0f} / "
        f"{f['join_p99']:.0f} ms |",
        f"| {what} spread over | {f['vote_window_s']:.0f} s (all acknowledged after "
        f"{f['votes_s']:.1f} s) |",
        f"| {'up-vote' if upvotes else 'vote'} ack p50 / p95 / p99 | {f['ack_p50']:.0f} / "
        f"{f['ack_p95']:.0f} / {f['ack_p99']:.0f} ms |",
    ]
    if upvotes:
        lines += [
            f"| questions asked; up-votes refused | {f['asked']}; "
            f"{f['refused'] or 'none'} |",
            f"| `questions` lists each phone got while up-voting, mean / max | "
            f"{f['lists_mean']:.1f} / {f['lists_max']} |",
            f"| up-votes seen by every phone after the ack, p50 / p95 / p99 | "
            f"{f['seen_p50']:.0f} / {f['seen_p95']:.0f} / {f['seen_p99']:.0f} ms "
            f"(never seen: {f['seen_never']}) |",
        ]
    else:
        lines.append(
            f"| tally seen by every phone after the ack, p50 / p95 / p99 | "
            f"{f['seen_p50']:.0f} / {f['seen_p95']:.0f} / {f['seen_p99']:.0f} ms "
            f"(never seen: {f['seen_never']}) |")
        lines.append(f"| tallies each phone got a second while scoring | "
                     f"{f['tallies_per_s']:.1f} |")
    lines += [
        f"| connections lost | {f['lost']} phones; the console's dropped "
        f"{f.get('console_dropped', 0)} times |",
        f"| server CPU mean / max | {f['cpu_mean']:.0f}% / {f['cpu_max']:.0f}% of one core |",
        f"| server CPU while joining / while {doing} | {f['join_cpu']:.0f}% / "
        f"{f['vote_cpu']:.0f}% of one core |",
        f"| server waiting for a core while joining / while {doing} | "
        f"{f['join_waited']:.0f}% / {f['vote_waited']:.0f}% of the time |",
        f"| CPU the host took (stolen) while joining / while {doing} | "
        f"{f.get('join_stolen', 0):.0f}% / {f.get('vote_stolen', 0):.0f}% of the machine's cores |",
        f"| load generator CPU mean; its event loop's lag p99 / max | "
        f"{f['client_cpu_mean']:.0f}% of one core; {f['client_lag_p99']:.0f} / "
        f"{f['client_lag_max']:.0f} ms |",
        f"| machine load average before the run | {f['load_before']:.2f} |",
        "| the machine's pace: 10 million Python additions before / after the run | "
        f"{pace_before:.2f} / {pace_after:.2f} s |",
        f"| server memory holding everyone / max | {f['rss_held_mib']:.0f} / "
        f"{f['rss_max_mib']:.0f} MiB |",
        f"| errors | {f['errors'] or 'none'} |",
    ]
    return "\n".join(["| measure | value |", "|---|---|", *lines])


def command_of(figures: dict[str, Any]) -> str:
    """Return the `pb loadtest` command line that makes a run like this one."""
    f = figures
    command = (f"pb loadtest --participants {f['participants']} --window "
               f"{f['vote_window_s']:g} --connect-rate {f['connect_rate']:g}")
    if f.get("processes", 1) > 1:
        command += f" --processes {f['processes']}"
    if f.get("database") == "postgresql":
        command += " --database postgresql"
    if f["transport"] != "websocket":
        command += f" --transport {f['transport']}"
    if f.get("questions"):
        command += f" --questions {f['questions']}"
    return command


def server_of(figures: dict[str, Any]) -> str:
    """Return which server the run measured: its processes and its database."""
    processes = figures.get("processes", 1)
    server = ("one gevent `pb serve` process" if processes == 1 else
              f"`pb serve --processes {processes}` (gevent, sharing rooms through Redis)")
    if "database" in figures and figures["database"] is None:
        return f"{server} (a running server, with its own database)"
    if figures.get("database") == "postgresql":
        return f"{server} on PostgreSQL (its processes counted with the server's)"
    return f"{server} on SQLite"


def record_to(path: Path, table: str, figures: dict[str, Any]) -> None:
    """Append the figures to `path` (a Markdown file such as BENCHMARKS.md) as a dated
    section under "## Live sessions (pb loadtest)", which is added if missing."""
    when = time.strftime("%Y-%m-%d %H:%M UTC", time.gmtime())
    section = (f"\n### {figures['participants']} participants ({when})\n\n"
               f"`{command_of(figures)}` — {server_of(figures)}; load generator in its own "
               f"process; load average before: {figures['load_before']:.2f}.\n\n{table}\n")
    text = path.read_text() if path.exists() else "# Benchmarks\n"
    marker = "## Live sessions (pb loadtest)"
    if marker not in text:
        text += f"\n{marker}\n"
    path.write_text(text + section)
