"""How long choosing a council by lot takes: the LEXIMIN distribution, the lottery and the draw,
for pools of volunteers with six features and a panel of 30.

    python benchmarks/sortition.py [--sizes 500,2000,5000] [--greedy-runs 1000]
                                   [--time-limit 900] [--seats 30]

Each pool size runs in its own child process, so that the peak memory (the child's
`getrusage` maximum resident set, which counts HiGHS's native memory too) is that size's alone;
a child that outlives `--time-limit` seconds is stopped and reported as such. The pool is
random but fixed (seed 1), with skewed volunteering as in real recruitment: older people,
owners and graduates come forward more often than their share of the population. For
comparison it estimates each volunteer's chance under the library's greedy ("legacy") method
from `--greedy-runs` simulated draws.
"""

from __future__ import annotations

import argparse
import hashlib
import multiprocessing
import platform
import random
import resource
import sys
import time
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

# Feature, then (category, share of the population); shares from a typical English district.
FEATURES = {
    "Age": [("16-29", .22), ("30-44", .25), ("45-64", .31), ("65+", .22)],
    "Gender": [("Woman", .51), ("Man", .47), ("Another", .02)],
    "Area": [("North", .3), ("South", .25), ("East", .25), ("West", .2)],
    "Tenure": [("Owner", .55), ("Private rent", .25), ("Social rent", .2)],
    "Ethnicity": [("White", .8), ("Minority", .2)],
    "Education": [("Degree", .35), ("No degree", .65)],
}
KEEN = {"65+", "45-64", "Owner", "Degree"}      # volunteer 1.6 times as often
LOTTERY = 1000


def make_pool(size: int, seats: int) -> tuple[Any, list[Any]]:
    """Return quotas (share of the seats, one below to two above) and a random pool."""
    from pb.domain.sortition.quotas import Volunteer, parse_quotas

    lines = ["feature,category,min,max,population"]
    for feature, categories in FEATURES.items():
        for name, share in categories:
            low = max(0, int(share * seats) - 1) if share > .05 else 0
            lines.append(f"{feature},{name},{low},{int(share * seats) + 2},{share}")
    rnd = random.Random(1)
    pool = []
    for number in range(1, size + 1):
        answers = {}
        for feature, categories in FEATURES.items():
            weights = [s * (1.6 if name in KEEN else 1) for name, s in categories]
            answers[feature] = rnd.choices([name for name, _ in categories], weights)[0]
        pool.append(Volunteer(number, answers))
    return parse_quotas("\n".join(lines)), pool


def measure(size: int, seats: int, greedy_runs: int, out: Any) -> None:
    """Run one pool size (in a child process) and send its figures through `out`."""
    from pb.domain.sortition import fair

    quotas, pool = make_pool(size, seats)
    start = time.perf_counter()
    distribution = fair.leximin(quotas, pool, seats)
    leximin_s = time.perf_counter() - start
    start = time.perf_counter()
    panels = fair.lottery(distribution, LOTTERY, seed="benchmark")
    drawn = int(hashlib.sha256(b"benchmark").hexdigest(), 16) % LOTTERY
    lottery_s = time.perf_counter() - start
    assert len(panels[drawn]) == seats
    start = time.perf_counter()
    greedy, failed = fair.greedy_probabilities(quotas, pool, seats, runs=greedy_runs,
                                               seed="benchmark")
    greedy_s = time.perf_counter() - start
    chances = distribution.probabilities.values()
    out.send({"leximin_s": leximin_s, "lottery_s": lottery_s, "greedy_s": greedy_s,
              "types": len(distribution.types.types.members),
              "profiles": len(distribution.types.profiles), "smallest": distribution.smallest,
              "mean": sum(chances) / size, "greedy_smallest": min(greedy.values()),
              "never": sum(1 for p in greedy.values() if p == 0), "failed": failed,
              "peak_mib": resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024})


def run(size: int, seats: int, greedy_runs: int, limit: float) -> dict[str, Any] | None:
    """Measure one size in a child process; return None if it ran out of time."""
    receive, send = multiprocessing.Pipe(duplex=False)
    child = multiprocessing.Process(target=measure, args=(size, seats, greedy_runs, send))
    child.start()
    figures = receive.recv() if receive.poll(limit) else None
    child.join(None if figures else 0)
    if child.is_alive():
        child.terminate()
        child.join()
    return figures


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--sizes", default="500,2000,5000")
    parser.add_argument("--seats", type=int, default=30)
    parser.add_argument("--greedy-runs", type=int, default=1000)
    parser.add_argument("--time-limit", type=float, default=900.0,
                        help="seconds allowed for each pool size")
    args = parser.parse_args()
    print(f"{platform.machine()}, {multiprocessing.cpu_count()} cores, CPython "
          f"{platform.python_version()}; panel of {args.seats}, 6 features, lottery of "
          f"{LOTTERY} panels, greedy estimated from {args.greedy_runs} draws")
    print("| volunteers | LEXIMIN | types / profiles | lottery + draw | peak memory | "
          "LEXIMIN smallest / mean | greedy smallest (est.) | never picked by greedy | "
          "greedy failures |")
    print("|---|---|---|---|---|---|---|---|---|")
    for size in (int(s) for s in args.sizes.split(",")):
        figures = run(size, args.seats, args.greedy_runs, args.time_limit)
        if figures is None:
            print(f"| {size:,} | did not finish within {args.time_limit:.0f} s | | | | | | | |",
                  flush=True)
            continue
        print(f"| {size:,} | {figures['leximin_s']:.1f} s | "
              f"{figures['types']:,} / {figures['profiles']:,} | "
              f"{figures['lottery_s']:.2f} s | {figures['peak_mib']:.0f} MiB | "
              f"{figures['smallest']:.4f} / {figures['mean']:.4f} | "
              f"{figures['greedy_smallest']:.4f} | {figures['never']:,} | "
              f"{figures['failed']} |", flush=True)


if __name__ == "__main__":
    main()
