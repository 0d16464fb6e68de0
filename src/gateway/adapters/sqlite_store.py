"""The gateway's own state in SQLite (WAL): items, adjustments, audit trail and the outbox.

Several gunicorn workers share one file: a unit of work that writes runs in ``BEGIN IMMEDIATE``
(one writer at a time, queued on the database's writer lock), a read-only one reads a WAL
snapshot and waits for nobody. Each thread of each process has its own connection. Schemas are
created on first use; nothing happens at import time.
"""

from __future__ import annotations

import fcntl
import json
import sqlite3
from collections.abc import Iterator, Sequence
from contextlib import AbstractContextManager, contextmanager
from datetime import datetime
from pathlib import Path
from types import TracebackType
from typing import Any, Self

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
from gateway.adapters.sqlite_database import SqliteDatabase
from gateway.domain.adjustments import Adjustment, AdjustmentStatus
from gateway.domain.errors import StaleVersion
from gateway.domain.events import EventEnvelope
from gateway.domain.items import Item, ItemStatus
from gateway.ports import AdjustmentFilter

SCHEMA = """
CREATE TABLE IF NOT EXISTS items (
    item_id    TEXT PRIMARY KEY,
    status     TEXT NOT NULL,
    version    INTEGER NOT NULL,
    updated_at TEXT NOT NULL,
    doc        TEXT NOT NULL
);
CREATE INDEX IF NOT EXISTS items_by_change ON items (updated_at DESC, item_id DESC);
CREATE TABLE IF NOT EXISTS adjustments (
    adjustment_id TEXT PRIMARY KEY,
    site_id       TEXT NOT NULL,
    item_id       TEXT NOT NULL,
    status        TEXT NOT NULL,
    reason_code   TEXT NOT NULL,
    version       INTEGER NOT NULL,
    created_at    TEXT NOT NULL,
    updated_at    TEXT NOT NULL,
    doc           TEXT NOT NULL
);
CREATE INDEX IF NOT EXISTS adjustments_by_site ON adjustments (site_id, adjustment_id DESC);
-- Postings to resume: APPROVED ones, oldest change first.
CREATE INDEX IF NOT EXISTS adjustments_by_status_change
    ON adjustments (status, updated_at, adjustment_id);
CREATE TABLE IF NOT EXISTS audit_trail (
    aggregate_type TEXT NOT NULL,
    aggregate_id   TEXT NOT NULL,
    seq            INTEGER NOT NULL,
    at             TEXT NOT NULL,
    actor          TEXT NOT NULL,
    action         TEXT NOT NULL,
    from_status    TEXT,
    to_status      TEXT,
    note           TEXT,
    PRIMARY KEY (aggregate_type, aggregate_id, seq)
);
CREATE TABLE IF NOT EXISTS outbox (
    event_id     TEXT PRIMARY KEY,
    aggregate_id TEXT NOT NULL,
    sequence     INTEGER NOT NULL,
    type         TEXT NOT NULL,
    payload      TEXT NOT NULL,
    created_at   TEXT NOT NULL,
    published_at TEXT,
    UNIQUE (aggregate_id, type, sequence)
);
CREATE INDEX IF NOT EXISTS outbox_unpublished ON outbox (published_at, created_at)
"""


def _text(doc: object) -> str:
    return jsonio.dumps(doc).decode()


class SqliteStore:
    """The gateway store; ``unit_of_work()`` opens one transaction over it."""

    def __init__(self, db: SqliteDatabase) -> None:
        self.db = db

    @classmethod
    def in_dir(cls, data_dir: Path) -> Self:
        """The store in ``data_dir/gateway.sqlite``."""
        return cls(SqliteDatabase(data_dir / "gateway.sqlite", SCHEMA))

    def unit_of_work(self, *, read_only: bool = False) -> SqliteUnitOfWork:
        """A new unit of work (enter it to begin the transaction)."""
        return SqliteUnitOfWork(self.db, read_only=read_only)

    def ping(self) -> None:
        """Raise when the store cannot be read."""
        self.db.ping()

    @contextmanager
    def exclusive(self, name: str) -> Iterator[bool]:
        """Whether the caller holds ``name`` for the block: one holder at a time, no waiting.

        An ``flock`` on a sidecar file, so worker processes on the file's host exclude each other.
        """
        path = self.db.path.with_name(f"{self.db.path.name}.{name}.lock")
        with path.open("a") as handle:
            try:
                fcntl.flock(handle.fileno(), fcntl.LOCK_EX | fcntl.LOCK_NB)
            except BlockingIOError:
                yield False
                return
            try:
                yield True
            finally:
                fcntl.flock(handle.fileno(), fcntl.LOCK_UN)

    def close(self) -> None:
        """Close the store's connections (shutdown)."""
        self.db.close()

    def unpublished_events(self, limit: int = 100) -> list[EventEnvelopeRow]:
        """Events not yet published, oldest first (for the relay and for tests)."""
        rows = (
            self.db.connection()
            .execute(
                "SELECT event_id, aggregate_id, sequence, type, payload, created_at FROM outbox "
                "WHERE published_at IS NULL ORDER BY created_at, rowid LIMIT ?",
                (limit,),
            )
            .fetchall()
        )
        return [EventEnvelopeRow(*row) for row in rows]


class SqliteUnitOfWork:
    """Repositories and outbox over one transaction (``BEGIN IMMEDIATE`` unless read-only)."""

    def __init__(self, db: SqliteDatabase, *, read_only: bool = False) -> None:
        self._db = db
        self._read_only = read_only
        self._transaction: AbstractContextManager[sqlite3.Connection] | None = None

    def __enter__(self) -> SqliteUnitOfWork:
        transaction = self._db.transaction(read_only=self._read_only)
        conn = transaction.__enter__()
        self._transaction = transaction
        self.items = SqliteItems(conn)
        self.adjustments = SqliteAdjustments(conn)
        self.outbox = SqliteOutbox(conn)
        return self

    def __exit__(
        self,
        exc_type: type[BaseException] | None,
        exc: BaseException | None,
        tb: TracebackType | None,
    ) -> None:
        transaction, self._transaction = self._transaction, None
        assert transaction is not None
        if exc_type is None:
            try:
                self.outbox.flush()
            except BaseException as error:
                transaction.__exit__(type(error), error, error.__traceback__)
                raise
        transaction.__exit__(exc_type, exc, tb)


class SqliteItems:
    """``ItemRepository`` over an open transaction."""

    def __init__(self, conn: sqlite3.Connection) -> None:
        self._conn = conn

    def get(self, item_id: str) -> Item | None:
        row = self._conn.execute("SELECT doc FROM items WHERE item_id = ?", (item_id,)).fetchone()
        return None if row is None else item_from_doc(json.loads(row[0]))

    def save(self, item: Item) -> None:
        self._conn.execute(
            "INSERT INTO items (item_id, status, version, updated_at, doc) VALUES (?, ?, ?, ?, ?) "
            "ON CONFLICT (item_id) DO UPDATE SET status = excluded.status, "
            "version = excluded.version, updated_at = excluded.updated_at, doc = excluded.doc",
            (
                item.item_id,
                item.status.value,
                item.version,
                utc_key(item.updated_at),
                _text(item_to_doc(item)),
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
        where, args = ["1 = 1"], []
        if status is not None:
            where.append("status = ?")
            args.append(status.value)
        if updated_since is not None:
            where.append("updated_at >= ?")
            args.append(utc_key(updated_since))
        if after is not None:
            where.append("(updated_at, item_id) < (?, ?)")
            args.extend(after)
        rows = self._conn.execute(
            f"SELECT doc FROM items WHERE {' AND '.join(where)} "  # noqa: S608 - fixed fragments
            "ORDER BY updated_at DESC, item_id DESC LIMIT ?",
            (*args, limit),
        ).fetchall()
        return [item_from_doc(json.loads(row[0])) for row in rows]


_AUDIT_COLUMNS = "at, actor, action, from_status, to_status, note"
_GET_ADJUSTMENT = (  # one statement: the document and its audit trail
    "SELECT a.doc, t.at, t.actor, t.action, t.from_status, t.to_status, t.note "
    "FROM adjustments a LEFT JOIN audit_trail t ON t.aggregate_type = 'adjustment' "
    "AND t.aggregate_id = a.adjustment_id WHERE a.adjustment_id = ? ORDER BY t.seq"
)


class SqliteAdjustments:
    """``AdjustmentRepository`` over an open transaction; audit entries live in ``audit_trail``.

    An adjustment's audit entries only ever grow together with its version, so the number stored
    at a version read in this transaction needs no recount when that version is saved.
    """

    def __init__(self, conn: sqlite3.Connection) -> None:
        self._conn = conn
        self._audit_lengths: dict[str, tuple[int, int]] = {}  # id -> (version, entries)

    def get(self, adjustment_id: str) -> Adjustment | None:
        rows = self._conn.execute(_GET_ADJUSTMENT, (adjustment_id,)).fetchall()
        if not rows:
            return None
        audit = audit_entries(row[1:] for row in rows if row[1] is not None)
        return self._seen(adjustment_from_doc(json.loads(rows[0][0]), audit))

    def add(self, adjustment: Adjustment) -> None:
        self._conn.execute(
            "INSERT INTO adjustments (adjustment_id, site_id, item_id, status, reason_code, "
            "version, created_at, updated_at, doc) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?)",
            (
                adjustment.adjustment_id,
                adjustment.site_id,
                adjustment.request.item_id,
                adjustment.status.value,
                adjustment.request.reason_code.value,
                adjustment.version,
                utc_key(adjustment.created_at),
                utc_key(adjustment.updated_at),
                _text(adjustment_to_doc(adjustment)),
            ),
        )
        self._append_audit(adjustment, 0)
        self._seen(adjustment)

    def save(self, adjustment: Adjustment, expected_version: int) -> None:
        updated = self._conn.execute(
            "UPDATE adjustments SET status = ?, version = ?, updated_at = ?, doc = ? "
            "WHERE adjustment_id = ? AND version = ?",
            (
                adjustment.status.value,
                adjustment.version,
                utc_key(adjustment.updated_at),
                _text(adjustment_to_doc(adjustment)),
                adjustment.adjustment_id,
                expected_version,
            ),
        )
        if updated.rowcount != 1:
            raise StaleVersion(f"adjustment {adjustment.adjustment_id} changed meanwhile")
        known = self._audit_lengths.get(adjustment.adjustment_id)
        if known is not None and known[0] == expected_version:
            stored = known[1]
        else:
            (stored,) = self._conn.execute(
                "SELECT COUNT(*) FROM audit_trail WHERE aggregate_type = 'adjustment' "
                "AND aggregate_id = ?",
                (adjustment.adjustment_id,),
            ).fetchone()
        self._append_audit(adjustment, int(stored))
        self._seen(adjustment)

    def unchanged_since(
        self,
        status: AdjustmentStatus,
        before: datetime,
        limit: int,
        after: tuple[datetime, str] | None = None,
    ) -> list[Adjustment]:
        since, since_id = (utc_key(after[0]), after[1]) if after else ("", "")
        rows = self._conn.execute(
            "SELECT adjustment_id, doc FROM adjustments WHERE status = ? AND updated_at < ? "
            "AND (updated_at, adjustment_id) > (?, ?) ORDER BY updated_at, adjustment_id LIMIT ?",
            (status.value, utc_key(before), since, since_id, limit),
        ).fetchall()
        return [
            self._seen(self._with_audit(json.loads(doc), adjustment_id))
            for adjustment_id, doc in rows
        ]

    def list(self, query: AdjustmentFilter) -> list[Adjustment]:
        sites = sorted(query.sites if query.site_id is None else query.sites & {query.site_id})
        if not sites:
            return []
        where = [f"site_id IN ({', '.join('?' for _ in sites)})"]
        args: list[str | int] = [*sites]
        for column, value in (
            ("status", query.status.value if query.status else None),
            ("reason_code", query.reason_code.value if query.reason_code else None),
            ("item_id", query.item_id),
        ):
            if value is not None:
                where.append(f"{column} = ?")
                args.append(value)
        if query.before_id is not None:
            where.append("adjustment_id < ?")
            args.append(query.before_id)
        rows = self._conn.execute(
            f"SELECT adjustment_id, doc FROM adjustments WHERE {' AND '.join(where)} "  # noqa: S608
            "ORDER BY adjustment_id DESC LIMIT ?",
            (*args, query.limit),
        ).fetchall()
        return [
            self._seen(self._with_audit(json.loads(doc), adjustment_id))
            for adjustment_id, doc in rows
        ]

    def _seen(self, adjustment: Adjustment) -> Adjustment:
        self._audit_lengths[adjustment.adjustment_id] = (adjustment.version, len(adjustment.audit))
        return adjustment

    def _append_audit(self, adjustment: Adjustment, stored: int) -> None:
        _insert(
            self._conn,
            "INSERT INTO audit_trail (aggregate_type, aggregate_id, seq, at, actor, action, "
            "from_status, to_status, note) VALUES ",
            [
                (
                    "adjustment",
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
            ],
        )

    def _with_audit(self, doc: dict[str, Any], adjustment_id: str) -> Adjustment:
        rows = self._conn.execute(
            f"SELECT {_AUDIT_COLUMNS} FROM audit_trail "  # noqa: S608 - fixed column list
            "WHERE aggregate_type = 'adjustment' AND aggregate_id = ? ORDER BY seq",
            (adjustment_id,),
        ).fetchall()
        return adjustment_from_doc(doc, audit_entries(rows))


class SqliteOutbox:
    """``Outbox`` over an open transaction: the unit's events go in as one insert before COMMIT."""

    def __init__(self, conn: sqlite3.Connection) -> None:
        self._conn = conn
        self._rows: list[tuple[str | int, ...]] = []

    def add(self, event: EventEnvelope) -> None:
        self._rows.append(
            (
                event.event_id,
                event.aggregate_id,
                event.sequence,
                event.event_type,
                _text(envelope(event)),
                utc_key(event.recorded_at),
            )
        )

    def flush(self) -> None:
        """Insert the events added so far (the unit of work calls it before committing)."""
        rows, self._rows = self._rows, []
        _insert(
            self._conn,
            "INSERT INTO outbox (event_id, aggregate_id, sequence, type, payload, created_at) "
            "VALUES ",
            rows,
        )


def _insert(conn: sqlite3.Connection, head: str, rows: Sequence[Sequence[object]]) -> None:
    """All rows in one multi-row INSERT: one step of SQLite (one GIL hand-off) however many."""
    if not rows:
        return
    group = f"({', '.join('?' * len(rows[0]))})"
    conn.execute(head + ", ".join([group] * len(rows)), [value for row in rows for value in row])
