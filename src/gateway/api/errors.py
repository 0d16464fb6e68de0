"""Turns every exception that reaches Connexion's exception layer into RFC 9457 problem+json.

Connexion's own problems use ``type: about:blank``; ours carry a stable type per error kind.
"""

from __future__ import annotations

import json
import logging
from collections.abc import Callable, Mapping

from connexion.exceptions import (
    BadRequestProblem,
    ClientProblem,
    ProblemException,
    UnsupportedMediaTypeProblem,
)
from connexion.lifecycle import ConnexionRequest, ConnexionResponse
from starlette.exceptions import HTTPException

from gateway import problems
from gateway.observability import correlation_id_var

log = logging.getLogger("waybill.errors")

_BY_STATUS: Mapping[int, problems.ProblemKind] = {
    400: problems.VALIDATION_FAILED,
    401: problems.UNAUTHORIZED,
    403: problems.INSUFFICIENT_SCOPE,
    404: problems.NOT_FOUND,
    405: problems.METHOD_NOT_ALLOWED,
    413: problems.PAYLOAD_TOO_LARGE,
    415: problems.UNSUPPORTED_MEDIA_TYPE,
    501: problems.NOT_IMPLEMENTED,
}

ErrorHandler = Callable[[ConnexionRequest, Exception], ConnexionResponse]


def _response(
    kind: problems.ProblemKind, detail: str | None, headers: Mapping[str, str] | None = None
) -> ConnexionResponse:
    body = kind.body(detail, correlationId=correlation_id_var.get())
    return ConnexionResponse(
        status_code=kind.status,
        mimetype=problems.PROBLEM_CONTENT_TYPE,
        content_type=problems.PROBLEM_CONTENT_TYPE,
        body=json.dumps(body, separators=(",", ":")),
        headers=dict(headers or {}),
    )


def _operation_of(request: ConnexionRequest) -> str:
    routing = request.scope.get("extensions", {}).get("connexion_routing", {})
    return str(routing.get("operation_id") or "unrouted")


def build_handlers() -> list[tuple[type[Exception] | int, ErrorHandler]]:
    """The handlers ``create_app`` registers, most specific first.

    Contract violations in responses never get here: the response-validation layer answers 502
    itself (and counts them).
    """

    def client_problem(_request: ConnexionRequest, exc: Exception) -> ConnexionResponse:
        assert isinstance(exc, ProblemException)
        fallback = problems.INTERNAL_ERROR if exc.status >= 500 else problems.VALIDATION_FAILED
        kind = _BY_STATUS.get(exc.status, fallback)
        detail = str(exc.detail or exc.title or "")
        if isinstance(exc, BadRequestProblem) and "JSON" in detail and "valid" in detail:
            kind = problems.MALFORMED_BODY
        if isinstance(exc, UnsupportedMediaTypeProblem):
            kind = problems.UNSUPPORTED_MEDIA_TYPE
        # Server-side problems do not describe our internals to the caller.
        return _response(kind, detail if exc.status < 500 else None, exc.headers)

    def http_exception(_request: ConnexionRequest, exc: Exception) -> ConnexionResponse:
        assert isinstance(exc, HTTPException)
        kind = _BY_STATUS.get(exc.status_code, problems.INTERNAL_ERROR)
        detail = exc.detail if kind is not problems.INTERNAL_ERROR else None
        return _response(kind, detail, exc.headers)

    def unexpected(request: ConnexionRequest, exc: Exception) -> ConnexionResponse:
        log.error("unhandled error", exc_info=exc, extra={"operation": _operation_of(request)})
        return _response(
            problems.INTERNAL_ERROR,
            "Something went wrong on our side; quote the correlation id when you report it.",
        )

    return [
        (ClientProblem, client_problem),
        (ProblemException, client_problem),
        (HTTPException, http_exception),
        (Exception, unexpected),
    ]
