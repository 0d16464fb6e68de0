"""Inventory use cases: one service behind every version of the inventory API.

Handlers of v1 and v2 call the same methods and only shape the answer differently. A site outside
the caller's sites is reported as not found, so other partners' sites are never confirmed.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from fractions import Fraction
from typing import TypeVar

from gateway.domain.access import Principal
from gateway.domain.errors import BusinessRuleViolation, NotFound
from gateway.domain.inventory import (
    Availability,
    BinBalance,
    ErpBalance,
    ReconciliationLine,
    StockStatus,
    availability,
    reconcile,
)
from gateway.domain.items import Item
from gateway.domain.quantities import Quantity
from gateway.ports import BalanceQuery, ErpPort, UnitOfWorkFactory, WmsPort
from gateway.services.paging import Page, decode_cursor, page_of
from gateway.services.unit_of_work import Clock, utc_now

_BALANCES = "balances"
_ERP_BALANCES = "erp-balances"


@dataclass(frozen=True)
class BalanceFilter:
    """What ``list_balances`` returns: one site, optionally narrowed."""

    site_id: str
    location_id: str | None = None
    item_id: str | None = None
    lot_id: str | None = None
    stock_status: StockStatus | None = None


@dataclass(frozen=True)
class Reconciliation:
    """Every ERP key of a site with the WMS sum beside it."""

    site_id: str
    lines: list[ReconciliationLine]
    as_of: datetime

    @property
    def break_count(self) -> int:
        return sum(1 for line in self.lines if line.is_break)


def require_site(principal: Principal, site_id: str) -> None:
    """Refuse, as not found, a site the caller may not touch."""
    if not principal.may_access_site(site_id):
        raise NotFound(f"site {site_id} not found")


class InventoryService:
    """Bin balances (WMS), storage-location balances (ERP), availability and reconciliation."""

    def __init__(
        self, uow: UnitOfWorkFactory, erp: ErpPort, wms: WmsPort, clock: Clock = utc_now
    ) -> None:
        self._uow = uow
        self._erp = erp
        self._wms = wms
        self._clock = clock

    def now(self) -> datetime:
        """The service's clock (answers with no stock yet still carry an ``asOf``)."""
        return self._clock()

    def list_balances(
        self,
        principal: Principal,
        query: BalanceFilter,
        *,
        uom: str | None = None,
        cursor: str | None = None,
        limit: int = 50,
    ) -> Page[BinBalance]:
        """Bin balances of one site in key order, optionally in another unit of each item."""
        require_site(principal, query.site_id)
        after = decode_cursor(_BALANCES, cursor, 4)
        rows = self._wms.bin_balances(
            BalanceQuery(
                site_id=query.site_id,
                location_id=query.location_id,
                item_id=query.item_id,
                lot_id=query.lot_id,
                stock_status=query.stock_status,
                after=None if after is None else (after[0], after[1], after[2], after[3]),
                limit=limit + 1,
            )
        )
        page = page_of(
            _BALANCES,
            rows,
            limit,
            lambda b: (b.location_id, b.item_id, b.lot_id or "", b.stock_status.value),
        )
        if uom is None:
            return page
        items = self._items({b.item_id for b in page.items})
        converted = [b.in_unit(items[b.item_id].units, uom) for b in page.items]
        return Page(converted, page.next_cursor)

    def availability(
        self, principal: Principal, site_id: str, item_id: str, *, uom: str | None = None
    ) -> Availability:
        """What the site holds of an item and what of it can be promised."""
        require_site(principal, site_id)
        item = self._items({item_id}, missing=NotFound)[item_id]
        bins = self._wms.bin_balances(BalanceQuery(site_id=site_id, item_id=item_id))
        bins = [b.in_unit(item.units, item.base_uom) for b in bins]
        inbound = self._wms.inbound_expected(site_id, item_id)
        result = availability(site_id, item_id, item.base_uom, bins, inbound)
        if uom is None or uom == item.base_uom:
            return result
        return _availability_in(result, item, uom)

    def erp_balances(
        self,
        principal: Principal,
        site_id: str,
        *,
        storage_location_id: str | None = None,
        item_id: str | None = None,
        cursor: str | None = None,
        limit: int = 50,
    ) -> Page[ErpBalance]:
        """Valuated ERP balances of one site in key order."""
        require_site(principal, site_id)
        after = decode_cursor(_ERP_BALANCES, cursor, 5)
        rows = self._erp.site_balances(
            site_id, storage_location_id=storage_location_id, item_id=item_id
        )
        if after is not None:
            rows = [r for r in rows if r.key.sort_key() > after]
        return page_of(_ERP_BALANCES, rows[: limit + 1], limit, lambda r: r.key.sort_key())

    def reconciliation(
        self,
        principal: Principal,
        site_id: str,
        *,
        item_id: str | None = None,
        breaks_only: bool = False,
    ) -> Reconciliation:
        """ERP balances against the sum of WMS bins, per ERP key."""
        require_site(principal, site_id)
        erp = self._erp.site_balances(site_id, item_id=item_id)
        bins = self._wms.bin_balances(BalanceQuery(site_id=site_id, item_id=item_id))
        # Both sides in each item's base unit, so a system that books in packs still compares.
        known = self._known_items({b.key.item_id for b in erp} | {b.item_id for b in bins})
        erp = [_base(b, known.get(b.key.item_id)) for b in erp]
        bins = [_base(b, known.get(b.item_id)) for b in bins]
        lines = reconcile(erp, bins)
        if breaks_only:
            lines = [line for line in lines if line.is_break]
        return Reconciliation(site_id, lines, self._clock())

    def _known_items(self, item_ids: set[str]) -> dict[str, Item]:
        with self._uow(read_only=True) as uow:
            found = {item_id: uow.items.get(item_id) for item_id in sorted(item_ids)}
        return {item_id: item for item_id, item in found.items() if item is not None}

    def _items(
        self, item_ids: set[str], missing: type[Exception] = BusinessRuleViolation
    ) -> dict[str, Item]:
        found: dict[str, Item] = {}
        with self._uow(read_only=True) as uow:
            for item_id in sorted(item_ids):
                item = uow.items.get(item_id)
                if item is None:
                    raise missing(f"item {item_id} is not in the item master")
                found[item_id] = item
        return found


def _availability_in(result: Availability, item: Item, uom: str) -> Availability:
    """The same availability in another unit of the item (exact, or refused)."""
    units = item.units

    def to(value: Fraction) -> Fraction:
        return units.convert(Quantity(value, result.uom), uom).target.value

    return Availability(
        result.site_id,
        result.item_id,
        uom,
        to(result.on_hand),
        to(result.reserved),
        to(result.available),
        to(result.inbound_expected),
        tuple((status, to(value)) for status, value in result.by_status),
        result.as_of,
    )


_Balance = TypeVar("_Balance", BinBalance, ErpBalance)


def _base(balance: _Balance, item: Item | None) -> _Balance:
    """A balance in its item's base unit; items the master does not know stay as they are."""
    if item is None:
        return balance
    return balance.in_unit(item.units, item.base_uom)
