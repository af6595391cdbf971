"""The server's CPU and memory, sampled through the load test (psutil, from the `test` extra).

Besides the half-second samples, `mark` notes the server's CPU time and the time it spent
*waiting for a core* (runnable, but another process had the CPU: Linux's schedstat) at the
start and end of a phase, so a phase's figures are its own: a run's average CPU mixes the
quiet joins with the busy votes and says little about either. A server whose latencies grow
while it uses little CPU is waiting: for a core (the machine is shared), for a lock or a
disk (it sleeps), or on its own timers.

On a virtual machine the host may also run other guests on the cores: the time it took is
*stolen* (/proc/stat), and the same run then takes more wall time for the same CPU work.
The marks note it too, for the whole machine.
"""

from __future__ import annotations

import asyncio
import os
import time
from contextlib import suppress
from dataclasses import dataclass
from typing import Any


@dataclass(frozen=True)
class Mark:
    """The server's (and the load generator's) clocks at one moment of the run."""

    at: float  # time.perf_counter()
    cpu: float  # server CPU seconds so far, all its processes
    waited: float  # server seconds spent runnable but waiting for a core
    own_cpu: float  # the load generator's CPU seconds
    own_waited: float
    stolen: float = 0.0  # seconds the host took from this machine's cores, all cores


def pace() -> float:
    """Return the seconds a fixed loop of 10 million Python additions takes now: the
    machine's speed at this moment. A host that takes the cores shows as stolen time; a
    core slowed in other ways (here: twice as slow in some minutes, with 1 % stolen) shows
    only here."""
    start = time.perf_counter()
    total = 0
    for step in range(10_000_000):
        total += step
    return time.perf_counter() - start


def _stolen() -> float:
    """Return the seconds the host has taken from this machine's cores so far (0 where not
    known): the eighth figure of /proc/stat's `cpu` line, in clock ticks."""
    with suppress(OSError, ValueError, IndexError), open("/proc/stat") as stats:
        return int(stats.readline().split()[8]) / os.sysconf("SC_CLK_TCK")
    return 0.0


def _run_delay(pid: int) -> float:
    """Return the seconds a process has spent waiting for a core (0 where not known)."""
    with suppress(OSError, ValueError, IndexError), open(f"/proc/{pid}/schedstat") as stats:
        return int(stats.read().split()[1]) / 1e9
    return 0.0


class Sampler:
    """Sample a server's processes (the one started and its workers, and a database server
    started beside it, with its backends): CPU (percent of one core), resident memory, and
    the load generator's own CPU and event-loop lag."""

    def __init__(self, pid: int | None, database_pid: int | None = None) -> None:
        self.roots = [root for root in (pid, database_pid) if root is not None]
        self.cpu: list[float] = []
        self.rss: list[int] = []
        self.own_cpu: list[float] = []  # the load generator itself: is it the bottleneck?
        # How late the load generator's own event loop runs a 10 ms sleep: a busy generator
        # reads acknowledgements late, and its lag is then part of the latencies it reports.
        self.lag_ms: list[float] = []
        self.marks: dict[str, Mark] = {}
        self.load_before = os.getloadavg()[0]
        self._processes: dict[int, Any] = {}
        # each process's last CPU and wait, kept when it ends, so totals never go backwards
        self._last: dict[int, tuple[float, float]] = {}
        self._task: asyncio.Task[None] | None = None
        self._lag_task: asyncio.Task[None] | None = None

    def _server(self) -> list[Any]:
        """Return the server's processes now: the one started and every child (workers),
        and the database's."""
        import psutil  # noqa: PLC0415  (optional: the test extra)

        for root in self.roots:
            with suppress(psutil.Error):
                if root not in self._processes:
                    self._processes[root] = psutil.Process(root)
                for child in self._processes[root].children(recursive=True):
                    self._processes.setdefault(child.pid, child)
        return list(self._processes.values())

    def _totals(self) -> tuple[float, float]:
        """Return the server's CPU seconds and seconds waiting for a core, all processes."""
        import psutil  # noqa: PLC0415

        for process in self._server():
            try:
                times = process.cpu_times()
            except psutil.Error:
                self._processes.pop(process.pid, None)
                continue
            self._last[process.pid] = (times.user + times.system, _run_delay(process.pid))
        return (sum(c for c, _ in self._last.values()),
                sum(w for _, w in self._last.values()))

    def mark(self, name: str) -> None:
        """Note the server's and the generator's clocks now, as the moment `name`."""
        import psutil  # noqa: PLC0415

        cpu, waited = self._totals()
        mine = psutil.Process().cpu_times()
        self.marks[name] = Mark(time.perf_counter(), cpu, waited, mine.user + mine.system,
                                _run_delay(os.getpid()), _stolen())

    def between(self, start: str, end: str) -> dict[str, float]:
        """Return the server's CPU and wait for a core between two marks, as percentages of
        one core, the generator's own CPU, and the time the host stole, as a percentage of
        all the machine's cores."""
        a, b = self.marks.get(start), self.marks.get(end)
        if a is None or b is None or b.at <= a.at:
            nan = float("nan")
            return {"seconds": nan, "cpu": nan, "waited": nan, "own_cpu": nan,
                    "own_waited": nan, "stolen": nan}
        span = b.at - a.at
        return {"seconds": span, "cpu": 100 * (b.cpu - a.cpu) / span,
                "waited": 100 * (b.waited - a.waited) / span,
                "own_cpu": 100 * (b.own_cpu - a.own_cpu) / span,
                "own_waited": 100 * (b.own_waited - a.own_waited) / span,
                "stolen": 100 * (b.stolen - a.stolen) / span / (os.cpu_count() or 1)}

    async def _lag(self) -> None:
        while True:
            start = time.perf_counter()
            await asyncio.sleep(0.01)
            self.lag_ms.append((time.perf_counter() - start - 0.01) * 1000)

    async def _run(self) -> None:
        import psutil  # noqa: PLC0415  (optional: the test extra)

        me = psutil.Process()
        me.cpu_percent(None)
        last, last_cpu = time.perf_counter(), self._totals()[0]
        while True:
            await asyncio.sleep(0.5)
            now, cpu = time.perf_counter(), self._totals()[0]
            if now > last:
                self.cpu.append(100 * (cpu - last_cpu) / (now - last))
            last, last_cpu = now, cpu
            rss = 0
            for process in self._server():
                with suppress(psutil.Error):
                    rss += process.memory_info().rss
            if rss:
                self.rss.append(rss)
            with suppress(psutil.Error):
                self.own_cpu.append(me.cpu_percent(None))

    def rss_now(self) -> int:
        """Return the server's resident memory now (0 without a server to watch), taken at
        once rather than from the half-second samples, which a small hall can join between."""
        import psutil  # noqa: PLC0415  (optional: the test extra)

        rss = 0
        for process in self._server():
            with suppress(psutil.Error):
                rss += int(process.memory_info().rss)
        if rss:
            self.rss.append(rss)
        return rss

    def start(self) -> None:
        loop = asyncio.get_running_loop()
        if self.roots:
            self._task = loop.create_task(self._run())
        self._lag_task = loop.create_task(self._lag())

    async def stop(self) -> None:
        for task in (self._task, self._lag_task):
            if task is not None:
                task.cancel()
                with suppress(asyncio.CancelledError):
                    await task
