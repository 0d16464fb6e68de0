"""Token buckets in Redis, shared by every gateway host and worker.

One Lua script refills and spends atomically on the server, on the server's clock (hosts'
monotonic clocks do not agree), so concurrent gateways never over-grant; buckets expire once
they would be full again.
"""

from __future__ import annotations

import math

from redis.asyncio import Redis

from gateway.services.ratelimit import Decision, Quota

_TAKE = """
local state = redis.call('HMGET', KEYS[1], 'tokens', 'last')
local rate, burst = tonumber(ARGV[1]), tonumber(ARGV[2])
local t = redis.call('TIME')
local now = tonumber(t[1]) + tonumber(t[2]) / 1000000
local tokens = tonumber(state[1]) or burst
local last = tonumber(state[2]) or now
tokens = math.min(burst, tokens + math.max(0, now - last) * rate)
local allowed = 0
if tokens >= 1 then
  tokens = tokens - 1
  allowed = 1
end
redis.call('HSET', KEYS[1], 'tokens', tostring(tokens), 'last', tostring(now))
redis.call('EXPIRE', KEYS[1], math.ceil((burst - tokens) / rate) + 1)
return {allowed, tostring(tokens)}
"""


class RedisRateLimiter:
    """A ``RateLimiter`` on Redis (``WAYBILL_REDIS_URL``)."""

    def __init__(self, url: str, quota: Quota, *, prefix: str = "waybill:ratelimit:") -> None:
        self.quota = quota
        self.prefix = prefix
        self._redis: Redis = Redis.from_url(url)
        self._script = self._redis.register_script(_TAKE)

    async def take(self, key: str, now: float) -> Decision:
        """Spend one token for ``key`` in Redis (``now`` is unused: Redis keeps the time)."""
        allowed, tokens_raw = await self._script(
            keys=[self.prefix + key], args=[self.quota.rate, self.quota.burst]
        )
        tokens = float(tokens_raw)
        reset = math.ceil((self.quota.burst - tokens) / self.quota.rate)
        if int(allowed):
            return Decision(True, self.quota.burst, int(tokens), reset, 0)
        wait = max(1, math.ceil((1.0 - tokens) / self.quota.rate))
        return Decision(False, self.quota.burst, 0, reset, wait)

    async def ping(self) -> None:
        """Readiness: Redis answers."""
        await self._redis.ping()

    async def close(self) -> None:
        """Close the connection pool."""
        await self._redis.aclose()
