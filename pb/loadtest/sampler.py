"""The server's CPU and memory, sampled through the load test (psutil, from the `test` extra)."""

from __future__ import annotations

import asyncio
import time
from contextlib import suppress


class Sampler:
    """Sample a process's CPU (percent of one core) and resident memory."""

    def __init__(self, pid: int | None) -> None:
        self.pid = pid
        self.cpu: list[float] = []
        self.rss: list[int] = []
        self.own_cpu: list[float] = []  # the load generator itself: is it the bottleneck?
        # How late the load generator's own event loop runs a 10 ms sleep: a busy generator
        # reads acknowledgements late, and its lag is then part of the latencies it reports.
        self.lag_ms: list[float] = []
        self._task: asyncio.Task[None] | None = None
        self._lag_task: asyncio.Task[None] | None = None

    async def _lag(self) -> None:
        while True:
            start = time.perf_counter()
            await asyncio.sleep(0.01)
            self.lag_ms.append((time.perf_counter() - start - 0.01) * 1000)

    async def _run(self) -> None:
        import psutil  # noqa: PLC0415  (optional: the test extra)

        process = psutil.Process(self.pid)
        me = psutil.Process()
        process.cpu_percent(None)
        me.cpu_percent(None)
        while True:
            await asyncio.sleep(0.5)
            with suppress(psutil.Error):
                self.cpu.append(process.cpu_percent(None))
                self.rss.append(process.memory_info().rss)
                self.own_cpu.append(me.cpu_percent(None))

    def rss_now(self) -> int:
        """Return the server's resident memory now (0 without a server to watch), taken at
        once rather than from the half-second samples, which a small hall can join between."""
        import psutil  # noqa: PLC0415  (optional: the test extra)

        if self.pid is None:
            return 0
        with suppress(psutil.Error):
            rss = int(psutil.Process(self.pid).memory_info().rss)
            self.rss.append(rss)
            return rss
        return 0

    def start(self) -> None:
        loop = asyncio.get_running_loop()
        if self.pid is not None:
            self._task = loop.create_task(self._run())
        self._lag_task = loop.create_task(self._lag())

    async def stop(self) -> None:
        for task in (self._task, self._lag_task):
            if task is not None:
                task.cancel()
                with suppress(asyncio.CancelledError):
                    await task


