"""How long `pb import` takes, and how much memory it needs, for a big synthetic pabulib file.

    python benchmarks/importing.py [--voters 1850000] [--projects 160] [--keep FILE.pb]

It writes an approval file shaped like Łódź 2022 (voter_id;vote;age;sex;voting_method, one to
three projects per ballot; 1.85 million voters make about 50 MB) into a temporary folder (or
FILE.pb with --keep; never commit it), builds a fresh SQLite database through the migrations,
then runs `pb import FILE` in a fresh process and prints its wall time and peak memory
(VmHWM of that process), and that the round and every ballot are there.
"""

from __future__ import annotations

import argparse
import os
import random
import sqlite3
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]

# Peak memory is read from VmHWM: ru_maxrss of a child can carry the parent's peak over exec.
CHILD = """
import sys
sys.argv = ["pb", "import", {path!r}]
from pb.cli import cli
try:
    cli(standalone_mode=False)
finally:
    with open("/proc/self/status") as status:
        peak = next(line.split()[1] for line in status if line.startswith("VmHWM"))
    sys.stderr.write(f"PEAK {{peak}}\\n")
"""


def write_file(path: Path, voters: int, projects: int, seed: int = 2022) -> None:
    """Write a synthetic approval file of `voters` ballots over `projects` projects."""
    rng = random.Random(seed)
    ids = [str(1000 + n) for n in range(projects)]
    weights = [1 / (n + 1) for n in range(projects)]  # a few popular projects, a long tail
    with path.open("w", encoding="utf-8", newline="") as out:
        out.write("META\nkey;value\ndescription;Synthetic municipal PB\ncountry;Poland\n"
                  f"unit;Synthetic\ninstance;2022\nnum_projects;{projects}\n"
                  f"num_votes;{voters}\nbudget;6112868\nvote_type;approval\n"
                  "rule;greedy\nmax_length;5\nlanguage;pl\ncurrency;PLN\n")
        out.write("PROJECTS\nproject_id;cost;votes;name;selected\n")
        for n, project_id in enumerate(ids):
            out.write(f"{project_id};{rng.randrange(20_000, 900_000)};0;"
                      f"Project {n} with a name of a realistic length;0\n")
        out.write("VOTES\nvoter_id;vote;age;sex;voting_method\n")
        lines = []
        for voter in range(1, voters + 1):
            chosen = dict.fromkeys(rng.choices(ids, weights, k=rng.randint(1, 3)))
            lines.append(f"{voter};{','.join(chosen)};{rng.randint(16, 90)};"
                         f"{rng.choice('MFK')};{rng.choice(('internet', 'paper'))}\n")
            if len(lines) == 10_000:
                out.write("".join(lines))
                lines.clear()
        out.write("".join(lines))


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--voters", type=int, default=1_850_000)
    parser.add_argument("--projects", type=int, default=160)
    parser.add_argument("--keep", type=Path, default=None, help="write the file here")
    args = parser.parse_args()
    with tempfile.TemporaryDirectory() as folder:
        path = args.keep or Path(folder) / "synthetic.pb"
        started = time.perf_counter()
        write_file(path, args.voters, args.projects)
        print(f"Wrote {path.name}: {args.voters:,} voters, {path.stat().st_size / 1e6:.1f} MB "
              f"in {time.perf_counter() - started:.1f} s.")
        env = {**os.environ, "PB_DATABASE_URL": f"sqlite:///{folder}/bench.sqlite3",
               "SECRET_KEY": "benchmark", "PB_ENV": "development"}
        subprocess.run([sys.executable, "-c", "from pb.cli import cli; cli()", "db",  # noqa: S603
                        "upgrade"], cwd=ROOT, env=env, check=True, capture_output=True)
        started = time.perf_counter()
        done = subprocess.run([sys.executable, "-c", CHILD.format(path=str(path))],  # noqa: S603
                              cwd=ROOT, env=env, capture_output=True, text=True)
        seconds = time.perf_counter() - started
        if done.returncode != 0:
            sys.exit(f"pb import failed:\n{done.stdout}\n{done.stderr[-2000:]}")
        peak = int(done.stderr.rsplit("PEAK ", 1)[1].split()[0])
        database = sqlite3.connect(f"{folder}/bench.sqlite3")
        rounds, ballots = (database.execute(f"select count(*) from {table}").fetchone()[0]  # noqa: S608
                           for table in ("rounds", "ballots"))
        database.close()
        print(done.stdout.strip())
        print(f"pb import: {seconds:.1f} s, peak memory {peak / 1024:.0f} MiB; "
              f"{rounds} round, {ballots:,} ballots stored.")


if __name__ == "__main__":
    main()
