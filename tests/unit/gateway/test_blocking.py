"""The store threads: bounded, in call order, context carried, errors raised, sized by setting."""

from __future__ import annotations

import asyncio
import contextvars
import os
import threading

import pytest

from gateway.app import store_threads
from gateway.services.blocking import BlockingPool
from gateway.settings import Settings, SettingsError

request_id = contextvars.ContextVar[str]("request_id")


class Gate:
    """Counts the calls running at once and holds them until released."""

    def __init__(self) -> None:
        self.lock = threading.Lock()
        self.running = 0
        self.most = 0
        self.release = threading.Event()
        self.order: list[int] = []

    def call(self, n: int) -> int:
        with self.lock:
            self.running += 1
            self.most = max(self.most, self.running)
            self.order.append(n)
        self.release.wait(timeout=30)
        with self.lock:
            self.running -= 1
        return n * 10


async def test_no_more_calls_run_at_once_than_the_pool_has_threads() -> None:
    pool, gate = BlockingPool(2), Gate()
    calls = [asyncio.ensure_future(pool.run(gate.call, n)) for n in range(6)]
    while gate.running < 2:
        await asyncio.sleep(0.01)
    await asyncio.sleep(0.05)  # a third thread, if there were one, would have started by now
    assert gate.running == 2
    gate.release.set()
    assert await asyncio.gather(*calls) == [0, 10, 20, 30, 40, 50]
    assert gate.most == 2
    await pool.close()


async def test_one_thread_runs_the_calls_in_the_order_they_were_made() -> None:
    pool, gate = BlockingPool(1), Gate()
    gate.release.set()
    await asyncio.gather(*(pool.run(gate.call, n) for n in range(20)))
    assert gate.order == list(range(20))
    assert gate.most == 1
    await pool.close()


async def test_the_call_sees_the_callers_context_variables() -> None:
    pool = BlockingPool(1)
    request_id.set("corr-1")
    assert await pool.run(request_id.get) == "corr-1"
    request_id.set("corr-2")
    assert await pool.run(request_id.get) == "corr-2"
    await pool.close()


async def test_an_error_in_the_call_reaches_the_caller_and_the_thread_keeps_serving() -> None:
    pool = BlockingPool(1)

    def broken() -> None:
        raise LookupError("no such adjustment")

    with pytest.raises(LookupError, match="no such adjustment"):
        await pool.run(broken)
    assert await pool.run(threading.current_thread) is not threading.current_thread()
    await pool.close()


async def test_close_waits_for_running_calls_and_a_later_call_starts_new_threads() -> None:
    pool, gate = BlockingPool(1), Gate()
    running = asyncio.ensure_future(pool.run(gate.call, 7))
    while not gate.running:
        await asyncio.sleep(0.01)
    closing = asyncio.ensure_future(pool.close())
    await asyncio.sleep(0.05)
    assert not closing.done()
    gate.release.set()
    await closing
    assert running.result() == 70
    assert await pool.run(os.getpid) == os.getpid()
    await pool.close()


async def test_a_forked_worker_gets_threads_of_its_own(monkeypatch: pytest.MonkeyPatch) -> None:
    pool = BlockingPool(1)
    parent = await pool.run(threading.get_ident)
    monkeypatch.setattr(os, "getpid", lambda: -1)  # as gunicorn's fork would change it
    assert await pool.run(threading.get_ident) != parent
    await pool.close()


def test_a_pool_needs_a_thread() -> None:
    with pytest.raises(ValueError, match="at least one thread"):
        BlockingPool(0)


def test_sqlite_gets_one_thread_postgres_its_pool_size_and_the_setting_wins() -> None:
    assert store_threads(Settings.from_env({})) == 1
    postgres = {"WAYBILL_DATABASE_URL": "postgresql://127.0.0.1/test"}
    assert store_threads(Settings.from_env(postgres)) == 10
    chosen = {**postgres, "WAYBILL_WORKER_THREADS": "4"}
    assert store_threads(Settings.from_env(chosen)) == 4


@pytest.mark.parametrize("value", ["0", "-1", "two"])
def test_worker_threads_must_be_a_positive_integer(value: str) -> None:
    with pytest.raises(SettingsError, match="WAYBILL_WORKER_THREADS"):
        Settings.from_env({"WAYBILL_WORKER_THREADS": value})
