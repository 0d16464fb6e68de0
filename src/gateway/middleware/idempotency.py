"""Safe retries: the first result for an ``Idempotency-Key`` is stored and replayed.

Sits after request validation (rejected requests never claim a key) and before the handler and
response validation, so what is stored is exactly what the partner received the first time.
"""

from __future__ import annotations

import logging
from collections.abc import Callable, Iterable
from datetime import UTC, datetime, timedelta

from starlette.datastructures import Headers
from starlette.types import ASGIApp, Message, Receive, Scope, Send

from gateway import problems
from gateway.contracts import LoadedContract, operations
from gateway.metrics import Metrics
from gateway.middleware.bodies import read_body
from gateway.middleware.correlation import correlation_id
from gateway.middleware.routing_info import client_label, routed_operation
from gateway.request_scope import NO_BODY, VALIDATED_KEY, ValidatedRequest
from gateway.services.idempotency import (
    Claimed,
    IdempotencyStore,
    InFlight,
    KeyScope,
    Mismatch,
    Replay,
    StoredResponse,
    fingerprint,
)

log = logging.getLogger("waybill.idempotency")

# Headers that belong to the result and are replayed; per-exchange ones (correlation id,
# rate-limit state, lifecycle headers) are added afresh by the outer layers.
_REPLAYED_HEADERS = frozenset(
    {"content-type", "location", "etag", "last-modified", "content-language", "retry-after"}
)


def keyed_operations(contracts: Iterable[LoadedContract]) -> frozenset[tuple[str, str]]:
    """``(base_path, operation_id)`` of every operation that declares ``Idempotency-Key``."""
    return frozenset(
        op.key
        for loaded in contracts
        for op in operations(loaded)
        if any(
            p.get("in") == "header" and str(p.get("name", "")).lower() == "idempotency-key"
            for p in op.parameters
        )
    )


class IdempotencyMiddleware:
    """Claims the key, runs the handler once, stores and replays its result."""

    def __init__(
        self,
        app: ASGIApp,
        *,
        store: IdempotencyStore,
        contracts: Iterable[LoadedContract],
        metrics: Metrics,
        lease: timedelta = timedelta(seconds=60),
        now: Callable[[], datetime] = lambda: datetime.now(UTC),
    ) -> None:
        self.app = app
        self.store = store
        self.keyed = keyed_operations(contracts)
        self.metrics = metrics
        self.lease = lease
        self.now = now

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        routed = routed_operation(scope) if scope["type"] == "http" else None
        if routed is None or routed not in self.keyed:
            await self.app(scope, receive, send)
            return
        headers = Headers(scope=scope)
        key = headers.get("idempotency-key")
        cid = correlation_id(scope)
        if not key:
            await problems.problem_response(
                problems.IDEMPOTENCY_KEY_MISSING,
                "This operation changes state; send an Idempotency-Key header so it can be "
                "retried safely.",
                correlation_id=cid,
            )(scope, receive, send)
            return
        client = client_label(scope)
        body, receive = await read_body(receive)
        validated = scope.get("state", {}).get(VALIDATED_KEY)
        parsed = {}
        if isinstance(validated, ValidatedRequest) and validated.body is not NO_BODY:
            parsed["document"] = validated.body  # request validation parsed it already
        print_ = fingerprint(
            scope["method"],
            scope["path"],
            scope.get("query_string", b"").decode("latin-1"),
            body,
            headers.get("content-type", ""),
            **parsed,
        )
        key_scope = KeyScope(client, routed[1], key)
        try:
            claim = await self.store.claim(key_scope, print_, now=self.now(), lease=self.lease)
        except Exception:  # the store's driver errors (sqlite3, psycopg, pool): any alike
            # Without the key we cannot promise one execution: run nothing, ask for a retry.
            log.exception("idempotency store unavailable", extra={"operation": routed[1]})
            await problems.problem_response(
                problems.BACKEND_UNAVAILABLE,
                "Retries cannot be made safe right now; nothing was done. Retry later.",
                headers={"Retry-After": "1"},
                correlation_id=cid,
            )(scope, receive, send)
            return
        if isinstance(claim, Replay):
            self.metrics.idempotent_replays.labels(routed[1]).inc()
            await _send_stored(claim.response, send)
            return
        if isinstance(claim, Mismatch):
            await problems.problem_response(
                problems.IDEMPOTENCY_KEY_REUSED,
                "This Idempotency-Key was first used with a different request payload.",
                correlation_id=cid,
            )(scope, receive, send)
            return
        if isinstance(claim, InFlight):
            await problems.problem_response(
                problems.IDEMPOTENCY_IN_FLIGHT,
                "The first request with this Idempotency-Key has not finished; retry later.",
                headers={"Retry-After": str(claim.retry_after)},
                correlation_id=cid,
            )(scope, receive, send)
            return
        assert isinstance(claim, Claimed)
        await self._run_once(scope, receive, send, key_scope, print_, lease_until=claim.lease_until)

    async def _run_once(
        self,
        scope: Scope,
        receive: Receive,
        send: Send,
        key_scope: KeyScope,
        print_: str,
        *,
        lease_until: datetime | None,
    ) -> None:
        # Writes name our lease: if it ran out and another request took the key over, our late
        # result or release must not overwrite its claim (nor free the key for a third run).
        start: Message | None = None
        chunks: list[bytes] = []

        async def capture(message: Message) -> None:
            nonlocal start
            if message["type"] == "http.response.start":
                start = message
                return
            if message["type"] == "http.response.body":
                chunks.append(message.get("body", b""))
                if message.get("more_body", False):
                    return
                assert start is not None
                stored = StoredResponse(
                    status=start["status"],
                    headers=tuple(
                        (k.decode("latin-1"), v.decode("latin-1"))
                        for k, v in start.get("headers", [])
                        if k.decode("latin-1").lower() in _REPLAYED_HEADERS
                    ),
                    body=b"".join(chunks),
                )
                await _record_or_log(self.store, key_scope, print_, stored, lease_until)
                await send(start)
                await send({"type": "http.response.body", "body": stored.body})
                return
            await send(message)

        try:
            await self.app(scope, receive, capture)
        except BaseException:
            await self.store.release(key_scope, print_, lease_until=lease_until)
            raise
        if start is None:  # the app ended without answering; nothing to keep
            await self.store.release(key_scope, print_, lease_until=lease_until)


async def _record_or_log(
    store: IdempotencyStore,
    key_scope: KeyScope,
    print_: str,
    stored: StoredResponse,
    lease_until: datetime | None,
) -> None:
    """Keep the result for retries; a store failure is logged, never raised.

    The handler has run: raising here would turn its answer into a 500 and release the key, so
    the partner's retry would run it a second time. Unrecorded, the key stays claimed until its
    lease ends, and the partner gets the real answer now.
    """
    try:
        # 5xx means the work may not have happened: let a retry run it again.
        if stored.status >= 500:
            await store.release(key_scope, print_, lease_until=lease_until)
        else:
            await store.complete(key_scope, print_, stored, lease_until=lease_until)
    except Exception:  # the store's driver errors: any alike
        log.exception(
            "idempotency store could not record a result",
            extra={"operation": key_scope.operation_id, "status": stored.status},
        )


async def _send_stored(response: StoredResponse, send: Send) -> None:
    headers = [(k.encode("latin-1"), v.encode("latin-1")) for k, v in response.headers]
    headers.append((b"idempotent-replayed", b"true"))
    headers.append((b"content-length", str(len(response.body)).encode()))
    await send({"type": "http.response.start", "status": response.status, "headers": headers})
    await send({"type": "http.response.body", "body": response.body})
