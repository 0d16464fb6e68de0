"""Availability counts only AVAILABLE, put-away stock; reconciliation flags every difference."""

from __future__ import annotations

from datetime import UTC, datetime
from fractions import Fraction

import pytest
from hypothesis import given
from hypothesis import strategies as st

from gateway.domain import errors
from gateway.domain.inventory import (
    BinBalance,
    ErpBalance,
    ErpKey,
    LocationType,
    StockStatus,
    availability,
    reconcile,
)
from gateway.domain.uom import ItemUnits, UomConversion

T0 = datetime(2026, 11, 26, 9, 0, tzinfo=UTC)
T1 = datetime(2026, 11, 26, 10, 0, tzinfo=UTC)


def _bin(
    location: str,
    status: StockStatus,
    on_hand: int,
    reserved: int = 0,
    *,
    kind: LocationType = LocationType.STORAGE,
    lot: str | None = "L1",
    at: datetime = T0,
) -> BinBalance:
    return BinBalance(
        "DC-EAST", "SL01", location, kind, "SKU-1", lot, status,
        Fraction(on_hand), Fraction(reserved), "EA", at, 1,
    )  # fmt: skip


BINS = [
    _bin("A-01", StockStatus.AVAILABLE, 48, 12),
    _bin("A-02", StockStatus.AVAILABLE, 10, 0, kind=LocationType.RECEIVING, at=T1),
    _bin("Q-01", StockStatus.QUALITY_INSPECTION, 6),
    _bin("B-01", StockStatus.BLOCKED, 12, 2),
]


@pytest.mark.parametrize(
    ("balance", "available"),
    [
        (BINS[0], 36),  # AVAILABLE in storage: onHand - reserved
        (BINS[1], 0),  # AVAILABLE but not put away yet
        (BINS[2], 0),  # in inspection
        (BINS[3], 0),  # blocked
        (
            _bin("A-03", StockStatus.AVAILABLE, 3, 5, kind=LocationType.PICK_FACE),
            0,
        ),  # over-reserved
    ],
)
def test_available_only_for_available_put_away_stock(balance: BinBalance, available: int) -> None:
    assert balance.available == available


@given(
    st.sampled_from(StockStatus),
    st.sampled_from(LocationType),
    st.fractions(min_value=-(10**6), max_value=10**6),
    st.fractions(min_value=0, max_value=10**6),
)
def test_available_is_exactly_the_reference_rule(
    status: StockStatus, kind: LocationType, on_hand: Fraction, reserved: Fraction
) -> None:
    balance = BinBalance(
        "DC-EAST", "SL01", "A-01", kind, "SKU-1", None, status, on_hand, reserved, "EA", T0, 1
    )
    usable = status is StockStatus.AVAILABLE and kind in {
        LocationType.STORAGE,
        LocationType.PICK_FACE,
    }
    expected = max(on_hand - reserved, Fraction(0)) if usable else Fraction(0)
    assert type(balance.available) is Fraction
    assert balance.available == expected


def test_availability_sums_every_status_on_hand_but_only_available_reservations() -> None:
    result = availability("DC-EAST", "SKU-1", "EA", BINS, Fraction(120))
    assert (result.on_hand, result.reserved, result.available) == tuple(map(Fraction, (76, 12, 36)))
    assert result.inbound_expected == 120
    assert dict(result.by_status) == {
        StockStatus.AVAILABLE: 58,
        StockStatus.QUALITY_INSPECTION: 6,
        StockStatus.BLOCKED: 12,
    }
    assert result.as_of == T1


def test_balance_in_another_unit_is_exact_or_refused() -> None:
    units = ItemUnits("EA", None, (UomConversion("CS", 12, 1),))
    in_cases = BINS[0].in_unit(units, "CS")
    assert (in_cases.on_hand, in_cases.reserved, in_cases.uom) == (Fraction(4), Fraction(1), "CS")
    with pytest.raises(errors.BusinessRuleViolation):
        BINS[3].in_unit(units, "CS")


def test_reconciliation_compares_each_erp_key_with_the_sum_of_its_bins() -> None:
    key = ErpKey("DC-EAST", "SL01", "SKU-1", "L1", StockStatus.AVAILABLE)
    blocked = ErpKey("DC-EAST", "SL01", "SKU-1", "L1", StockStatus.BLOCKED)
    only_erp = ErpKey("DC-EAST", "SL02", "SKU-1", None, StockStatus.AVAILABLE)
    erp = [
        ErpBalance(key, Fraction(58), "EA", T0),
        ErpBalance(blocked, Fraction(12), "EA", T0),
        ErpBalance(only_erp, Fraction(5), "EA", T0),
    ]
    lines = {line.key: line for line in reconcile(erp, BINS)}
    assert not lines[key].is_break  # 48 + 10 in two bins = 58
    assert not lines[blocked].is_break
    assert lines[only_erp].difference == -5
    assert lines[only_erp].is_break
    inspection = ErpKey("DC-EAST", "SL01", "SKU-1", "L1", StockStatus.QUALITY_INSPECTION)
    assert lines[inspection].erp_quantity == 0
    assert lines[inspection].difference == 6
    assert len(lines) == 4


def test_erp_balance_in_another_unit_is_exact_or_refused() -> None:
    units = ItemUnits("EA", None, (UomConversion("CS", 12, 1),))
    key = ErpKey("DC-EAST", "SL01", "SKU-1", "L1", StockStatus.AVAILABLE)
    in_cases = ErpBalance(key, Fraction(2), "CS", T0)
    assert in_cases.in_unit(units, "EA") == ErpBalance(key, Fraction(24), "EA", T0)
    with pytest.raises(errors.BusinessRuleViolation):
        ErpBalance(key, Fraction(5), "EA", T0).in_unit(units, "CS")
