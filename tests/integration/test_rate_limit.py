"""Token buckets, in process and on a real Redis, and the 429 answer through the middleware."""

from __future__ import annotations

import uuid
from collections.abc import AsyncIterator

import pytest
import redis
from starlette.applications import Starlette
from starlette.responses import PlainTextResponse
from starlette.routing import Route
from starlette.testclient import TestClient

from gateway.adapters.redis_ratelimit import RedisRateLimiter
from gateway.metrics import Metrics
from gateway.middleware.ratelimit import RateLimitMiddleware
from gateway.services.ratelimit import InProcessRateLimiter, Quota, RateLimiter
from tests.conftest import service_missing
from tests.support.tokens import trusting_no_one

REDIS_URL = "redis://127.0.0.1:6379/15"
QUOTA = Quota(rate=2.0, burst=3)


@pytest.fixture(params=["memory", "redis"])
async def limiter(request: pytest.FixtureRequest) -> AsyncIterator[RateLimiter]:
    if request.param == "memory":
        yield InProcessRateLimiter(QUOTA)
        return
    try:
        redis.Redis.from_url(REDIS_URL, socket_connect_timeout=2).ping()
    except redis.exceptions.ConnectionError:
        service_missing("Redis on 127.0.0.1:6379")
    shared = RedisRateLimiter(REDIS_URL, QUOTA, prefix=f"test:{uuid.uuid4().hex}:")
    try:
        yield shared
    finally:
        await shared.close()


async def test_burst_then_refusal_with_retry_after(limiter: RateLimiter) -> None:
    decisions = [await limiter.take("client:a", 100.0) for _ in range(4)]
    assert [d.allowed for d in decisions] == [True, True, True, False]
    assert [d.remaining for d in decisions] == [2, 1, 0, 0]
    assert decisions[-1].retry_after >= 1
    assert all(d.limit == 3 for d in decisions)


async def test_buckets_are_per_client(limiter: RateLimiter) -> None:
    for _ in range(3):
        await limiter.take("client:a", 100.0)
    assert not (await limiter.take("client:a", 100.0)).allowed
    assert (await limiter.take("client:b", 100.0)).allowed


async def test_in_process_bucket_refills_at_the_rate() -> None:
    limiter = InProcessRateLimiter(QUOTA)
    for _ in range(3):
        await limiter.take("k", 0.0)
    assert not (await limiter.take("k", 0.1)).allowed
    assert (await limiter.take("k", 0.6)).allowed  # 0.5 s at 2/s refills one token
    assert not (await limiter.take("k", 0.6)).allowed


def test_middleware_answers_429_problem_with_headers() -> None:
    async def ok(_request: object) -> PlainTextResponse:
        return PlainTextResponse("ok")

    metrics = Metrics()
    app = RateLimitMiddleware(
        Starlette(routes=[Route("/x", ok), Route("/healthz", ok)]),
        limiter=InProcessRateLimiter(Quota(rate=0.01, burst=2)),
        verifier=trusting_no_one(),
        metrics=metrics,
        clock=lambda: 50.0,
    )
    client = TestClient(app)
    first, second, third = (client.get("/x") for _ in range(3))
    assert first.status_code == second.status_code == 200
    assert first.headers["ratelimit-limit"] == "2"
    assert first.headers["ratelimit-remaining"] == "1"
    assert third.status_code == 429
    assert third.headers["content-type"] == "application/problem+json"
    assert third.json()["type"].endswith("/rate-limited")
    assert int(third.headers["retry-after"]) >= 1
    assert client.get("/healthz").status_code == 200  # probes are never limited
    exposed = metrics.exposition()[0].decode()
    assert "waybill_rate_limited_total" in exposed
