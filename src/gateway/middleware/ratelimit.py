"""Per-client rate limiting with ``RateLimit-*`` headers on every answer and 429 when empty.

Placed after authentication: the bucket is the verified client's, so nobody can drain another
partner's quota by naming it in a forged token. Traffic without a principal that gets this far
(the token endpoint and the other routes outside the contracts) is bucketed by peer address;
requests with a rejected token are answered by the security layer before they reach this one.
"""

from __future__ import annotations

import logging
import time
from collections.abc import Callable

from starlette.datastructures import MutableHeaders
from starlette.types import ASGIApp, Message, Receive, Scope, Send

from gateway import problems
from gateway.metrics import Metrics
from gateway.middleware.correlation import correlation_id
from gateway.middleware.routing_info import principal_of
from gateway.services.ratelimit import RateLimiter

_EXEMPT = frozenset({"/healthz", "/readyz", "/metrics"})
log = logging.getLogger("waybill.ratelimit")


def bucket_key(scope: Scope) -> str:
    """``client:<id>`` for authenticated requests, ``peer:<address>`` otherwise."""
    principal = principal_of(scope)
    if principal is not None:
        return f"client:{principal.client_id}"
    client = scope.get("client")
    return f"peer:{client[0] if client else 'unknown'}"


def metric_client(key: str) -> str:
    """The metric label for a bucket: the client id, or ``anonymous`` for a peer address.

    Peer addresses are not labels: anyone can bring new ones (one series each, forever) and the
    public ``/metrics`` would list them. The access log and telemetry say "anonymous" too.
    """
    kind, _, name = key.partition(":")
    return name if kind == "client" else "anonymous"


class RateLimitMiddleware:
    """Spends one token per request; refuses with 429 + Retry-After when the bucket is empty."""

    def __init__(
        self,
        app: ASGIApp,
        *,
        limiter: RateLimiter,
        metrics: Metrics,
        clock: Callable[[], float] = time.monotonic,
    ) -> None:
        self.app = app
        self.limiter = limiter
        self.metrics = metrics
        self.clock = clock

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http" or scope["path"] in _EXEMPT:
            await self.app(scope, receive, send)
            return
        key = bucket_key(scope)
        try:
            decision = await self.limiter.take(key, self.clock())
        except Exception as exc:  # the limiter's store is down (Redis): any error alike
            # Fail open: quotas lapse while the store is away, rather than every partner
            # getting a 500.
            log.warning("rate limiter unavailable, request let through: %s", exc)
            await self.app(scope, receive, send)
            return
        headers = {
            "RateLimit-Limit": str(decision.limit),
            "RateLimit-Remaining": str(decision.remaining),
            "RateLimit-Reset": str(decision.reset_seconds),
        }
        if not decision.allowed:
            self.metrics.rate_limited.labels(metric_client(key)).inc()
            response = problems.problem_response(
                problems.RATE_LIMITED,
                f"Rate limit of {decision.limit} requests exceeded; retry after "
                f"{decision.retry_after} s.",
                headers={**headers, "Retry-After": str(decision.retry_after)},
                correlation_id=correlation_id(scope),
            )
            await response(scope, receive, send)
            return

        async def send_with_headers(message: Message) -> None:
            if message["type"] == "http.response.start":
                out = MutableHeaders(scope=message)
                for name, value in headers.items():
                    out[name] = value
            await send(message)

        await self.app(scope, receive, send_with_headers)
