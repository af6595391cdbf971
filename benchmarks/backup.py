"""How long `pb backup` and `pb restore` take, and how large the file is, for a round of
100,000 ballots, on SQLite and on a throwaway PostgreSQL.

    python benchmarks/backup.py [--ballots 100000] [--databases sqlite postgresql] [--record]

It builds the database through the migrations, adds one round and its ballots in bulk (as
`pb import` would), then backs up and restores into an empty database with the services
behind the two commands, checking that every ballot came back. `--record` replaces the
"Benchmarks: backups" section of BENCHMARKS.md (or appends it).
"""

from __future__ import annotations

import argparse
import platform
import sys
import tempfile
import time
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

SECTION = "# Benchmarks: backups"


def fill(ballots: int) -> None:
    """Add a round with three projects and `ballots` approval ballots."""
    import sqlalchemy as sa

    from pb.extensions import db
    from pb.models import Ballot, Proposal, Round

    round_ = Round(title="Backup benchmark", area="Town", budget_minor=100_000,
                   currency="GBP", ballot_method="approval", tally_rule="greedy",
                   phase="voting")
    db.session.add(round_)
    db.session.flush()
    ids = []
    for n in range(3):
        proposal = Proposal(round_id=round_.id, title=f"Project {n}", summary="A project.",
                            cost_minor=30_000, status="feasible")
        db.session.add(proposal)
        db.session.flush()
        ids.append(str(proposal.id))
    rows = [{"round_id": round_.id, "voter_key": f"bench:{n:07d}",
             "items": ids[: n % 3 + 1], "source": "online",
             "submission_key": f"bench-{n:07d}", "receipt_fp": f"{n:064x}"}
            for n in range(ballots)]
    table = Ballot.__table__
    for start in range(0, len(rows), 10_000):
        db.session.execute(sa.insert(table), rows[start:start + 10_000])
    db.session.commit()


def measure(kind: str, ballots: int, folder: Path) -> dict[str, Any]:
    from flask_migrate import upgrade

    from pb import create_app
    from pb.extensions import db
    from pb.services import backup as backups
    from tests.servers import PostgresServer

    server = None
    if kind == "sqlite":
        source_url = f"sqlite:///{folder / 'source.sqlite3'}"
        target_url = f"sqlite:///{folder / 'target.sqlite3'}"
    else:
        import sqlalchemy as sa

        server = PostgresServer()
        server.start()
        with sa.create_engine(server.url, isolation_level="AUTOCOMMIT").connect() as admin:
            admin.execute(sa.text("CREATE DATABASE source"))
            admin.execute(sa.text("CREATE DATABASE target"))
        base = server.url.rsplit("/", 1)[0]
        source_url, target_url = f"{base}/source", f"{base}/target"
    settings = {"PB_ENV": "testing", "SECRET_KEY": "benchmark-" + "0" * 32}
    try:
        source = create_app({**settings, "SQLALCHEMY_DATABASE_URI": source_url})
        with source.app_context():
            upgrade()
            fill(ballots)
            made = backups.do_backup(folder / "site.pbbackup")
            db.engine.dispose()
        target = create_app({**settings, "SQLALCHEMY_DATABASE_URI": target_url})
        with target.app_context():
            restored = backups.do_restore(folder / "site.pbbackup")
            db.engine.dispose()
        if restored.ballots != ballots:
            raise SystemExit(f"{kind}: restored {restored.ballots} of {ballots} ballots")
        return {"kind": kind, "ballots": ballots, "backup_s": made.seconds,
                "restore_s": restored.seconds, "size_mb": made.size / 1e6,
                "restored": restored.ballots}
    finally:
        if server is not None:
            server.remove()


def table(results: list[dict[str, Any]]) -> str:
    lines = ["| database | ballots | pb backup | file | pb restore | ballots restored |",
             "|---|---|---|---|---|---|"]
    for r in results:
        lines.append(f"| {r['kind']} | {r['ballots']:,} | {r['backup_s']:.1f} s | "
                     f"{r['size_mb']:.1f} MB | {r['restore_s']:.1f} s | {r['restored']:,} |")
    return "\n".join(lines)


def record(text: str, path: Path = ROOT / "BENCHMARKS.md") -> None:
    """Replace this benchmark's section of BENCHMARKS.md, or append it."""
    current = path.read_text()
    start = current.find(SECTION)
    if start == -1:
        path.write_text(current.rstrip() + "\n\n" + text)
        return
    following = current.find("\n# ", start + len(SECTION))
    rest = current[following:] if following != -1 else ""
    path.write_text(current[:start] + text + rest)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--ballots", type=int, default=100_000)
    parser.add_argument("--databases", nargs="+", default=["sqlite", "postgresql"],
                        choices=["sqlite", "postgresql"])
    parser.add_argument("--record", action="store_true",
                        help="write the table into BENCHMARKS.md")
    args = parser.parse_args()
    results = []
    for kind in args.databases:
        with tempfile.TemporaryDirectory(prefix="pb-backup-bench-") as folder:
            results.append(measure(kind, args.ballots, Path(folder)))
    body = table(results)
    print(body)
    if args.record:
        when = time.strftime("%Y-%m-%d %H:%M UTC", time.gmtime())
        record(f"{SECTION}\n\nProduced with `python benchmarks/backup.py --ballots "
               f"{args.ballots} --record` on {when} ({platform.processor() or 'x86_64'}, "
               f"2 cores, CPython {platform.python_version()}; the machine was shared with "
               "other work). Each backup is made with the services behind `pb backup` and "
               "restored into an empty database with those behind `pb restore`, which then "
               "counts every ballot back.\n\n" + body + "\n")


if __name__ == "__main__":
    main()
