"""Idempotency keys in PostgreSQL, shared by every gateway host and worker.

The claim is one ``INSERT ... ON CONFLICT DO NOTHING``: the primary key decides the race, so two
processes can never both run the handler for one key. Takeover of an expired lease is a
compare-and-set on ``locked_until``.
"""

from __future__ import annotations

import asyncio
import json
from datetime import datetime, timedelta

from psycopg import AsyncConnection, sql
from psycopg_pool import AsyncConnectionPool

from gateway.services.idempotency import (
    Claim,
    Claimed,
    InFlight,
    KeyScope,
    Mismatch,
    Replay,
    StoredResponse,
)

_SCHEMA_LOCK = 0x5741_5942  # advisory lock id: concurrent first starts create the table once


class PostgresIdempotencyStore:
    """An ``IdempotencyStore`` on PostgreSQL (psycopg 3, async pool opened on first use)."""

    def __init__(self, url: str, *, table: str = "waybill_idempotency_keys") -> None:
        self.url = url
        self.table = sql.Identifier(table)
        self._pool: AsyncConnectionPool[AsyncConnection] | None = None
        self._lock = asyncio.Lock()

    async def _pool_ready(self) -> AsyncConnectionPool[AsyncConnection]:
        if self._pool is not None:
            return self._pool
        async with self._lock:
            if self._pool is None:
                pool: AsyncConnectionPool[AsyncConnection] = AsyncConnectionPool(
                    self.url, min_size=1, max_size=10, open=False
                )
                await pool.open(wait=True, timeout=10)
                async with pool.connection() as conn, conn.transaction():
                    await conn.execute("SELECT pg_advisory_xact_lock(%s)", (_SCHEMA_LOCK,))
                    await conn.execute(
                        sql.SQL(
                            "CREATE TABLE IF NOT EXISTS {} ("
                            " client_id text NOT NULL, operation_id text NOT NULL,"
                            " idem_key text NOT NULL, fingerprint text NOT NULL,"
                            " state text NOT NULL CHECK (state IN ('in_flight', 'done')),"
                            " status integer, headers jsonb, body bytea,"
                            " created_at timestamptz NOT NULL, locked_until timestamptz NOT NULL,"
                            " PRIMARY KEY (client_id, operation_id, idem_key))"
                        ).format(self.table)
                    )
                self._pool = pool
        assert self._pool is not None
        return self._pool

    async def claim(
        self, scope: KeyScope, fingerprint: str, *, now: datetime, lease: timedelta
    ) -> Claim:
        """Atomically claim the key, or report why not.

        Leases are timed by the database's clock (``now()``), not by ``now``: gateway hosts
        sharing the table may disagree about the time, and a host running ahead must not take
        over a claim another host still holds. ``now`` is the protocol's, for single-host stores.
        """
        key = (scope.client_id, scope.operation_id, scope.key)
        pool = await self._pool_ready()
        async with pool.connection() as conn, conn.transaction():
            inserted = await conn.execute(
                sql.SQL(
                    "INSERT INTO {} (client_id, operation_id, idem_key, fingerprint, state,"
                    " created_at, locked_until) VALUES (%s, %s, %s, %s, 'in_flight', now(),"
                    " now() + %s) ON CONFLICT DO NOTHING RETURNING locked_until"
                ).format(self.table),
                (*key, fingerprint, lease),
            )
            claimed = await inserted.fetchone()
            if claimed is not None:
                return Claimed(claimed[0])
            cursor = await conn.execute(
                sql.SQL(
                    "SELECT fingerprint, state, status, headers, body, locked_until, now()"
                    " FROM {} WHERE client_id = %s AND operation_id = %s AND idem_key = %s"
                ).format(self.table),
                key,
            )
            row = await cursor.fetchone()
            if row is None:  # released between our insert and select: the caller may retry
                return InFlight(retry_after=1)
            stored_print, state, status, headers, body, locked_until, db_now = row
            if stored_print != fingerprint:
                return Mismatch()
            if state == "done":
                pairs = tuple((str(k), str(v)) for k, v in headers)
                return Replay(StoredResponse(int(status), pairs, bytes(body)))
            if locked_until > db_now:
                wait = (locked_until - db_now).total_seconds()
                return InFlight(retry_after=max(1, int(wait + 0.999)))
            taken = await conn.execute(
                sql.SQL(
                    "UPDATE {} SET locked_until = now() + %s WHERE client_id = %s"
                    " AND operation_id = %s AND idem_key = %s AND state = 'in_flight'"
                    " AND locked_until = %s RETURNING locked_until"
                ).format(self.table),
                (lease, *key, locked_until),
            )
            renewed = await taken.fetchone()
            return Claimed(renewed[0]) if renewed is not None else InFlight(retry_after=1)

    async def complete(
        self,
        scope: KeyScope,
        fingerprint: str,
        response: StoredResponse,
        *,
        lease_until: datetime | None = None,
    ) -> None:
        """Store the first result (of the claim ending at ``lease_until``, when given)."""
        pool = await self._pool_ready()
        async with pool.connection() as conn:
            await conn.execute(
                sql.SQL(
                    "UPDATE {} SET state = 'done', status = %s, headers = %s, body = %s"
                    " WHERE client_id = %s AND operation_id = %s AND idem_key = %s"
                    " AND fingerprint = %s AND state = 'in_flight'"
                    " AND (%s::timestamptz IS NULL OR locked_until = %s)"
                ).format(self.table),
                (
                    response.status,
                    json.dumps([list(pair) for pair in response.headers]),
                    response.body,
                    scope.client_id,
                    scope.operation_id,
                    scope.key,
                    fingerprint,
                    lease_until,
                    lease_until,
                ),
            )

    async def release(
        self, scope: KeyScope, fingerprint: str, *, lease_until: datetime | None = None
    ) -> None:
        """Drop an unfinished claim (the one ending at ``lease_until``, when given)."""
        pool = await self._pool_ready()
        async with pool.connection() as conn:
            await conn.execute(
                sql.SQL(
                    "DELETE FROM {} WHERE client_id = %s AND operation_id = %s AND idem_key = %s"
                    " AND fingerprint = %s AND state = 'in_flight'"
                    " AND (%s::timestamptz IS NULL OR locked_until = %s)"
                ).format(self.table),
                (
                    scope.client_id,
                    scope.operation_id,
                    scope.key,
                    fingerprint,
                    lease_until,
                    lease_until,
                ),
            )

    async def purge(self, older_than: datetime) -> int:
        """Delete keys created before ``older_than``."""
        pool = await self._pool_ready()
        async with pool.connection() as conn:
            # A claim whose lease still runs is in use however old the key: never purged.
            cursor = await conn.execute(
                sql.SQL(
                    "DELETE FROM {} WHERE created_at < %s AND (state = 'done' OR locked_until < %s)"
                ).format(self.table),
                (older_than, older_than),
            )
            return cursor.rowcount

    async def ping(self) -> None:
        """Readiness: the pool hands out a connection that answers."""
        pool = await self._pool_ready()
        async with pool.connection() as conn:
            await conn.execute("SELECT 1")

    async def close(self) -> None:
        """Close the pool (tests and graceful shutdown)."""
        if self._pool is not None:
            await self._pool.close()
            self._pool = None
