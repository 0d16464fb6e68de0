"""The served catalog covers the ERP <-> WMS domain: eight services, at least 45 operations."""

from __future__ import annotations

from gateway.contracts import discover
from registry.lint_rules.sites import METHODS
from tests.conftest import SPECS

SERVICES = {
    "items", "inventory", "receipts", "orders", "shipments", "adjustments", "transfers", "counts",
}  # fmt: skip
MIN_OPERATIONS = 45


def test_catalog_serves_every_service_and_enough_operations() -> None:
    contracts = discover(SPECS / "openapi")
    missing = SERVICES - {c.service for c in contracts}
    assert not missing, f"services without a contract: {sorted(missing)}"
    assert any(c.service == "inventory" and c.major == 2 for c in contracts)
    counts: dict[str, int] = {}
    for contract in contracts:
        paths = contract.load().get("paths")
        assert isinstance(paths, dict), contract.path
        counts[contract.base_path] = sum(
            1
            for item in paths.values()
            if isinstance(item, dict)
            for method in METHODS
            if method in item
        )
    assert all(counts.values()), f"contracts without operations: {counts}"
    assert sum(counts.values()) >= MIN_OPERATIONS, counts
