"""The gateway store on SQLite and on PostgreSQL: the same behaviour, the same pages.

Every behaviour test runs on both backends. PostgreSQL tests use a schema of their own (dropped
afterwards); without a server they skip (or fail under WAYBILL_REQUIRE_SERVICES=1).
"""

from __future__ import annotations

import json
import sqlite3
import threading
import uuid
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field, replace
from datetime import UTC, datetime, timedelta
from fractions import Fraction
from pathlib import Path
from typing import Protocol

import psycopg
import pytest
from psycopg import sql

from gateway.adapters.documents import EventEnvelopeRow
from gateway.adapters.postgres_store import PostgresStore
from gateway.adapters.sqlite_store import SqliteStore
from gateway.domain import adjustments as domain
from gateway.domain.errors import DomainError, InvalidTransition, StaleVersion
from gateway.domain.events import EventMeta
from gateway.domain.inventory import StockStatus
from gateway.domain.items import Item, ItemStatus, TrackingMode
from gateway.domain.quantities import Money, Quantity
from gateway.domain.uom import UomConversion
from gateway.ports import AdjustmentFilter, UnitOfWork
from gateway.services.items import ItemService
from gateway.services.unit_of_work import envelopes, record_envelopes, record_events, utc_now
from tests.conftest import service_missing

PG_URL = "postgresql://postgres@127.0.0.1:5432/test"
T0 = datetime(2026, 11, 26, 9, 30, tzinfo=UTC)
META = EventMeta(correlation_id="corr-store", idempotency_key="key-store-1")
# Ids whose byte order differs from a linguistic collation's (case, '-' against '_').
ITEM_IDS = ("SKU-10", "SKU_9", "sku-1", "SKU10", "Sku-2", "SKU-9")


class BoomError(Exception):
    """A failure in the middle of a unit of work."""


class GatewayStore(Protocol):
    def unit_of_work(self, *, read_only: bool = False) -> UnitOfWork: ...

    def unpublished_events(self, limit: int = 100) -> list[EventEnvelopeRow]: ...


@dataclass
class Backend:
    """One database; ``open()`` gives another store on it, as another process would have."""

    name: str
    opener: Callable[[], GatewayStore]
    counter: Callable[[str], int]
    opened: list[GatewayStore] = field(default_factory=list)

    def open(self) -> GatewayStore:
        store = self.opener()
        self.opened.append(store)
        return store

    def count(self, table: str) -> int:
        return self.counter(table)


def _postgres_up() -> bool:
    try:
        with psycopg.connect(PG_URL, connect_timeout=3) as conn:
            conn.execute("SELECT 1")
    except psycopg.OperationalError:
        return False
    return True


@pytest.fixture
def pg_schema() -> Iterator[str]:
    if not _postgres_up():
        service_missing("PostgreSQL on 127.0.0.1:5432")
    schema = f"test_store_{uuid.uuid4().hex[:12]}"
    try:
        yield schema
    finally:
        with psycopg.connect(PG_URL, autocommit=True) as conn:
            conn.execute(sql.SQL("DROP SCHEMA IF EXISTS {} CASCADE").format(sql.Identifier(schema)))


def _sqlite_backend(data_dir: Path) -> Backend:
    def count(table: str) -> int:
        store = SqliteStore.in_dir(data_dir)
        query = f"SELECT COUNT(*) FROM {table}"  # noqa: S608 - table names from the tests
        return int(store.db.connection().execute(query).fetchone()[0])

    return Backend("sqlite", lambda: SqliteStore.in_dir(data_dir), count)


def _postgres_backend(schema: str) -> Backend:
    def count(table: str) -> int:
        with psycopg.connect(PG_URL) as conn:
            query = sql.SQL("SELECT COUNT(*) FROM {}").format(sql.Identifier(schema, table))
            row = conn.execute(query).fetchone()
        assert row is not None
        return int(row[0])

    return Backend("postgres", lambda: PostgresStore(PG_URL, schema=schema, max_size=4), count)


@pytest.fixture(params=["sqlite", "postgres"])
def backend(request: pytest.FixtureRequest, tmp_path: Path) -> Iterator[Backend]:
    if request.param == "sqlite":
        opened = _sqlite_backend(tmp_path)
    else:
        opened = _postgres_backend(request.getfixturevalue("pg_schema"))
    try:
        yield opened
    finally:
        for store in opened.opened:
            if isinstance(store, PostgresStore):
                store.close()


@pytest.fixture
def store(backend: Backend) -> GatewayStore:
    return backend.open()


def _outcome(
    adjustment_id: str = "adj_1",
    *,
    site_id: str = "DC-EAST",
    item_id: str = "SKU-1",
    reason: domain.ReasonCode = domain.ReasonCode.STOLEN,
    at: datetime = T0,
) -> domain.Outcome:
    new = domain.NewAdjustment(
        adjustment_id=adjustment_id,
        site_id=site_id,
        storage_location_id="SL01",
        location_id="A-01",
        item_id=item_id,
        lot_id="L1",
        quantity=Quantity(Fraction(-1), "CS"),
        base_quantity=Quantity(Fraction(-12), "EA"),
        reason_code=reason,
        requested_by_client="wms-partner",
        stock_status=StockStatus.AVAILABLE,
    )
    return domain.request(new, Money(Fraction(-120), "EUR"), Money(Fraction(500), "EUR"), at)


def _item(item_id: str, updated_at: datetime, status: ItemStatus = ItemStatus.ACTIVE) -> Item:
    return Item(
        item_id=item_id, gtin="04012345678901", description=f"Item {item_id}",
        item_type="TRADING_GOOD", base_uom="EA", tracking_mode=TrackingMode.LOT,
        removal_strategy="FEFO", status=status, version=1, updated_at=updated_at,
        uom_conversions=(UomConversion("CS", 12, 1),), standard_cost=Money(Fraction(7), "EUR"),
    )  # fmt: skip


def _add(store: GatewayStore, outcome: domain.Outcome) -> None:
    with store.unit_of_work() as uow:
        uow.adjustments.add(outcome.adjustment)
        record_events(uow, outcome.events, META, utc_now)


def _run_together(workers: int, work: Callable[[int], None]) -> list[BaseException]:
    """Start ``work(n)`` in threads released at once; the errors they raised."""
    errors: list[BaseException] = []
    start = threading.Barrier(workers)

    def run(n: int) -> None:
        try:
            start.wait(timeout=30)
            work(n)
        except BaseException as exc:  # collected and asserted on by the test
            errors.append(exc)

    threads = [threading.Thread(target=run, args=(n,)) for n in range(workers)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=60)
    assert not any(thread.is_alive() for thread in threads)
    return errors


# -- transactions and the outbox -----------------------------------------------------------------


def test_state_audit_and_events_commit_together(backend: Backend, store: GatewayStore) -> None:
    outcome = _outcome()
    _add(store, outcome)
    with backend.open().unit_of_work() as uow:
        loaded = uow.adjustments.get("adj_1")
    assert loaded == outcome.adjustment
    (event,) = store.unpublished_events()
    assert event.type == "inventory.adjustment.requested"
    envelope = json.loads(event.payload)
    assert (envelope["aggregateId"], envelope["sequence"], event.sequence) == ("adj_1", 1, 1)
    assert (envelope["correlationId"], envelope["idempotencyKey"]) == ("corr-store", "key-store-1")
    assert envelope["data"]["baseQuantity"] == {"value": "-12", "uom": "EA"}
    assert backend.count("audit_trail") == len(outcome.adjustment.audit) == 2


def test_a_failure_mid_transaction_leaves_neither_state_nor_event(
    backend: Backend, store: GatewayStore
) -> None:
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
    assert (backend.count("adjustments"), backend.count("audit_trail")) == (0, 0)
    assert backend.count("outbox") == 0


def test_an_event_the_outbox_refuses_rolls_back_the_state_change(
    backend: Backend, store: GatewayStore
) -> None:
    outcome = _outcome()
    (event,) = envelopes(outcome.events, META, utc_now)

    def add_with_a_duplicate_event() -> None:
        with store.unit_of_work() as uow:
            uow.adjustments.add(outcome.adjustment)
            record_envelopes(uow, [event, event])

    with pytest.raises((sqlite3.IntegrityError, psycopg.errors.UniqueViolation)):
        add_with_a_duplicate_event()
    assert (backend.count("adjustments"), backend.count("outbox")) == (0, 0)
    _add(store, outcome)  # the unit of work left nothing half done
    assert (backend.count("adjustments"), backend.count("outbox")) == (1, 1)


def test_a_stale_save_raises_and_rolls_back_its_events(
    backend: Backend, store: GatewayStore
) -> None:
    outcome = _outcome()
    with store.unit_of_work() as uow:
        uow.adjustments.add(outcome.adjustment)
    first = domain.approve(outcome.adjustment, "erp-controller", None, None, T0)
    late = domain.reject(outcome.adjustment, "erp-auditor", None, "recount", T0)
    with store.unit_of_work() as uow:
        uow.adjustments.save(first.adjustment, expected_version=outcome.adjustment.version)
        record_events(uow, first.events, META, utc_now)

    def save_late() -> None:
        with backend.open().unit_of_work() as uow:
            record_events(uow, late.events, META, utc_now)
            uow.adjustments.save(late.adjustment, expected_version=outcome.adjustment.version)

    with pytest.raises(StaleVersion):
        save_late()
    with store.unit_of_work() as uow:
        current = uow.adjustments.get("adj_1")
    assert current == first.adjustment
    assert [e.type for e in store.unpublished_events()] == ["inventory.adjustment.approved"]


def test_the_audit_trail_grows_in_order_and_stays_with_its_adjustment(
    backend: Backend, store: GatewayStore
) -> None:
    held, other = _outcome("adj_1"), _outcome("adj_2")
    rejected = domain.reject(held.adjustment, "erp-controller", None, "recount", T0)
    approved = domain.approve(other.adjustment, "erp-controller", "j.doe", "ok", T0)
    for outcome in (held, other):
        _add(store, outcome)
    with store.unit_of_work() as uow:
        uow.adjustments.save(rejected.adjustment, expected_version=held.adjustment.version)
        uow.adjustments.save(approved.adjustment, expected_version=other.adjustment.version)
    with store.unit_of_work() as uow:
        loaded = uow.adjustments.get("adj_1")
        listed = uow.adjustments.list(AdjustmentFilter(sites=frozenset({"DC-EAST"})))
    assert loaded == rejected.adjustment
    assert [(e.action, e.to_status) for e in loaded.audit] == [
        ("request", domain.AdjustmentStatus.REQUESTED),
        ("hold-for-approval", domain.AdjustmentStatus.PENDING_APPROVAL),
        ("reject", domain.AdjustmentStatus.REJECTED),
        ("require-recount", domain.AdjustmentStatus.RECOUNT_REQUIRED),
    ]
    assert listed == [approved.adjustment, rejected.adjustment]
    assert backend.count("audit_trail") == len(rejected.adjustment.audit) + len(
        approved.adjustment.audit
    )


def test_saves_in_the_unit_that_read_or_wrote_the_version_append_only_new_entries(
    backend: Backend, store: GatewayStore
) -> None:
    held = _outcome()
    approved = domain.approve(held.adjustment, "erp-controller", None, None, T0)
    posting = domain.ErpPosting("4900000001", T0, "702")
    posted = domain.post(approved.adjustment, posting, "erp-controller", T0)
    with store.unit_of_work() as uow:
        uow.adjustments.add(held.adjustment)
        uow.adjustments.save(approved.adjustment, expected_version=held.adjustment.version)
    with store.unit_of_work() as uow:
        current = uow.adjustments.get("adj_1")
        assert current == approved.adjustment
        uow.adjustments.save(posted.adjustment, expected_version=current.version)
    with backend.open().unit_of_work(read_only=True) as uow:
        loaded = uow.adjustments.get("adj_1")
    assert loaded == posted.adjustment
    assert [e.action for e in loaded.audit] == ["request", "hold-for-approval", "approve", "post"]
    assert backend.count("audit_trail") == 4


def test_a_read_only_unit_reads_committed_state_and_refuses_to_write(
    backend: Backend, store: GatewayStore
) -> None:
    outcome = _outcome()
    _add(store, outcome)

    def write_in_a_read() -> None:
        with store.unit_of_work(read_only=True) as uow:
            assert uow.adjustments.get("adj_1") == outcome.adjustment
            uow.adjustments.add(_outcome("adj_2").adjustment)

    with pytest.raises((RuntimeError, psycopg.errors.ReadOnlySqlTransaction)):
        write_in_a_read()
    _add(store, _outcome("adj_3"))  # the connection writes again after the read-only unit
    assert backend.count("adjustments") == 2


# -- concurrency: read-modify-write of one aggregate is serialised --------------------------------


def test_concurrent_approvals_of_one_adjustment_approve_it_once(
    backend: Backend, store: GatewayStore
) -> None:
    pending = _outcome()
    _add(store, pending)
    stores = [backend.open() for _ in range(6)]
    refused: list[str] = []

    def approve(n: int) -> None:
        with stores[n].unit_of_work() as uow:
            current = uow.adjustments.get("adj_1")
            assert current is not None
            try:
                outcome = domain.approve(current, f"controller-{n}", None, None, utc_now())
            except DomainError as exc:
                refused.append(type(exc).__name__)
                return
            uow.adjustments.save(outcome.adjustment, expected_version=current.version)
            record_events(uow, outcome.events, META, utc_now)

    assert _run_together(6, approve) == []  # no StaleVersion: the second reader waited
    assert refused == [InvalidTransition.__name__] * 5
    with store.unit_of_work() as uow:
        final = uow.adjustments.get("adj_1")
    assert final is not None
    assert [e.action for e in final.audit].count("approve") == 1
    assert [e.type for e in store.unpublished_events()].count("inventory.adjustment.approved") == 1


def test_concurrent_syncs_of_a_new_item_store_it_once(backend: Backend) -> None:
    services = [ItemService(backend.open().unit_of_work, erp=None) for _ in range(6)]  # type: ignore[arg-type]
    created: list[bool] = []

    def sync(n: int) -> None:
        created.append(services[n].sync(_item("SKU-RACE", T0), META).created)

    assert _run_together(6, sync) == []
    assert sorted(created) == [False] * 5 + [True]
    assert backend.count("items") == 1
    assert backend.count("outbox") == 1


# -- lists page the same way on both backends ----------------------------------------------------


def test_items_page_newest_first_ties_broken_by_id_in_byte_order(store: GatewayStore) -> None:
    stamps = [T0, T0 + timedelta(microseconds=1), T0, T0 + timedelta(hours=1), T0, T0]
    statuses = [ItemStatus.ACTIVE, ItemStatus.BLOCKED] * 3
    items = [_item(i, at, s) for i, at, s in zip(ITEM_IDS, stamps, statuses, strict=True)]
    with store.unit_of_work() as uow:
        for item in items:
            uow.items.save(item)
    expected = sorted(items, key=lambda i: (i.updated_at.isoformat(), i.item_id), reverse=True)
    assert [i.item_id for i in expected] == ["SKU10", "SKU_9", "sku-1", "Sku-2", "SKU-9", "SKU-10"]

    def pages(**filters: object) -> list[list[str]]:
        seen: list[list[str]] = []
        after: tuple[str, str] | None = None
        for _ in range(len(items) + 1):
            with store.unit_of_work() as uow:
                page = uow.items.list(after=after, limit=2, **filters)  # type: ignore[arg-type]
            if not page:
                return seen
            seen.append([i.item_id for i in page])
            after = (page[-1].updated_at.isoformat(), page[-1].item_id)
        raise AssertionError("paging did not end")

    assert pages(status=None, updated_since=None) == [
        ["SKU10", "SKU_9"], ["sku-1", "Sku-2"], ["SKU-9", "SKU-10"],
    ]  # fmt: skip
    assert pages(status=ItemStatus.BLOCKED, updated_since=None) == [["SKU10", "SKU_9"], ["SKU-9"]]
    assert pages(status=None, updated_since=T0 + timedelta(microseconds=1)) == [["SKU10", "SKU_9"]]


def test_adjustments_page_newest_first_within_the_callers_sites(store: GatewayStore) -> None:
    rows = [
        ("adj_01", "DC-EAST", "SKU-1", domain.ReasonCode.STOLEN),
        ("adj_02", "DC-WEST", "SKU-1", domain.ReasonCode.STOLEN),
        ("adj_0A", "DC-EAST", "SKU-2", domain.ReasonCode.MISSING),
        ("adj_0a", "DC-EAST", "SKU-1", domain.ReasonCode.MISSING),
        ("adj_0_", "DC-EAST", "SKU-1", domain.ReasonCode.STOLEN),
        ("adj_03", "DC-NORTH", "SKU-1", domain.ReasonCode.STOLEN),
        ("adj_04", "DC-EAST", "SKU-2", domain.ReasonCode.STOLEN),
    ]
    for adjustment_id, site, item, reason in rows:
        _add(store, _outcome(adjustment_id, site_id=site, item_id=item, reason=reason))

    def pages(limit: int, **filters: object) -> list[list[str]]:
        seen: list[list[str]] = []
        before: str | None = None
        for _ in range(len(rows) + 1):
            query = AdjustmentFilter(before_id=before, limit=limit, **filters)  # type: ignore[arg-type]
            with store.unit_of_work() as uow:
                page = uow.adjustments.list(query)
            if not page:
                return seen
            assert all(a.audit for a in page)
            seen.append([a.adjustment_id for a in page])
            before = page[-1].adjustment_id
        raise AssertionError("paging did not end")

    mine = frozenset({"DC-EAST", "DC-WEST"})
    assert pages(3, sites=mine) == [
        ["adj_0a", "adj_0_", "adj_0A"], ["adj_04", "adj_02", "adj_01"],
    ]  # fmt: skip
    assert pages(2, sites=mine, site_id="DC-WEST") == [["adj_02"]]
    assert pages(2, sites=mine, site_id="DC-NORTH") == []  # not the caller's site
    assert pages(9, sites=mine, reason_code=domain.ReasonCode.MISSING) == [["adj_0a", "adj_0A"]]
    assert pages(9, sites=mine, item_id="SKU-2") == [["adj_0A", "adj_04"]]
    pending = domain.AdjustmentStatus.PENDING_APPROVAL
    assert pages(9, sites=frozenset({"DC-NORTH"}), status=pending) == [["adj_03"]]
    assert pages(9, sites=mine, status=domain.AdjustmentStatus.POSTED) == []


# -- PostgreSQL only: lazy pool, schema created once ---------------------------------------------


def test_postgres_schema_is_created_once_by_concurrent_first_starts(pg_schema: str) -> None:
    stores = [PostgresStore(PG_URL, schema=pg_schema, max_size=2) for _ in range(8)]
    try:
        assert _run_together(8, lambda n: stores[n].ping()) == []
        _add(stores[0], _outcome())
        with stores[7].unit_of_work() as uow:
            assert uow.adjustments.get("adj_1") is not None
    finally:
        for store in stores:
            store.close()
    with psycopg.connect(PG_URL) as conn:
        tables = conn.execute(
            "SELECT table_name FROM information_schema.tables WHERE table_schema = %s "
            "ORDER BY table_name",
            (pg_schema,),
        ).fetchall()
    assert [t for (t,) in tables] == ["adjustments", "audit_trail", "items", "outbox"]


def test_postgres_store_connects_only_on_first_use() -> None:
    store = PostgresStore(
        "postgresql://postgres@127.0.0.1:1/nowhere", schema="unused", connect_timeout=0.5
    )
    unit = store.unit_of_work()  # neither constructing nor opening a unit connects
    with pytest.raises(psycopg.Error):
        store.ping()
    with pytest.raises(psycopg.Error), unit:
        pass
    store.close()


def test_postgres_documents_are_jsonb_and_stamps_the_strings_sqlite_sorts(pg_schema: str) -> None:
    store = PostgresStore(PG_URL, schema=pg_schema)
    try:
        with store.unit_of_work() as uow:
            uow.items.save(replace(_item("SKU-1", T0), description="Beans"))
    finally:
        store.close()
    with psycopg.connect(PG_URL) as conn:
        row = conn.execute(
            sql.SQL("SELECT doc->>'description', updated_at FROM {}").format(
                sql.Identifier(pg_schema, "items")
            )
        ).fetchone()
    assert row == ("Beans", T0.isoformat())
