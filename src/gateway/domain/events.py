"""Domain events (past tense) and the envelope every published event travels in."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, fields, is_dataclass
from datetime import datetime
from enum import Enum
from fractions import Fraction
from typing import TYPE_CHECKING, ClassVar, TypeAlias, cast

from gateway.domain.quantities import Money, Quantity, format_decimal
from gateway.domain.uom import UomConversion

if TYPE_CHECKING:
    from gateway.domain.adjustments import StatusChange

JsonValue: TypeAlias = "str | int | bool | list[JsonValue] | dict[str, JsonValue] | None"
Payload: TypeAlias = "dict[str, JsonValue]"
_BASE_FIELDS = frozenset({"aggregate_id", "aggregate_version", "occurred_at"})


@dataclass(frozen=True)
class DomainEvent:
    """Something that happened to one aggregate, at one version of it.

    The payload is the event's own fields, camelCased, shaped like its Avro schema under
    ``specs/avro/<eventType>.avsc`` (quantities and money as exact decimal strings).
    """

    event_type: ClassVar[str] = "domain.event"
    schema_version: ClassVar[int] = 1

    aggregate_id: str
    aggregate_version: int
    occurred_at: datetime

    def payload(self) -> Payload:
        """The event's own fields as JSON values."""
        return {key: _json(getattr(self, name)) for name, key in _keys(type(self))}


@dataclass(frozen=True)
class ItemSynced(DomainEvent):
    """The ERP delivered a new version of an item."""

    event_type: ClassVar[str] = "item.synced"

    item_id: str
    gtin: str | None
    description: str
    item_type: str
    base_uom: str
    tracking_mode: str
    shelf_life_days: int | None
    removal_strategy: str
    inspect_on_receipt: bool
    abc_class: str | None
    uom_conversions: tuple[UomConversion, ...]
    status: str
    version: int
    changed_at: datetime


@dataclass(frozen=True)
class AdjustmentRequested(DomainEvent):
    """The WMS asked for an inventory adjustment."""

    event_type: ClassVar[str] = "inventory.adjustment.requested"

    adjustment_id: str
    site_id: str
    location_id: str
    item_id: str
    lot_id: str | None
    serial_numbers: tuple[str, ...]
    quantity: Quantity
    base_quantity: Quantity
    stock_status: str | None
    status_change: StatusChange | None
    reason_code: str
    note: str | None
    value_delta: Money | None
    requested_by: str | None
    requested_by_client: str
    partner_reference: str | None
    requested_at: datetime


@dataclass(frozen=True)
class AdjustmentApproved(DomainEvent):
    """The adjustment was approved, by the rules or by a client other than the requester."""

    event_type: ClassVar[str] = "inventory.adjustment.approved"

    adjustment_id: str
    site_id: str
    mode: str
    decided_by: str
    decided_at: datetime
    note: str | None
    value_delta: Money | None
    threshold: Money | None


@dataclass(frozen=True)
class AdjustmentRejected(DomainEvent):
    """The adjustment was rejected; the bin must be recounted."""

    event_type: ClassVar[str] = "inventory.adjustment.rejected"

    adjustment_id: str
    site_id: str
    decided_by: str
    decided_at: datetime
    reason: str
    follow_up: str = "RECOUNT_REQUIRED"
    recount_count_id: str | None = None


@dataclass(frozen=True)
class AdjustmentPosted(DomainEvent):
    """The ERP booked the adjustment and the WMS applied it."""

    event_type: ClassVar[str] = "inventory.adjustment.posted"

    adjustment_id: str
    site_id: str
    location_id: str
    item_id: str
    lot_id: str | None
    quantity: Quantity
    base_quantity: Quantity
    value_delta: Money | None
    erp_document_id: str
    movement_type: str | None
    reversal_of: str | None
    posted_at: datetime


@dataclass(frozen=True)
class AdjustmentReversed(DomainEvent):
    """A posted adjustment was compensated by another one (never edited)."""

    event_type: ClassVar[str] = "inventory.adjustment.reversed"

    adjustment_id: str
    site_id: str
    reversed_by: str
    reason: str
    decided_by: str
    reversed_at: datetime


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


_KEYS: dict[type, tuple[tuple[str, str], ...]] = {}


def _keys(cls: type) -> tuple[tuple[str, str], ...]:
    """(field name, JSON key) of a record, worked out once per class (an event's own fields)."""
    found = _KEYS.get(cls)
    if found is None:
        skip = _BASE_FIELDS if issubclass(cls, DomainEvent) else frozenset()
        found = _KEYS[cls] = tuple(
            (f.name, _camel(f.name)) for f in fields(cls) if f.name not in skip
        )
    return found


def _json(value: object) -> JsonValue:
    """Domain values as JSON: decimals as exact strings, enums by value, records as objects."""
    exact = _BY_TYPE.get(type(value))
    if exact is not None:
        return exact(value)
    if value is None or isinstance(value, str | bool | int):
        return value
    if isinstance(value, Enum):
        return _json(value.value)
    if isinstance(value, Money):
        return _money(value)
    if isinstance(value, Quantity):
        return _quantity(value)
    if isinstance(value, Fraction):
        return format_decimal(value)
    if isinstance(value, datetime):
        return value.isoformat()
    if isinstance(value, tuple | list):
        return [_json(item) for item in value]
    if is_dataclass(value) and not isinstance(value, type):
        return {key: _json(getattr(value, name)) for name, key in _keys(type(value))}
    raise TypeError(f"{type(value).__name__} has no JSON form in events")


def _money(value: Money) -> JsonValue:
    return {"amount": value.render(), "currency": value.currency}


def _quantity(value: Quantity) -> JsonValue:
    return {"value": format_decimal(value.value), "uom": value.uom}


def _same(value: object) -> JsonValue:
    return cast(JsonValue, value)


# The common exact types, found by one dict lookup (subclasses take the checks in ``_json``).
_BY_TYPE: dict[type, Callable[[object], JsonValue]] = {
    str: _same,
    int: _same,
    bool: _same,
    type(None): _same,
    datetime: lambda value: cast(datetime, value).isoformat(),
    Money: lambda value: _money(cast(Money, value)),
    Quantity: lambda value: _quantity(cast(Quantity, value)),
    Fraction: lambda value: format_decimal(cast(Fraction, value)),
}
