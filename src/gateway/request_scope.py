"""The ASGI scope of the request being handled, for handlers the dispatch layer calls directly."""

from __future__ import annotations

from contextvars import ContextVar
from dataclasses import dataclass
from typing import Any
from urllib.parse import parse_qsl

from starlette.types import Scope

current_scope: ContextVar[Scope | None] = ContextVar("waybill_current_scope", default=None)

# Key under ``scope["state"]`` where request validation leaves what it parsed.
VALIDATED_KEY = "waybill.validated"
NO_BODY: Any = object()
# Key under ``scope["state"]`` where the dispatch layer leaves the document it encoded as the
# response body (plain JSON types only), so response validation need not parse it back.
RESPONSE_DOCUMENT_KEY = "waybill.response_document"
_QUERY_KEY = "waybill.query"


def query_pairs(scope: Scope) -> list[tuple[str, str]]:
    """The decoded query string as ``(name, value)`` pairs, parsed once per request."""
    state = scope.setdefault("state", {})
    pairs: list[tuple[str, str]] | None = state.get(_QUERY_KEY)
    if pairs is None:
        raw = scope.get("query_string", b"")
        pairs = parse_qsl(raw.decode("latin-1"), keep_blank_values=True) if raw else []
        state[_QUERY_KEY] = pairs
    return pairs


@dataclass(frozen=True)
class ValidatedRequest:
    """Typed parameters and the parsed JSON body, as request validation accepted them."""

    path: dict[str, object]
    query: dict[str, object]
    header: dict[str, object]
    body: Any = NO_BODY
