"""Item use cases: sync from the ERP, read, move through the lifecycle, convert units."""

from __future__ import annotations

from dataclasses import dataclass, replace
from datetime import datetime

from gateway.domain import items as domain
from gateway.domain.errors import NotFound
from gateway.domain.events import EventMeta, ItemSynced
from gateway.domain.items import Item, ItemStatus
from gateway.domain.quantities import Quantity, parse_decimal
from gateway.domain.uom import ConversionResult, EffectiveConversion
from gateway.ports import ErpPort, UnitOfWork, UnitOfWorkFactory
from gateway.services.paging import Page, decode_cursor, page_of
from gateway.services.unit_of_work import Clock, record_events, utc_now

_CURSOR = "items"


@dataclass(frozen=True)
class SyncResult:
    """The stored item and whether this sync created it."""

    item: Item
    created: bool


class ItemService:
    """The item master as the gateway holds it; every change writes ``item.synced``."""

    def __init__(self, uow: UnitOfWorkFactory, erp: ErpPort, clock: Clock = utc_now) -> None:
        self._uow = uow
        self._erp = erp
        self._clock = clock

    def sync(self, item: Item, meta: EventMeta) -> SyncResult:
        """Create or replace an item from an ERP delivery (stale versions are refused)."""
        with self._uow() as uow:
            existing = uow.items.get(item.item_id)
            accepted = domain.sync(existing, replace(item, updated_at=self._clock()))
            if accepted is not existing:
                self._store(uow, accepted, meta)
        return SyncResult(accepted, existing is None)

    def import_from_erp(self, item_id: str, meta: EventMeta) -> SyncResult:
        """Pull one item from the ERP's master and sync it."""
        item = self._erp.get_item(item_id)
        if item is None:
            raise NotFound(f"item {item_id} is not in the ERP's master")
        return self.sync(item, meta)

    def get(self, item_id: str) -> Item:
        """One item."""
        with self._uow(read_only=True) as uow:
            item = uow.items.get(item_id)
        if item is None:
            raise NotFound(f"item {item_id} not found")
        return item

    def list_items(
        self,
        *,
        status: ItemStatus | None,
        updated_since: datetime | None,
        cursor: str | None,
        limit: int,
    ) -> Page[Item]:
        """Items, newest change first."""
        after = decode_cursor(_CURSOR, cursor, 2)
        with self._uow(read_only=True) as uow:
            rows = uow.items.list(
                status=status,
                updated_since=updated_since,
                after=None if after is None else (after[0], after[1]),
                limit=limit + 1,
            )
        return page_of(_CURSOR, rows, limit, lambda i: (i.updated_at.isoformat(), i.item_id))

    def change_status(
        self, item_id: str, status: ItemStatus, version: int, meta: EventMeta
    ) -> Item:
        """Move an item along DRAFT -> ACTIVE -> BLOCKED -> DISCONTINUED (BLOCKED -> ACTIVE)."""
        with self._uow() as uow:
            item = uow.items.get(item_id)
            if item is None:
                raise NotFound(f"item {item_id} not found")
            changed = domain.change_status(item, status, version, self._clock())
            self._store(uow, changed, meta)
        return changed

    def conversions(self, item_id: str) -> tuple[Item, list[EffectiveConversion]]:
        """The units an item can be expressed in: its own conversions, then global ones."""
        item = self.get(item_id)
        return item, item.units.effective()

    def convert(self, item_id: str, value: str, from_uom: str, to_uom: str) -> ConversionResult:
        """Convert a quantity of the item exactly, or refuse."""
        item = self.get(item_id)
        return item.units.convert(Quantity(parse_decimal(value), from_uom), to_uom)

    def _store(self, uow: UnitOfWork, item: Item, meta: EventMeta) -> None:
        uow.items.save(item)
        event = ItemSynced(
            item.item_id,
            item.version,
            item.updated_at,
            item_id=item.item_id,
            gtin=item.gtin,
            description=item.description,
            item_type=item.item_type,
            base_uom=item.base_uom,
            tracking_mode=item.tracking_mode.value,
            shelf_life_days=item.shelf_life_days,
            removal_strategy=item.removal_strategy,
            inspect_on_receipt=item.inspect_on_receipt,
            abc_class=item.abc_class,
            uom_conversions=item.uom_conversions,
            status=item.status.value,
            version=item.version,
            changed_at=item.updated_at,
        )
        record_events(uow, [event], meta, self._clock)
