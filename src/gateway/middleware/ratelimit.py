"""Per-client rate limiting with ``RateLimit-*`` headers on every answer and 429 when empty.

Placed before routing and authentication, so every request counts, those with a missing or bad
token too. The bucket is still the verified client's: this layer verifies the bearer token with
the security layer's verifier and leaves the verdict in the scope for it (``credentials.py``), so
a token is checked once per request. A valid token spends from ``client:<id>``; no token, a
malformed or a rejected one from ``peer:<address>``. Nobody can drain another partner's quota by
naming it in a forged token, and a flood of bad tokens is limited per address. The token endpoint
is always limited per address.
"""

from __future__ import annotations

import logging
import time
from collections.abc import Callable

from starlette.types import ASGIApp, Message, Receive, Scope, Send

from gateway import problems
from gateway.domain.access import PRINCIPAL_CONTEXT_KEY
from gateway.metrics import Metrics
from gateway.middleware.correlation import correlation_id
from gateway.middleware.credentials import Credentials, recalled, remember, unverified, verified
from gateway.services.ratelimit import Decision, RateLimiter
from gateway.services.tokens import TokenVerifier

_EXEMPT = frozenset({"/healthz", "/readyz", "/metrics"})
# Where clients come for a token: limited per address, whatever Authorization it carries.
_PEER_ONLY = frozenset({"/oauth/token"})
log = logging.getLogger("waybill.ratelimit")


def peer_key(scope: Scope) -> str:
    """``peer:<address>``: the bucket of callers without a valid token."""
    client = scope.get("client")
    return f"peer:{client[0] if client else 'unknown'}"


def bucket_key(scope: Scope, credentials: Credentials | None) -> str:
    """``client:<id>`` for a verified token, ``peer:<address>`` otherwise."""
    if credentials is not None and credentials.verified is not None:
        return f"client:{credentials.verified.principal.client_id}"
    return peer_key(scope)


def metric_client(key: str) -> str:
    """The metric label for a bucket: the client id, or ``anonymous`` for a peer address.

    Peer addresses are not labels: anyone can bring new ones (one series each, forever), and
    ``/metrics`` would list them. The access log and telemetry say "anonymous" too.
    """
    kind, _, name = key.partition(":")
    return name if kind == "client" else "anonymous"


class RateLimitMiddleware:
    """Spends one token per request; refuses with 429 + Retry-After when the bucket is empty.

    A valid token's first request also spends one of its address's (see ``_identify``).
    """

    def __init__(
        self,
        app: ASGIApp,
        *,
        limiter: RateLimiter,
        verifier: TokenVerifier,
        metrics: Metrics,
        clock: Callable[[], float] = time.monotonic,
    ) -> None:
        self.app = app
        self.limiter = limiter
        self.verifier = verifier
        self.metrics = metrics
        self.clock = clock

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http" or scope["path"] in _EXEMPT:
            await self.app(scope, receive, send)
            return
        peer = peer_key(scope)
        credentials, decision = await self._identify(scope, peer)
        if credentials is not None:
            remember(scope, credentials)
        key = bucket_key(scope, credentials)
        if key != peer or decision is None:  # the peer has not paid for this request yet
            decision = await self._take(key)
        if decision is None:  # the limiter cannot answer
            await self.app(scope, receive, send)
            return
        if not decision.allowed:
            if credentials is not None and credentials.verified is not None:
                # Telemetry and the access log name the throttled client, as any verified caller.
                context = scope.setdefault("extensions", {}).setdefault("connexion_context", {})
                context[PRINCIPAL_CONTEXT_KEY] = credentials.verified.principal
            await self._refuse(key, decision, scope, receive, send)
            return
        # Only this layer writes RateLimit-* headers, so they are appended, not looked up.
        raw = [(k.lower().encode(), v.encode()) for k, v in _headers(decision).items()]

        async def send_with_headers(message: Message) -> None:
            if message["type"] == "http.response.start":
                message["headers"] = [*message.get("headers", ()), *raw]
            await send(message)

        await self.app(scope, receive, send_with_headers)

    async def _identify(
        self, scope: Scope, peer: str
    ) -> tuple[Credentials | None, Decision | None]:
        """The request's credentials, and the peer's decision when checking them cost a token."""
        if scope["path"] in _PEER_ONLY:
            return None, None
        token, credentials = unverified(scope)
        if token is not None:
            credentials = await recalled(token, self.verifier)  # the hot path: one cache lookup
        if token is None or credentials is not None:
            return credentials, None
        # A token not seen before costs a signature check: its address pays for that first, so a
        # flood of forged tokens is refused before any RSA work is done.
        paid = await self._take(peer)
        if paid is not None and not paid.allowed:
            return None, paid
        return await verified(token, self.verifier), paid

    async def _take(self, key: str) -> Decision | None:
        """Spend a token from ``key``'s bucket; None when the limiter's store is down."""
        try:
            return await self.limiter.take(key, self.clock())
        except Exception as exc:  # the limiter's store is down (Redis): any error alike
            # Fail open: quotas lapse while the store is away, rather than every partner
            # getting a 500.
            log.warning("rate limiter unavailable, request let through: %s", exc)
            return None

    async def _refuse(
        self, key: str, decision: Decision, scope: Scope, receive: Receive, send: Send
    ) -> None:
        self.metrics.rate_limited.labels(metric_client(key)).inc()
        response = problems.problem_response(
            problems.RATE_LIMITED,
            f"Rate limit of {decision.limit} requests exceeded; retry after "
            f"{decision.retry_after} s.",
            headers={**_headers(decision), "Retry-After": str(decision.retry_after)},
            correlation_id=correlation_id(scope),
        )
        await response(scope, receive, send)


def _headers(decision: Decision) -> dict[str, str]:
    return {
        "RateLimit-Limit": str(decision.limit),
        "RateLimit-Remaining": str(decision.remaining),
        "RateLimit-Reset": str(decision.reset_seconds),
    }
