"""Posting adjustments against the reference ERP and WMS: once, and resumable after a failure."""

from __future__ import annotations

import threading
from dataclasses import dataclass
from datetime import UTC, datetime
from fractions import Fraction
from pathlib import Path

import pytest

from gateway.adapters.reference_erp import ReferenceErp
from gateway.adapters.reference_wms import ReferenceWms
from gateway.adapters.sqlite_store import SqliteStore
from gateway.demo import seed_reference_data
from gateway.domain.access import Principal
from gateway.domain.adjustments import Adjustment, AdjustmentStatus, ReasonCode
from gateway.domain.errors import BusinessRuleViolation, DomainError
from gateway.domain.events import EventMeta
from gateway.domain.quantities import Quantity
from gateway.ports import BalanceQuery
from gateway.services.adjustments import AdjustmentService, RequestAdjustment
from gateway.services.items import ItemService

META = EventMeta(correlation_id="corr-posting")
REQUESTER = Principal("wms-partner", frozenset(), frozenset({"DC-EAST"}))
APPROVER = Principal("erp-controller", frozenset(), frozenset({"DC-EAST"}))
BIG_LOSS = RequestAdjustment(
    site_id="DC-EAST",
    location_id="A-01-01",
    item_id="SKU-10001",
    lot_id="LOT-2026-11-A",
    quantity=Quantity(Fraction(-2), "CS"),
    reason_code=ReasonCode.MISSING,
)


@dataclass
class Backends:
    store: SqliteStore
    erp: ReferenceErp
    wms: ReferenceWms
    service: AdjustmentService


class RefusingOnceWms(ReferenceWms):
    """The reference WMS, refusing the first application (a bin locked by a count, say)."""

    refusals = 1

    def apply_adjustment(self, adjustment: Adjustment, at: datetime) -> None:
        if self.refusals:
            self.refusals -= 1
            raise BusinessRuleViolation("bin A-01-01 is frozen for a cycle count")
        super().apply_adjustment(adjustment, at)


def _backends(data_dir: Path, wms: ReferenceWms) -> Backends:
    store, erp = SqliteStore.in_dir(data_dir), ReferenceErp.in_dir(data_dir)
    seed_reference_data(erp, wms, datetime.now(UTC))
    items = ItemService(store.unit_of_work, erp)
    for item_id in ("SKU-10001", "SKU-20001", "SKU-30001"):
        items.import_from_erp(item_id, META)
    return Backends(store, erp, wms, AdjustmentService(store.unit_of_work, erp, wms))


def _on_hand(wms: ReferenceWms) -> Fraction:
    query = BalanceQuery("DC-EAST", "A-01-01", "SKU-10001", "LOT-2026-11-A")
    return sum((b.on_hand for b in wms.bin_balances(query)), Fraction(0))


def _erp_documents(erp: ReferenceErp) -> int:
    (count,) = erp.db.connection().execute("SELECT COUNT(*) FROM erp_documents").fetchone()
    return int(count)


def test_a_refused_posting_stays_approved_and_approving_again_resumes_it(tmp_path: Path) -> None:
    b = _backends(tmp_path, RefusingOnceWms.in_dir(tmp_path))
    pending = b.service.request(REQUESTER, BIG_LOSS, META)
    assert pending.status is AdjustmentStatus.PENDING_APPROVAL

    with pytest.raises(BusinessRuleViolation, match="frozen"):
        b.service.approve(APPROVER, pending.adjustment_id, decided_by=None, note=None, meta=META)
    stuck = b.service.get(APPROVER, pending.adjustment_id)
    assert stuck.status is AdjustmentStatus.APPROVED
    assert _erp_documents(b.erp) == 0
    assert _on_hand(b.wms) == 48

    posted = b.service.approve(
        APPROVER, pending.adjustment_id, decided_by=None, note=None, meta=META
    )
    assert posted.status is AdjustmentStatus.POSTED
    assert _erp_documents(b.erp) == 1
    assert _on_hand(b.wms) == 24
    assert [e.action for e in posted.audit] == ["request", "hold-for-approval", "approve", "post"]


def test_an_auto_approved_request_whose_posting_is_refused_is_still_recorded(
    tmp_path: Path,
) -> None:
    b = _backends(tmp_path, RefusingOnceWms.in_dir(tmp_path))
    small = RequestAdjustment(
        site_id="DC-EAST", location_id="A-01-01", item_id="SKU-10001", lot_id="LOT-2026-11-A",
        quantity=Quantity(Fraction(-1), "EA"), reason_code=ReasonCode.DAMAGED,
    )  # fmt: skip
    recorded = b.service.request(REQUESTER, small, META)
    assert recorded.status is AdjustmentStatus.APPROVED
    assert recorded.erp_posting is None
    resumed = b.service.approve(
        REQUESTER, recorded.adjustment_id, decided_by=None, note=None, meta=META
    )
    assert resumed.status is AdjustmentStatus.POSTED
    assert _on_hand(b.wms) == 47


def test_a_refused_reversal_is_resumed_not_duplicated(tmp_path: Path) -> None:
    wms = RefusingOnceWms.in_dir(tmp_path)
    b = _backends(tmp_path, wms)
    wms.refusals = 0
    pending = b.service.request(REQUESTER, BIG_LOSS, META)
    posted = b.service.approve(
        APPROVER, pending.adjustment_id, decided_by=None, note=None, meta=META
    )
    assert posted.status is AdjustmentStatus.POSTED
    wms.refusals = 1

    def reverse() -> Adjustment:
        return b.service.reverse(
            APPROVER, posted.adjustment_id, decided_by=None, reason="wrong lot", meta=META
        )

    with pytest.raises(BusinessRuleViolation, match="frozen"):
        reverse()
    in_progress = b.service.get(APPROVER, posted.adjustment_id)
    assert in_progress.status is AdjustmentStatus.POSTED
    assert in_progress.reversed_by is not None
    compensation = reverse()
    assert compensation.adjustment_id == in_progress.reversed_by
    assert compensation.status is AdjustmentStatus.POSTED
    assert b.service.get(APPROVER, posted.adjustment_id).status is AdjustmentStatus.REVERSED
    assert _erp_documents(b.erp) == 2  # the loss and its one compensation
    assert _on_hand(b.wms) == 48


def test_postings_are_idempotent_per_adjustment(tmp_path: Path) -> None:
    b = _backends(tmp_path, ReferenceWms.in_dir(tmp_path))
    posted = b.service.request(
        REQUESTER,
        RequestAdjustment(
            site_id="DC-EAST", location_id="A-01-01", item_id="SKU-10001",
            lot_id="LOT-2026-11-A", quantity=Quantity(Fraction(-1), "EA"),
            reason_code=ReasonCode.DAMAGED,
        ),
        META,
    )  # fmt: skip
    assert posted.status is AdjustmentStatus.POSTED
    assert posted.erp_posting is not None
    again = b.erp.post_adjustment(posted)
    b.wms.apply_adjustment(posted, datetime.now(UTC))
    assert again.document_id == posted.erp_posting.document_id
    assert _erp_documents(b.erp) == 1
    assert _on_hand(b.wms) == 47


def test_concurrent_approvals_post_exactly_once(tmp_path: Path) -> None:
    b = _backends(tmp_path, ReferenceWms.in_dir(tmp_path))
    pending = b.service.request(REQUESTER, BIG_LOSS, META)
    approvers = [
        Principal(f"erp-controller-{n}", frozenset(), frozenset({"DC-EAST"})) for n in range(6)
    ]
    outcomes: list[str] = []
    lock = threading.Lock()

    def approve(principal: Principal) -> None:
        # Each thread opens its own service, as separate worker processes would.
        store, erp = SqliteStore.in_dir(tmp_path), ReferenceErp.in_dir(tmp_path)
        service = AdjustmentService(store.unit_of_work, erp, ReferenceWms.in_dir(tmp_path))
        try:
            result = service.approve(
                principal, pending.adjustment_id, decided_by=None, note=None, meta=META
            ).status.value
        except DomainError as exc:
            result = type(exc).__name__
        with lock:
            outcomes.append(result)

    threads = [threading.Thread(target=approve, args=(p,)) for p in approvers]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=60)
    assert len(outcomes) == 6
    assert set(outcomes) <= {"POSTED", "InvalidTransition"}
    assert "POSTED" in outcomes
    assert _erp_documents(b.erp) == 1
    assert _on_hand(b.wms) == 24
    final = b.service.get(APPROVER, pending.adjustment_id)
    assert [e.action for e in final.audit].count("approve") == 1


class RacingWms(ReferenceWms):
    """The reference WMS; before its first application, another request posts the adjustment."""

    racer: AdjustmentService | None = None

    def apply_adjustment(self, adjustment: Adjustment, at: datetime) -> None:
        racer, self.racer = self.racer, None
        if racer is not None:
            racer.approve(APPROVER, adjustment.adjustment_id, decided_by=None, note=None, meta=META)
        super().apply_adjustment(adjustment, at)


def test_a_posting_another_request_finished_meanwhile_is_not_recorded_twice(
    tmp_path: Path,
) -> None:
    wms = RacingWms.in_dir(tmp_path)
    b = _backends(tmp_path, wms)
    pending = b.service.request(REQUESTER, BIG_LOSS, META)
    wms.racer = AdjustmentService(b.store.unit_of_work, b.erp, ReferenceWms.in_dir(tmp_path))
    answer = b.service.approve(
        APPROVER, pending.adjustment_id, decided_by=None, note=None, meta=META
    )
    assert answer.status is AdjustmentStatus.POSTED
    assert [e.action for e in answer.audit].count("post") == 1
    events = [e.type for e in b.store.unpublished_events()]
    assert events.count("inventory.adjustment.posted") == 1
    assert _erp_documents(b.erp) == 1
    assert _on_hand(b.wms) == 24
