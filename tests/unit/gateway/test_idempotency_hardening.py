"""Review findings on the idempotency layer: a store outage never turns into a 500, nor into a
second execution of a handler that already ran."""

from __future__ import annotations

import json
from dataclasses import dataclass, field
from datetime import datetime, timedelta

from starlette.types import Message, Receive, Scope, Send

from gateway.metrics import Metrics
from gateway.middleware.idempotency import IdempotencyMiddleware
from gateway.services.idempotency import Claim, Claimed, KeyScope, StoredResponse
from tests.integration.idempotency_support import CONTRACT


@dataclass
class _FailingStore:
    """Claims succeed or fail as told; recording a result always fails."""

    claim_fails: bool
    released: list[KeyScope] = field(default_factory=list)

    async def claim(
        self, scope: KeyScope, fingerprint: str, *, now: datetime, lease: timedelta
    ) -> Claim:
        if self.claim_fails:
            raise ConnectionError("database is down")
        return Claimed(now + lease)

    async def complete(
        self,
        scope: KeyScope,
        fingerprint: str,
        response: StoredResponse,
        *,
        lease_until: datetime | None = None,
    ) -> None:
        raise ConnectionError("database is down")

    async def release(
        self, scope: KeyScope, fingerprint: str, *, lease_until: datetime | None = None
    ) -> None:
        self.released.append(scope)

    async def purge(self, older_than: datetime) -> int:
        return 0


@dataclass
class _Handler:
    runs: int = 0

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        self.runs += 1
        headers = [(b"content-type", b"application/json")]
        await send({"type": "http.response.start", "status": 201, "headers": headers})
        await send({"type": "http.response.body", "body": b'{"id":"a1"}'})


async def _call(app: IdempotencyMiddleware) -> tuple[int, dict[bytes, bytes], bytes]:
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
    return sent[0]["status"], dict(sent[0]["headers"]), b"".join(m["body"] for m in sent[1:])


async def test_a_store_that_cannot_claim_answers_503_and_runs_nothing() -> None:
    handler = _Handler()
    store = _FailingStore(claim_fails=True)
    app = IdempotencyMiddleware(handler, store=store, contracts=[CONTRACT], metrics=Metrics())
    status, headers, body = await _call(app)
    assert status == 503
    assert headers[b"content-type"] == b"application/problem+json"
    assert headers[b"retry-after"] == b"1"
    assert json.loads(body)["type"].endswith("/backend-unavailable")
    assert handler.runs == 0


async def test_a_result_the_store_cannot_keep_still_reaches_the_partner() -> None:
    handler = _Handler()
    store = _FailingStore(claim_fails=False)
    app = IdempotencyMiddleware(handler, store=store, contracts=[CONTRACT], metrics=Metrics())
    status, _, body = await _call(app)
    assert (status, body) == (201, b'{"id":"a1"}')
    assert handler.runs == 1
    assert store.released == []  # the key stays claimed: a quick retry must not run it again
