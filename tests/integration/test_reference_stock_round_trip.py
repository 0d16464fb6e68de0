"""The reference WMS and ERP give back exactly the rational stock they were given."""

from __future__ import annotations

from dataclasses import replace
from datetime import UTC, datetime
from fractions import Fraction
from pathlib import Path

import pytest

from gateway.adapters.reference_erp import ReferenceErp
from gateway.adapters.reference_wms import ReferenceWms
from gateway.domain.inventory import (
    BinBalance,
    ErpBalance,
    ErpKey,
    Location,
    LocationType,
    StockStatus,
)
from gateway.ports import BalanceQuery

AT = datetime(2026, 11, 26, 9, 0, 0, 250000, tzinfo=UTC)
VALUES = [Fraction(0), Fraction(48), Fraction(-7), Fraction(5, 2), Fraction(1, 3), Fraction(10**20)]


@pytest.mark.parametrize("value", VALUES)
def test_wms_bin_balances_read_back_exactly(tmp_path: Path, value: Fraction) -> None:
    wms = ReferenceWms.in_dir(tmp_path)
    wms.put_location(Location("DC-EAST", "A-01", "SL01", LocationType.PICK_FACE))
    stored = BinBalance(
        "DC-EAST", "SL01", "A-01", LocationType.PICK_FACE, "SKU-1", None,
        StockStatus.QUALITY_INSPECTION, value, value / 7, "KGM", AT, 0,
    )  # fmt: skip
    wms.put_inbound("DC-EAST", "SKU-1", value)
    wms.put_balance(stored)
    (read,) = wms.bin_balances(BalanceQuery("DC-EAST"))
    assert read == replace(stored, sequence=read.sequence)
    assert wms.inbound_expected("DC-EAST", "SKU-1") == value


@pytest.mark.parametrize("value", VALUES)
def test_erp_site_balances_read_back_exactly(tmp_path: Path, value: Fraction) -> None:
    erp = ReferenceErp.in_dir(tmp_path)
    stored = ErpBalance(
        ErpKey("DC-EAST", "SL01", "SKU-1", "L1", StockStatus.BLOCKED), value, "EA", AT
    )
    erp.put_balance(stored)
    assert erp.site_balances("DC-EAST") == [stored]
