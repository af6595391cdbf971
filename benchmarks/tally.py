"""Time `pb tally` on the shared pabulib files and print a Markdown table.

Usage: python benchmarks/tally.py [--data DIR] [--files NAME ...] [--rules RULE ...]
                                  [--repeat N]

For each file and rule: the whole process (a fresh `python -c` running the tally command, as
`pb tally FILE --rule RULE --json` would), the count alone in-process (file already parsed),
peak memory of the whole process (VmHWM), and pabutools' time as recorded in reference.json
("(recorded)"). Times are the median of N runs (default 3): the machine may be shared.
"""

from __future__ import annotations

import argparse
import json
import statistics
import subprocess
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from pb.domain.pabulib import read_pabulib  # noqa: E402
from pb.domain.tally import from_election, tally  # noqa: E402
from pb.domain.tally.rules import mes_engine  # noqa: E402

# Peak memory is read from VmHWM: ru_maxrss of a child can carry the parent's peak over exec.
CHILD = """
import sys
sys.argv = ["pb tally", {path!r}, "--rule", {rule!r}, "--json"]
from pb.commands.tally import tally_command
try:
    tally_command(standalone_mode=False)
finally:
    with open("/proc/self/status") as status:
        peak = next(line.split()[1] for line in status if line.startswith("VmHWM"))
    sys.stderr.write(f"PEAK {{peak}}\\n")
"""


def whole_process(path: Path, rule: str) -> tuple[float, int]:
    """Return (seconds, peak KiB) for a fresh interpreter counting `path`."""
    start = time.perf_counter()
    done = subprocess.run([sys.executable, "-c", CHILD.format(path=str(path), rule=rule)],  # noqa: S603
                          cwd=ROOT, capture_output=True, text=True, check=True)
    seconds = time.perf_counter() - start
    peak = int(done.stderr.rsplit("PEAK ", 1)[1].split()[0])
    return seconds, peak


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--data", default=str(ROOT.parent / "shared" / "data"))
    parser.add_argument("--files", nargs="*", default=None)
    parser.add_argument("--rules", nargs="*", default=None)
    parser.add_argument("--repeat", type=int, default=3, help="runs per row; the median is shown")
    args = parser.parse_args()
    data_dir = Path(args.data)
    entries = json.loads((data_dir / "reference.json").read_text())["entries"]
    rows = []
    for entry in entries:
        if args.files and not any(name in entry["file"] for name in args.files):
            continue
        if args.rules and entry["rule"] not in args.rules:
            continue
        path = data_dir / "pabulib" / entry["file"]
        data = from_election(read_pabulib(path.read_text(encoding="utf-8")))
        counts = []
        for _ in range(args.repeat):
            mes_engine.cache_clear()  # time each rule from scratch
            start = time.perf_counter()
            outcome = tally(data, entry["rule"])
            counts.append(time.perf_counter() - start)
        in_process = statistics.median(counts)
        same = sorted(outcome.selected) == sorted(entry["selected"])
        wholes = [whole_process(path, entry["rule"]) for _ in range(args.repeat)]
        seconds = statistics.median(run[0] for run in wholes)
        peak = max(run[1] for run in wholes)
        rows.append((entry["file"].removesuffix(".pb"), entry["voters"], entry["rule"],
                     f"{seconds:.2f}", f"{in_process:.2f}", f"{peak / 1024:.0f}",
                     f"{entry['pabutools_seconds']:.2f} (recorded)", "yes" if same else "NO"))
    header = ("file", "voters", "rule", "pb tally, whole process (s)", "count only (s)",
              "peak memory (MiB)", "pabutools 1.2.3 (s)", "same selection")
    print("| " + " | ".join(header) + " |")
    print("|" + "---|" * len(header))
    for row in rows:
        print("| " + " | ".join(str(cell) for cell in row) + " |")


if __name__ == "__main__":
    main()
