"""Helpers every use case shares: ids, the clock, and recording events in the unit of work."""

from __future__ import annotations

import os
import time
from collections.abc import Callable, Iterable
from datetime import UTC, datetime

from gateway.domain.events import DomainEvent, EventMeta, envelope
from gateway.ports import UnitOfWork

Clock = Callable[[], datetime]
_CROCKFORD = "0123456789ABCDEFGHJKMNPQRSTVWXYZ"


def utc_now() -> datetime:
    """The current time in UTC (the default clock)."""
    return datetime.now(UTC)


def new_id(prefix: str) -> str:
    """A ULID-style id (48-bit ms time + 80 random bits, Crockford base32): sorts by creation."""
    value = (time.time_ns() // 1_000_000) << 80 | int.from_bytes(os.urandom(10), "big")
    chars = []
    for _ in range(26):
        value, digit = divmod(value, 32)
        chars.append(_CROCKFORD[digit])
    return f"{prefix}_{''.join(reversed(chars))}"


def record_events(
    uow: UnitOfWork, events: Iterable[DomainEvent], meta: EventMeta, clock: Clock
) -> None:
    """Write the events to the outbox of the open unit of work (same transaction as the state)."""
    for event in events:
        uow.outbox.add(envelope(event, event_id=new_id("evt"), recorded_at=clock(), meta=meta))
