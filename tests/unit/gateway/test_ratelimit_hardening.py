"""Review findings on rate limiting: anonymous peers cannot grow the metrics or the bucket table
without bound."""

from __future__ import annotations

import asyncio

from starlette.applications import Starlette
from starlette.responses import PlainTextResponse
from starlette.routing import Route
from starlette.testclient import TestClient

from gateway.metrics import Metrics
from gateway.middleware.ratelimit import RateLimitMiddleware
from gateway.services.ratelimit import Decision, InProcessRateLimiter, Quota
from tests.support.tokens import trusting_no_one


async def _ok(_request: object) -> PlainTextResponse:
    return PlainTextResponse("ok")


def test_refused_peers_are_counted_as_anonymous_not_by_address() -> None:
    metrics = Metrics()
    app = RateLimitMiddleware(
        Starlette(routes=[Route("/x", _ok)]),
        limiter=InProcessRateLimiter(Quota(rate=0.01, burst=1)),
        verifier=trusting_no_one(),
        metrics=metrics,
        clock=lambda: 50.0,
    )
    for peer in ("203.0.113.7", "2001:db8::1"):
        client = TestClient(app, client=(peer, 1234))
        assert client.get("/x").status_code == 200
        assert client.get("/x").status_code == 429
    exposed = metrics.exposition()[0].decode()
    assert 'waybill_rate_limited_total{client="anonymous"} 2.0' in exposed
    assert "203.0.113.7" not in exposed
    assert "2001:db8::1" not in exposed


def test_the_bucket_table_stays_bounded_when_every_bucket_is_drained() -> None:
    limiter = InProcessRateLimiter(Quota(rate=0.001, burst=5), max_clients=8)

    async def flood() -> None:
        for n in range(200):  # each new peer spends two tokens: no bucket looks idle
            await limiter.take(f"peer:{n}", 0.0)
            await limiter.take(f"peer:{n}", 0.0)

    asyncio.run(flood())
    assert len(limiter._buckets) <= 8  # the bound is the behaviour under test


def test_a_recent_drained_bucket_survives_eviction() -> None:
    limiter = InProcessRateLimiter(Quota(rate=0.001, burst=2), max_clients=8)

    async def run() -> bool:
        for n in range(12):
            await limiter.take(f"peer:{n}", 0.0)
        await limiter.take("client:busy", 0.0)
        await limiter.take("client:busy", 0.0)
        return (await limiter.take("client:busy", 0.0)).allowed

    assert asyncio.run(run()) is False  # still drained: its state was kept


class _Down:
    """A limiter whose store does not answer."""

    async def take(self, key: str, now: float) -> Decision:
        raise ConnectionError("Redis is down")


def test_a_limiter_that_cannot_answer_lets_requests_through() -> None:
    app = RateLimitMiddleware(
        Starlette(routes=[Route("/x", _ok)]),
        limiter=_Down(),
        verifier=trusting_no_one(),
        metrics=Metrics(),
    )
    response = TestClient(app).get("/x")
    assert response.status_code == 200
    assert "ratelimit-limit" not in response.headers
