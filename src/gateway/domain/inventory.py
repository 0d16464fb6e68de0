"""Inventory balances: keys, availability and the ERP/WMS reconciliation invariant."""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Iterable
from dataclasses import dataclass, replace
from datetime import datetime
from enum import StrEnum
from fractions import Fraction

from gateway.domain.errors import BusinessRuleViolation
from gateway.domain.quantities import Quantity
from gateway.domain.uom import ItemUnits


class StockStatus(StrEnum):
    """The usability of stock; only AVAILABLE stock can be promised."""

    AVAILABLE = "AVAILABLE"
    QUALITY_INSPECTION = "QUALITY_INSPECTION"
    BLOCKED = "BLOCKED"
    DAMAGED = "DAMAGED"
    RETURNS_BLOCKED = "RETURNS_BLOCKED"
    IN_TRANSIT = "IN_TRANSIT"


class LocationType(StrEnum):
    """What a WMS bin is for."""

    RECEIVING = "RECEIVING"
    STAGING = "STAGING"
    QUALITY = "QUALITY"
    STORAGE = "STORAGE"
    PICK_FACE = "PICK_FACE"
    PACK = "PACK"
    SHIP_DOCK = "SHIP_DOCK"
    TRANSIT = "TRANSIT"
    SCRAP = "SCRAP"


# Stock counts as put away (and so can be available) only in these bins.
PUTAWAY_DONE = frozenset({LocationType.STORAGE, LocationType.PICK_FACE})
_ZERO = Fraction(0)


@dataclass(frozen=True)
class Location:
    """A WMS bin and the ERP storage location it books into."""

    site_id: str
    location_id: str
    storage_location_id: str
    location_type: LocationType
    blocked: bool = False


@dataclass(frozen=True)
class ErpKey:
    """The key the ERP books stock under; WMS bins roll up to it."""

    site_id: str
    storage_location_id: str
    item_id: str
    lot_id: str | None
    stock_status: StockStatus

    def sort_key(self) -> tuple[str, str, str, str, str]:
        """Stable ordering for reports."""
        return (
            self.site_id,
            self.storage_location_id,
            self.item_id,
            self.lot_id or "",
            self.stock_status.value,
        )


@dataclass(frozen=True)
class BinBalance:
    """Stock of one item, lot and status in one WMS bin, in ``uom`` (the item's base unit)."""

    site_id: str
    storage_location_id: str
    location_id: str
    location_type: LocationType
    item_id: str
    lot_id: str | None
    stock_status: StockStatus
    on_hand: Fraction
    reserved: Fraction
    uom: str
    as_of: datetime
    sequence: int

    @property
    def putaway_done(self) -> bool:
        """True when the stock sits in a storage or pick bin."""
        return self.location_type in PUTAWAY_DONE

    @property
    def available(self) -> Fraction:
        """onHand - reserved for AVAILABLE, put-away stock; zero for anything else."""
        if self.stock_status is not StockStatus.AVAILABLE or not self.putaway_done:
            return _ZERO
        # Integer arithmetic: Fraction's operators cost microseconds and this runs per bin.
        on_hand, on_hand_den = self.on_hand.as_integer_ratio()
        reserved, reserved_den = self.reserved.as_integer_ratio()
        free = on_hand * reserved_den - reserved * on_hand_den
        return Fraction(free, on_hand_den * reserved_den) if free > 0 else _ZERO

    @property
    def erp_key(self) -> ErpKey:
        """The ERP key this bin's stock is booked under."""
        return ErpKey(
            self.site_id, self.storage_location_id, self.item_id, self.lot_id, self.stock_status
        )

    def in_unit(self, units: ItemUnits, uom: str) -> BinBalance:
        """The same balance expressed in another unit of the item (exact, or refused)."""
        if uom == self.uom:
            return self
        on_hand = units.convert(Quantity(self.on_hand, self.uom), uom).target.value
        reserved = units.convert(Quantity(self.reserved, self.uom), uom).target.value
        return replace(self, on_hand=on_hand, reserved=reserved, uom=uom)


@dataclass(frozen=True)
class ErpBalance:
    """Valuated stock the ERP books under one key, in the item's base unit."""

    key: ErpKey
    quantity: Fraction
    uom: str
    as_of: datetime

    def in_unit(self, units: ItemUnits, uom: str) -> ErpBalance:
        """The same balance expressed in another unit of the item (exact, or refused)."""
        if uom == self.uom:
            return self
        converted = units.convert(Quantity(self.quantity, self.uom), uom).target.value
        return replace(self, quantity=converted, uom=uom)


@dataclass(frozen=True)
class Availability:
    """What a site holds of one item and what of it can be promised."""

    site_id: str
    item_id: str
    uom: str
    on_hand: Fraction
    reserved: Fraction
    available: Fraction
    inbound_expected: Fraction
    by_status: tuple[tuple[StockStatus, Fraction], ...]
    as_of: datetime | None


def availability(
    site_id: str,
    item_id: str,
    uom: str,
    bins: Iterable[BinBalance],
    inbound_expected: Fraction,
) -> Availability:
    """Sum bins: onHand over every status; reserved and available over AVAILABLE stock only."""
    on_hand = reserved = available = Fraction(0)
    per_status: dict[StockStatus, Fraction] = defaultdict(Fraction)
    as_of: datetime | None = None
    for balance in bins:
        if balance.uom != uom:
            raise BusinessRuleViolation(f"bin {balance.location_id} is kept in {balance.uom}")
        on_hand += balance.on_hand
        per_status[balance.stock_status] += balance.on_hand
        if balance.stock_status is StockStatus.AVAILABLE:
            reserved += balance.reserved
        available += balance.available
        as_of = balance.as_of if as_of is None else max(as_of, balance.as_of)
    ordered = tuple((s, per_status[s]) for s in StockStatus if s in per_status)
    return Availability(
        site_id, item_id, uom, on_hand, reserved, available, inbound_expected, ordered, as_of
    )


@dataclass(frozen=True)
class ReconciliationLine:
    """One ERP key: the ERP's quantity against the sum of the WMS bins booked under it."""

    key: ErpKey
    uom: str
    erp_quantity: Fraction
    wms_quantity: Fraction

    @property
    def difference(self) -> Fraction:
        """WMS minus ERP."""
        return self.wms_quantity - self.erp_quantity

    @property
    def is_break(self) -> bool:
        """Any difference breaks the invariant; no tolerance is applied."""
        return self.difference != 0


def reconcile(
    erp_balances: Iterable[ErpBalance], bins: Iterable[BinBalance]
) -> list[ReconciliationLine]:
    """Compare every ERP key present on either side, ordered by key."""
    erp: dict[ErpKey, Fraction] = defaultdict(Fraction)
    wms: dict[ErpKey, Fraction] = defaultdict(Fraction)
    units: dict[ErpKey, str] = {}
    for erp_balance in erp_balances:
        erp[erp_balance.key] += erp_balance.quantity
        units[erp_balance.key] = erp_balance.uom
    for balance in bins:
        wms[balance.erp_key] += balance.on_hand
        previous = units.setdefault(balance.erp_key, balance.uom)
        if previous != balance.uom:
            raise BusinessRuleViolation(
                f"{balance.item_id} is kept in {previous} by one system and {balance.uom} by the "
                "other"
            )
    keys = sorted(set(erp) | set(wms), key=ErpKey.sort_key)
    return [
        ReconciliationLine(k, units[k], erp.get(k, Fraction(0)), wms.get(k, Fraction(0)))
        for k in keys
    ]
