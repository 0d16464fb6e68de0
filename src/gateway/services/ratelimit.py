"""Per-client token buckets: ``burst`` requests at once, refilled at ``rate`` per second."""

from __future__ import annotations

import math
from dataclasses import dataclass
from typing import Protocol


@dataclass(frozen=True)
class Quota:
    """A bucket's shape; the same for every client unless configured otherwise."""

    rate: float  # tokens added per second
    burst: int  # bucket capacity

    def __post_init__(self) -> None:
        if self.rate <= 0 or self.burst < 1:
            raise ValueError("a quota needs rate > 0 and burst >= 1")


@dataclass(frozen=True)
class Decision:
    """Whether a request may pass, and what the RateLimit-* headers should say."""

    allowed: bool
    limit: int
    remaining: int
    reset_seconds: int  # until the bucket is full again
    retry_after: int  # until one token is available (0 when allowed)


class RateLimiter(Protocol):
    """Takes one token from a client's bucket; in-process or shared (Redis)."""

    async def take(self, key: str, now: float) -> Decision:
        """Spend one token for ``key`` at time ``now`` (seconds), or refuse."""
        ...


def refill(tokens: float, last: float, now: float, quota: Quota) -> float:
    """Tokens in a bucket that held ``tokens`` at ``last``, seen at ``now``."""
    return min(float(quota.burst), tokens + max(0.0, now - last) * quota.rate)


def decide(tokens: float, quota: Quota) -> tuple[Decision, float]:
    """Spend a token from a bucket holding ``tokens`` (already refilled); returns what is left."""
    if tokens >= 1.0:
        left = tokens - 1.0
        reset = math.ceil((quota.burst - left) / quota.rate)
        return Decision(True, quota.burst, int(left), reset, 0), left
    wait = math.ceil((1.0 - tokens) / quota.rate)
    reset = math.ceil((quota.burst - tokens) / quota.rate)
    return Decision(False, quota.burst, 0, reset, max(1, wait)), tokens


class InProcessRateLimiter:
    """Buckets in this process's memory: exact per worker, so N workers allow N x the rate."""

    def __init__(self, quota: Quota, *, max_clients: int = 100_000) -> None:
        self.quota = quota
        self.max_clients = max_clients
        self._buckets: dict[str, tuple[float, float]] = {}

    async def take(self, key: str, now: float) -> Decision:
        """Spend one token (no await inside: atomic on the event loop)."""
        tokens, last = self._buckets.get(key, (float(self.quota.burst), now))
        decision, left = decide(refill(tokens, last, now, self.quota), self.quota)
        if key not in self._buckets and len(self._buckets) >= self.max_clients:
            self._evict(now)
        self._buckets[key] = (left, now)
        return decision

    def _evict(self, now: float) -> None:
        """Make room for a new key, so the table never outgrows ``max_clients``.

        Buckets that have refilled by now carry no state worth keeping. When too few have (a
        flood of fresh keys), the longest-known half goes: those clients may burst once more,
        which beats unbounded memory and a full scan on every new key.
        """
        full = [
            k
            for k, (t, last) in self._buckets.items()
            if refill(t, last, now, self.quota) >= self.quota.burst
        ]
        if len(full) < self.max_clients // 4:
            full = list(self._buckets)[: max(1, self.max_clients // 2)]
        for stale in full:
            del self._buckets[stale]
