"""The threads one worker process runs blocking store work in: a bounded pool per process.

The stores are synchronous (sqlite3, psycopg's sync API), so handlers and the idempotency layer
call them off the event loop. A thread per waiting request (anyio's default
lets 40 run at once) helps only while the store can use them. SQLite takes one writer at a time:
the extra threads queue on its lock, each with its own connection and cold page cache, and the
process pays for the GIL hand-offs between them. PostgreSQL can use as many as its connection
pool holds. ``Settings.worker_threads`` chooses; ``docs/gateway.md`` gives the measurements.
"""

from __future__ import annotations

import asyncio
import contextvars
import os
import threading
from collections.abc import Callable
from concurrent.futures import ThreadPoolExecutor
from functools import partial
from typing import TypeVar, TypeVarTuple

T = TypeVar("T")
Ts = TypeVarTuple("Ts")


class BlockingPool:
    """Runs blocking calls in at most ``threads`` threads of this process, in call order."""

    def __init__(self, threads: int, *, name: str = "waybill-store") -> None:
        if threads < 1:
            raise ValueError(f"a pool needs at least one thread, got {threads}")
        self.threads = threads
        self._name = name
        self._lock = threading.Lock()
        self._executor: ThreadPoolExecutor | None = None
        self._owner: int | None = None

    async def run(self, fn: Callable[[*Ts], T], /, *args: *Ts) -> T:
        """``fn(*args)`` in a pool thread, with the caller's context variables (as to_thread)."""
        context = contextvars.copy_context()
        loop = asyncio.get_running_loop()
        return await loop.run_in_executor(self._pool(), partial(context.run, fn, *args))

    def _pool(self) -> ThreadPoolExecutor:
        # Threads do not survive fork: a gunicorn worker builds its own on first use.
        if self._executor is not None and self._owner == os.getpid():
            return self._executor
        with self._lock:
            if self._executor is None or self._owner != os.getpid():
                self._executor = ThreadPoolExecutor(self.threads, thread_name_prefix=self._name)
                self._owner = os.getpid()
            return self._executor

    async def close(self) -> None:
        """Let running calls finish, then stop the threads (shutdown; a later call reopens)."""
        with self._lock:
            executor, self._executor = self._executor, None
        if executor is not None and self._owner == os.getpid():
            await asyncio.get_running_loop().run_in_executor(None, executor.shutdown)
