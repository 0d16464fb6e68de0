"""Store-and-forward for adjustment postings: each served worker resumes failed ones periodically.

Every round is one ``AdjustmentService.resume_postings`` call in a thread, bounded by its limit.
A round runs only while it holds the store's ``exclusive`` lock, so workers take turns; the
service would make overlapping rounds harmless anyway. Stopping waits for the round in progress,
so the stores are never closed under it.
"""

from __future__ import annotations

import asyncio
import contextlib
import json
import logging
from collections.abc import Callable
from contextlib import AbstractContextManager
from datetime import datetime, timedelta
from typing import Protocol

from gateway.services.adjustments import ResumeReport
from gateway.services.blocking import BlockingPool

log = logging.getLogger("waybill.posting_retry")


class Resumable(Protocol):
    """What the resumer runs: ``AdjustmentService.resume_postings``."""

    def resume_postings(
        self, *, older_than: timedelta, limit: int, after: tuple[datetime, str] | None = None
    ) -> ResumeReport: ...


class PostingResumer:
    """Runs ``resume_postings`` every ``every`` seconds between ``start()`` and ``stop()``."""

    def __init__(
        self,
        service: Resumable,
        *,
        every: float,
        limit: int = 100,
        exclusive: Callable[[], AbstractContextManager[bool]] | None = None,
    ) -> None:
        if every <= 0 or limit < 1:
            raise ValueError("a posting resumer needs a positive period and limit")
        self._service = service
        # A thread of its own: a round must not hold up the requests' store threads.
        self._pool = BlockingPool(1, name="waybill-resumer")
        # Held for a round: one round at a time across workers (and hosts, on PostgreSQL), so
        # a recovering ERP is not asked the same postings by every worker at once.
        self._exclusive = exclusive or (lambda: contextlib.nullcontext(True))
        self._every = every
        self._limit = limit
        # Younger than one period: a request may still be posting it itself.
        self._older_than = timedelta(seconds=every)
        # Each round continues where the last stopped, so refusals cannot starve the rest.
        self._after: tuple[datetime, str] | None = None
        self._stopping = asyncio.Event()
        self._task: asyncio.Task[None] | None = None

    @property
    def running(self) -> bool:
        """Whether the rounds have started and not yet stopped."""
        return self._task is not None and not self._task.done()

    def start(self) -> None:
        """Begin the rounds on the running event loop (the first one after one period)."""
        if self._task is None:
            self._task = asyncio.get_running_loop().create_task(self._run())

    async def stop(self) -> None:
        """Let the round in progress finish, then end the loop."""
        self._stopping.set()
        task, self._task = self._task, None
        if task is not None:
            await task

    async def _run(self) -> None:
        while not await self._stopped_within(self._every):
            await self.run_once()

    async def _stopped_within(self, seconds: float) -> bool:
        with contextlib.suppress(TimeoutError):
            await asyncio.wait_for(self._stopping.wait(), seconds)
        return self._stopping.is_set()

    def _resume(self) -> ResumeReport | None:
        with self._exclusive() as held:
            if not held:
                return None  # another worker's round is running
            return self._service.resume_postings(
                older_than=self._older_than, limit=self._limit, after=self._after
            )

    async def run_once(self) -> None:
        """One round; its failures are logged, never raised, so the worker keeps serving."""
        try:
            report = await self._pool.run(self._resume)
        except Exception:  # the store may be down; the next round tries again
            log.exception("resuming adjustment postings failed")
            return
        if report is None:
            log.debug("another worker is resuming postings; this round is skipped")
            return
        self._after = report.resume_after
        if report.failed:
            log.warning("adjustment postings still failing: %s", json.dumps(report.to_json()))
        elif report.posted:
            log.info("adjustment postings resumed: %s", json.dumps(report.to_json()))
