"""Adjustments whose ERP posting failed: an ERP that can be taken down, and a seeded gateway."""

from __future__ import annotations

import uuid
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from fractions import Fraction
from pathlib import Path

import psycopg
from psycopg import sql

from gateway.adapters.postgres_store import PostgresStore
from gateway.adapters.reference_erp import ReferenceErp
from gateway.adapters.reference_wms import ReferenceWms
from gateway.adapters.sqlite_store import SqliteStore
from gateway.demo import seed_reference_data
from gateway.domain.access import Principal
from gateway.domain.adjustments import Adjustment, AdjustmentStatus, ErpPosting, ReasonCode
from gateway.domain.errors import BusinessRuleViolation
from gateway.domain.events import EventMeta
from gateway.domain.quantities import Quantity
from gateway.services.adjustments import AdjustmentService, RequestAdjustment
from gateway.services.items import ItemService
from tests.conftest import service_missing

PG_URL = "postgresql://postgres@127.0.0.1:5432/test"
META = EventMeta(correlation_id="corr-resume")
REQUESTER = Principal("wms-partner", frozenset(), frozenset({"DC-EAST"}))
T0 = datetime(2026, 11, 26, 9, 0, tzinfo=UTC)


def small_loss(units: int = 1) -> RequestAdjustment:
    """A loss under the site threshold: approved at once, so posted at once when the ERP is up."""
    return RequestAdjustment(
        site_id="DC-EAST", location_id="A-01-01", item_id="SKU-10001", lot_id="LOT-2026-11-A",
        quantity=Quantity(Fraction(-units), "EA"), reason_code=ReasonCode.DAMAGED,
    )  # fmt: skip


class FlakyErp(ReferenceErp):
    """The reference ERP, refusing postings while ``down`` (or those of ``refused`` ids)."""

    down = False
    refused: frozenset[str] = frozenset()

    def post_adjustment(self, adjustment: Adjustment) -> ErpPosting:
        if self.down or adjustment.adjustment_id in self.refused:
            raise BusinessRuleViolation("ERP unavailable")
        return super().post_adjustment(adjustment)


class Clock:
    """A clock the test moves by hand."""

    def __init__(self, now: datetime = T0) -> None:
        self.now = now

    def __call__(self) -> datetime:
        return self.now

    def advance(self, seconds: float) -> None:
        self.now += timedelta(seconds=seconds)


Store = SqliteStore | PostgresStore


@dataclass
class Gateway:
    """The gateway store on one backend, the reference ERP and WMS in ``data_dir``."""

    data_dir: Path
    open_store: Callable[[], Store]
    erp: FlakyErp
    clock: Clock
    store: Store

    def service(
        self, wms: ReferenceWms | None = None, erp: ReferenceErp | None = None
    ) -> AdjustmentService:
        """A service of its own (own store connections), as another worker process would have."""
        store = self.open_store()
        return AdjustmentService(
            store.unit_of_work,
            erp or ReferenceErp.in_dir(self.data_dir),
            wms or ReferenceWms.in_dir(self.data_dir),
            self.clock,
        )

    def stuck(self, units: int = 1) -> Adjustment:
        """An adjustment approved while the ERP was down, left APPROVED."""
        self.erp.down = True
        try:
            service = AdjustmentService(
                self.store.unit_of_work, self.erp, ReferenceWms.in_dir(self.data_dir), self.clock
            )
            recorded = service.request(REQUESTER, small_loss(units), META)
        finally:
            self.erp.down = False
        assert recorded.status is AdjustmentStatus.APPROVED
        return recorded

    def erp_documents(self) -> int:
        (count,) = self.erp.db.connection().execute("SELECT COUNT(*) FROM erp_documents").fetchone()
        return int(count)

    def get(self, adjustment_id: str) -> Adjustment:
        with self.store.unit_of_work(read_only=True) as uow:
            found = uow.adjustments.get(adjustment_id)
        assert found is not None
        return found

    def posted_events(self) -> int:
        events = self.store.unpublished_events(limit=1000)
        return [e.type for e in events].count("inventory.adjustment.posted")


def seeded(data_dir: Path, open_store: Callable[[], Store]) -> Gateway:
    """Reference master data and stock, the items imported into the gateway store."""
    erp = FlakyErp.in_dir(data_dir)
    seed_reference_data(erp, ReferenceWms.in_dir(data_dir), datetime.now(UTC))
    store = open_store()
    items = ItemService(store.unit_of_work, erp)
    for item_id in ("SKU-10001", "SKU-20001", "SKU-30001"):
        items.import_from_erp(item_id, META)
    return Gateway(data_dir, open_store, erp, Clock(), store)


@contextmanager
def gateway_on(backend: str, data_dir: Path) -> Iterator[Gateway]:
    """A seeded gateway whose store is SQLite in ``data_dir`` or a fresh PostgreSQL schema."""
    if backend == "sqlite":
        yield seeded(data_dir, lambda: SqliteStore.in_dir(data_dir))
        return
    try:
        with psycopg.connect(PG_URL, connect_timeout=3) as conn:
            conn.execute("SELECT 1")
    except psycopg.OperationalError:
        service_missing("PostgreSQL on 127.0.0.1:5432")
    schema = f"test_resume_{uuid.uuid4().hex[:12]}"
    opened: list[PostgresStore] = []

    def open_store() -> PostgresStore:
        store = PostgresStore(PG_URL, schema=schema, max_size=4)
        opened.append(store)
        return store

    try:
        yield seeded(data_dir, open_store)
    finally:
        for store in opened:
            store.close()
        with psycopg.connect(PG_URL, autocommit=True) as conn:
            conn.execute(sql.SQL("DROP SCHEMA IF EXISTS {} CASCADE").format(sql.Identifier(schema)))
