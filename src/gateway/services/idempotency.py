"""Idempotency-Key semantics (draft-ietf-httpapi-idempotency-key-header), storage-agnostic.

A key is scoped by client and operation. The first request with a key claims it (in flight); its
completed result is stored and replayed to retries with the same payload. The same key with
another payload is refused (422); a retry while the first is still running is told to wait (409).
"""

from __future__ import annotations

import hashlib
import json
from dataclasses import dataclass, field
from datetime import datetime, timedelta
from typing import Protocol
from urllib.parse import parse_qsl, urlencode


@dataclass(frozen=True)
class KeyScope:
    """Where a key is unique: one client, one operation."""

    client_id: str
    operation_id: str
    key: str


@dataclass(frozen=True)
class StoredResponse:
    """The first completed result, as it will be replayed."""

    status: int
    headers: tuple[tuple[str, str], ...]
    body: bytes


@dataclass(frozen=True)
class Claimed:
    """This request owns the key until ``lease_until`` and must run the handler.

    The lease end identifies this claim: once it has run out, another request may take the key
    over, and the first holder's late ``complete`` or ``release`` must then change nothing.
    """

    lease_until: datetime | None = None


@dataclass(frozen=True)
class Replay:
    """A completed result exists for the same payload."""

    response: StoredResponse


@dataclass(frozen=True)
class Mismatch:
    """The key was used with a different payload."""


@dataclass(frozen=True)
class InFlight:
    """Another request with this key is running; retry after ``retry_after`` seconds."""

    retry_after: int = field(default=1)


Claim = Claimed | Replay | Mismatch | InFlight


class IdempotencyStore(Protocol):
    """Durable, concurrency-safe storage of keys; one implementation per database."""

    async def claim(
        self, scope: KeyScope, fingerprint: str, *, now: datetime, lease: timedelta
    ) -> Claim:
        """Atomically claim the key, or report why not. An expired lease may be taken over."""
        ...

    async def complete(
        self,
        scope: KeyScope,
        fingerprint: str,
        response: StoredResponse,
        *,
        lease_until: datetime | None = None,
    ) -> None:
        """Store the result of the unfinished claim (only the one ending at ``lease_until``)."""
        ...

    async def release(
        self, scope: KeyScope, fingerprint: str, *, lease_until: datetime | None = None
    ) -> None:
        """Drop an unfinished claim (only the one ending at ``lease_until``) so a retry can run
        the handler again."""
        ...

    async def purge(self, older_than: datetime) -> int:
        """Delete keys created before ``older_than``, except claims whose lease runs past it;
        returns how many."""
        ...


_UNPARSED = object()


def fingerprint(
    method: str,
    path: str,
    query: str,
    body: bytes,
    content_type: str,
    *,
    document: object = _UNPARSED,
) -> str:
    """SHA-256 over method, path, query and the body, JSON canonicalised when it is JSON.

    Canonical JSON (sorted keys, no insignificant white space) and a sorted query make a retry
    that re-serialises the same request differently count as the same request. ``document`` is
    the JSON body already parsed (by request validation), so it is not parsed again.
    """
    query = urlencode(sorted(parse_qsl(query, keep_blank_values=True)))
    canonical = body
    if body and ("json" in content_type):
        try:
            parsed = json.loads(body) if document is _UNPARSED else document
            canonical = json.dumps(
                parsed, sort_keys=True, separators=(",", ":"), ensure_ascii=False
            ).encode()
        except (ValueError, UnicodeDecodeError):
            canonical = body
    digest = hashlib.sha256()
    for part in (method.upper().encode(), path.encode(), query.encode()):
        digest.update(part)
        digest.update(b"\x00")
    digest.update(canonical)
    return digest.hexdigest()
