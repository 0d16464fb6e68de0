"""The gateway's own state in PostgreSQL: items, adjustments, audit trail and the outbox.

Several gateway hosts share one database. A unit of work is one transaction on a pooled
connection (psycopg 3, sync API: the ports are synchronous); the pool opens on first use.

SQLite runs every unit of work that writes under ``BEGIN IMMEDIATE``, so a read-modify-write of
one aggregate never interleaves with another. Here, reading an item or an adjustment first takes a
transaction-scoped advisory lock on it: work on the same aggregate is serialised across processes
the same way, work on different aggregates runs in parallel. ``save`` still compares versions
(``UPDATE ... WHERE version = %s``) for callers that read and write in separate units of work.
A read-only unit of work is a ``READ ONLY`` transaction that takes no advisory locks, like
SQLite's deferred read on a snapshot.

Lists must page exactly as on SQLite: keys and timestamps are the same ISO strings, compared with
the "C" collation (byte order, like SQLite's BINARY) whatever the database's default collation.
"""

from __future__ import annotations

import functools
import os
import threading
from collections.abc import Callable, Iterator, Sequence
from contextlib import contextmanager, suppress
from dataclasses import dataclass
from datetime import datetime
from types import TracebackType

import psycopg
from psycopg import sql
from psycopg.rows import TupleRow
from psycopg.types.json import Jsonb
from psycopg_pool import ConnectionPool

from gateway import jsonio
from gateway.adapters.documents import (
    EventEnvelopeRow,
    adjustment_from_doc,
    adjustment_to_doc,
    audit_entries,
    envelope,
    item_from_doc,
    item_to_doc,
    utc_key,
)
from gateway.domain.adjustments import Adjustment, AdjustmentStatus, AuditEntry
from gateway.domain.errors import StaleVersion
from gateway.domain.events import EventEnvelope
from gateway.domain.items import Item, ItemStatus
from gateway.ports import AdjustmentFilter

Connection = psycopg.Connection[TupleRow]
DEFAULT_SCHEMA = "waybill"
# Concurrent first starts of several gateways create the schema once, one after the other.
_DDL_LOCK = "waybill.gateway_store.ddl"

_DDL = """
CREATE TABLE IF NOT EXISTS {items} (
    item_id    text COLLATE "C" PRIMARY KEY,
    status     text NOT NULL,
    version    integer NOT NULL,
    updated_at text COLLATE "C" NOT NULL,
    doc        jsonb NOT NULL
);
CREATE INDEX IF NOT EXISTS items_by_change ON {items} (updated_at DESC, item_id DESC);
CREATE TABLE IF NOT EXISTS {adjustments} (
    adjustment_id text COLLATE "C" PRIMARY KEY,
    site_id       text COLLATE "C" NOT NULL,
    item_id       text COLLATE "C" NOT NULL,
    status        text NOT NULL,
    reason_code   text NOT NULL,
    version       integer NOT NULL,
    created_at    text COLLATE "C" NOT NULL,
    updated_at    text COLLATE "C" NOT NULL,
    doc           jsonb NOT NULL
);
CREATE INDEX IF NOT EXISTS adjustments_by_site ON {adjustments} (site_id, adjustment_id DESC);
CREATE INDEX IF NOT EXISTS adjustments_by_status_change
    ON {adjustments} (status, updated_at, adjustment_id);
CREATE TABLE IF NOT EXISTS {audit_trail} (
    aggregate_type text NOT NULL,
    aggregate_id   text NOT NULL,
    seq            integer NOT NULL,
    at             text NOT NULL,
    actor          text NOT NULL,
    action         text NOT NULL,
    from_status    text,
    to_status      text,
    note           text,
    PRIMARY KEY (aggregate_type, aggregate_id, seq)
);
CREATE TABLE IF NOT EXISTS {outbox} (
    position     bigint GENERATED ALWAYS AS IDENTITY UNIQUE,
    event_id     text PRIMARY KEY,
    aggregate_id text NOT NULL,
    sequence     integer NOT NULL,
    type         text NOT NULL,
    payload      text NOT NULL,
    created_at   text COLLATE "C" NOT NULL,
    published_at text,
    UNIQUE (aggregate_id, type, sequence)
);
CREATE INDEX IF NOT EXISTS outbox_unpublished ON {outbox} (created_at, position)
    WHERE published_at IS NULL
"""


@functools.lru_cache(maxsize=512)
def _qualified(schema: str, text: str) -> sql.Composed:
    """Composed once per schema and statement, not on every call."""
    names = ("items", "adjustments", "audit_trail", "outbox")
    return sql.SQL(text).format(**{name: sql.Identifier(schema, name) for name in names})


# Connections per process; the app gives its store threads as many (gateway.app).
POOL_SIZE = 10


@dataclass(frozen=True)
class _Tables:
    """The store's table names, qualified by its schema."""

    schema: str

    def sql(self, text: str) -> sql.Composed:
        """``text`` with ``{items}``, ``{adjustments}``, ... replaced by qualified names."""
        return _qualified(self.schema, text)

    def lock_key(self, kind: str, key: str) -> str:
        """The advisory lock name of one aggregate (per schema, so test schemas never meet)."""
        return f"{self.schema}:{kind}:{key}"


class PostgresStore:
    """The gateway store in one PostgreSQL schema; ``unit_of_work()`` opens one transaction."""

    def __init__(
        self,
        url: str,
        *,
        schema: str = DEFAULT_SCHEMA,
        max_size: int = POOL_SIZE,
        connect_timeout: float = 10.0,
    ) -> None:
        self.url = url
        self.schema = schema
        self._tables = _Tables(schema)
        self._max_size = max_size
        self._connect_timeout = connect_timeout
        self._pool: ConnectionPool[Connection] | None = None
        self._pool_pid: int | None = None
        self._lock = threading.Lock()

    def pool(self) -> ConnectionPool[Connection]:
        """The connection pool, opened (and the schema created) on first use in this process."""
        with self._lock:
            # A forked worker opens its own pool; psycopg never closes a parent's connections.
            if self._pool is None or self._pool_pid != os.getpid():
                pool: ConnectionPool[Connection] = ConnectionPool(
                    self.url, min_size=1, max_size=self._max_size, open=False
                )
                try:
                    pool.open(wait=True, timeout=self._connect_timeout)
                    self._create_schema(pool)
                except BaseException:
                    pool.close()
                    raise
                self._pool, self._pool_pid = pool, os.getpid()
            return self._pool

    def _create_schema(self, pool: ConnectionPool[Connection]) -> None:
        with pool.connection() as conn, conn.transaction():
            conn.execute("SELECT pg_advisory_xact_lock(hashtextextended(%s, 0))", (_DDL_LOCK,))
            conn.execute(
                sql.SQL("CREATE SCHEMA IF NOT EXISTS {}").format(sql.Identifier(self.schema))
            )
            for statement in filter(str.strip, _DDL.split(";")):
                conn.execute(self._tables.sql(statement))

    def unit_of_work(self, *, read_only: bool = False) -> PostgresUnitOfWork:
        """A new unit of work (enter it to begin the transaction)."""
        return PostgresUnitOfWork(self.pool, self._tables, read_only=read_only)

    @contextmanager
    def exclusive(self, name: str) -> Iterator[bool]:
        """Whether the caller holds ``name`` for the block: one holder at a time, no waiting.

        A transaction-scoped advisory lock, so every process on every host sharing the schema
        excludes the others; it holds one pooled connection for the block.
        """
        with self.pool().connection() as conn, conn.transaction():
            row = conn.execute(
                "SELECT pg_try_advisory_xact_lock(hashtextextended(%s, 0))",
                (self._tables.lock_key("exclusive", name),),
            ).fetchone()
            yield bool(row and row[0])

    def unpublished_events(self, limit: int = 100) -> list[EventEnvelopeRow]:
        """Events not yet published, oldest first (for the relay and for tests)."""
        with self.pool().connection() as conn:
            rows = conn.execute(
                self._tables.sql(
                    "SELECT event_id, aggregate_id, sequence, type, payload, created_at "
                    "FROM {outbox} WHERE published_at IS NULL ORDER BY created_at, position "
                    "LIMIT %s"
                ),
                (limit,),
            ).fetchall()
        return [EventEnvelopeRow(*row) for row in rows]

    def ping(self) -> None:
        """Raise when the database does not answer."""
        with self.pool().connection() as conn:
            conn.execute("SELECT 1")

    def close(self) -> None:
        """Close the pool (it reopens on the next use)."""
        with self._lock:
            if self._pool is not None and self._pool_pid == os.getpid():
                self._pool.close()
            self._pool = None


class PostgresUnitOfWork:
    """Repositories and outbox over one transaction on one pooled connection."""

    def __init__(
        self,
        pool: Callable[[], ConnectionPool[Connection]],
        tables: _Tables,
        *,
        read_only: bool = False,
    ) -> None:
        self._open_pool = pool
        self._tables = tables
        self._read_only = read_only
        self._pool: ConnectionPool[Connection] | None = None
        self._conn: Connection | None = None

    def __enter__(self) -> PostgresUnitOfWork:
        self._pool = self._open_pool()
        assert self._pool is not None
        conn = self._pool.getconn()
        # psycopg opens the transaction with the first statement (autocommit is off), as
        # ``BEGIN READ ONLY`` for a read: no extra round trip.
        if self._read_only:
            conn.read_only = True
        self._conn = conn
        locking = not self._read_only
        self.items = PostgresItems(conn, self._tables, locking=locking)
        self.adjustments = PostgresAdjustments(conn, self._tables, locking=locking)
        self.outbox = PostgresOutbox(conn, self._tables)
        return self

    def __exit__(
        self,
        exc_type: type[BaseException] | None,
        exc: BaseException | None,
        tb: TracebackType | None,
    ) -> None:
        conn, pool = self._conn, self._pool
        assert conn is not None
        assert pool is not None
        self._conn = self._pool = None
        try:
            if exc_type is None:
                conn.commit()
            else:
                # On a broken connection the rollback fails too; the first error is the one to see.
                with suppress(psycopg.Error):
                    conn.rollback()
        finally:
            if self._read_only:
                # Back to the default before the pool lends it out (a broken one is discarded).
                with suppress(psycopg.Error):
                    conn.read_only = None
            pool.putconn(conn)


def _lock(conn: Connection, name: str) -> None:
    conn.execute("SELECT pg_advisory_xact_lock(hashtextextended(%s, 0))", (name,))


class PostgresItems:
    """``ItemRepository`` over an open transaction."""

    def __init__(self, conn: Connection, tables: _Tables, *, locking: bool = True) -> None:
        self._conn = conn
        self._tables = tables
        self._locking = locking

    def get(self, item_id: str) -> Item | None:
        """One item, or None; a writer holds the item's lock until it commits."""
        if self._locking:
            _lock(self._conn, self._tables.lock_key("item", item_id))
        row = self._conn.execute(
            self._tables.sql("SELECT doc FROM {items} WHERE item_id = %s"), (item_id,)
        ).fetchone()
        return None if row is None else item_from_doc(row[0])

    def save(self, item: Item) -> None:
        """Insert or replace an item."""
        self._conn.execute(
            self._tables.sql(
                "INSERT INTO {items} (item_id, status, version, updated_at, doc) "
                "VALUES (%s, %s, %s, %s, %s) ON CONFLICT (item_id) DO UPDATE SET "
                "status = excluded.status, version = excluded.version, "
                "updated_at = excluded.updated_at, doc = excluded.doc"
            ),
            (
                item.item_id,
                item.status.value,
                item.version,
                utc_key(item.updated_at),
                Jsonb(item_to_doc(item)),
            ),
        )

    def list(
        self,
        *,
        status: ItemStatus | None,
        updated_since: datetime | None,
        after: tuple[str, str] | None,
        limit: int,
    ) -> list[Item]:
        """Items, newest change first; ``after`` is the (updatedAt, itemId) of the last seen."""
        where: list[str] = ["TRUE"]
        args: list[object] = []
        if status is not None:
            where.append("status = %s")
            args.append(status.value)
        if updated_since is not None:
            where.append("updated_at >= %s")
            args.append(utc_key(updated_since))
        if after is not None:
            where.append("(updated_at, item_id) < (%s, %s)")
            args.extend(after)
        query = (  # fixed fragments only; every value is a parameter
            f"SELECT doc FROM {{items}} WHERE {' AND '.join(where)} "  # noqa: S608
            "ORDER BY updated_at DESC, item_id DESC LIMIT %s"
        )
        rows = self._conn.execute(
            self._tables.sql(query),
            (*args, limit),
        ).fetchall()
        return [item_from_doc(row[0]) for row in rows]


class PostgresAdjustments:
    """``AdjustmentRepository`` over an open transaction; audit entries live in ``audit_trail``.

    An adjustment's audit entries only ever grow together with its version, so the number stored
    at a version read in this transaction needs no recount when that version is saved.
    """

    def __init__(self, conn: Connection, tables: _Tables, *, locking: bool = True) -> None:
        self._conn = conn
        self._tables = tables
        self._locking = locking
        self._audit_lengths: dict[str, tuple[int, int]] = {}  # id -> (version, entries)

    def get(self, adjustment_id: str) -> Adjustment | None:
        """One adjustment with its audit trail; a writer holds its lock until it commits."""
        if self._locking:
            _lock(self._conn, self._tables.lock_key("adjustment", adjustment_id))
        row = self._conn.execute(
            self._tables.sql("SELECT doc FROM {adjustments} WHERE adjustment_id = %s"),
            (adjustment_id,),
        ).fetchone()
        if row is None:
            return None
        audit = self._audits([adjustment_id]).get(adjustment_id, ())
        return self._seen(adjustment_from_doc(row[0], audit))

    def add(self, adjustment: Adjustment) -> None:
        """Store a new adjustment and its audit trail so far."""
        self._conn.execute(
            self._tables.sql(
                "INSERT INTO {adjustments} (adjustment_id, site_id, item_id, status, reason_code, "
                "version, created_at, updated_at, doc) VALUES (%s, %s, %s, %s, %s, %s, %s, %s, %s)"
            ),
            (
                adjustment.adjustment_id,
                adjustment.site_id,
                adjustment.request.item_id,
                adjustment.status.value,
                adjustment.request.reason_code.value,
                adjustment.version,
                utc_key(adjustment.created_at),
                utc_key(adjustment.updated_at),
                Jsonb(adjustment_to_doc(adjustment)),
            ),
        )
        self._append_audit(adjustment, 0)
        self._seen(adjustment)

    def save(self, adjustment: Adjustment, expected_version: int) -> None:
        """Store a transition; raises StaleVersion when another writer got there first."""
        updated = self._conn.execute(
            self._tables.sql(
                "UPDATE {adjustments} SET status = %s, version = %s, updated_at = %s, doc = %s "
                "WHERE adjustment_id = %s AND version = %s"
            ),
            (
                adjustment.status.value,
                adjustment.version,
                utc_key(adjustment.updated_at),
                Jsonb(adjustment_to_doc(adjustment)),
                adjustment.adjustment_id,
                expected_version,
            ),
        )
        if updated.rowcount != 1:
            raise StaleVersion(f"adjustment {adjustment.adjustment_id} changed meanwhile")
        # The UPDATE holds the row lock: no other writer appends audit entries until we commit.
        known = self._audit_lengths.get(adjustment.adjustment_id)
        if known is not None and known[0] == expected_version:
            stored = known[1]
        else:
            row = self._conn.execute(
                self._tables.sql(
                    "SELECT COUNT(*) FROM {audit_trail} WHERE aggregate_type = 'adjustment' "
                    "AND aggregate_id = %s"
                ),
                (adjustment.adjustment_id,),
            ).fetchone()
            assert row is not None
            stored = int(row[0])
        self._append_audit(adjustment, stored)
        self._seen(adjustment)

    def unchanged_since(
        self,
        status: AdjustmentStatus,
        before: datetime,
        limit: int,
        after: tuple[datetime, str] | None = None,
    ) -> list[Adjustment]:
        """Adjustments of every site in ``status`` last changed before ``before``, oldest first."""
        since, since_id = (utc_key(after[0]), after[1]) if after else ("", "")
        rows = self._conn.execute(
            self._tables.sql(
                "SELECT adjustment_id, doc FROM {adjustments} WHERE status = %s "
                "AND updated_at < %s AND (updated_at, adjustment_id) > (%s, %s) "
                "ORDER BY updated_at, adjustment_id LIMIT %s"
            ),
            (status.value, utc_key(before), since, since_id, limit),
        ).fetchall()
        audits = self._audits([adjustment_id for adjustment_id, _ in rows])
        return [self._seen(adjustment_from_doc(doc, audits.get(aid, ()))) for aid, doc in rows]

    def list(self, query: AdjustmentFilter) -> list[Adjustment]:
        """Adjustments newest first (by id, which grows with time)."""
        sites = sorted(query.sites if query.site_id is None else query.sites & {query.site_id})
        if not sites:
            return []
        where: list[str] = ["site_id = ANY(%s)"]
        args: list[object] = [sites]
        for column, value in (
            ("status", query.status.value if query.status else None),
            ("reason_code", query.reason_code.value if query.reason_code else None),
            ("item_id", query.item_id),
        ):
            if value is not None:
                where.append(f"{column} = %s")
                args.append(value)
        if query.before_id is not None:
            where.append("adjustment_id < %s")
            args.append(query.before_id)
        statement = (  # fixed fragments only; every value is a parameter
            f"SELECT adjustment_id, doc FROM {{adjustments}} WHERE {' AND '.join(where)} "  # noqa: S608
            "ORDER BY adjustment_id DESC LIMIT %s"
        )
        rows = self._conn.execute(
            self._tables.sql(statement),
            (*args, query.limit),
        ).fetchall()
        audits = self._audits([adjustment_id for adjustment_id, _ in rows])
        return [self._seen(adjustment_from_doc(doc, audits.get(aid, ()))) for aid, doc in rows]

    def _seen(self, adjustment: Adjustment) -> Adjustment:
        self._audit_lengths[adjustment.adjustment_id] = (adjustment.version, len(adjustment.audit))
        return adjustment

    def _append_audit(self, adjustment: Adjustment, stored: int) -> None:
        rows = [
            (
                adjustment.adjustment_id,
                seq,
                utc_key(entry.at),
                entry.actor,
                entry.action,
                entry.from_status.value if entry.from_status else None,
                entry.to_status.value if entry.to_status else None,
                entry.note,
            )
            for seq, entry in enumerate(adjustment.audit)
            if seq >= stored
        ]
        if rows:
            with self._conn.cursor() as cursor:
                cursor.executemany(
                    self._tables.sql(
                        "INSERT INTO {audit_trail} (aggregate_type, aggregate_id, seq, at, actor, "
                        "action, from_status, to_status, note) "
                        "VALUES ('adjustment', %s, %s, %s, %s, %s, %s, %s, %s)"
                    ),
                    rows,
                )

    def _audits(self, adjustment_ids: Sequence[str]) -> dict[str, tuple[AuditEntry, ...]]:
        """The audit trails of several adjustments in one query, each in sequence order."""
        if not adjustment_ids:
            return {}
        rows = self._conn.execute(
            self._tables.sql(
                "SELECT aggregate_id, at, actor, action, from_status, to_status, note "
                "FROM {audit_trail} WHERE aggregate_type = 'adjustment' "
                "AND aggregate_id = ANY(%s) ORDER BY aggregate_id, seq"
            ),
            (adjustment_ids,),
        ).fetchall()
        trails: dict[str, list[tuple[str | None, ...]]] = {}
        for aggregate_id, *entry in rows:
            trails.setdefault(aggregate_id, []).append(tuple(entry))
        return {aggregate_id: audit_entries(entries) for aggregate_id, entries in trails.items()}


class PostgresOutbox:
    """``Outbox`` over an open transaction; the payload is stored as the text the relay sends."""

    def __init__(self, conn: Connection, tables: _Tables) -> None:
        self._conn = conn
        self._tables = tables

    def add(self, event: EventEnvelope) -> None:
        """Queue an event for publishing."""
        self._conn.execute(
            self._tables.sql(
                "INSERT INTO {outbox} (event_id, aggregate_id, sequence, type, payload, "
                "created_at) VALUES (%s, %s, %s, %s, %s, %s)"
            ),
            (
                event.event_id,
                event.aggregate_id,
                event.sequence,
                event.event_type,
                jsonio.dumps(envelope(event)).decode(),
                utc_key(event.recorded_at),
            ),
        )
