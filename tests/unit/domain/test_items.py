"""Item lifecycle: allowed transitions, growing versions, ACTIVE-only warehouse tasks."""

from __future__ import annotations

from dataclasses import replace
from datetime import UTC, datetime

import pytest

from gateway.domain import errors
from gateway.domain.items import (
    ITEM_TRANSITIONS,
    Item,
    ItemStatus,
    TrackingMode,
    change_status,
    require_active,
    sync,
)
from gateway.domain.uom import UomConversion

T0 = datetime(2026, 11, 26, 8, 0, tzinfo=UTC)
ITEM = Item(
    item_id="SKU-1",
    gtin="04012345678901",
    description="Espresso beans 1 kg",
    item_type="TRADING_GOOD",
    base_uom="EA",
    tracking_mode=TrackingMode.LOT,
    removal_strategy="FEFO",
    status=ItemStatus.ACTIVE,
    version=3,
    updated_at=T0,
    uom_conversions=(UomConversion("CS", 12, 1),),
)
ALL_MOVES = [(a, b) for a in ItemStatus for b in ItemStatus if a is not b]


@pytest.mark.parametrize(("source", "target"), ALL_MOVES, ids=lambda s: s.value)
def test_status_moves_follow_the_lifecycle(source: ItemStatus, target: ItemStatus) -> None:
    item = replace(ITEM, status=source)
    allowed = target in ITEM_TRANSITIONS[source]
    if allowed:
        assert change_status(item, target, item.version + 1, T0).status is target
    else:
        with pytest.raises(errors.InvalidTransition):
            change_status(item, target, item.version + 1, T0)


def test_lifecycle_is_draft_active_blocked_discontinued() -> None:
    assert {(a, b) for a, targets in ITEM_TRANSITIONS.items() for b in targets} == {
        (ItemStatus.DRAFT, ItemStatus.ACTIVE),
        (ItemStatus.ACTIVE, ItemStatus.BLOCKED),
        (ItemStatus.BLOCKED, ItemStatus.ACTIVE),
        (ItemStatus.BLOCKED, ItemStatus.DISCONTINUED),
    }


@pytest.mark.parametrize("version", [1, 3])
def test_a_status_change_needs_a_newer_version(version: int) -> None:
    with pytest.raises(errors.StaleVersion):
        change_status(ITEM, ItemStatus.BLOCKED, version, T0)


def test_sync_accepts_a_newer_version_and_refuses_an_older_one() -> None:
    newer = replace(ITEM, description="Espresso beans 1 kg (new pack)", version=4)
    assert sync(ITEM, newer) == newer
    with pytest.raises(errors.StaleVersion):
        sync(newer, ITEM)


def test_redelivering_the_same_version_is_a_no_op_but_different_data_is_stale() -> None:
    assert sync(ITEM, replace(ITEM, updated_at=datetime(2026, 11, 27, tzinfo=UTC))) is ITEM
    with pytest.raises(errors.StaleVersion):
        sync(ITEM, replace(ITEM, description="changed without a new version"))


def test_sync_cannot_jump_the_lifecycle() -> None:
    draft = replace(ITEM, status=ItemStatus.DRAFT)
    with pytest.raises(errors.InvalidTransition):
        sync(draft, replace(ITEM, status=ItemStatus.DISCONTINUED, version=9))


def test_sync_refuses_conversions_across_dimensions() -> None:
    with pytest.raises(errors.BusinessRuleViolation):
        sync(None, replace(ITEM, uom_conversions=(UomConversion("KGM", 1, 1),)))


@pytest.mark.parametrize("status", [s for s in ItemStatus if s is not ItemStatus.ACTIVE])
def test_warehouse_tasks_need_an_active_item(status: ItemStatus) -> None:
    require_active(ITEM)
    with pytest.raises(errors.BusinessRuleViolation, match=status.value):
        require_active(replace(ITEM, status=status))
