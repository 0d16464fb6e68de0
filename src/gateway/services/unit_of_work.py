"""Helpers every use case shares: ids, the clock, and recording events in the unit of work."""

from __future__ import annotations

import os
import time
from collections.abc import Callable, Iterable
from datetime import UTC, datetime

from gateway.domain.events import DomainEvent, EventEnvelope, EventMeta, envelope
from gateway.ports import UnitOfWork

Clock = Callable[[], datetime]
_CROCKFORD = "0123456789ABCDEFGHJKMNPQRSTVWXYZ"
# Two base32 digits (10 bits) per lookup: 13 lookups spell the 26 digits of a 128-bit id.
_PAIRS = tuple(high + low for high in _CROCKFORD for low in _CROCKFORD)
_PAIR_SHIFTS = tuple(range(120, -1, -10))


def utc_now() -> datetime:
    """The current time in UTC (the default clock)."""
    return datetime.now(UTC)


def new_id(prefix: str) -> str:
    """A ULID-style id (48-bit ms time + 80 random bits, Crockford base32): sorts by creation."""
    value = (time.time_ns() // 1_000_000) << 80 | int.from_bytes(os.urandom(10), "big")
    return f"{prefix}_{crockford(value)}"


def crockford(value: int) -> str:
    """A 128-bit number as 26 Crockford base32 digits, most significant first."""
    return "".join([_PAIRS[value >> shift & 1023] for shift in _PAIR_SHIFTS])


def envelopes(events: Iterable[DomainEvent], meta: EventMeta, clock: Clock) -> list[EventEnvelope]:
    """The events ready for the outbox: built before a unit of work, its write lock is held less."""
    return [
        envelope(event, event_id=new_id("evt"), recorded_at=clock(), meta=meta) for event in events
    ]


def record_events(
    uow: UnitOfWork, events: Iterable[DomainEvent], meta: EventMeta, clock: Clock
) -> None:
    """Write the events to the outbox of the open unit of work (same transaction as the state)."""
    record_envelopes(uow, envelopes(events, meta, clock))


def record_envelopes(uow: UnitOfWork, ready: Iterable[EventEnvelope]) -> None:
    """Write prepared envelopes to the outbox of the open unit of work."""
    for event in ready:
        uow.outbox.add(event)
