"""The embedded reference ERP (SQLite): item master, valuation, thresholds, site-level stock.

It behaves like the ERP side of a real integration: it books goods movements into valuated
stock per storage location, item, lot and status, numbers its material documents, and posts a
given adjustment once however often it is asked.
"""

from __future__ import annotations

import json
import sqlite3
from datetime import datetime
from fractions import Fraction
from pathlib import Path
from typing import Self

from gateway.adapters.documents import item_from_doc, item_to_doc
from gateway.adapters.sqlite_database import SqliteDatabase
from gateway.domain.adjustments import Adjustment, ErpPosting
from gateway.domain.inventory import ErpBalance, ErpKey, StockStatus
from gateway.domain.items import Item
from gateway.domain.quantities import Money, decode_fraction

# Material documents of inventory differences are numbered from here (SAP's 49xxxxxxxx range).
_FIRST_DOCUMENT = 4_900_000_000

# Enum lookup by value goes through EnumType.__call__ (~1 us); a dict costs nothing.
_STATUSES = {status.value: status for status in StockStatus}

_BALANCE_COLUMNS = (
    "site_id, storage_location_id, item_id, lot_id, stock_status, quantity, uom, as_of"
)

SCHEMA = """
CREATE TABLE IF NOT EXISTS erp_items (item_id TEXT PRIMARY KEY, doc TEXT NOT NULL);
CREATE TABLE IF NOT EXISTS erp_sites (
    site_id   TEXT PRIMARY KEY,
    name      TEXT NOT NULL,
    threshold TEXT,
    currency  TEXT NOT NULL
);
CREATE TABLE IF NOT EXISTS erp_valuation (
    site_id  TEXT NOT NULL,
    item_id  TEXT NOT NULL,
    price    TEXT NOT NULL,
    currency TEXT NOT NULL,
    PRIMARY KEY (site_id, item_id)
);
CREATE TABLE IF NOT EXISTS erp_balances (
    site_id             TEXT NOT NULL,
    storage_location_id TEXT NOT NULL,
    item_id             TEXT NOT NULL,
    lot_id              TEXT NOT NULL DEFAULT '',
    stock_status        TEXT NOT NULL,
    quantity            TEXT NOT NULL,
    uom                 TEXT NOT NULL,
    as_of               TEXT NOT NULL,
    PRIMARY KEY (site_id, storage_location_id, item_id, lot_id, stock_status)
);
CREATE TABLE IF NOT EXISTS erp_documents (
    document_no   INTEGER PRIMARY KEY AUTOINCREMENT,
    adjustment_id TEXT NOT NULL UNIQUE,
    movement_type TEXT NOT NULL,
    posted_at     TEXT NOT NULL,
    lines         TEXT NOT NULL
)
"""


class ReferenceErp:
    """``ErpPort`` over its own SQLite file."""

    def __init__(self, db: SqliteDatabase) -> None:
        self.db = db

    @classmethod
    def in_dir(cls, data_dir: Path) -> Self:
        """The reference ERP in ``data_dir/reference-erp.sqlite``."""
        return cls(SqliteDatabase(data_dir / "reference-erp.sqlite", SCHEMA))

    # -- ErpPort --

    def get_item(self, item_id: str) -> Item | None:
        row = (
            self.db.connection()
            .execute("SELECT doc FROM erp_items WHERE item_id = ?", (item_id,))
            .fetchone()
        )
        return None if row is None else item_from_doc(json.loads(row[0]))

    def valuation_price(self, site_id: str, item_id: str) -> Money | None:
        row = (
            self.db.connection()
            .execute(
                "SELECT price, currency FROM erp_valuation WHERE site_id = ? AND item_id = ?",
                (site_id, item_id),
            )
            .fetchone()
        )
        return None if row is None else Money(decode_fraction(row[0]), row[1])

    def adjustment_threshold(self, site_id: str) -> Money | None:
        row = (
            self.db.connection()
            .execute("SELECT threshold, currency FROM erp_sites WHERE site_id = ?", (site_id,))
            .fetchone()
        )
        if row is None or row[0] is None:
            return None
        return Money(decode_fraction(row[0]), row[1])

    def site_balances(
        self, site_id: str, *, storage_location_id: str | None = None, item_id: str | None = None
    ) -> list[ErpBalance]:
        where, args = ["site_id = ?"], [site_id]
        if storage_location_id is not None:
            where.append("storage_location_id = ?")
            args.append(storage_location_id)
        if item_id is not None:
            where.append("item_id = ?")
            args.append(item_id)
        clause = " AND ".join(where)
        sql = (
            f"SELECT {_BALANCE_COLUMNS} FROM erp_balances WHERE {clause} "  # noqa: S608 - fixed
            "ORDER BY storage_location_id, item_id, lot_id, stock_status"
        )
        rows = self.db.connection().execute(sql, args).fetchall()
        return [
            ErpBalance(
                ErpKey(site, sloc, item, lot or None, _STATUSES.get(status) or StockStatus(status)),
                decode_fraction(quantity),
                uom,
                datetime.fromisoformat(as_of),
            )
            for site, sloc, item, lot, status, quantity, uom, as_of in rows
        ]

    def post_adjustment(self, adjustment: Adjustment) -> ErpPosting:
        new = adjustment.request
        at = adjustment.updated_at
        with self.db.transaction() as conn:
            done = conn.execute(
                "SELECT document_no, posted_at, movement_type FROM erp_documents "
                "WHERE adjustment_id = ?",
                (new.adjustment_id,),
            ).fetchone()
            if done is not None:
                return ErpPosting(str(done[0]), datetime.fromisoformat(done[1]), done[2])
            delta = new.base_quantity.value
            change = new.status_change
            if change is None:
                status = new.stock_status or StockStatus.AVAILABLE
                lines = [(status, delta)]
                movement = "701" if delta > 0 else "702"
            else:
                lines = [(change.from_status, -delta), (change.to_status, delta)]
                movement = "344" if change.to_status is not StockStatus.AVAILABLE else "343"
            for status, quantity in lines:
                key = ErpKey(new.site_id, new.storage_location_id, new.item_id, new.lot_id, status)
                _book(conn, key, quantity, new.base_quantity.uom, at)
            cursor = conn.execute(
                "INSERT INTO erp_documents (document_no, adjustment_id, movement_type, posted_at, "
                "lines) VALUES ((SELECT COALESCE(MAX(document_no) + 1, ?) FROM erp_documents), "
                "?, ?, ?, ?)",
                (
                    _FIRST_DOCUMENT,
                    new.adjustment_id,
                    movement,
                    at.isoformat(),
                    json.dumps([[s.value, str(q)] for s, q in lines]),
                ),
            )
            return ErpPosting(str(cursor.lastrowid), at, movement)

    # -- seeding (demo and tests) --

    def put_item(self, item: Item) -> None:
        """Create or replace an item in the ERP's master."""
        with self.db.transaction() as conn:
            conn.execute(
                "INSERT OR REPLACE INTO erp_items (item_id, doc) VALUES (?, ?)",
                (item.item_id, json.dumps(item_to_doc(item))),
            )

    def put_site(self, site_id: str, name: str, threshold: Money | None, currency: str) -> None:
        """Create or replace a site and its auto-approval threshold."""
        with self.db.transaction() as conn:
            conn.execute(
                "INSERT OR REPLACE INTO erp_sites (site_id, name, threshold, currency) "
                "VALUES (?, ?, ?, ?)",
                (site_id, name, None if threshold is None else str(threshold.amount), currency),
            )

    def put_valuation(self, site_id: str, item_id: str, price: Money) -> None:
        """Set the valuation price per base unit of an item in a site."""
        with self.db.transaction() as conn:
            conn.execute(
                "INSERT OR REPLACE INTO erp_valuation (site_id, item_id, price, currency) "
                "VALUES (?, ?, ?, ?)",
                (site_id, item_id, str(price.amount), price.currency),
            )

    def put_balance(self, balance: ErpBalance) -> None:
        """Set one valuated balance."""
        k = balance.key
        with self.db.transaction() as conn:
            conn.execute(
                "INSERT OR REPLACE INTO erp_balances (site_id, storage_location_id, item_id, "
                "lot_id, stock_status, quantity, uom, as_of) VALUES (?, ?, ?, ?, ?, ?, ?, ?)",
                (k.site_id, k.storage_location_id, k.item_id, k.lot_id or "",
                 k.stock_status.value, str(balance.quantity), balance.uom,
                 balance.as_of.isoformat()),
            )  # fmt: skip


def _book(
    conn: sqlite3.Connection, key: ErpKey, quantity: Fraction, uom: str, at: datetime
) -> None:
    row = conn.execute(
        "SELECT quantity FROM erp_balances WHERE site_id = ? AND storage_location_id = ? "
        "AND item_id = ? AND lot_id = ? AND stock_status = ?",
        _row_key(key),
    ).fetchone()
    # The reference ERP allows negative stock, as plants often do; reconciliation shows it.
    total = quantity + (decode_fraction(row[0]) if row else 0)
    conn.execute(
        "INSERT OR REPLACE INTO erp_balances (site_id, storage_location_id, item_id, lot_id, "
        "stock_status, quantity, uom, as_of) VALUES (?, ?, ?, ?, ?, ?, ?, ?)",
        (*_row_key(key), str(total), uom, at.isoformat()),
    )


def _row_key(key: ErpKey) -> tuple[str, str, str, str, str]:
    return (
        key.site_id,
        key.storage_location_id,
        key.item_id,
        key.lot_id or "",
        key.stock_status.value,
    )
