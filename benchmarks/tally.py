"""Time `pb tally` on the shared pabulib files and print a Markdown table.

Usage: python benchmarks/tally.py [--data DIR] [--files NAME ...] [--rules RULE ...]
                                  [--repeat N] [--pabutools] [--pabutools-rules RULE ...]
                                  [--pabutools-files NAME ...] [--cap SECONDS]

For each file and rule (the pairs of reference.json and reference_slow.json): the whole
process (a fresh `python -c` running `pb.cli` with `tally FILE --rule RULE --json`, as the
`pb` script does), the count alone in-process (file already parsed), peak memory of the
whole process (VmHWM), and pabutools' time. Times are the best of N runs (default 3): the
machine may be shared, and the best run is the one least disturbed.

Without --pabutools, pabutools' time is the one recorded in reference*.json ("(recorded)").
With --pabutools, pabutools 1.2.3 counts the same file in its own virtualenv
(.venv-pabutools, made by `./dev parity`), once per row, in a fresh process with a cap of
--cap seconds (default 600); its time is the count alone (its own parsing excluded), and
"same selection" compares pb's selection with that count's. --pabutools-rules and
--pabutools-files limit which rows run pabutools (the others show the recorded time and
compare with the recorded selection).
"""

from __future__ import annotations

import argparse
import json
import subprocess
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from pb.domain.pabulib import read_pabulib  # noqa: E402
from pb.domain.tally import from_election, tally  # noqa: E402
from pb.domain.tally.rules import mes_engine  # noqa: E402

PABUTOOLS_PYTHON = ROOT / ".venv-pabutools" / "bin" / "python"

# Peak memory is read from VmHWM: ru_maxrss of a child can carry the parent's peak over exec.
# The child goes through `pb.cli`, as the installed `pb` script does: its start-up counts.
CHILD = """
import sys
from pb.cli import cli
try:
    cli(["tally", {path!r}, "--rule", {rule!r}, "--json"], prog_name="pb", standalone_mode=False)
finally:
    with open("/proc/self/status") as status:
        peak = next(line.split()[1] for line in status if line.startswith("VmHWM"))
    sys.stderr.write(f"PEAK {{peak}}\\n")
"""

# pabutools' own parser and the calls of tests/parity/pabutools_rules.py (reference.json's).
PABUTOOLS_CHILD = """
import json, sys, time
sys.path.insert(0, {root!r})
from pabutools.election import AbstractOrdinalProfile, CumulativeBallot, CumulativeProfile
from pabutools.election import parse_pabulib
from tests.parity.pabutools_rules import count_with
instance, profile = parse_pabulib({path!r})
points = profile.__class__.__name__ != "ApprovalProfile"
if isinstance(profile, AbstractOrdinalProfile):
    profile = CumulativeProfile(
        [CumulativeBallot({{p: len(b) - i for i, p in enumerate(b)}}) for b in profile],
        instance=instance)
    points = True
start = time.perf_counter()
selected = count_with(instance, profile, points, {rule!r})
print(json.dumps({{"seconds": time.perf_counter() - start, "selected": selected}}))
"""


def whole_process(path: Path, rule: str) -> tuple[float, int]:
    """Return (seconds, peak KiB) for a fresh interpreter counting `path`."""
    start = time.perf_counter()
    done = subprocess.run([sys.executable, "-c", CHILD.format(path=str(path), rule=rule)],  # noqa: S603
                          cwd=ROOT, capture_output=True, text=True, check=True)
    seconds = time.perf_counter() - start
    peak = int(done.stderr.rsplit("PEAK ", 1)[1].split()[0])
    return seconds, peak


def pabutools(path: Path, rule: str, cap: float) -> tuple[float, list[str]] | None:
    """Return (count seconds, selection) from pabutools, or None past `cap` seconds."""
    code = PABUTOOLS_CHILD.format(root=str(ROOT), path=str(path), rule=rule)
    try:
        done = subprocess.run([str(PABUTOOLS_PYTHON), "-c", code], cwd=ROOT,  # noqa: S603
                              capture_output=True, text=True, check=True, timeout=cap)
    except subprocess.TimeoutExpired:
        return None
    found = json.loads(done.stdout.splitlines()[-1])
    return found["seconds"], found["selected"]


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--data", default=str(ROOT.parent / "shared" / "data"))
    parser.add_argument("--files", nargs="*", default=None)
    parser.add_argument("--rules", nargs="*", default=None)
    parser.add_argument("--repeat", type=int, default=3, help="runs per row; the best is shown")
    parser.add_argument("--pabutools", action="store_true",
                        help="count with pabutools too, in .venv-pabutools")
    parser.add_argument("--pabutools-rules", nargs="*", default=None,
                        help="with --pabutools: rows of these rules run pabutools")
    parser.add_argument("--pabutools-files", nargs="*", default=None,
                        help="with --pabutools: rows of these files run pabutools too")
    parser.add_argument("--cap", type=float, default=600.0,
                        help="seconds before a pabutools count is given up")
    args = parser.parse_args()
    if args.pabutools and not PABUTOOLS_PYTHON.exists():
        sys.exit(f"{PABUTOOLS_PYTHON} is missing: run ./dev parity once to make it.")
    data_dir = Path(args.data)
    entries = json.loads((data_dir / "reference.json").read_text())["entries"]
    slow = data_dir / "reference_slow.json"
    if slow.exists():
        entries += json.loads(slow.read_text())["entries"]
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
        wholes = [whole_process(path, entry["rule"]) for _ in range(args.repeat)]
        seconds = min(run[0] for run in wholes)
        peak = max(run[1] for run in wholes)
        theirs = f"{entry['pabutools_seconds']:.2f} (recorded)"
        expected = entry["selected"]
        limited = args.pabutools_rules is not None or args.pabutools_files is not None
        if args.pabutools and (not limited or entry["rule"] in (args.pabutools_rules or ())
                               or any(name in entry["file"]
                                      for name in args.pabutools_files or ())):
            found = pabutools(path, entry["rule"], args.cap)
            if found is None:
                theirs = f"over {args.cap:.0f} (stopped)"
            else:
                theirs = f"{found[0]:.2f}"
                expected = found[1]
        same = sorted(outcome.selected) == sorted(expected)
        rows.append((entry["file"].removesuffix(".pb"), entry["voters"], entry["rule"],
                     f"{seconds:.2f}", f"{min(counts):.2f}", f"{peak / 1024:.0f}",
                     theirs, "yes" if same else "NO"))
        print("| " + " | ".join(str(cell) for cell in rows[-1]) + " |", file=sys.stderr,
              flush=True)
    header = ("file", "voters", "rule", "pb tally, whole process (s)", "count only (s)",
              "peak memory (MiB)", "pabutools 1.2.3 (s)", "same selection")
    print("| " + " | ".join(header) + " |")
    print("|" + "---|" * len(header))
    for row in rows:
        print("| " + " | ".join(str(cell) for cell in row) + " |")


if __name__ == "__main__":
    main()
