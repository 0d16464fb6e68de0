"""What the slice's handlers share: running a use case off the event loop, problem mapping.

Services are synchronous (SQLite, psycopg); they run in the process's store threads
(``services.blocking``) so one slow transaction never stalls the other requests of the process.
Domain errors become RFC 9457 problems here, each kind with its own stable type.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from datetime import UTC, datetime
from fractions import Fraction
from typing import Any, TypeAlias

from gateway import problems
from gateway.api.requests import request_header
from gateway.domain import errors
from gateway.domain.events import EventMeta
from gateway.domain.quantities import Money, format_decimal
from gateway.observability import correlation_id_var
from gateway.services.blocking import BlockingPool

Body: TypeAlias = dict[str, Any]
Response: TypeAlias = tuple[Body, int, dict[str, str]]

JSON = "application/json"
_KINDS: Mapping[type[errors.DomainError], problems.ProblemKind] = {
    errors.NotFound: problems.NOT_FOUND,
    errors.InvalidTransition: problems.INVALID_STATE,
    errors.StaleVersion: problems.STALE_VERSION,
    errors.BusinessRuleViolation: problems.BUSINESS_RULE,
    errors.InvalidInput: problems.INVALID_INPUT,
}


def ok(body: Body, status: int = 200, headers: Mapping[str, str] | None = None) -> Response:
    """A JSON success response."""
    return body, status, {"Content-Type": JSON, **(headers or {})}


def problem(error: errors.DomainError) -> Response:
    """The problem+json response for a domain error."""
    kind = next(k for cls, k in _KINDS.items() if isinstance(error, cls))
    body = kind.body(error.detail, correlationId=correlation_id_var.get())
    return body, kind.status, {"Content-Type": problems.PROBLEM_CONTENT_TYPE}


async def respond(pool: BlockingPool, work: Callable[[], Response]) -> Response:
    """Run a use case in one of the pool's threads; a domain error becomes its problem."""
    try:
        return await pool.run(work)
    except errors.DomainError as error:
        return problem(error)


def event_meta() -> EventMeta:
    """Correlation id and Idempotency-Key of the current request, for the events it causes."""
    return EventMeta(
        correlation_id=correlation_id_var.get() or request_header("x-correlation-id"),
        idempotency_key=request_header("idempotency-key"),
    )


def decimal(value: Fraction) -> str:
    """An exact value as a contract decimal string."""
    return format_decimal(value)


def quantity(value: Fraction, uom: str) -> Body:
    """A Quantity object."""
    return {"value": format_decimal(value), "uom": uom}


def money(value: Money) -> Body:
    """A Money object with the currency's minor-unit decimals."""
    return {"amount": value.render(), "currency": value.currency}


def timestamp(at: datetime) -> str:
    """RFC 3339 in UTC with a ``Z``."""
    if at.tzinfo is not UTC:  # stored and generated times are already UTC: skip the conversion
        at = at.astimezone(UTC)
    return at.isoformat().replace("+00:00", "Z")


def page(data: list[Body], next_cursor: str | None) -> Body:
    """A page envelope."""
    return {"data": data, "page": {"hasMore": next_cursor is not None, "nextCursor": next_cursor}}


def drop_none(body: Body) -> Body:
    """Leave out optional members that have no value (closed schemas do not allow nulls)."""
    return {k: v for k, v in body.items() if v is not None}
