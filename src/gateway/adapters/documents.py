"""Domain objects <-> the JSON documents and key columns both gateway stores write.

SQLite and PostgreSQL share these, so a row written by one reads the same in the other and lists
page identically on both.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from datetime import UTC, datetime
from fractions import Fraction
from typing import Any

from gateway.domain.adjustments import (
    Adjustment,
    AdjustmentStatus,
    AuditEntry,
    Decision,
    DecisionMode,
    ErpPosting,
    NewAdjustment,
    ReasonCode,
    StatusChange,
)
from gateway.domain.events import EventEnvelope
from gateway.domain.inventory import StockStatus
from gateway.domain.items import Item, ItemStatus, TrackingMode
from gateway.domain.quantities import Money, Quantity
from gateway.domain.uom import UomConversion


@dataclass(frozen=True)
class EventEnvelopeRow:
    """One outbox row as stored."""

    event_id: str
    aggregate_id: str
    sequence: int
    type: str
    payload: str
    created_at: str


# -- codecs: domain objects <-> JSON documents (Fractions as exact "p/q" strings) --


def utc_key(at: datetime) -> str:
    """ISO text in UTC: ordering and range filters compare these strings, so every instant
    must be written in one offset (a naive datetime is taken as UTC)."""
    if at.tzinfo is UTC:
        return at.isoformat()
    aware = at if at.tzinfo else at.replace(tzinfo=UTC)
    return aware.astimezone(UTC).isoformat()


def envelope(event: EventEnvelope) -> dict[str, Any]:
    """The event as published; ``occurredAt`` keeps the site's offset, as the contract asks."""
    return {
        "eventId": event.event_id,
        "eventType": event.event_type,
        "schemaVersion": event.schema_version,
        "occurredAt": event.occurred_at.isoformat(),
        "recordedAt": utc_key(event.recorded_at),
        "producer": event.producer,
        "correlationId": event.correlation_id,
        "causationId": event.causation_id,
        "aggregateId": event.aggregate_id,
        "sequence": event.sequence,
        "idempotencyKey": event.idempotency_key,
        "data": event.payload,
    }


def audit_entries(
    rows: Iterable[Sequence[str | None]],
) -> tuple[AuditEntry, ...]:
    """Audit entries from ``(at, actor, action, from_status, to_status, note)`` rows."""
    return tuple(
        AuditEntry(
            datetime.fromisoformat(str(at)),
            str(actor),
            str(action),
            AdjustmentStatus(from_status) if from_status else None,
            AdjustmentStatus(to_status) if to_status else None,
            note,
        )
        for at, actor, action, from_status, to_status, note in rows
    )


def _frac(value: Fraction | None) -> str | None:
    return None if value is None else str(value)


def _unfrac(value: str | None) -> Fraction | None:
    return None if value is None else Fraction(value)


def _money(money: Money | None) -> dict[str, str] | None:
    return None if money is None else {"amount": str(money.amount), "currency": money.currency}


def _unmoney(doc: dict[str, str] | None) -> Money | None:
    return None if doc is None else Money(Fraction(doc["amount"]), doc["currency"])


def item_to_doc(item: Item) -> dict[str, Any]:
    """An item as a JSON document."""
    return {
        "itemId": item.item_id,
        "gtin": item.gtin,
        "description": item.description,
        "itemType": item.item_type,
        "baseUom": item.base_uom,
        "trackingMode": item.tracking_mode.value,
        "removalStrategy": item.removal_strategy,
        "status": item.status.value,
        "version": item.version,
        "updatedAt": utc_key(item.updated_at),
        "baseRoundingIncrement": _frac(item.base_rounding_increment),
        "shelfLifeDays": item.shelf_life_days,
        "inspectOnReceipt": item.inspect_on_receipt,
        "abcClass": item.abc_class,
        "standardCost": _money(item.standard_cost),
        "uomConversions": [
            [c.alt_uom, c.numerator, c.denominator, _frac(c.rounding_increment)]
            for c in item.uom_conversions
        ],
    }


def item_from_doc(doc: dict[str, Any]) -> Item:
    """The item a JSON document describes."""
    return Item(
        item_id=doc["itemId"],
        gtin=doc["gtin"],
        description=doc["description"],
        item_type=doc["itemType"],
        base_uom=doc["baseUom"],
        tracking_mode=TrackingMode(doc["trackingMode"]),
        removal_strategy=doc["removalStrategy"],
        status=ItemStatus(doc["status"]),
        version=doc["version"],
        updated_at=datetime.fromisoformat(doc["updatedAt"]),
        base_rounding_increment=_unfrac(doc["baseRoundingIncrement"]),
        shelf_life_days=doc["shelfLifeDays"],
        inspect_on_receipt=doc["inspectOnReceipt"],
        abc_class=doc["abcClass"],
        standard_cost=_unmoney(doc["standardCost"]),
        uom_conversions=tuple(
            UomConversion(alt, num, den, _unfrac(inc))
            for alt, num, den, inc in doc["uomConversions"]
        ),
    )


def _decision(decision: Decision | None) -> dict[str, Any] | None:
    if decision is None:
        return None
    return {
        "mode": decision.mode.value,
        "decidedBy": decision.decided_by,
        "decidedAt": utc_key(decision.decided_at),
        "note": decision.note,
        "threshold": _money(decision.threshold),
    }


def _undecision(doc: dict[str, Any] | None) -> Decision | None:
    if doc is None:
        return None
    return Decision(
        DecisionMode(doc["mode"]),
        doc["decidedBy"],
        datetime.fromisoformat(doc["decidedAt"]),
        doc["note"],
        _unmoney(doc["threshold"]),
    )


def adjustment_to_doc(adjustment: Adjustment) -> dict[str, Any]:
    """An adjustment (without its audit trail, which has its own table) as a JSON document."""
    new = adjustment.request
    change = new.status_change
    posting = adjustment.erp_posting
    return {
        "request": {
            "adjustmentId": new.adjustment_id,
            "siteId": new.site_id,
            "storageLocationId": new.storage_location_id,
            "locationId": new.location_id,
            "itemId": new.item_id,
            "lotId": new.lot_id,
            "quantity": [str(new.quantity.value), new.quantity.uom],
            "baseQuantity": [str(new.base_quantity.value), new.base_quantity.uom],
            "reasonCode": new.reason_code.value,
            "requestedByClient": new.requested_by_client,
            "stockStatus": new.stock_status.value if new.stock_status else None,
            "statusChange": [change.from_status.value, change.to_status.value] if change else None,
            "serialNumbers": list(new.serial_numbers),
            "note": new.note,
            "requestedBy": new.requested_by,
            "partnerReference": new.partner_reference,
            "reversalOf": new.reversal_of,
        },
        "status": adjustment.status.value,
        "version": adjustment.version,
        "createdAt": utc_key(adjustment.created_at),
        "updatedAt": utc_key(adjustment.updated_at),
        "valueDelta": _money(adjustment.value_delta),
        "approval": _decision(adjustment.approval),
        "rejection": _decision(adjustment.rejection),
        "erpPosting": None
        if posting is None
        else {
            "documentId": posting.document_id,
            "postedAt": utc_key(posting.posted_at),
            "movementType": posting.movement_type,
        },
        "reversedBy": adjustment.reversed_by,
    }


def adjustment_from_doc(doc: dict[str, Any], audit: tuple[AuditEntry, ...]) -> Adjustment:
    """The adjustment a JSON document and its audit rows describe."""
    r = doc["request"]
    change = r["statusChange"]
    posting = doc["erpPosting"]
    new = NewAdjustment(
        adjustment_id=r["adjustmentId"],
        site_id=r["siteId"],
        storage_location_id=r["storageLocationId"],
        location_id=r["locationId"],
        item_id=r["itemId"],
        lot_id=r["lotId"],
        quantity=Quantity(Fraction(r["quantity"][0]), r["quantity"][1]),
        base_quantity=Quantity(Fraction(r["baseQuantity"][0]), r["baseQuantity"][1]),
        reason_code=ReasonCode(r["reasonCode"]),
        requested_by_client=r["requestedByClient"],
        stock_status=StockStatus(r["stockStatus"]) if r["stockStatus"] else None,
        status_change=StatusChange(StockStatus(change[0]), StockStatus(change[1]))
        if change
        else None,
        serial_numbers=tuple(r["serialNumbers"]),
        note=r["note"],
        requested_by=r["requestedBy"],
        partner_reference=r["partnerReference"],
        reversal_of=r["reversalOf"],
    )
    return Adjustment(
        request=new,
        status=AdjustmentStatus(doc["status"]),
        version=doc["version"],
        created_at=datetime.fromisoformat(doc["createdAt"]),
        updated_at=datetime.fromisoformat(doc["updatedAt"]),
        audit=audit,
        value_delta=_unmoney(doc["valueDelta"]),
        approval=_undecision(doc["approval"]),
        rejection=_undecision(doc["rejection"]),
        erp_posting=None
        if posting is None
        else ErpPosting(
            posting["documentId"],
            datetime.fromisoformat(posting["postedAt"]),
            posting.get("movementType"),
        ),
        reversed_by=doc["reversedBy"],
    )
