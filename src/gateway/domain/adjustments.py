"""Inventory adjustments: the WMS requests, the ERP's approval rules decide, the ERP posts.

REQUESTED -> PENDING_APPROVAL -> APPROVED / REJECTED -> POSTED -> REVERSED, and
REJECTED -> RECOUNT_REQUIRED. Every transition grows the version, appends an audit entry and,
where the catalog has one, yields an event. Corrections are compensating adjustments, never edits.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, replace
from datetime import datetime
from enum import StrEnum
from fractions import Fraction

from gateway.domain.errors import BusinessRuleViolation, InvalidTransition
from gateway.domain.events import (
    AdjustmentApproved,
    AdjustmentPosted,
    AdjustmentRejected,
    AdjustmentRequested,
    AdjustmentReversed,
    DomainEvent,
)
from gateway.domain.inventory import StockStatus
from gateway.domain.quantities import Money, Quantity, format_decimal

RULES_ACTOR = "rules"


class ReasonCode(StrEnum):
    """Why stock changed (X12 947 adjustment reasons, plus CORRECTION)."""

    FOUND = "FOUND"
    MISSING = "MISSING"
    STOLEN = "STOLEN"
    DAMAGED = "DAMAGED"
    EXPIRED = "EXPIRED"
    SCRAPPED = "SCRAPPED"
    DATA_ENTRY_ERROR = "DATA_ENTRY_ERROR"
    RECEIPT_ERROR = "RECEIPT_ERROR"
    SHIPMENT_ERROR = "SHIPMENT_ERROR"
    HOLD = "HOLD"
    RELEASE_HOLD = "RELEASE_HOLD"
    RECALL = "RECALL"
    CORRECTION = "CORRECTION"
    OTHER = "OTHER"


# Reasons that always need a person's approval, whatever the value.
ALWAYS_MANUAL = frozenset({ReasonCode.STOLEN, ReasonCode.CORRECTION})


class AdjustmentStatus(StrEnum):
    """Where an adjustment is in its approval and posting workflow."""

    REQUESTED = "REQUESTED"
    PENDING_APPROVAL = "PENDING_APPROVAL"
    APPROVED = "APPROVED"
    REJECTED = "REJECTED"
    RECOUNT_REQUIRED = "RECOUNT_REQUIRED"
    POSTED = "POSTED"
    REVERSED = "REVERSED"


S = AdjustmentStatus
TRANSITIONS: Mapping[AdjustmentStatus, frozenset[AdjustmentStatus]] = {
    S.REQUESTED: frozenset({S.PENDING_APPROVAL, S.APPROVED}),
    S.PENDING_APPROVAL: frozenset({S.APPROVED, S.REJECTED}),
    S.APPROVED: frozenset({S.POSTED}),
    S.REJECTED: frozenset({S.RECOUNT_REQUIRED}),
    S.RECOUNT_REQUIRED: frozenset(),
    S.POSTED: frozenset({S.REVERSED}),
    S.REVERSED: frozenset(),
}


class DecisionMode(StrEnum):
    """Who decided: the approval rules on request, or a client."""

    AUTO = "AUTO"
    MANUAL = "MANUAL"


@dataclass(frozen=True)
class StatusChange:
    """Move stock from one status to another without changing the quantity on hand."""

    from_status: StockStatus
    to_status: StockStatus

    def __post_init__(self) -> None:
        if self.from_status is self.to_status:
            raise BusinessRuleViolation("a status change needs two different stock statuses")


@dataclass(frozen=True)
class Decision:
    """An approval or rejection: who, when, and why."""

    mode: DecisionMode
    decided_by: str
    decided_at: datetime
    note: str | None = None
    threshold: Money | None = None


@dataclass(frozen=True)
class ErpPosting:
    """The ERP's material document for a posted adjustment."""

    document_id: str
    posted_at: datetime
    movement_type: str | None = None


@dataclass(frozen=True)
class AuditEntry:
    """One line of the audit trail: who did what, from which status to which."""

    at: datetime
    actor: str
    action: str
    from_status: AdjustmentStatus | None = None
    to_status: AdjustmentStatus | None = None
    note: str | None = None


@dataclass(frozen=True)
class NewAdjustment:
    """What the requester asked for, with the quantity already converted to the base unit."""

    adjustment_id: str
    site_id: str
    storage_location_id: str
    location_id: str
    item_id: str
    lot_id: str | None
    quantity: Quantity
    base_quantity: Quantity
    reason_code: ReasonCode
    requested_by_client: str
    stock_status: StockStatus | None = None
    status_change: StatusChange | None = None
    serial_numbers: tuple[str, ...] = ()
    note: str | None = None
    requested_by: str | None = None
    partner_reference: str | None = None
    reversal_of: str | None = None


@dataclass(frozen=True)
class Adjustment:
    """An adjustment and everything that happened to it."""

    request: NewAdjustment
    status: AdjustmentStatus
    version: int
    created_at: datetime
    updated_at: datetime
    audit: tuple[AuditEntry, ...]
    value_delta: Money | None = None
    approval: Decision | None = None
    rejection: Decision | None = None
    erp_posting: ErpPosting | None = None
    reversed_by: str | None = None

    @property
    def adjustment_id(self) -> str:
        return self.request.adjustment_id

    @property
    def site_id(self) -> str:
        return self.request.site_id


@dataclass(frozen=True)
class Outcome:
    """An adjustment after a command, with the events the command produced."""

    adjustment: Adjustment
    events: tuple[DomainEvent, ...]


def manual_approval_reason(
    reason: ReasonCode,
    status_only: bool,
    value_delta: Money | None,
    threshold: Money | None,
) -> str | None:
    """Why a person must approve, or None when the rules approve on request."""
    if status_only:
        return None
    if reason in ALWAYS_MANUAL:
        return f"reason {reason.value} always needs an approval"
    if value_delta is None:
        return "the item has no valuation price at this site"
    if threshold is None:
        return "the site has no auto-approval threshold"
    if value_delta.currency != threshold.currency:
        return (
            f"value in {value_delta.currency} cannot be compared with a {threshold.currency} limit"
        )
    if abs(value_delta.amount) > threshold.amount:
        return "the value exceeds the site's auto-approval threshold"
    return None


def request(
    new: NewAdjustment, value_delta: Money | None, threshold: Money | None, at: datetime
) -> Outcome:
    """Record a request and apply the approval rules: auto-approve it or hold it for approval."""
    _check_request(new)
    adjustment = Adjustment(
        request=new,
        status=S.REQUESTED,
        version=1,
        created_at=at,
        updated_at=at,
        audit=(AuditEntry(at, new.requested_by_client, "request", None, S.REQUESTED, new.note),),
        value_delta=value_delta,
    )
    requested = _requested_event(adjustment)
    held = manual_approval_reason(
        new.reason_code, new.status_change is not None, value_delta, threshold
    )
    if held is not None:
        pending = _move(
            adjustment,
            S.PENDING_APPROVAL,
            actor=RULES_ACTOR,
            action="hold-for-approval",
            at=at,
            note=held,
        )
        return Outcome(pending, (requested,))
    decision = Decision(DecisionMode.AUTO, RULES_ACTOR, at, _auto_note(new), threshold)
    approved = replace(
        _move(
            adjustment,
            S.APPROVED,
            actor=RULES_ACTOR,
            action="auto-approve",
            at=at,
            note=decision.note,
        ),
        approval=decision,
    )
    return Outcome(approved, (requested, _approved_event(approved)))


def approve(
    adjustment: Adjustment, client_id: str, decided_by: str | None, note: str | None, at: datetime
) -> Outcome:
    """PENDING_APPROVAL -> APPROVED by a client other than the requester."""
    _require(adjustment, S.APPROVED)
    _check_segregation(adjustment.request, client_id, decided_by)
    actor = _actor(client_id, decided_by)
    decision = Decision(DecisionMode.MANUAL, actor, at, note)
    approved = replace(
        _move(adjustment, S.APPROVED, actor=actor, action="approve", at=at, note=note),
        approval=decision,
    )
    return Outcome(approved, (_approved_event(approved),))


def reject(
    adjustment: Adjustment, client_id: str, decided_by: str | None, reason: str, at: datetime
) -> Outcome:
    """PENDING_APPROVAL -> REJECTED -> RECOUNT_REQUIRED: a rejection is never a silent drop."""
    _require(adjustment, S.REJECTED)
    _check_segregation(adjustment.request, client_id, decided_by)
    actor = _actor(client_id, decided_by)
    rejected = replace(
        _move(adjustment, S.REJECTED, actor=actor, action="reject", at=at, note=reason),
        rejection=Decision(DecisionMode.MANUAL, actor, at, reason),
    )
    event = AdjustmentRejected(
        rejected.adjustment_id,
        rejected.version,
        at,
        adjustment_id=rejected.adjustment_id,
        site_id=rejected.site_id,
        decided_by=actor,
        decided_at=at,
        reason=reason,
    )
    recount = _move(
        rejected, S.RECOUNT_REQUIRED, actor=RULES_ACTOR, action="require-recount", at=at, note=None
    )
    return Outcome(recount, (event,))


def post(adjustment: Adjustment, posting: ErpPosting, actor: str, at: datetime) -> Outcome:
    """APPROVED -> POSTED once the ERP has booked it and the WMS has applied it."""
    _require(adjustment, S.POSTED)
    posted = replace(
        _move(
            adjustment,
            S.POSTED,
            actor=actor,
            action="post",
            at=at,
            note=f"ERP document {posting.document_id}",
        ),
        erp_posting=posting,
    )
    new = posted.request
    event = AdjustmentPosted(
        posted.adjustment_id,
        posted.version,
        at,
        adjustment_id=posted.adjustment_id,
        site_id=posted.site_id,
        location_id=new.location_id,
        item_id=new.item_id,
        lot_id=new.lot_id,
        quantity=new.quantity,
        base_quantity=new.base_quantity,
        value_delta=posted.value_delta,
        erp_document_id=posting.document_id,
        movement_type=posting.movement_type,
        reversal_of=new.reversal_of,
        posted_at=posting.posted_at,
    )
    return Outcome(posted, (event,))


def compensation(
    original: Adjustment,
    *,
    adjustment_id: str,
    client_id: str,
    decided_by: str | None,
    reason: str,
    at: datetime,
) -> Outcome:
    """The approved compensating adjustment that undoes a POSTED one (not yet posted itself)."""
    if original.status is not S.POSTED:
        raise InvalidTransition(
            f"adjustment {original.adjustment_id} is {original.status.value}; only POSTED "
            "adjustments can be reversed"
        )
    if original.request.reversal_of is not None:
        raise InvalidTransition(
            f"adjustment {original.adjustment_id} is itself a reversal; request a new adjustment"
        )
    if original.reversed_by is not None:
        raise InvalidTransition(
            f"adjustment {original.adjustment_id} is already being reversed by "
            f"{original.reversed_by}"
        )
    _check_segregation(original.request, client_id, decided_by)
    base = original.request
    change = base.status_change
    new = replace(
        base,
        adjustment_id=adjustment_id,
        quantity=-base.quantity if change is None else base.quantity,
        base_quantity=-base.base_quantity if change is None else base.base_quantity,
        status_change=None
        if change is None
        else StatusChange(change.to_status, change.from_status),
        requested_by_client=client_id,
        requested_by=decided_by,
        note=reason,
        partner_reference=None,
        reversal_of=original.adjustment_id,
    )
    actor = _actor(client_id, decided_by)
    value = original.value_delta
    created = Adjustment(
        request=new,
        status=S.REQUESTED,
        version=1,
        created_at=at,
        updated_at=at,
        audit=(AuditEntry(at, actor, "request-reversal", None, S.REQUESTED, reason),),
        value_delta=None if value is None else Money(-value.amount, value.currency),
    )
    decision = Decision(DecisionMode.MANUAL, actor, at, reason)
    approved = replace(
        _move(created, S.APPROVED, actor=actor, action="approve-reversal", at=at, note=reason),
        approval=decision,
    )
    return Outcome(approved, (_requested_event(created), _approved_event(approved)))


def mark_reversed(original: Adjustment, compensating: Adjustment, at: datetime) -> Outcome:
    """POSTED -> REVERSED once its compensating adjustment has been posted."""
    _require(original, S.REVERSED)
    decision = compensating.approval
    assert decision is not None
    reason = compensating.request.note or "reversed"
    reversed_ = replace(
        _move(
            original,
            S.REVERSED,
            actor=decision.decided_by,
            action="reverse",
            at=at,
            note=f"compensated by {compensating.adjustment_id}: {reason}",
        ),
        reversed_by=compensating.adjustment_id,
    )
    event = AdjustmentReversed(
        reversed_.adjustment_id,
        reversed_.version,
        at,
        adjustment_id=reversed_.adjustment_id,
        site_id=reversed_.site_id,
        reversed_by=compensating.adjustment_id,
        reason=reason,
        decided_by=decision.decided_by,
        reversed_at=at,
    )
    return Outcome(reversed_, (event,))


def _check_request(new: NewAdjustment) -> None:
    if new.status_change is not None:
        if new.stock_status is not None:
            raise BusinessRuleViolation(
                "a status change names its statuses in statusChange; leave stockStatus out"
            )
        if new.quantity.value <= 0:
            raise BusinessRuleViolation("a status change moves a positive quantity")
    elif new.quantity.value == 0:
        raise BusinessRuleViolation("a quantity adjustment needs a non-zero quantity")
    if new.serial_numbers and Fraction(len(new.serial_numbers)) != abs(new.base_quantity.value):
        raise BusinessRuleViolation(
            f"{len(new.serial_numbers)} serial numbers for a quantity of "
            f"{format_decimal(abs(new.base_quantity.value))} {new.base_quantity.uom}"
        )


def _check_segregation(new: NewAdjustment, client_id: str, decided_by: str | None) -> None:
    if client_id == new.requested_by_client or (
        decided_by is not None and decided_by == new.requested_by
    ):
        raise BusinessRuleViolation(
            f"adjustment {new.adjustment_id} was requested by {new.requested_by_client}; the "
            "requester cannot decide on its own adjustment"
        )


def _require(adjustment: Adjustment, target: AdjustmentStatus) -> None:
    if target not in TRANSITIONS[adjustment.status]:
        raise InvalidTransition(
            f"adjustment {adjustment.adjustment_id} is {adjustment.status.value} and cannot move "
            f"to {target.value}"
        )


def _move(
    adjustment: Adjustment,
    target: AdjustmentStatus,
    *,
    actor: str,
    action: str,
    at: datetime,
    note: str | None,
) -> Adjustment:
    _require(adjustment, target)
    entry = AuditEntry(at, actor, action, adjustment.status, target, note)
    return replace(
        adjustment,
        status=target,
        version=adjustment.version + 1,
        updated_at=at,
        audit=(*adjustment.audit, entry),
    )


def _actor(client_id: str, decided_by: str | None) -> str:
    return client_id if decided_by is None else f"{client_id}/{decided_by}"


def _auto_note(new: NewAdjustment) -> str:
    if new.status_change is not None:
        return "status-only change, posted at once"
    return "within the site's auto-approval threshold"


def _requested_event(adjustment: Adjustment) -> AdjustmentRequested:
    new = adjustment.request
    return AdjustmentRequested(
        new.adjustment_id,
        adjustment.version,
        adjustment.created_at,
        adjustment_id=new.adjustment_id,
        site_id=new.site_id,
        location_id=new.location_id,
        item_id=new.item_id,
        lot_id=new.lot_id,
        serial_numbers=new.serial_numbers,
        quantity=new.quantity,
        base_quantity=new.base_quantity,
        stock_status=new.stock_status.value if new.stock_status else None,
        status_change=new.status_change,
        reason_code=new.reason_code.value,
        note=new.note,
        value_delta=adjustment.value_delta,
        requested_by=new.requested_by,
        requested_by_client=new.requested_by_client,
        partner_reference=new.partner_reference,
        requested_at=adjustment.created_at,
    )


def _approved_event(adjustment: Adjustment) -> AdjustmentApproved:
    decision = adjustment.approval
    assert decision is not None
    return AdjustmentApproved(
        adjustment.adjustment_id,
        adjustment.version,
        decision.decided_at,
        adjustment_id=adjustment.adjustment_id,
        site_id=adjustment.site_id,
        mode=decision.mode.value,
        decided_by=decision.decided_by,
        decided_at=decision.decided_at,
        note=decision.note,
        value_delta=adjustment.value_delta,
        threshold=decision.threshold,
    )
