"""The load test's figures: percentiles, the table it prints, and the section `--record`
appends to a file."""

from __future__ import annotations

import bisect
import os
import time
from pathlib import Path
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:  # phones.py builds the figures with these
    from pb.loadtest.phones import Phone
    from pb.loadtest.sampler import Sampler


def _percentile(values: list[float], pct: float) -> float:
    if not values:
        return float("nan")
    ordered = sorted(values)
    index = min(len(ordered) - 1, max(0, round(pct / 100 * (len(ordered) - 1))))
    return ordered[index]



def figures_of(phones: list[Phone], all_joined: float, votes_done: float, window: float,
             sampler: Sampler, held_rss: int) -> dict[str, Any]:
    joined = [p for p in phones if p.joined is not None]
    acked = sorted((p for p in phones if p.vote_acked is not None),
                   key=lambda p: p.vote_acked or 0)
    join_ms = [((p.joined or 0) - p.join_started) * 1000 for p in joined]
    ack_ms = [((p.vote_acked or 0) - (p.vote_sent or 0)) * 1000 for p in acked]
    # The k-th acknowledged vote is in any tally whose count is at least k. For sampled k,
    # how long after that ack did each phone first see such a tally?
    seen_delays: list[float] = []
    never = 0
    timelines = []
    for phone in joined:
        times = [t for t, _ in phone.tallies]
        counts = [c for _, c in phone.tallies]
        # counts only grow, except for reordering across throttled sends: keep the running max
        running = []
        best = 0
        for c in counts:
            best = max(best, c)
            running.append(best)
        timelines.append((times, running))
    step = max(1, len(acked) // 200)
    for k in range(1, len(acked) + 1, step):
        at = acked[k - 1].vote_acked or 0
        for times, running in timelines:
            i = bisect.bisect_left(running, k)
            if i >= len(running):
                never += 1
                continue
            seen_delays.append(max(0.0, times[i] - at) * 1000)
    errors: dict[str, int] = {}
    for phone in phones:
        if phone.error:
            kind = phone.error.split(":")[0]
            errors[kind] = errors.get(kind, 0) + 1
    return {
        "participants": len(phones), "joined": len(joined), "votes_acked": len(acked),
        "join_all_s": all_joined, "join_p50": _percentile(join_ms, 50),
        "join_p95": _percentile(join_ms, 95), "join_p99": _percentile(join_ms, 99),
        "vote_window_s": window, "votes_s": votes_done,
        "ack_p50": _percentile(ack_ms, 50), "ack_p95": _percentile(ack_ms, 95),
        "ack_p99": _percentile(ack_ms, 99),
        "seen_p50": _percentile(seen_delays, 50), "seen_p95": _percentile(seen_delays, 95),
        "seen_p99": _percentile(seen_delays, 99), "seen_never": never,
        "cpu_mean": sum(sampler.cpu) / len(sampler.cpu) if sampler.cpu else float("nan"),
        "cpu_max": max(sampler.cpu, default=float("nan")),
        "client_cpu_mean": (sum(sampler.own_cpu) / len(sampler.own_cpu)
                            if sampler.own_cpu else float("nan")),
        "client_lag_p99": _percentile(sampler.lag_ms, 99),
        "client_lag_max": max(sampler.lag_ms, default=float("nan")),
        "rss_held_mib": held_rss / 2**20,
        "rss_max_mib": max(sampler.rss, default=0) / 2**20, "errors": errors,
    }


def report(figures: dict[str, Any]) -> str:
    """Return the figures as a Markdown table row set."""
    f = figures
    lines = [
        f"| participants | {f['participants']} (joined {f['joined']}, "
        f"votes acknowledged {f['votes_acked']}) |",
        f"| join: all joined in | {f['join_all_s']:.1f} s |",
        f"| join time p50 / p95 / p99 | {f['join_p50']:.0f} / {f['join_p95']:.0f} / "
        f"{f['join_p99']:.0f} ms |",
        f"| votes spread over | {f['vote_window_s']:.0f} s (all acknowledged after "
        f"{f['votes_s']:.1f} s) |",
        f"| vote ack p50 / p95 / p99 | {f['ack_p50']:.0f} / {f['ack_p95']:.0f} / "
        f"{f['ack_p99']:.0f} ms |",
        f"| tally seen by every phone after the ack, p50 / p95 / p99 | {f['seen_p50']:.0f} / "
        f"{f['seen_p95']:.0f} / {f['seen_p99']:.0f} ms (never seen: {f['seen_never']}) |",
        f"| server CPU mean / max | {f['cpu_mean']:.0f}% / {f['cpu_max']:.0f}% of one core |",
        f"| load generator CPU mean; its event loop's lag p99 / max | "
        f"{f['client_cpu_mean']:.0f}% of one core; {f['client_lag_p99']:.0f} / "
        f"{f['client_lag_max']:.0f} ms |",
        f"| server memory holding everyone / max | {f['rss_held_mib']:.0f} / "
        f"{f['rss_max_mib']:.0f} MiB |",
        f"| errors | {f['errors'] or 'none'} |",
    ]
    return "\n".join(["| measure | value |", "|---|---|", *lines])


def record_to(path: Path, table: str, participants: int, window: float,
              connect_rate: float) -> None:
    """Append the figures to `path` (a Markdown file such as BENCHMARKS.md) as a dated
    section under "## Live sessions (pb loadtest)", which is added if missing."""
    load = os.getloadavg()
    command = (f"pb loadtest --participants {participants} --window {window:g} "
               f"--connect-rate {connect_rate:g}")
    when = time.strftime("%Y-%m-%d %H:%M UTC", time.gmtime())
    section = (f"\n### {participants} participants ({when})\n\n"
               f"`{command}` — one gevent `pb serve` process on SQLite; load generator in its "
               f"own process; load average before: {load[0]:.2f}.\n\n{table}\n")
    text = path.read_text() if path.exists() else "# Benchmarks\n"
    marker = "## Live sessions (pb loadtest)"
    if marker not in text:
        text += f"\n{marker}\n"
    path.write_text(text + section)
