"""Review findings on idempotency: a holder whose lease was taken over must not touch the key."""

from __future__ import annotations

import asyncio
import json
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta

from starlette.types import Message, Receive, Scope, Send

from gateway.contracts import LoadedContract
from gateway.metrics import Metrics
from gateway.middleware.idempotency import IdempotencyMiddleware
from gateway.services.idempotency import (
    Claimed,
    IdempotencyStore,
    InFlight,
    KeyScope,
    Replay,
    StoredResponse,
    fingerprint,
)
from tests.integration.idempotency_support import (
    CONTRACT,
    closing,
    make_store,
)

NOW = datetime(2026, 11, 26, 12, 0, tzinfo=UTC)
LEASE = timedelta(seconds=30)
# Runs out at once: leases age by their length, since PostgreSQL times them by its own clock.
EXPIRED = timedelta(0)
SCOPE = KeyScope("partner-1", "requestAdjustment", "key-0001")
FIRST = StoredResponse(201, (("content-type", "application/json"),), b'{"run":"first"}')
SECOND = StoredResponse(201, (("content-type", "application/json"),), b'{"run":"second"}')


async def test_a_taken_over_claim_ignores_its_old_holder(where: tuple[str, str]) -> None:
    async with closing(make_store(*where)) as store:
        first = await store.claim(SCOPE, "fp", now=NOW, lease=EXPIRED)
        later = NOW + timedelta(seconds=1)
        second = await store.claim(SCOPE, "fp", now=later, lease=LEASE)
        assert isinstance(first, Claimed)
        assert isinstance(second, Claimed)
        assert first.lease_until != second.lease_until
        # The old holder's late answers change nothing: the key is still the new holder's.
        await store.complete(SCOPE, "fp", FIRST, lease_until=first.lease_until)
        await store.release(SCOPE, "fp", lease_until=first.lease_until)
        assert isinstance(await store.claim(SCOPE, "fp", now=later, lease=LEASE), InFlight)
        await store.complete(SCOPE, "fp", SECOND, lease_until=second.lease_until)
        assert await store.claim(SCOPE, "fp", now=later, lease=LEASE) == Replay(SECOND)


async def test_a_stored_result_is_never_overwritten(where: tuple[str, str]) -> None:
    async with closing(make_store(*where)) as store:
        claim = await store.claim(SCOPE, "fp", now=NOW, lease=LEASE)
        assert isinstance(claim, Claimed)
        await store.complete(SCOPE, "fp", FIRST, lease_until=claim.lease_until)
        await store.complete(SCOPE, "fp", SECOND)
        assert await store.claim(SCOPE, "fp", now=NOW, lease=LEASE) == Replay(FIRST)


@dataclass
class _SlowFirst:
    """The handler: the first run waits for ``gate`` and answers ``first_status``."""

    first_status: int
    gate: asyncio.Event = field(default_factory=asyncio.Event)
    entered: asyncio.Event = field(default_factory=asyncio.Event)
    runs: int = 0

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        self.runs += 1
        run = self.runs
        status = 201
        if run == 1:
            self.entered.set()
            await self.gate.wait()
            status = self.first_status
        body = json.dumps({"run": run}).encode()
        headers = [(b"content-type", b"application/json")]
        await send({"type": "http.response.start", "status": status, "headers": headers})
        await send({"type": "http.response.body", "body": body})


async def _call(app: IdempotencyMiddleware) -> tuple[int, bytes]:
    scope: Scope = {
        "type": "http",
        "method": "POST",
        "path": "/adjustments/v1/adjustments",
        "query_string": b"",
        "headers": [(b"idempotency-key", b"key-0001"), (b"content-type", b"application/json")],
        "extensions": {
            "connexion_routing": {
                "api_base_path": "/adjustments/v1",
                "operation_id": "requestAdjustment",
            }
        },
    }
    sent: list[Message] = []

    async def receive() -> Message:
        return {"type": "http.request", "body": b"{}", "more_body": False}

    async def send(message: Message) -> None:
        sent.append(message)

    await app(scope, receive, send)
    return sent[0]["status"], b"".join(m.get("body", b"") for m in sent[1:])


def _app(
    store: IdempotencyStore, backend: _SlowFirst, lease: timedelta = LEASE
) -> IdempotencyMiddleware:
    contracts: list[LoadedContract] = [CONTRACT]
    return IdempotencyMiddleware(
        backend, store=store, contracts=contracts, metrics=Metrics(), lease=lease
    )


async def test_a_slow_first_run_cannot_overwrite_the_run_that_took_over(
    where: tuple[str, str],
) -> None:
    async with closing(make_store(*where)) as store:
        backend = _SlowFirst(first_status=201)
        app = _app(store, backend)
        # The first holder's lease runs out at once: to the next request it looks dead.
        slow = asyncio.create_task(_call(_app(store, backend, EXPIRED)))
        await backend.entered.wait()
        assert await _call(app) == (201, b'{"run": 2}')
        backend.gate.set()
        assert await slow == (201, b'{"run": 1}')
        # Retries replay what was stored first, not the late finisher's answer.
        assert await _call(app) == (201, b'{"run": 2}')
        assert backend.runs == 2


async def test_a_failing_old_holder_does_not_free_the_key_for_a_third_run(
    where: tuple[str, str],
) -> None:
    async with closing(make_store(*where)) as store:
        backend = _SlowFirst(first_status=500)
        app = _app(store, backend)
        slow = asyncio.create_task(_call(_app(store, backend, EXPIRED)))
        await backend.entered.wait()
        # The second run takes the key over but has not finished when the first one fails.
        claim = await store.claim(
            KeyScope("anonymous", "requestAdjustment", "key-0001"),
            fingerprint("POST", "/adjustments/v1/adjustments", "", b"{}", "application/json"),
            now=datetime.now(UTC),
            lease=LEASE,
        )
        assert isinstance(claim, Claimed)
        backend.gate.set()
        assert (await slow)[0] == 500
        status, _ = await _call(app)
        assert status == 409  # still the second holder's, not free for a third run
        assert backend.runs == 1


async def test_purge_keeps_an_old_key_whose_claim_is_still_running(where: tuple[str, str]) -> None:
    async with closing(make_store(*where)) as store:
        old, done = KeyScope("p", "op", "old-running"), KeyScope("p", "op", "old-done")
        now = datetime.now(UTC)  # keys are stamped with the real time on PostgreSQL
        assert isinstance(await store.claim(done, "fp", now=now, lease=LEASE), Claimed)
        await store.complete(done, "fp", FIRST)
        await store.claim(old, "fp", now=now, lease=EXPIRED)
        # Retried after its holder died: the claim is fresh, whatever the key's age.
        taken = await store.claim(old, "fp", now=now, lease=LEASE)
        assert isinstance(taken, Claimed)
        # Both keys are older than a cut-off just ahead; only the finished one goes.
        assert await store.purge(now + timedelta(seconds=5)) == 1
        assert isinstance(await store.claim(old, "fp", now=now, lease=LEASE), InFlight)
        assert isinstance(await store.claim(done, "fp", now=now, lease=LEASE), Claimed)
