"""The embedded reference WMS (SQLite): bins, bin-level stock, expected receipts.

Every change to a site's stock takes the next number of that site's sequence and stamps the
balances it touched, so consumers can order balance snapshots. An adjustment is applied once,
however often it is sent.
"""

from __future__ import annotations

import sqlite3
from datetime import datetime
from fractions import Fraction
from pathlib import Path
from typing import Self

from gateway.adapters.sqlite_database import SqliteDatabase
from gateway.domain.adjustments import Adjustment
from gateway.domain.errors import BusinessRuleViolation
from gateway.domain.inventory import BinBalance, Location, LocationType, StockStatus
from gateway.domain.quantities import decode_fraction
from gateway.ports import BalanceQuery

SCHEMA = """
CREATE TABLE IF NOT EXISTS wms_locations (
    site_id             TEXT NOT NULL,
    location_id         TEXT NOT NULL,
    storage_location_id TEXT NOT NULL,
    location_type       TEXT NOT NULL,
    blocked             INTEGER NOT NULL DEFAULT 0,
    PRIMARY KEY (site_id, location_id)
);
CREATE TABLE IF NOT EXISTS wms_balances (
    site_id      TEXT NOT NULL,
    location_id  TEXT NOT NULL,
    item_id      TEXT NOT NULL,
    lot_id       TEXT NOT NULL DEFAULT '',
    stock_status TEXT NOT NULL,
    on_hand      TEXT NOT NULL,
    reserved     TEXT NOT NULL,
    uom          TEXT NOT NULL,
    as_of        TEXT NOT NULL,
    sequence     INTEGER NOT NULL,
    PRIMARY KEY (site_id, location_id, item_id, lot_id, stock_status),
    FOREIGN KEY (site_id, location_id) REFERENCES wms_locations (site_id, location_id)
);
CREATE TABLE IF NOT EXISTS wms_sequences (site_id TEXT PRIMARY KEY, value INTEGER NOT NULL);
CREATE TABLE IF NOT EXISTS wms_inbound (
    site_id  TEXT NOT NULL,
    item_id  TEXT NOT NULL,
    quantity TEXT NOT NULL,
    PRIMARY KEY (site_id, item_id)
);
CREATE TABLE IF NOT EXISTS wms_applied (adjustment_id TEXT PRIMARY KEY, applied_at TEXT NOT NULL)
"""

# Enum lookup by value goes through EnumType.__call__ (~1 us); rows are decoded by the hundred.
_STATUSES = {status.value: status for status in StockStatus}
_LOCATION_TYPES = {kind.value: kind for kind in LocationType}

_SELECT = (
    "SELECT l.storage_location_id, b.location_id, l.location_type, b.item_id, "
    "b.lot_id, b.stock_status, b.on_hand, b.reserved, b.uom, b.as_of, b.sequence "
    "FROM wms_balances b JOIN wms_locations l "
    "ON l.site_id = b.site_id AND l.location_id = b.location_id"
)


class ReferenceWms:
    """``WmsPort`` over its own SQLite file."""

    def __init__(self, db: SqliteDatabase) -> None:
        self.db = db

    @classmethod
    def in_dir(cls, data_dir: Path) -> Self:
        """The reference WMS in ``data_dir/reference-wms.sqlite``."""
        return cls(SqliteDatabase(data_dir / "reference-wms.sqlite", SCHEMA))

    # -- WmsPort --

    def get_location(self, site_id: str, location_id: str) -> Location | None:
        row = (
            self.db.connection()
            .execute(
                "SELECT storage_location_id, location_type, blocked FROM wms_locations "
                "WHERE site_id = ? AND location_id = ?",
                (site_id, location_id),
            )
            .fetchone()
        )
        if row is None:
            return None
        return Location(site_id, location_id, row[0], LocationType(row[1]), bool(row[2]))

    def bin_balances(self, query: BalanceQuery) -> list[BinBalance]:
        where, args = ["b.site_id = ?"], [query.site_id]
        for column, value in (
            ("b.location_id", query.location_id),
            ("b.item_id", query.item_id),
            ("b.lot_id", query.lot_id),
            ("b.stock_status", query.stock_status.value if query.stock_status else None),
        ):
            if value is not None:
                where.append(f"{column} = ?")
                args.append(value)
        if query.after is not None:
            where.append("(b.location_id, b.item_id, b.lot_id, b.stock_status) > (?, ?, ?, ?)")
            args.extend(query.after)
        clause = " AND ".join(where)
        sql = (
            f"{_SELECT} WHERE {clause} ORDER BY b.location_id, b.item_id, b.lot_id, b.stock_status"
        )
        if query.limit is not None:
            sql += f" LIMIT {int(query.limit)}"
        rows = self.db.connection().execute(sql, args).fetchall()
        return [
            BinBalance(
                site_id=query.site_id,
                storage_location_id=sloc,
                location_id=location,
                location_type=_LOCATION_TYPES.get(kind) or LocationType(kind),
                item_id=item,
                lot_id=lot or None,
                stock_status=_STATUSES.get(status) or StockStatus(status),
                on_hand=decode_fraction(on_hand),
                reserved=decode_fraction(reserved),
                uom=uom,
                as_of=datetime.fromisoformat(as_of),
                sequence=sequence,
            )
            for sloc, location, kind, item, lot, status, on_hand, reserved, uom, as_of, sequence in rows  # noqa: E501
        ]

    def inbound_expected(self, site_id: str, item_id: str) -> Fraction:
        row = (
            self.db.connection()
            .execute(
                "SELECT quantity FROM wms_inbound WHERE site_id = ? AND item_id = ?",
                (site_id, item_id),
            )
            .fetchone()
        )
        return Fraction(0) if row is None else decode_fraction(row[0])

    def apply_adjustment(self, adjustment: Adjustment, at: datetime) -> None:
        new = adjustment.request
        with self.db.transaction() as conn:
            if conn.execute(
                "SELECT 1 FROM wms_applied WHERE adjustment_id = ?", (new.adjustment_id,)
            ).fetchone():
                return
            sequence = _next_sequence(conn, new.site_id)
            delta, change = new.base_quantity.value, new.status_change
            if change is None:
                moves = [(new.stock_status or StockStatus.AVAILABLE, delta)]
            else:
                moves = [(change.from_status, -delta), (change.to_status, delta)]
            for status, quantity in moves:
                key = (new.site_id, new.location_id, new.item_id, new.lot_id or "", status.value)
                _move_stock(conn, key, quantity, new.base_quantity.uom, at=at, sequence=sequence)
            conn.execute(
                "INSERT INTO wms_applied (adjustment_id, applied_at) VALUES (?, ?)",
                (new.adjustment_id, at.isoformat()),
            )

    # -- seeding (demo and tests) --

    def put_location(self, location: Location) -> None:
        """Create or replace a bin."""
        with self.db.transaction() as conn:
            conn.execute(
                "INSERT OR REPLACE INTO wms_locations (site_id, location_id, storage_location_id, "
                "location_type, blocked) VALUES (?, ?, ?, ?, ?)",
                (
                    location.site_id,
                    location.location_id,
                    location.storage_location_id,
                    location.location_type.value,
                    int(location.blocked),
                ),
            )

    def put_balance(self, balance: BinBalance) -> None:
        """Set one bin balance (stamped with the site's next sequence number)."""
        with self.db.transaction() as conn:
            sequence = _next_sequence(conn, balance.site_id)
            conn.execute(
                "INSERT OR REPLACE INTO wms_balances (site_id, location_id, item_id, lot_id, "
                "stock_status, on_hand, reserved, uom, as_of, sequence) "
                "VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?)",
                (
                    balance.site_id,
                    balance.location_id,
                    balance.item_id,
                    balance.lot_id or "",
                    balance.stock_status.value,
                    str(balance.on_hand),
                    str(balance.reserved),
                    balance.uom,
                    balance.as_of.isoformat(),
                    sequence,
                ),
            )

    def put_inbound(self, site_id: str, item_id: str, quantity: Fraction) -> None:
        """Set the quantity of an item announced to a site (base unit)."""
        with self.db.transaction() as conn:
            conn.execute(
                "INSERT OR REPLACE INTO wms_inbound (site_id, item_id, quantity) VALUES (?, ?, ?)",
                (site_id, item_id, str(quantity)),
            )


def _next_sequence(conn: sqlite3.Connection, site_id: str) -> int:
    conn.execute(
        "INSERT INTO wms_sequences (site_id, value) VALUES (?, 1) "
        "ON CONFLICT (site_id) DO UPDATE SET value = value + 1",
        (site_id,),
    )
    (value,) = conn.execute(
        "SELECT value FROM wms_sequences WHERE site_id = ?", (site_id,)
    ).fetchone()
    return int(value)


def _move_stock(
    conn: sqlite3.Connection,
    key: tuple[str, str, str, str, str],
    quantity: Fraction,
    uom: str,
    *,
    at: datetime,
    sequence: int,
) -> None:
    row = conn.execute(
        "SELECT on_hand, reserved FROM wms_balances WHERE site_id = ? AND location_id = ? "
        "AND item_id = ? AND lot_id = ? AND stock_status = ?",
        key,
    ).fetchone()
    on_hand = quantity + (decode_fraction(row[0]) if row else 0)
    reserved = decode_fraction(row[1]) if row else Fraction(0)
    if on_hand < 0:
        raise BusinessRuleViolation(
            f"bin {key[1]} holds too little {key[2]} in {key[4]} to take {-quantity} {uom}"
        )
    if on_hand == 0 and reserved == 0:
        conn.execute(
            "DELETE FROM wms_balances WHERE site_id = ? AND location_id = ? AND item_id = ? "
            "AND lot_id = ? AND stock_status = ?",
            key,
        )
        return
    conn.execute(
        "INSERT OR REPLACE INTO wms_balances (site_id, location_id, item_id, lot_id, stock_status, "
        "on_hand, reserved, uom, as_of, sequence) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?)",
        (*key, str(on_hand), str(reserved), uom, at.isoformat(), sequence),
    )
