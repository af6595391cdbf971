"""Would compiled pricing make MES+add1's reruns fast? Measure it and print a Markdown table.

Usage: python benchmarks/mes_compiled.py [FILE.pb] [--repeat N]

Needs numba in the benchmark's own environment (it is not a pb dependency):

    python3 -m venv /tmp/numba && /tmp/numba/bin/pip install numba "numpy==$(python -c \
        'import numpy; print(numpy.__version__)')"
    PYTHONPATH=/tmp/numba/lib/python3.11/site-packages python benchmarks/mes_compiled.py

It counts FILE (default: Warsaw Mokotów 2022, the slowest shared file) with `mes+add1`
twice per repeat in one process: once with `MesScreen._price` as it is (numpy, about two
dozen array calls a pricing), once with the same pricing as one numba loop (`_kernel`
below: the same sums, the same water-filling, the same error bounds, so the same
decisions). It prints the count's time (file already parsed), the calls and time per call
of the screen's pricing, cheap bounds and payments, whether every screened rerun's order is
the same, and what `import numba` adds to a process. The kernels are compiled (and cached
next to this file) before anything is timed.
"""

from __future__ import annotations

import argparse
import hashlib
import json
import subprocess
import sys
import time
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

import numpy as np  # noqa: E402
from numba import njit  # noqa: E402

import pb.domain.tally.mes_screen as screen  # noqa: E402
from pb.domain.pabulib import read_pabulib  # noqa: E402
from pb.domain.tally import from_election  # noqa: E402
from pb.domain.tally.mes import MesEngine, equal_shares  # noqa: E402
from pb.domain.tally.mes_screen import MARGIN, SAFETY, U, Uncertain  # noqa: E402

DEFAULT = ROOT.parent / "shared" / "data" / "pabulib" / "Poland_Warszawa_2022_Mokotow.pb"
TIMED = ("_price", "_floor", "_pay")


@njit(cache=True)
def _kernel(money: Any, errors: Any, idx: Any, n: Any, s: Any, ns: Any, cost: float,
            sat_all: float, k: int, points: bool) -> tuple[int, float, float, bool]:
    """`MesScreen._price` as one loop: (0, ...) surely unaffordable, (2, ...) uncertain,
    else (1, rho, err_rho, exact)."""
    total = 0.0
    slack = 0.0
    for j in range(idx.size):
        total += n[j] * money[idx[j]]
        slack += n[j] * errors[idx[j]]
    rounding = 2 * (k + 4) * U * (total + cost)
    slack += rounding
    if total + slack < cost:
        return 0, 0.0, 0.0, False
    if total - slack < cost:
        return 2, 0.0, 0.0, False
    rho = cost / sat_all
    everyone = True
    for j in range(idx.size):
        if (money[idx[j]] / s[j] if points else money[idx[j]]) < rho:
            everyone = False
            break
    if everyone:
        lowest = np.inf
        if points:
            for j in range(idx.size):
                lowest = min(lowest, (money[idx[j]] - 2 * errors[idx[j]]) / s[j])
        else:
            least, most = np.inf, 0.0
            for j in range(idx.size):
                least = min(least, money[idx[j]])
                most = max(most, errors[idx[j]])
            lowest = least - 2 * most
        if lowest > rho * (1 + MARGIN):
            return 1, rho, SAFETY * 2 * rounding / sat_all, True
    else:
        poor_sat = -1.0
        settled = False
        for _ in range(64):
            sat_poor = 0.0
            paid = 0.0
            for j in range(idx.size):
                m = money[idx[j]]
                if (m / s[j] if points else m) < rho:
                    sat_poor += ns[j]
                    paid += n[j] * m
            if sat_poor == poor_sat:
                settled = True
                break
            poor_sat = sat_poor
            rho = (cost - paid) / (sat_all - sat_poor)
        if not settled:
            return 2, 0.0, 0.0, False
    deviation = 0.0
    sat_safe = 0.0
    for j in range(idx.size):
        m, e = money[idx[j]], errors[idx[j]]
        price = rho * s[j] if points else rho
        if m < price + e:
            deviation += n[j] * e
        if m > price * (1 + MARGIN) + 2 * e:
            sat_safe += ns[j]
    deviation += 2 * rounding
    if sat_safe <= 0:
        return 2, 0.0, 0.0, False
    err_rho = SAFETY * deviation / sat_safe
    if err_rho > MARGIN / 4 * rho:
        return 2, 0.0, 0.0, False
    return 1, rho, err_rho, everyone and sat_safe == sat_all


def _compiled_price(self: Any, p: int, money: Any, errors: Any) -> Any:
    cost, sat_all, k = self.facts[p]
    status, rho, err_rho, exact = _kernel(money, errors, self.idx[p], self.n[p], self.s[p],
                                          self.ns[p], cost, sat_all, k, bool(self.points))
    if status == 2:
        raise Uncertain
    return (rho, err_rho, exact) if status == 1 else None


NUMPY_PRICE = screen.MesScreen._price
CALLS: dict[str, list[float]] = {}


def _timed(name: str, method: Any) -> Any:
    def timed(self: Any, *args: Any) -> Any:
        start = time.perf_counter()
        try:
            return method(self, *args)
        finally:
            figures = CALLS.setdefault(name, [0, 0.0])
            figures[0] += 1
            figures[1] += time.perf_counter() - start
    return timed


def count(data: Any, price: Any) -> tuple[float, str, dict[str, list[float]]]:
    """Count mes+add1 with `price` as the screen's pricing; return time, orders' digest, calls."""
    screen.MesScreen._price = _timed("_price", price)
    CALLS.clear()
    engine = MesEngine(data)
    start = time.perf_counter()
    equal_shares(engine, "add1")
    took = time.perf_counter() - start
    digest = hashlib.sha256(json.dumps(sorted(engine.orders.items())).encode()).hexdigest()
    if engine.unscreened:
        digest += f" ({engine.unscreened} reruns run exactly)"
    return took, digest[:12], {name: list(v) for name, v in CALLS.items()}


def import_cost(module: str) -> float:
    """Best of 3: seconds `python -c "import numpy, MODULE"` takes over `import numpy`."""
    def best(code: str) -> float:
        times = []
        for _ in range(3):
            start = time.perf_counter()
            subprocess.run([sys.executable, "-c", code], check=True)  # noqa: S603
            times.append(time.perf_counter() - start)
        return min(times)
    return best(f"import numpy, {module}") - best("import numpy")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("file", nargs="?", default=str(DEFAULT))
    parser.add_argument("--repeat", type=int, default=3)
    args = parser.parse_args()
    data = from_election(read_pabulib(Path(args.file).read_text(encoding="utf-8")))
    for name in TIMED[1:]:  # the cheap bounds and payments are timed in both columns
        setattr(screen.MesScreen, name, _timed(name, getattr(screen.MesScreen, name)))
    count(data, _compiled_price)  # compile (or load the cache) before timing
    rows: dict[str, list[tuple[float, str, dict[str, list[float]]]]] = {"numpy": [],
                                                                          "numba": []}
    for _ in range(args.repeat):
        rows["numpy"].append(count(data, NUMPY_PRICE))
        rows["numba"].append(count(data, _compiled_price))
    print(f"{Path(args.file).stem}, mes+add1, best of {args.repeat} (count only, file parsed)\n")
    print("| pricing | count (s) | pricings | µs a pricing | µs a cheap bound | "
          "µs a payment | orders' digest |")
    print("|---|---|---|---|---|---|---|")
    for label, runs in rows.items():
        took, digest, calls = min(runs)
        per = {name: calls[name][1] / calls[name][0] * 1e6 for name in TIMED if name in calls}
        print(f"| {label} | {took:.2f} | {calls['_price'][0]:,} | {per['_price']:.1f} | "
              f"{per.get('_floor', 0):.1f} | {per.get('_pay', 0):.1f} | {digest} |")
    print(f"\n`import numba` adds {import_cost('numba'):.2f} s to a process that imports numpy.")


if __name__ == "__main__":
    main()
