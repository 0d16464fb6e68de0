"""The background resumer of failed postings: its setting, its rounds, and how it stops."""

from __future__ import annotations

import asyncio
import contextlib
import logging
import threading
from collections.abc import Iterator
from datetime import UTC, datetime, timedelta

import pytest

from gateway.services.adjustments import PostingFailure, ResumeReport
from gateway.services.posting_retry import PostingResumer
from gateway.settings import Settings, SettingsError


class FakeService:
    """Answers each round with the next report (or raises it); records what it was asked."""

    def __init__(self, *answers: ResumeReport | Exception) -> None:
        self.answers = list(answers)
        self.calls: list[tuple[timedelta, int]] = []
        self.afters: list[tuple[datetime, str] | None] = []
        self.asked = asyncio.Event()
        self.loop = asyncio.get_running_loop()
        self.release = threading.Event()
        self.release.set()

    def resume_postings(
        self, *, older_than: timedelta, limit: int, after: tuple[datetime, str] | None = None
    ) -> ResumeReport:
        self.calls.append((older_than, limit))
        self.afters.append(after)
        self.loop.call_soon_threadsafe(self.asked.set)
        self.release.wait(timeout=30)
        answer = self.answers.pop(0) if self.answers else ResumeReport()
        if isinstance(answer, Exception):
            raise answer
        return answer


def test_the_retry_period_defaults_to_30_seconds_and_0_disables_it() -> None:
    assert Settings.from_env({}).posting_retry_seconds == 30
    env = {"WAYBILL_POSTING_RETRY_SECONDS": "0"}
    assert Settings.from_env(env).posting_retry_seconds == 0
    for bad in ("-1", "soon", "1.5"):
        with pytest.raises(SettingsError, match="WAYBILL_POSTING_RETRY_SECONDS"):
            Settings.from_env({"WAYBILL_POSTING_RETRY_SECONDS": bad})


def test_the_report_as_json_counts_and_names_what_happened() -> None:
    report = ResumeReport(("adj_1",), (PostingFailure("adj_2", "ERP down"),), ("adj_3",))
    assert report.to_json() == {
        "posted": 1,
        "failed": 1,
        "skipped": 1,
        "postedIds": ["adj_1"],
        "failures": [{"adjustmentId": "adj_2", "reason": "ERP down"}],
        "skippedIds": ["adj_3"],
        "more": False,
    }
    stopped_at_its_limit = ResumeReport(resume_after=(datetime(2026, 11, 26, tzinfo=UTC), "adj_9"))
    assert stopped_at_its_limit.to_json()["more"] is True


async def test_each_round_continues_where_the_last_one_stopped() -> None:
    position = (datetime(2026, 11, 26, 9, tzinfo=UTC), "adj_7")
    service = FakeService(ResumeReport(resume_after=position), ResumeReport(), ResumeReport())
    resumer = PostingResumer(service, every=60, limit=2)
    for _ in range(3):
        await resumer.run_once()
    # The first round starts at the oldest; the second past where the first stopped; the
    # second saw the end, so the third starts at the oldest again.
    assert service.afters == [None, position, None]


async def test_a_failing_round_is_logged_and_the_next_one_still_runs(
    caplog: pytest.LogCaptureFixture,
) -> None:
    failure = ResumeReport(failed=(PostingFailure("adj_1", "ERP down"),))
    service = FakeService(RuntimeError("store unreachable"), failure)
    resumer = PostingResumer(service, every=60, limit=7)
    with caplog.at_level(logging.INFO, logger="waybill.posting_retry"):
        await resumer.run_once()
        await resumer.run_once()
    assert service.calls == [(timedelta(seconds=60), 7)] * 2
    assert [r.levelname for r in caplog.records] == ["ERROR", "WARNING"]
    assert "store unreachable" in caplog.text
    assert "adj_1" in caplog.text


async def test_rounds_run_between_start_and_stop() -> None:
    service = FakeService()
    resumer = PostingResumer(service, every=0.01)
    assert not resumer.running
    resumer.start()
    assert resumer.running
    await asyncio.wait_for(service.asked.wait(), 30)
    await resumer.stop()
    assert not resumer.running
    asked = len(service.calls)
    await asyncio.sleep(0.05)
    assert len(service.calls) == asked


async def test_stopping_waits_for_the_round_in_progress() -> None:
    service = FakeService(ResumeReport(posted=("adj_1",)))
    service.release.clear()
    resumer = PostingResumer(service, every=0.01)
    resumer.start()
    await asyncio.wait_for(service.asked.wait(), 30)
    stopping = asyncio.ensure_future(resumer.stop())
    await asyncio.sleep(0.05)
    assert not stopping.done()  # the round is still in its thread
    service.release.set()
    await asyncio.wait_for(stopping, 30)
    assert not resumer.running
    assert service.answers == []


def test_a_resumer_needs_a_positive_period_and_limit() -> None:
    for every, limit in ((0, 1), (1, 0)):
        with pytest.raises(ValueError, match="positive"):
            PostingResumer(FakeService.__new__(FakeService), every=every, limit=limit)


async def test_a_round_is_skipped_while_another_worker_holds_the_lock() -> None:
    position = (datetime(2026, 11, 26, 9, tzinfo=UTC), "adj_7")
    service = FakeService(ResumeReport(resume_after=position), ResumeReport())
    holders = [True, False, True]
    entered: list[bool] = []

    @contextlib.contextmanager
    def exclusive() -> Iterator[bool]:
        held = holders.pop(0)
        entered.append(held)
        yield held

    resumer = PostingResumer(service, every=60, exclusive=exclusive)
    for _ in range(3):
        await resumer.run_once()
    assert entered == [True, False, True]
    # The skipped round asked nothing and kept the position for the next round it runs.
    assert service.afters == [None, position]
