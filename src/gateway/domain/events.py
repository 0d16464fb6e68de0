"""Domain events (past tense) and the envelope every published event travels in."""

from __future__ import annotations

from dataclasses import dataclass, fields
from datetime import datetime
from typing import ClassVar, TypeAlias

JsonScalar: TypeAlias = "str | int | bool | None"
Payload: TypeAlias = "dict[str, JsonScalar]"
_BASE_FIELDS = frozenset({"aggregate_id", "aggregate_version", "occurred_at"})


@dataclass(frozen=True)
class DomainEvent:
    """Something that happened to one aggregate, at one version of it."""

    event_type: ClassVar[str] = "domain.event"
    schema_version: ClassVar[int] = 1

    aggregate_id: str
    aggregate_version: int
    occurred_at: datetime

    def payload(self) -> Payload:
        """The event's own fields, camelCased, as JSON scalars."""
        out: Payload = {}
        for field in fields(self):
            if field.name in _BASE_FIELDS:
                continue
            value = getattr(self, field.name)
            out[_camel(field.name)] = value.isoformat() if isinstance(value, datetime) else value
        return out


@dataclass(frozen=True)
class ItemSynced(DomainEvent):
    """The ERP delivered a new version of an item."""

    event_type: ClassVar[str] = "item.synced"

    item_id: str
    status: str
    base_uom: str
    version: int


@dataclass(frozen=True)
class AdjustmentRequested(DomainEvent):
    """The WMS asked for an inventory adjustment."""

    event_type: ClassVar[str] = "inventory.adjustment.requested"

    site_id: str
    location_id: str
    item_id: str
    lot_id: str | None
    base_quantity: str
    base_uom: str
    stock_status: str | None
    from_status: str | None
    to_status: str | None
    reason_code: str
    requested_by_client: str


@dataclass(frozen=True)
class AdjustmentApproved(DomainEvent):
    """The adjustment was approved, by the rules or by a client other than the requester."""

    event_type: ClassVar[str] = "inventory.adjustment.approved"

    site_id: str
    mode: str
    decided_by: str


@dataclass(frozen=True)
class AdjustmentRejected(DomainEvent):
    """The adjustment was rejected; the bin must be recounted."""

    event_type: ClassVar[str] = "inventory.adjustment.rejected"

    site_id: str
    decided_by: str
    reason: str


@dataclass(frozen=True)
class AdjustmentPosted(DomainEvent):
    """The ERP booked the adjustment and the WMS applied it."""

    event_type: ClassVar[str] = "inventory.adjustment.posted"

    site_id: str
    erp_document_id: str
    value_delta: str | None
    currency: str | None
    reversal_of: str | None


@dataclass(frozen=True)
class AdjustmentReversed(DomainEvent):
    """A posted adjustment was compensated by another one (never edited)."""

    event_type: ClassVar[str] = "inventory.adjustment.reversed"

    site_id: str
    reversed_by: str


@dataclass(frozen=True)
class EventMeta:
    """Where a change came from: filled by the service from the request that caused it."""

    producer: str = "waybill-gateway"
    correlation_id: str | None = None
    causation_id: str | None = None
    idempotency_key: str | None = None


@dataclass(frozen=True)
class EventEnvelope:
    """The envelope fields of DOMAIN.md around one event's payload."""

    event_id: str
    event_type: str
    schema_version: int
    occurred_at: datetime
    recorded_at: datetime
    producer: str
    correlation_id: str | None
    causation_id: str | None
    aggregate_id: str
    sequence: int
    idempotency_key: str | None
    payload: Payload


def envelope(
    event: DomainEvent, *, event_id: str, recorded_at: datetime, meta: EventMeta
) -> EventEnvelope:
    """Wrap a domain event for the outbox; its sequence is the aggregate's version."""
    return EventEnvelope(
        event_id=event_id,
        event_type=event.event_type,
        schema_version=event.schema_version,
        occurred_at=event.occurred_at,
        recorded_at=recorded_at,
        producer=meta.producer,
        correlation_id=meta.correlation_id,
        causation_id=meta.causation_id,
        aggregate_id=event.aggregate_id,
        sequence=event.aggregate_version,
        idempotency_key=meta.idempotency_key,
        payload=event.payload(),
    )


def _camel(name: str) -> str:
    head, *rest = name.split("_")
    return head + "".join(part.title() for part in rest)
