"""Adjustment approval rules and state machine, driven by case tables."""

from __future__ import annotations

import itertools
import json
from datetime import UTC, datetime, timedelta
from fractions import Fraction
from pathlib import Path
from typing import Any

import pytest

from gateway.domain import adjustments as adj
from gateway.domain import errors
from gateway.domain.inventory import StockStatus
from gateway.domain.quantities import Money, Quantity, format_decimal, parse_decimal

CASES = Path(__file__).parent / "cases"
RULES = json.loads((CASES / "approval_rules.json").read_text())
WORKFLOWS = json.loads((CASES / "adjustment_workflows.json").read_text())
THRESHOLD = Money(Fraction(100), "EUR")
T0 = datetime(2026, 11, 26, 9, 30, tzinfo=UTC)


def _money(amount: str | None, currency: str = "EUR") -> Money | None:
    return None if amount is None else Money(parse_decimal(amount), currency)


@pytest.mark.parametrize("case", RULES, ids=lambda c: c["name"])
def test_approval_rule(case: dict[str, Any]) -> None:
    held = adj.manual_approval_reason(
        adj.ReasonCode(case["reason"]),
        case.get("statusOnly", False),
        _money(case["value"], case.get("valueCurrency", "EUR")),
        _money(case["threshold"]),
    )
    assert ("AUTO" if held is None else "MANUAL") == case["expect"], held


def _new(spec: dict[str, Any], adjustment_id: str = "adj_1") -> adj.NewAdjustment:
    change = spec.get("statusChange")
    value = parse_decimal(spec.get("quantity", "-2"))
    return adj.NewAdjustment(
        adjustment_id=adjustment_id,
        site_id="DC-EAST",
        storage_location_id="SL01",
        location_id="A-01-01",
        item_id="SKU-1",
        lot_id=None,
        quantity=Quantity(value, "EA"),
        base_quantity=Quantity(value, "EA"),
        reason_code=adj.ReasonCode(spec["reason"]),
        requested_by_client="wms-partner",
        requested_by=spec.get("requestedBy"),
        stock_status=None if change else StockStatus.AVAILABLE,
        status_change=adj.StatusChange(StockStatus(change[0]), StockStatus(change[1]))
        if change
        else None,
    )


def _run(case: dict[str, Any]) -> tuple[adj.Adjustment, list[str], adj.Adjustment | None]:
    outcome = adj.request(_new(case["request"]), _money(case["request"]["value"]), THRESHOLD, T0)
    current, events = outcome.adjustment, [e.event_type for e in outcome.events]
    compensating: adj.Adjustment | None = None
    for minutes, step in enumerate(case["steps"], start=1):
        at = T0 + timedelta(minutes=minutes)
        if step["do"] == "approve":
            outcome = adj.approve(current, step["by"], step.get("user"), None, at)
        elif step["do"] == "reject":
            outcome = adj.reject(current, step["by"], step.get("user"), "recount the bin", at)
        elif step["do"] == "post":
            outcome = adj.post(current, adj.ErpPosting("4900000001", at), "erp", at)
        else:
            comp = adj.compensation(
                current,
                adjustment_id=f"adj_r{minutes}",
                client_id=step["by"],
                decided_by=None,
                reason="wrong lot",
                at=at,
            )
            compensating = adj.post(
                comp.adjustment, adj.ErpPosting("4900000002", at), "erp", at
            ).adjustment
            outcome = adj.mark_reversed(current, compensating, at)
        current = outcome.adjustment
        events += [e.event_type for e in outcome.events]
    return current, events, compensating


@pytest.mark.parametrize("case", WORKFLOWS, ids=lambda c: c["name"])
def test_workflow(case: dict[str, Any]) -> None:
    expect = case["expect"]
    if "error" in expect:
        with pytest.raises(getattr(errors, expect["error"])):
            _run(case)
        return
    final, events, compensating = _run(case)
    assert final.status.value == expect["status"]
    assert final.version == expect["version"]
    assert [entry.action for entry in final.audit] == expect["audit"]
    assert events == expect["events"]
    if "compensation" in expect:
        assert compensating is not None
        assert compensating.status.value == expect["compensation"]["status"]
        assert compensating.request.reversal_of == final.adjustment_id
        assert final.reversed_by == compensating.adjustment_id
        assert (
            format_decimal(compensating.request.base_quantity.value)
            == (expect["compensation"]["quantity"])
        )
        assert compensating.value_delta is not None
        assert compensating.value_delta.render() == expect["compensation"]["value"]


def test_audit_trail_chains_statuses_without_gaps() -> None:
    final, _, _ = _run(WORKFLOWS[1])
    pairs = [(e.from_status, e.to_status) for e in final.audit]
    for (_, previous_to), (next_from, _) in itertools.pairwise(pairs):
        assert previous_to is next_from


def test_every_status_has_a_transition_row() -> None:
    assert set(adj.TRANSITIONS) == set(adj.AdjustmentStatus)


@pytest.mark.parametrize(
    ("spec", "message"),
    [
        ({"reason": "FOUND", "value": "0", "quantity": "0"}, "non-zero"),
        (
            {
                "reason": "HOLD",
                "value": None,
                "quantity": "-1",
                "statusChange": ["AVAILABLE", "BLOCKED"],
            },
            "positive",
        ),
    ],
)
def test_malformed_requests_are_refused(spec: dict[str, Any], message: str) -> None:
    with pytest.raises(errors.BusinessRuleViolation, match=message):
        adj.request(_new(spec), None, THRESHOLD, T0)


def test_status_change_needs_two_statuses() -> None:
    with pytest.raises(errors.BusinessRuleViolation):
        adj.StatusChange(StockStatus.BLOCKED, StockStatus.BLOCKED)
