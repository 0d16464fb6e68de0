"""The ASGI scope of the request being handled, for handlers the dispatch layer calls directly."""

from __future__ import annotations

from contextvars import ContextVar
from dataclasses import dataclass
from typing import Any

from starlette.types import Scope

current_scope: ContextVar[Scope | None] = ContextVar("waybill_current_scope", default=None)

# Key under ``scope["state"]`` where request validation leaves what it parsed.
VALIDATED_KEY = "waybill.validated"
NO_BODY: Any = object()
# Key under ``scope["state"]`` where the dispatch layer leaves the document it encoded as the
# response body (plain JSON types only), so response validation need not parse it back.
RESPONSE_DOCUMENT_KEY = "waybill.response_document"


@dataclass(frozen=True)
class ValidatedRequest:
    """Typed parameters and the parsed JSON body, as request validation accepted them."""

    path: dict[str, object]
    query: dict[str, object]
    header: dict[str, object]
    body: Any = NO_BODY
