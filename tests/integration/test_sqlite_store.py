"""The SQLite store: a state change and its events commit together or not at all."""

from __future__ import annotations

import json
import sqlite3
import threading
from dataclasses import replace
from datetime import UTC, datetime
from fractions import Fraction
from pathlib import Path

import pytest

from gateway.adapters.sqlite_store import SqliteStore
from gateway.domain import adjustments as domain
from gateway.domain.errors import StaleVersion
from gateway.domain.events import EventMeta
from gateway.domain.inventory import StockStatus
from gateway.domain.items import Item, ItemStatus, TrackingMode
from gateway.domain.quantities import Money, Quantity
from gateway.domain.uom import UomConversion
from gateway.ports import AdjustmentFilter
from gateway.services.items import ItemService
from gateway.services.unit_of_work import record_events, utc_now

T0 = datetime(2026, 11, 26, 9, 30, tzinfo=UTC)
META = EventMeta(correlation_id="corr-1", idempotency_key="key-12345678")


class BoomError(Exception):
    """A failure in the middle of a unit of work."""


@pytest.fixture
def store(tmp_path: Path) -> SqliteStore:
    return SqliteStore.in_dir(tmp_path)


def _outcome(adjustment_id: str = "adj_1") -> domain.Outcome:
    new = domain.NewAdjustment(
        adjustment_id=adjustment_id,
        site_id="DC-EAST",
        storage_location_id="SL01",
        location_id="A-01",
        item_id="SKU-1",
        lot_id="L1",
        quantity=Quantity(Fraction(-1), "CS"),
        base_quantity=Quantity(Fraction(-12), "EA"),
        reason_code=domain.ReasonCode.STOLEN,
        requested_by_client="wms-partner",
        stock_status=StockStatus.AVAILABLE,
    )
    return domain.request(new, Money(Fraction(-120), "EUR"), Money(Fraction(500), "EUR"), T0)


def _count(store: SqliteStore, table: str) -> int:
    (count,) = store.db.connection().execute(f"SELECT COUNT(*) FROM {table}").fetchone()  # noqa: S608
    return int(count)


def test_state_audit_and_events_commit_together(store: SqliteStore) -> None:
    outcome = _outcome()
    with store.unit_of_work() as uow:
        uow.adjustments.add(outcome.adjustment)
        record_events(uow, outcome.events, META, utc_now)
    with store.unit_of_work() as uow:
        loaded = uow.adjustments.get("adj_1")
    assert loaded == outcome.adjustment
    events = store.unpublished_events()
    assert [e.type for e in events] == ["inventory.adjustment.requested"]
    envelope = json.loads(events[0].payload)
    assert envelope["aggregateId"] == "adj_1"
    assert envelope["sequence"] == 1
    assert envelope["correlationId"] == "corr-1"
    assert envelope["idempotencyKey"] == "key-12345678"
    assert envelope["data"]["baseQuantity"] == {"value": "-12", "uom": "EA"}
    assert _count(store, "audit_trail") == 2


def test_a_failure_mid_transaction_leaves_neither_state_nor_event(store: SqliteStore) -> None:
    outcome = _outcome()

    def add_then_fail() -> None:
        with store.unit_of_work() as uow:
            uow.adjustments.add(outcome.adjustment)
            record_events(uow, outcome.events, META, utc_now)
            raise BoomError

    with pytest.raises(BoomError):
        add_then_fail()
    with store.unit_of_work() as uow:
        assert uow.adjustments.get("adj_1") is None
    assert store.unpublished_events() == []
    assert _count(store, "audit_trail") == 0


def test_a_stale_transition_rolls_back_its_events_too(store: SqliteStore) -> None:
    outcome = _outcome()
    with store.unit_of_work() as uow:
        uow.adjustments.add(outcome.adjustment)
    approved = domain.approve(outcome.adjustment, "erp-controller", None, None, T0)

    def save_stale() -> None:
        with store.unit_of_work() as uow:
            record_events(uow, approved.events, META, utc_now)
            stale = outcome.adjustment.version - 1
            uow.adjustments.save(approved.adjustment, expected_version=stale)

    with pytest.raises(StaleVersion):
        save_stale()
    with store.unit_of_work() as uow:
        current = uow.adjustments.get("adj_1")
    assert current is not None
    assert current.status is domain.AdjustmentStatus.PENDING_APPROVAL
    assert store.unpublished_events() == []


def test_transitions_append_to_the_audit_trail(store: SqliteStore) -> None:
    outcome = _outcome()
    rejected = domain.reject(outcome.adjustment, "erp-controller", None, "recount", T0)
    with store.unit_of_work() as uow:
        uow.adjustments.add(outcome.adjustment)
    with store.unit_of_work() as uow:
        uow.adjustments.save(rejected.adjustment, expected_version=outcome.adjustment.version)
    with store.unit_of_work() as uow:
        loaded = uow.adjustments.get("adj_1")
        listed = uow.adjustments.list(AdjustmentFilter(sites=frozenset({"DC-WEST"})))
    assert loaded is not None
    assert [e.action for e in loaded.audit] == [
        "request", "hold-for-approval", "reject", "require-recount",
    ]  # fmt: skip
    assert loaded.status is domain.AdjustmentStatus.RECOUNT_REQUIRED
    assert listed == []  # another site's list never sees it


def test_stale_item_sync_writes_no_event(store: SqliteStore) -> None:
    items = ItemService(store.unit_of_work, erp=None)  # type: ignore[arg-type]
    item = Item(
        item_id="SKU-1", gtin="04012345678901", description="Beans", item_type="TRADING_GOOD",
        base_uom="EA", tracking_mode=TrackingMode.LOT, removal_strategy="FEFO",
        status=ItemStatus.ACTIVE, version=3, updated_at=T0,
        uom_conversions=(UomConversion("CS", 12, 1),),
    )  # fmt: skip
    assert items.sync(item, META).created
    assert not items.sync(item, META).created  # same version, same data: no-op
    with pytest.raises(StaleVersion):
        items.sync(replace(item, version=2, description="older"), META)
    assert [e.type for e in store.unpublished_events()] == ["item.synced"]


def test_concurrent_writers_on_one_file_all_commit(tmp_path: Path) -> None:
    errors: list[BaseException] = []

    def write(worker: int) -> None:
        # Each thread opens the store as a separate worker process would: its own connection.
        store = SqliteStore.in_dir(tmp_path)
        try:
            for n in range(10):
                outcome = _outcome(f"adj_{worker}_{n}")
                with store.unit_of_work() as uow:
                    uow.adjustments.add(outcome.adjustment)
                    record_events(uow, outcome.events, META, utc_now)
        except (sqlite3.Error, AssertionError) as exc:
            errors.append(exc)

    threads = [threading.Thread(target=write, args=(w,)) for w in range(6)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=60)
    assert errors == []
    store = SqliteStore.in_dir(tmp_path)
    assert _count(store, "adjustments") == 60
    assert _count(store, "outbox") == 60
    mode = store.db.connection().execute("PRAGMA journal_mode").fetchone()[0]
    assert mode == "wal"
