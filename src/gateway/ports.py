"""The ports the application services need: ERP, WMS, and a unit of work over the gateway store.

Adapters implement them: ``reference_erp`` / ``reference_wms`` (embedded SQLite) and
``sqlite_store`` today; real ERP/WMS clients and PostgreSQL later, with the same protocols.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from fractions import Fraction
from types import TracebackType
from typing import Protocol

from gateway.domain.adjustments import Adjustment, AdjustmentStatus, ErpPosting, ReasonCode
from gateway.domain.events import EventEnvelope
from gateway.domain.inventory import BinBalance, ErpBalance, Location, StockStatus
from gateway.domain.items import Item, ItemStatus
from gateway.domain.quantities import Money


@dataclass(frozen=True)
class BalanceQuery:
    """Which WMS bin balances to read, in key order, after ``after`` (exclusive)."""

    site_id: str
    location_id: str | None = None
    item_id: str | None = None
    lot_id: str | None = None
    stock_status: StockStatus | None = None
    after: tuple[str, str, str, str] | None = None  # (location, item, lot or "", status)
    limit: int | None = None


class ErpPort(Protocol):
    """The ERP: item master, valuation, approval thresholds, site-level stock and postings."""

    def get_item(self, item_id: str) -> Item | None:
        """The ERP's item master record."""
        ...

    def valuation_price(self, site_id: str, item_id: str) -> Money | None:
        """Price per base unit the ERP values the item at in this site."""
        ...

    def adjustment_threshold(self, site_id: str) -> Money | None:
        """The largest absolute value the site lets the rules approve on their own."""
        ...

    def site_balances(
        self, site_id: str, *, storage_location_id: str | None = None, item_id: str | None = None
    ) -> list[ErpBalance]:
        """Valuated stock per storage location, item, lot and status, in key order."""
        ...

    def post_adjustment(self, adjustment: Adjustment) -> ErpPosting:
        """Book the goods movement; posting the same adjustment twice returns the first document."""
        ...


class WmsPort(Protocol):
    """The WMS: bins, bin-level stock, expected receipts, and applying adjustments."""

    def get_location(self, site_id: str, location_id: str) -> Location | None:
        """A bin of a site."""
        ...

    def bin_balances(self, query: BalanceQuery) -> list[BinBalance]:
        """Bin balances matching the query, ordered by location, item, lot and status."""
        ...

    def inbound_expected(self, site_id: str, item_id: str) -> Fraction:
        """Announced but not yet received quantity, in the item's base unit."""
        ...

    def apply_adjustment(self, adjustment: Adjustment, at: datetime) -> None:
        """Change the bin's stock; applying the same adjustment twice changes it once."""
        ...


class ItemRepository(Protocol):
    """Items as synced from the ERP."""

    def get(self, item_id: str) -> Item | None:
        """One item, or None."""
        ...

    def save(self, item: Item) -> None:
        """Insert or replace an item."""
        ...

    def list(
        self,
        *,
        status: ItemStatus | None,
        updated_since: datetime | None,
        after: tuple[str, str] | None,
        limit: int,
    ) -> list[Item]:
        """Items, newest change first; ``after`` is the (updatedAt, itemId) of the last seen."""
        ...


@dataclass(frozen=True)
class AdjustmentFilter:
    """Which adjustments to list; ``sites`` is the caller's site set."""

    sites: frozenset[str]
    site_id: str | None = None
    status: AdjustmentStatus | None = None
    reason_code: ReasonCode | None = None
    item_id: str | None = None
    before_id: str | None = None
    limit: int = 50


class AdjustmentRepository(Protocol):
    """Adjustments with their audit trail."""

    def get(self, adjustment_id: str) -> Adjustment | None:
        """One adjustment with its full audit trail, or None."""
        ...

    def add(self, adjustment: Adjustment) -> None:
        """Store a new adjustment."""
        ...

    def save(self, adjustment: Adjustment, expected_version: int) -> None:
        """Store a transition; raises StaleVersion when another writer got there first."""
        ...

    def unchanged_since(
        self,
        status: AdjustmentStatus,
        before: datetime,
        limit: int,
        after: tuple[datetime, str] | None = None,
    ) -> list[Adjustment]:
        """Adjustments of every site in ``status`` last changed before ``before``, oldest first.

        ``after`` continues a scan: only those past that (``updated_at``, id) position.
        """
        ...

    def list(self, query: AdjustmentFilter) -> list[Adjustment]:
        """Adjustments newest first (by id, which grows with time)."""
        ...


class Outbox(Protocol):
    """Events written in the same transaction as the state change they describe."""

    def add(self, event: EventEnvelope) -> None:
        """Queue an event for publishing."""
        ...


class UnitOfWork(Protocol):
    """One transaction over the gateway store: commits on a clean exit, rolls back otherwise."""

    @property
    def items(self) -> ItemRepository: ...

    @property
    def adjustments(self) -> AdjustmentRepository: ...

    @property
    def outbox(self) -> Outbox: ...

    def __enter__(self) -> UnitOfWork: ...

    def __exit__(
        self,
        exc_type: type[BaseException] | None,
        exc: BaseException | None,
        tb: TracebackType | None,
    ) -> None: ...


class UnitOfWorkFactory(Protocol):
    """Opens a new unit of work; a ``read_only`` one never waits for or blocks writers."""

    def __call__(self, *, read_only: bool = False) -> UnitOfWork: ...
