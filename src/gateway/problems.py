"""RFC 9457 problem details: one stable ``type`` URI per kind of error."""

from __future__ import annotations

import json
from collections.abc import Iterable, Mapping
from dataclasses import dataclass

from starlette.responses import Response
from starlette.types import Send

from gateway.observability import correlation_id_var

PROBLEM_BASE = "https://waybill.dev/problems/"
PROBLEM_CONTENT_TYPE = "application/problem+json"


@dataclass(frozen=True)
class ProblemKind:
    """A kind of error users can meet: its slug (the end of the type URI), title and status."""

    slug: str
    title: str
    status: int

    @property
    def type(self) -> str:
        return PROBLEM_BASE + self.slug

    def body(self, detail: str | None = None, **extensions: object) -> dict[str, object]:
        """The problem+json document for one occurrence."""
        doc: dict[str, object] = {"type": self.type, "title": self.title, "status": self.status}
        if detail:
            doc["detail"] = detail
        doc.update({k: v for k, v in extensions.items() if v is not None})
        return doc


VALIDATION_FAILED = ProblemKind("validation-failed", "Request validation failed", 400)
MALFORMED_BODY = ProblemKind("malformed-body", "Malformed request body", 400)
UNAUTHORIZED = ProblemKind("unauthorized", "Unauthorized", 401)
INSUFFICIENT_SCOPE = ProblemKind("insufficient-scope", "Insufficient scope", 403)
NOT_FOUND = ProblemKind("not-found", "Not found", 404)
METHOD_NOT_ALLOWED = ProblemKind("method-not-allowed", "Method not allowed", 405)
INVALID_STATE = ProblemKind("invalid-state-transition", "Invalid state transition", 409)
STALE_VERSION = ProblemKind("stale-version", "Stale version", 409)
VERSION_SUNSET = ProblemKind("version-sunset", "API version retired", 410)
PAYLOAD_TOO_LARGE = ProblemKind("payload-too-large", "Payload too large", 413)
UNSUPPORTED_MEDIA_TYPE = ProblemKind("unsupported-media-type", "Unsupported media type", 415)
BUSINESS_RULE = ProblemKind("business-rule-violated", "Business rule violated", 422)
# A value the schema allows but the operation cannot use, such as a cursor it never issued.
INVALID_INPUT = ProblemKind("invalid-input", "Input cannot be interpreted", 422)
RATE_LIMITED = ProblemKind("rate-limited", "Too many requests", 429)
INTERNAL_ERROR = ProblemKind("internal-error", "Internal error", 500)
NOT_IMPLEMENTED = ProblemKind("not-implemented", "Not implemented", 501)
CONTRACT_VIOLATION = ProblemKind("contract-violation", "Backend response broke the contract", 502)
BACKEND_UNAVAILABLE = ProblemKind("backend-unavailable", "Backend unavailable", 503)
IDEMPOTENCY_KEY_MISSING = ProblemKind("idempotency-key-missing", "Idempotency-Key required", 400)
IDEMPOTENCY_KEY_REUSED = ProblemKind(
    "idempotency-key-reused", "Idempotency-Key reused with another payload", 422
)
IDEMPOTENCY_IN_FLIGHT = ProblemKind(
    "idempotency-key-in-flight", "A request with this Idempotency-Key is still running", 409
)

# Every kind, for documentation and its staleness test.
ALL_KINDS: tuple[ProblemKind, ...] = tuple(
    value for value in list(globals().values()) if isinstance(value, ProblemKind)
)


def problem_response(
    kind: ProblemKind,
    detail: str | None = None,
    *,
    headers: Mapping[str, str] | None = None,
    correlation_id: str | None = None,
    **extensions: object,
) -> Response:
    """A ready-to-send problem+json response (for middleware that answers before routing)."""
    body = kind.body(detail, correlationId=correlation_id, **extensions)
    return Response(
        json.dumps(body, separators=(",", ":")),
        status_code=kind.status,
        headers=dict(headers or {}),
        media_type=PROBLEM_CONTENT_TYPE,
    )


async def send_problem(
    send: Send,
    kind: ProblemKind,
    detail: str,
    *,
    headers: Iterable[tuple[str, str]] = (),
    **extensions: object,
) -> None:
    """Answer with an RFC 9457 problem+json document, straight on the ASGI channel."""
    doc = kind.body(detail, correlationId=correlation_id_var.get(), **extensions)
    body = json.dumps(doc, separators=(",", ":")).encode()
    raw = [
        (b"content-type", PROBLEM_CONTENT_TYPE.encode()),
        (b"content-length", str(len(body)).encode()),
        (b"cache-control", b"no-store"),
        *((name.lower().encode("latin-1"), value.encode("latin-1")) for name, value in headers),
    ]
    await send({"type": "http.response.start", "status": kind.status, "headers": raw})
    await send({"type": "http.response.body", "body": body, "more_body": False})
