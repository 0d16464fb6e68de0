"""Idempotency keys in SQLite: one row per key, claimed under SQLite's write lock.

``BEGIN IMMEDIATE`` takes the database write lock before reading, so two workers (processes)
racing on one key serialise: exactly one inserts the claim, the other sees it.
"""

from __future__ import annotations

import json
from datetime import datetime, timedelta
from pathlib import Path

from gateway.adapters.sqlite_database import SqliteDatabase
from gateway.services.blocking import BlockingPool
from gateway.services.idempotency import (
    Claim,
    Claimed,
    InFlight,
    KeyScope,
    Mismatch,
    Replay,
    StoredResponse,
)

_SCHEMA = """
CREATE TABLE IF NOT EXISTS idempotency_keys (
    client_id    TEXT NOT NULL,
    operation_id TEXT NOT NULL,
    idem_key     TEXT NOT NULL,
    fingerprint  TEXT NOT NULL,
    state        TEXT NOT NULL CHECK (state IN ('in_flight', 'done')),
    status       INTEGER,
    headers      TEXT,
    body         BLOB,
    created_at   REAL NOT NULL,
    locked_until REAL NOT NULL,
    PRIMARY KEY (client_id, operation_id, idem_key)
);
CREATE INDEX IF NOT EXISTS idempotency_keys_created ON idempotency_keys (created_at);
"""


def _held(lease_until: datetime | None) -> tuple[float | None, float | None]:
    """Parameters of ``(? IS NULL OR locked_until = ?)``: with a lease end, a row is only changed
    while it is still that claim (not taken over since)."""
    ts = None if lease_until is None else lease_until.timestamp()
    return ts, ts


class SqliteIdempotencyStore:
    """An ``IdempotencyStore`` on a SQLite file (WAL), safe across worker processes."""

    def __init__(self, path: Path, *, pool: BlockingPool | None = None) -> None:
        self.path = path
        self.db = SqliteDatabase(path, _SCHEMA)
        # Shared with the handlers' store calls when the app wires it (see services.blocking).
        self._pool = pool or BlockingPool(1, name="waybill-idempotency")

    def _claim(self, scope: KeyScope, fingerprint: str, now: datetime, lease: timedelta) -> Claim:
        ts, until = now.timestamp(), (now + lease).timestamp()
        key = (scope.client_id, scope.operation_id, scope.key)
        with self.db.transaction() as conn:
            # A new key (the usual case) is claimed by the insert alone; only a key seen before
            # is read back.
            inserted = conn.execute(
                "INSERT INTO idempotency_keys (client_id, operation_id, idem_key, fingerprint,"
                " state, created_at, locked_until) VALUES (?, ?, ?, ?, 'in_flight', ?, ?)"
                " ON CONFLICT (client_id, operation_id, idem_key) DO NOTHING",
                (*key, fingerprint, ts, until),
            )
            if inserted.rowcount == 1:
                return Claimed(now + lease)
            row = conn.execute(
                "SELECT fingerprint, state, status, headers, body, locked_until"
                " FROM idempotency_keys WHERE client_id = ? AND operation_id = ? AND idem_key = ?",
                key,
            ).fetchone()
            stored_print, state, status, headers, body, locked_until = row
            if stored_print != fingerprint:
                return Mismatch()
            if state == "done":
                pairs = tuple((str(k), str(v)) for k, v in json.loads(headers))
                return Replay(StoredResponse(int(status), pairs, bytes(body)))
            if locked_until > ts:
                return InFlight(retry_after=max(1, int(locked_until - ts + 0.999)))
            # The holder's lease ran out (crashed worker): take the key over.
            conn.execute(
                "UPDATE idempotency_keys SET locked_until = ?"
                " WHERE client_id = ? AND operation_id = ? AND idem_key = ?",
                (until, *key),
            )
            return Claimed(now + lease)

    def _complete(
        self,
        scope: KeyScope,
        fingerprint: str,
        response: StoredResponse,
        lease_until: datetime | None,
    ) -> None:
        with self.db.transaction() as conn:
            conn.execute(
                "UPDATE idempotency_keys SET state = 'done', status = ?, headers = ?, body = ?"
                " WHERE client_id = ? AND operation_id = ? AND idem_key = ? AND fingerprint = ?"
                " AND state = 'in_flight' AND (? IS NULL OR locked_until = ?)",
                (
                    response.status,
                    json.dumps([list(pair) for pair in response.headers]),
                    response.body,
                    scope.client_id,
                    scope.operation_id,
                    scope.key,
                    fingerprint,
                    *_held(lease_until),
                ),
            )

    def _release(self, scope: KeyScope, fingerprint: str, lease_until: datetime | None) -> None:
        with self.db.transaction() as conn:
            conn.execute(
                "DELETE FROM idempotency_keys WHERE client_id = ? AND operation_id = ?"
                " AND idem_key = ? AND fingerprint = ? AND state = 'in_flight'"
                " AND (? IS NULL OR locked_until = ?)",
                (scope.client_id, scope.operation_id, scope.key, fingerprint, *_held(lease_until)),
            )

    def _purge(self, older_than: datetime) -> int:
        with self.db.transaction() as conn:
            cutoff = older_than.timestamp()
            # A claim whose lease still runs is in use however old the key: never purged.
            cursor = conn.execute(
                "DELETE FROM idempotency_keys WHERE created_at < ?"
                " AND (state = 'done' OR locked_until < ?)",
                (cutoff, cutoff),
            )
            return cursor.rowcount

    async def claim(
        self, scope: KeyScope, fingerprint: str, *, now: datetime, lease: timedelta
    ) -> Claim:
        """Atomically claim the key, or report why not."""
        return await self._pool.run(self._claim, scope, fingerprint, now, lease)

    async def complete(
        self,
        scope: KeyScope,
        fingerprint: str,
        response: StoredResponse,
        *,
        lease_until: datetime | None = None,
    ) -> None:
        """Store the first result (of the claim ending at ``lease_until``, when given)."""
        await self._pool.run(self._complete, scope, fingerprint, response, lease_until)

    async def release(
        self, scope: KeyScope, fingerprint: str, *, lease_until: datetime | None = None
    ) -> None:
        """Drop an unfinished claim (the one ending at ``lease_until``, when given)."""
        await self._pool.run(self._release, scope, fingerprint, lease_until)

    async def purge(self, older_than: datetime) -> int:
        """Delete keys created before ``older_than``."""
        return await self._pool.run(self._purge, older_than)

    async def ping(self) -> None:
        """Readiness: the file opens and answers a query."""
        await self._pool.run(self._ping)

    def _ping(self) -> None:
        self.db.ping()

    async def close(self) -> None:
        """Close this process's connections (shutdown)."""
        self.db.close()
