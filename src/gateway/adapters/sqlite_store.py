"""The gateway's own state in SQLite (WAL): items, adjustments, audit trail and the outbox.

Several gunicorn workers share one file, so every write runs in ``BEGIN IMMEDIATE`` (one writer
at a time, waiting on the busy timeout instead of failing), and each thread of each process has
its own connection. Schemas are created on first use; nothing happens at import time.
"""

from __future__ import annotations

import json
import os
import sqlite3
import threading
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from datetime import datetime
from fractions import Fraction
from pathlib import Path
from types import TracebackType
from typing import Any, Self

from gateway.domain.adjustments import (
    Adjustment,
    AdjustmentStatus,
    AuditEntry,
    Decision,
    DecisionMode,
    ErpPosting,
    NewAdjustment,
    ReasonCode,
    StatusChange,
)
from gateway.domain.errors import StaleVersion
from gateway.domain.events import EventEnvelope
from gateway.domain.inventory import StockStatus
from gateway.domain.items import Item, ItemStatus, TrackingMode
from gateway.domain.quantities import Money, Quantity
from gateway.domain.uom import UomConversion
from gateway.ports import AdjustmentFilter

BUSY_TIMEOUT_S = 15.0


class SqliteDatabase:
    """One SQLite file: a connection per thread and process, schema created on first use."""

    def __init__(self, path: Path, schema: str) -> None:
        self.path = path
        self._schema = schema
        self._local = threading.local()
        self._ready = threading.Lock()
        self._created_in: int | None = None

    def connection(self) -> sqlite3.Connection:
        """This thread's connection (a forked worker never reuses its parent's)."""
        conn: sqlite3.Connection | None = getattr(self._local, "conn", None)
        if conn is not None and getattr(self._local, "pid", None) == os.getpid():
            return conn
        self.path.parent.mkdir(parents=True, exist_ok=True)
        conn = sqlite3.connect(
            self.path, timeout=BUSY_TIMEOUT_S, isolation_level=None, check_same_thread=False
        )
        conn.execute("PRAGMA journal_mode=WAL")
        conn.execute("PRAGMA synchronous=NORMAL")
        conn.execute("PRAGMA foreign_keys=ON")
        with self._ready:
            if self._created_in != os.getpid():
                conn.execute("BEGIN IMMEDIATE")
                try:
                    for statement in self._schema.split(";"):
                        if statement.strip():
                            conn.execute(statement)
                    conn.execute("COMMIT")
                except BaseException:
                    conn.execute("ROLLBACK")
                    raise
                self._created_in = os.getpid()
        self._local.conn, self._local.pid = conn, os.getpid()
        return conn

    @contextmanager
    def transaction(self) -> Iterator[sqlite3.Connection]:
        """A write transaction: ``BEGIN IMMEDIATE``, committed on success, rolled back on error."""
        conn = self.connection()
        conn.execute("BEGIN IMMEDIATE")
        try:
            yield conn
        except BaseException:
            conn.execute("ROLLBACK")
            raise
        conn.execute("COMMIT")

    def ping(self) -> None:
        """Raise when the file cannot be read."""
        self.connection().execute("SELECT 1").fetchone()


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


class SqliteStore:
    """The gateway store; ``unit_of_work()`` opens one transaction over it."""

    def __init__(self, db: SqliteDatabase) -> None:
        self.db = db

    @classmethod
    def in_dir(cls, data_dir: Path) -> Self:
        """The store in ``data_dir/gateway.sqlite``."""
        return cls(SqliteDatabase(data_dir / "gateway.sqlite", SCHEMA))

    def unit_of_work(self) -> SqliteUnitOfWork:
        """A new unit of work (enter it to begin the transaction)."""
        return SqliteUnitOfWork(self.db)

    def ping(self) -> None:
        """Raise when the store cannot be read."""
        self.db.ping()

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


@dataclass(frozen=True)
class EventEnvelopeRow:
    """One outbox row as stored."""

    event_id: str
    aggregate_id: str
    sequence: int
    type: str
    payload: str
    created_at: str


class SqliteUnitOfWork:
    """Repositories and outbox over one ``BEGIN IMMEDIATE`` transaction."""

    def __init__(self, db: SqliteDatabase) -> None:
        self._db = db
        self._conn: sqlite3.Connection | None = None

    def __enter__(self) -> SqliteUnitOfWork:
        conn = self._db.connection()
        conn.execute("BEGIN IMMEDIATE")
        self._conn = conn
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
        assert self._conn is not None
        self._conn.execute("ROLLBACK" if exc_type is not None else "COMMIT")
        self._conn = None


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
                _utc(item.updated_at),
                json.dumps(item_to_doc(item)),
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
            args.append(_utc(updated_since))
        if after is not None:
            where.append("(updated_at, item_id) < (?, ?)")
            args.extend(after)
        rows = self._conn.execute(
            f"SELECT doc FROM items WHERE {' AND '.join(where)} "  # noqa: S608 - fixed fragments
            "ORDER BY updated_at DESC, item_id DESC LIMIT ?",
            (*args, limit),
        ).fetchall()
        return [item_from_doc(json.loads(row[0])) for row in rows]


class SqliteAdjustments:
    """``AdjustmentRepository`` over an open transaction; audit entries live in ``audit_trail``."""

    def __init__(self, conn: sqlite3.Connection) -> None:
        self._conn = conn

    def get(self, adjustment_id: str) -> Adjustment | None:
        row = self._conn.execute(
            "SELECT doc FROM adjustments WHERE adjustment_id = ?", (adjustment_id,)
        ).fetchone()
        return None if row is None else self._with_audit(json.loads(row[0]), adjustment_id)

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
                _utc(adjustment.created_at),
                _utc(adjustment.updated_at),
                json.dumps(adjustment_to_doc(adjustment)),
            ),
        )
        self._append_audit(adjustment, 0)

    def save(self, adjustment: Adjustment, expected_version: int) -> None:
        updated = self._conn.execute(
            "UPDATE adjustments SET status = ?, version = ?, updated_at = ?, doc = ? "
            "WHERE adjustment_id = ? AND version = ?",
            (
                adjustment.status.value,
                adjustment.version,
                _utc(adjustment.updated_at),
                json.dumps(adjustment_to_doc(adjustment)),
                adjustment.adjustment_id,
                expected_version,
            ),
        )
        if updated.rowcount != 1:
            raise StaleVersion(f"adjustment {adjustment.adjustment_id} changed meanwhile")
        (stored,) = self._conn.execute(
            "SELECT COUNT(*) FROM audit_trail WHERE aggregate_type = 'adjustment' "
            "AND aggregate_id = ?",
            (adjustment.adjustment_id,),
        ).fetchone()
        self._append_audit(adjustment, int(stored))

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
        return [self._with_audit(json.loads(doc), adjustment_id) for adjustment_id, doc in rows]

    def _append_audit(self, adjustment: Adjustment, stored: int) -> None:
        self._conn.executemany(
            "INSERT INTO audit_trail (aggregate_type, aggregate_id, seq, at, actor, action, "
            "from_status, to_status, note) VALUES ('adjustment', ?, ?, ?, ?, ?, ?, ?, ?)",
            [
                (
                    adjustment.adjustment_id,
                    seq,
                    _utc(entry.at),
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
            "SELECT at, actor, action, from_status, to_status, note FROM audit_trail "
            "WHERE aggregate_type = 'adjustment' AND aggregate_id = ? ORDER BY seq",
            (adjustment_id,),
        ).fetchall()
        audit = tuple(
            AuditEntry(
                datetime.fromisoformat(at),
                actor,
                action,
                AdjustmentStatus(from_status) if from_status else None,
                AdjustmentStatus(to_status) if to_status else None,
                note,
            )
            for at, actor, action, from_status, to_status, note in rows
        )
        return adjustment_from_doc(doc, audit)


class SqliteOutbox:
    """``Outbox`` over an open transaction."""

    def __init__(self, conn: sqlite3.Connection) -> None:
        self._conn = conn

    def add(self, event: EventEnvelope) -> None:
        payload = {
            "eventId": event.event_id,
            "eventType": event.event_type,
            "schemaVersion": event.schema_version,
            "occurredAt": _utc(event.occurred_at),
            "recordedAt": _utc(event.recorded_at),
            "producer": event.producer,
            "correlationId": event.correlation_id,
            "causationId": event.causation_id,
            "aggregateId": event.aggregate_id,
            "sequence": event.sequence,
            "idempotencyKey": event.idempotency_key,
            "data": event.payload,
        }
        self._conn.execute(
            "INSERT INTO outbox (event_id, aggregate_id, sequence, type, payload, created_at) "
            "VALUES (?, ?, ?, ?, ?, ?)",
            (
                event.event_id,
                event.aggregate_id,
                event.sequence,
                event.event_type,
                json.dumps(payload),
                _utc(event.recorded_at),
            ),
        )


# -- codecs: domain objects <-> JSON documents (Fractions as exact "p/q" strings) --


def _utc(at: datetime) -> str:
    return at.isoformat()


def _frac(value: Fraction | None) -> str | None:
    return None if value is None else str(value)


def _unfrac(value: str | None) -> Fraction | None:
    return None if value is None else Fraction(value)


def _money(money: Money | None) -> dict[str, str] | None:
    return None if money is None else {"amount": str(money.amount), "currency": money.currency}


def _unmoney(doc: dict[str, str] | None) -> Money | None:
    return None if doc is None else Money(Fraction(doc["amount"]), doc["currency"])


def item_to_doc(item: Item) -> dict[str, Any]:
    """An item as a JSON document."""
    return {
        "itemId": item.item_id,
        "gtin": item.gtin,
        "description": item.description,
        "itemType": item.item_type,
        "baseUom": item.base_uom,
        "trackingMode": item.tracking_mode.value,
        "removalStrategy": item.removal_strategy,
        "status": item.status.value,
        "version": item.version,
        "updatedAt": _utc(item.updated_at),
        "baseRoundingIncrement": _frac(item.base_rounding_increment),
        "shelfLifeDays": item.shelf_life_days,
        "inspectOnReceipt": item.inspect_on_receipt,
        "abcClass": item.abc_class,
        "standardCost": _money(item.standard_cost),
        "uomConversions": [
            [c.alt_uom, c.numerator, c.denominator, _frac(c.rounding_increment)]
            for c in item.uom_conversions
        ],
    }


def item_from_doc(doc: dict[str, Any]) -> Item:
    """The item a JSON document describes."""
    return Item(
        item_id=doc["itemId"],
        gtin=doc["gtin"],
        description=doc["description"],
        item_type=doc["itemType"],
        base_uom=doc["baseUom"],
        tracking_mode=TrackingMode(doc["trackingMode"]),
        removal_strategy=doc["removalStrategy"],
        status=ItemStatus(doc["status"]),
        version=doc["version"],
        updated_at=datetime.fromisoformat(doc["updatedAt"]),
        base_rounding_increment=_unfrac(doc["baseRoundingIncrement"]),
        shelf_life_days=doc["shelfLifeDays"],
        inspect_on_receipt=doc["inspectOnReceipt"],
        abc_class=doc["abcClass"],
        standard_cost=_unmoney(doc["standardCost"]),
        uom_conversions=tuple(
            UomConversion(alt, num, den, _unfrac(inc))
            for alt, num, den, inc in doc["uomConversions"]
        ),
    )


def _decision(decision: Decision | None) -> dict[str, Any] | None:
    if decision is None:
        return None
    return {
        "mode": decision.mode.value,
        "decidedBy": decision.decided_by,
        "decidedAt": _utc(decision.decided_at),
        "note": decision.note,
        "threshold": _money(decision.threshold),
    }


def _undecision(doc: dict[str, Any] | None) -> Decision | None:
    if doc is None:
        return None
    return Decision(
        DecisionMode(doc["mode"]),
        doc["decidedBy"],
        datetime.fromisoformat(doc["decidedAt"]),
        doc["note"],
        _unmoney(doc["threshold"]),
    )


def adjustment_to_doc(adjustment: Adjustment) -> dict[str, Any]:
    """An adjustment (without its audit trail, which has its own table) as a JSON document."""
    new = adjustment.request
    change = new.status_change
    posting = adjustment.erp_posting
    return {
        "request": {
            "adjustmentId": new.adjustment_id,
            "siteId": new.site_id,
            "storageLocationId": new.storage_location_id,
            "locationId": new.location_id,
            "itemId": new.item_id,
            "lotId": new.lot_id,
            "quantity": [str(new.quantity.value), new.quantity.uom],
            "baseQuantity": [str(new.base_quantity.value), new.base_quantity.uom],
            "reasonCode": new.reason_code.value,
            "requestedByClient": new.requested_by_client,
            "stockStatus": new.stock_status.value if new.stock_status else None,
            "statusChange": [change.from_status.value, change.to_status.value] if change else None,
            "serialNumbers": list(new.serial_numbers),
            "note": new.note,
            "requestedBy": new.requested_by,
            "partnerReference": new.partner_reference,
            "reversalOf": new.reversal_of,
        },
        "status": adjustment.status.value,
        "version": adjustment.version,
        "createdAt": _utc(adjustment.created_at),
        "updatedAt": _utc(adjustment.updated_at),
        "valueDelta": _money(adjustment.value_delta),
        "approval": _decision(adjustment.approval),
        "rejection": _decision(adjustment.rejection),
        "erpPosting": None
        if posting is None
        else {
            "documentId": posting.document_id,
            "postedAt": _utc(posting.posted_at),
            "movementType": posting.movement_type,
        },
        "reversedBy": adjustment.reversed_by,
    }


def adjustment_from_doc(doc: dict[str, Any], audit: tuple[AuditEntry, ...]) -> Adjustment:
    """The adjustment a JSON document and its audit rows describe."""
    r = doc["request"]
    change = r["statusChange"]
    posting = doc["erpPosting"]
    new = NewAdjustment(
        adjustment_id=r["adjustmentId"],
        site_id=r["siteId"],
        storage_location_id=r["storageLocationId"],
        location_id=r["locationId"],
        item_id=r["itemId"],
        lot_id=r["lotId"],
        quantity=Quantity(Fraction(r["quantity"][0]), r["quantity"][1]),
        base_quantity=Quantity(Fraction(r["baseQuantity"][0]), r["baseQuantity"][1]),
        reason_code=ReasonCode(r["reasonCode"]),
        requested_by_client=r["requestedByClient"],
        stock_status=StockStatus(r["stockStatus"]) if r["stockStatus"] else None,
        status_change=StatusChange(StockStatus(change[0]), StockStatus(change[1]))
        if change
        else None,
        serial_numbers=tuple(r["serialNumbers"]),
        note=r["note"],
        requested_by=r["requestedBy"],
        partner_reference=r["partnerReference"],
        reversal_of=r["reversalOf"],
    )
    return Adjustment(
        request=new,
        status=AdjustmentStatus(doc["status"]),
        version=doc["version"],
        created_at=datetime.fromisoformat(doc["createdAt"]),
        updated_at=datetime.fromisoformat(doc["updatedAt"]),
        audit=audit,
        value_delta=_unmoney(doc["valueDelta"]),
        approval=_undecision(doc["approval"]),
        rejection=_undecision(doc["rejection"]),
        erp_posting=None
        if posting is None
        else ErpPosting(
            posting["documentId"],
            datetime.fromisoformat(posting["postedAt"]),
            posting.get("movementType"),
        ),
        reversed_by=doc["reversedBy"],
    )
