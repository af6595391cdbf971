"""Compute a selection in a process of its own: `python -m pb.domain.sortition.solve`.

Reads one JSON object on stdin: {"quotas": quotas CSV, "pool": [[number, {feature:
category}], …], "seats": n, "panels": M, "seed": text, "greedy_runs": runs}; writes one
JSON object on stdout: the published files' contents and the figures, or {"error": …} with
the sentence, its values and the quotas that conflict. A server runs it as a child process,
so minutes of solving neither stop its other connections nor keep the solver's memory.
"""

from __future__ import annotations

import json
import os
import statistics
import sys
from dataclasses import asdict
from typing import Any

from pb.domain.sortition import draw, fair
from pb.domain.sortition.quotas import SortitionError, Volunteer, parse_quotas


def selection(request: dict[str, Any]) -> dict[str, Any]:
    """Return the files and figures of the selection `request` asks for."""
    quotas = parse_quotas(request["quotas"])
    seats = int(request["seats"])
    quotas.check_seats(seats)
    pool = [Volunteer(int(number), dict(categories)) for number, categories in request["pool"]]
    explained = quotas.explain(pool, seats)
    if len(pool) < seats or isinstance(explained, list) and explained:
        raise SortitionError(explained)
    seed = str(request["seed"])
    distribution = fair.leximin(quotas, pool, seats)
    panels = fair.lottery(distribution, int(request["panels"]), seed=seed)
    greedy, failed = fair.greedy_probabilities(quotas, pool, seats,
                                               runs=int(request["greedy_runs"]), seed=seed)
    files = {"quotas.csv": quotas.csv(), "pool.csv": draw.pool_csv(quotas, pool),
             "probabilities.csv": draw.probabilities_csv(distribution.probabilities),
             "panels.csv": draw.panels_csv(panels)}
    checked = draw.replay(files, seats, "check only")   # the files must pass their own check
    return {"files": files, "smallest": distribution.smallest,
            "mean": statistics.fmean(distribution.probabilities.values()),
            "largest_gap": checked.largest_gap,
            "greedy_smallest": min(greedy.values()),
            "greedy_never": sum(1 for p in greedy.values() if p == 0),
            "greedy_failed": failed}


def main() -> int:
    request = json.load(sys.stdin)
    # The solver's banners (some printed from C) go to stderr; stdout carries only the answer.
    sys.stdout.flush()
    answer_fd = os.dup(1)
    os.dup2(2, 1)
    try:
        answer = selection(request)
    except SortitionError as error:
        answer = {"error": {"template": error.template, "params": error.params,
                            "lines": [asdict(line) for line in error.lines]}}
    finally:
        sys.stdout.flush()
        os.dup2(answer_fd, 1)
    with os.fdopen(answer_fd, "w") as out:
        json.dump(answer, out)
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
