"""Idempotency on real SQLite and PostgreSQL: store semantics, and the race across processes."""

from __future__ import annotations

import asyncio
import json
import multiprocessing
from datetime import UTC, datetime, timedelta
from pathlib import Path

import httpx

from gateway.services.idempotency import (
    Claimed,
    InFlight,
    KeyScope,
    Mismatch,
    Replay,
    StoredResponse,
)
from tests.integration.idempotency_support import (
    CountingBackend,
    closing,
    make_store,
    routed_app,
)

NOW = datetime(2026, 11, 26, 12, 0, tzinfo=UTC)
LEASE = timedelta(seconds=30)
# Runs out at once. PostgreSQL times leases by the database's clock, not the caller's ``now``, so
# the tests age a claim by its lease, never by moving ``now``.
EXPIRED = timedelta(0)
SCOPE = KeyScope("partner-1", "requestAdjustment", "key-0001")
RESULT = StoredResponse(201, (("content-type", "application/json"),), b'{"id":"a1"}')


async def test_claim_complete_replay_mismatch(where: tuple[str, str]) -> None:
    async with closing(make_store(*where)) as store:
        assert isinstance(await store.claim(SCOPE, "fp1", now=NOW, lease=LEASE), Claimed)
        in_flight = await store.claim(SCOPE, "fp1", now=NOW, lease=LEASE)
        assert in_flight == InFlight(retry_after=30)
        assert isinstance(await store.claim(SCOPE, "fp2", now=NOW, lease=LEASE), Mismatch)
        await store.complete(SCOPE, "fp1", RESULT)
        assert await store.claim(SCOPE, "fp1", now=NOW, lease=LEASE) == Replay(RESULT)
        assert isinstance(await store.claim(SCOPE, "fp2", now=NOW, lease=LEASE), Mismatch)


async def test_keys_are_scoped_by_client_and_operation(where: tuple[str, str]) -> None:
    async with closing(make_store(*where)) as store:
        assert isinstance(await store.claim(SCOPE, "fp", now=NOW, lease=LEASE), Claimed)
        other_client = KeyScope("partner-2", SCOPE.operation_id, SCOPE.key)
        other_op = KeyScope(SCOPE.client_id, "approveAdjustment", SCOPE.key)
        assert isinstance(await store.claim(other_client, "fp", now=NOW, lease=LEASE), Claimed)
        assert isinstance(await store.claim(other_op, "fp", now=NOW, lease=LEASE), Claimed)


async def test_release_and_expired_lease_let_a_retry_run(where: tuple[str, str]) -> None:
    async with closing(make_store(*where)) as store:
        await store.claim(SCOPE, "fp", now=NOW, lease=LEASE)
        await store.release(SCOPE, "fp")
        assert isinstance(await store.claim(SCOPE, "fp", now=NOW, lease=EXPIRED), Claimed)
        assert isinstance(await store.claim(SCOPE, "fp", now=NOW, lease=LEASE), Claimed)
        assert isinstance(await store.claim(SCOPE, "fp", now=NOW, lease=LEASE), InFlight)


async def test_purge_drops_old_keys_only(where: tuple[str, str]) -> None:
    async with closing(make_store(*where)) as store:
        now = datetime.now(UTC)  # keys are stamped with the real time on PostgreSQL
        finished = KeyScope("p", "op", "old-key-1")
        await store.claim(finished, "fp", now=now, lease=LEASE)
        await store.complete(finished, "fp", RESULT)
        await store.claim(SCOPE, "fp", now=now, lease=LEASE)
        assert await store.purge(now - timedelta(hours=24)) == 0  # both are younger
        # Older than a cut-off just ahead: the finished key goes, the running claim stays.
        assert await store.purge(now + timedelta(seconds=5)) == 1
        assert isinstance(await store.claim(finished, "fp", now=now, lease=LEASE), Claimed)
        assert isinstance(await store.claim(SCOPE, "fp", now=now, lease=LEASE), InFlight)


async def test_whose_clock_times_a_lease(where: tuple[str, str]) -> None:
    async with closing(make_store(*where)) as store:
        now = datetime.now(UTC)
        assert isinstance(await store.claim(SCOPE, "fp", now=now, lease=LEASE), Claimed)
        ahead = await store.claim(SCOPE, "fp", now=now + timedelta(hours=1), lease=LEASE)
        if where[0] == "postgres":
            # Several hosts share the table and their clocks may disagree: the database times
            # the lease, so a host an hour ahead still sees the claim running.
            assert ahead == InFlight(retry_after=30)
        else:
            # One SQLite file serves one host: the caller's clock is the only one there is.
            assert isinstance(ahead, Claimed)


def _fire(args: tuple[str, str, str, int, str]) -> list[tuple[int, str, bool]]:
    """One 'gateway process': its own store and app, firing ``n`` concurrent identical POSTs."""
    kind, where, counter, n, key = args

    async def run() -> list[tuple[int, str, bool]]:
        async with closing(make_store(kind, where)) as store:
            app = routed_app(store, CountingBackend(Path(counter), delay=0.3))
            transport = httpx.ASGITransport(app=app)
            async with httpx.AsyncClient(transport=transport, base_url="http://t") as client:
                responses = await asyncio.gather(
                    *(
                        client.post(
                            "/adjustments/v1/adjustments",
                            content=json.dumps({"qty": "5", "sku": "SKU-1"}),
                            headers={"Idempotency-Key": key, "Content-Type": "application/json"},
                        )
                        for _ in range(n)
                    )
                )
        return [
            (r.status_code, r.text, r.headers.get("idempotent-replayed") == "true")
            for r in responses
        ]

    return asyncio.run(run())


def test_fifty_concurrent_identical_requests_run_the_handler_once(
    where: tuple[str, str], tmp_path: Path
) -> None:
    counter = tmp_path / "executions"
    counter.touch()
    kind, location = where
    # Two processes sharing the database, 25 concurrent requests each.
    jobs = [(kind, location, str(counter), 25, "race-key-0001")] * 2
    with multiprocessing.get_context("spawn").Pool(2) as pool:
        results = [r for batch in pool.map(_fire, jobs) for r in batch]
    assert counter.read_text() == "x", "the handler must run exactly once"
    assert len(results) == 50
    created = [text for status, text, replayed in results if status == 201 and not replayed]
    assert len(created) == 1
    for status, text, replayed in results:
        assert status in (201, 409)
        if status == 201:
            assert text == created[0]
        if replayed:
            assert status == 201
    # Afterwards, a retry replays the first result.
    after = _fire((kind, location, str(counter), 1, "race-key-0001"))
    assert after == [(201, created[0], True)]
    assert counter.read_text() == "x"


def test_same_key_different_payload_is_422_and_missing_key_is_400(tmp_path: Path) -> None:
    counter = tmp_path / "executions"
    counter.touch()
    store = make_store("sqlite", str(tmp_path / "idem.sqlite3"))
    app = routed_app(store, CountingBackend(counter, delay=0))

    async def run() -> list[httpx.Response]:
        transport = httpx.ASGITransport(app=app)
        async with httpx.AsyncClient(transport=transport, base_url="http://t") as client:
            url = "/adjustments/v1/adjustments"
            h = {"Idempotency-Key": "k-000001", "Content-Type": "application/json"}
            first = await client.post(url, content='{"a": 1, "b": 2}', headers=h)
            reordered = await client.post(url, content='{ "b":2,"a":1 }', headers=h)
            different = await client.post(url, content='{"a": 1, "b": 3}', headers=h)
            missing = await client.post(
                url, content="{}", headers={"Content-Type": "application/json"}
            )
            return [first, reordered, different, missing]

    first, reordered, different, missing = asyncio.run(run())
    assert first.status_code == 201
    assert reordered.status_code == 201
    assert reordered.headers["idempotent-replayed"] == "true"
    assert reordered.text == first.text
    assert reordered.headers["location"] == "/x/1"
    assert different.status_code == 422
    assert different.json()["type"].endswith("/idempotency-key-reused")
    assert missing.status_code == 400
    assert missing.json()["type"].endswith("/idempotency-key-missing")
    assert counter.read_text() == "x"
