"""Cursor pagination: opaque cursors that carry the sort key of the last record returned."""

from __future__ import annotations

import base64
import binascii
import json
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from typing import Generic, TypeVar

from gateway.domain.errors import InvalidInput

T = TypeVar("T")


@dataclass(frozen=True)
class Page(Generic[T]):
    """One page of records and the cursor for the next one (None on the last page)."""

    items: list[T]
    next_cursor: str | None

    @property
    def has_more(self) -> bool:
        return self.next_cursor is not None


def encode_cursor(kind: str, key: Sequence[str]) -> str:
    """An opaque cursor for ``kind`` resuming after ``key``."""
    raw = json.dumps([kind, *key], separators=(",", ":")).encode()
    return base64.urlsafe_b64encode(raw).decode().rstrip("=")


def decode_cursor(kind: str, cursor: str | None, width: int) -> tuple[str, ...] | None:
    """The key a cursor resumes after; a cursor of another list or a forged one is refused."""
    if cursor is None:
        return None
    try:
        raw = base64.urlsafe_b64decode(cursor + "=" * (-len(cursor) % 4))
        decoded = json.loads(raw)
    except (binascii.Error, ValueError) as exc:
        raise InvalidInput("the cursor is not one this list issued") from exc
    if (
        not isinstance(decoded, list)
        or len(decoded) != width + 1
        or decoded[0] != kind
        or not all(isinstance(part, str) for part in decoded)
    ):
        raise InvalidInput("the cursor is not one this list issued")
    return tuple(decoded[1:])


def page_of(kind: str, rows: list[T], limit: int, key: Callable[[T], Sequence[str]]) -> Page[T]:
    """Cut ``limit + 1`` fetched rows into a page; the extra row only says there is more."""
    if len(rows) <= limit:
        return Page(rows, None)
    kept = rows[:limit]
    return Page(kept, encode_cursor(kind, key(kept[-1])))
