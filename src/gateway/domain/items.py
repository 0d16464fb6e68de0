"""The ERP-owned item master: lifecycle, versions and units of measure."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, replace
from datetime import datetime
from enum import StrEnum
from fractions import Fraction

from gateway.domain.errors import BusinessRuleViolation, InvalidTransition, StaleVersion
from gateway.domain.quantities import Money
from gateway.domain.uom import ItemUnits, UomConversion


class ItemStatus(StrEnum):
    """Where an item is in its ERP lifecycle."""

    DRAFT = "DRAFT"
    ACTIVE = "ACTIVE"
    BLOCKED = "BLOCKED"
    DISCONTINUED = "DISCONTINUED"


class TrackingMode(StrEnum):
    """How the warehouse identifies individual stock of the item."""

    NONE = "NONE"
    LOT = "LOT"
    SERIAL = "SERIAL"


# DRAFT -> ACTIVE -> BLOCKED -> DISCONTINUED, and BLOCKED -> ACTIVE (the ERP owns every move).
ITEM_TRANSITIONS: Mapping[ItemStatus, frozenset[ItemStatus]] = {
    ItemStatus.DRAFT: frozenset({ItemStatus.ACTIVE}),
    ItemStatus.ACTIVE: frozenset({ItemStatus.BLOCKED}),
    ItemStatus.BLOCKED: frozenset({ItemStatus.ACTIVE, ItemStatus.DISCONTINUED}),
    ItemStatus.DISCONTINUED: frozenset(),
}


@dataclass(frozen=True)
class Item:
    """An item as the gateway holds it after an ERP sync."""

    item_id: str
    gtin: str
    description: str
    item_type: str
    base_uom: str
    tracking_mode: TrackingMode
    removal_strategy: str
    status: ItemStatus
    version: int
    updated_at: datetime
    base_rounding_increment: Fraction | None = None
    shelf_life_days: int | None = None
    inspect_on_receipt: bool = False
    abc_class: str | None = None
    standard_cost: Money | None = None
    uom_conversions: tuple[UomConversion, ...] = ()

    @property
    def units(self) -> ItemUnits:
        """The item's units of measure (validated on construction)."""
        return ItemUnits(self.base_uom, self.base_rounding_increment, self.uom_conversions)

    def same_master_data(self, other: Item) -> bool:
        """True when both carry the same ERP data (server timestamps aside)."""
        return replace(self, updated_at=other.updated_at) == other


def check_units(item: Item) -> Item:
    """Refuse an item whose conversions cross dimensions or repeat a unit."""
    _ = item.units
    return item


def sync(existing: Item | None, incoming: Item) -> Item:
    """Accept an ERP delivery: versions grow, statuses move only along allowed transitions.

    Re-delivering the stored version with the same data is a no-op (the stored item is returned).
    """
    check_units(incoming)
    if existing is None:
        return incoming
    if incoming.version == existing.version and existing.same_master_data(incoming):
        return existing
    if incoming.version <= existing.version:
        raise StaleVersion(
            f"item {incoming.item_id} version {incoming.version} is not newer than the stored "
            f"version {existing.version}"
        )
    if incoming.status is not existing.status:
        _check_transition(existing, incoming.status)
    return incoming


def change_status(item: Item, status: ItemStatus, version: int, at: datetime) -> Item:
    """Move the item along its lifecycle; the change must carry a newer version."""
    if version <= item.version:
        raise StaleVersion(
            f"item {item.item_id} version {version} is not newer than the stored version "
            f"{item.version}"
        )
    _check_transition(item, status)
    return replace(item, status=status, version=version, updated_at=at)


def require_active(item: Item) -> None:
    """Warehouse tasks accept only ACTIVE items."""
    if item.status is not ItemStatus.ACTIVE:
        raise BusinessRuleViolation(
            f"item {item.item_id} is {item.status.value}; warehouse tasks need an ACTIVE item"
        )


def _check_transition(item: Item, target: ItemStatus) -> None:
    if target not in ITEM_TRANSITIONS[item.status]:
        raise InvalidTransition(
            f"item {item.item_id} cannot move from {item.status.value} to {target.value}"
        )
