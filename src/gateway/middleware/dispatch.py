"""Calls the operation's handler straight from the validated request.

Request validation has already parsed and typed every parameter and the body, so the handler is
called with them directly instead of through Connexion's handler layer, which inspects the
handler's signature, wraps the request and re-parses the body on every call. Requests this layer
cannot serve (no handler, nothing validated) go on to Connexion unchanged.
"""

from __future__ import annotations

import inspect
from collections.abc import Awaitable, Callable, Iterable, Mapping
from dataclasses import dataclass
from datetime import date, datetime
from typing import Any
from uuid import UUID

from starlette.types import ASGIApp, Receive, Scope, Send

from gateway import jsonio
from gateway.contracts import LoadedContract, operations
from gateway.middleware.routing_info import routed_operation
from gateway.request_scope import (
    NO_BODY,
    RESPONSE_DOCUMENT_KEY,
    VALIDATED_KEY,
    ValidatedRequest,
    current_scope,
)

Handler = Callable[..., Awaitable[Any]]


@dataclass(frozen=True)
class Target:
    """A handler and what it accepts, worked out once at start-up."""

    handler: Handler
    accepts: frozenset[str] | None  # None: it takes **kwargs
    defaults: Mapping[str, object]  # query defaults the contract declares

    def arguments(self, request: ValidatedRequest) -> dict[str, object]:
        values: dict[str, object] = {**self.defaults, **request.query, **request.path}
        if request.body is not NO_BODY:
            values["body"] = request.body
        if self.accepts is None:
            return values
        return {k: v for k, v in values.items() if k in self.accepts}


def _accepted(handler: Handler) -> frozenset[str] | None:
    params = inspect.signature(handler).parameters.values()
    if any(p.kind is inspect.Parameter.VAR_KEYWORD for p in params):
        return None
    return frozenset(p.name for p in params)


def _default(param: Mapping[str, Any], components: Mapping[str, Any]) -> object:
    schema = param.get("schema")
    while isinstance(schema, Mapping) and isinstance(schema.get("$ref"), str):
        schema = components.get(str(schema["$ref"]).rsplit("/", 1)[-1])
    return schema.get("default", NO_BODY) if isinstance(schema, Mapping) else NO_BODY


def compile_targets(
    contracts: Iterable[LoadedContract], handlers: Mapping[tuple[str, str], Handler]
) -> dict[tuple[str, str], Target]:
    """A target per ``(base_path, operation_id)`` that has a handler."""
    targets: dict[tuple[str, str], Target] = {}
    for loaded in contracts:
        components = loaded.document.get("components")
        schemas = components.get("schemas", {}) if isinstance(components, dict) else {}
        for op in operations(loaded):
            handler = handlers.get(op.key)
            if handler is None:
                continue
            defaults = {}
            for param in op.parameters:
                if param.get("in") == "query":
                    value = _default(param, schemas if isinstance(schemas, dict) else {})
                    if value is not NO_BODY:
                        defaults[str(param["name"])] = value
            targets[op.key] = Target(handler, _accepted(handler), defaults)
    return targets


def _json_default(value: object) -> object:
    if isinstance(value, datetime | date):
        return value.isoformat()
    if isinstance(value, UUID):
        return str(value)
    raise TypeError(f"{type(value).__name__} is not JSON serialisable")


def _response(result: object) -> tuple[int, list[tuple[bytes, bytes]], bytes, object]:
    """A handler's ``body``, ``(body, status)`` or ``(body, status, headers)`` as raw parts,
    with the document the JSON payload encodes when it holds plain JSON types only."""
    status, headers = 200, {}
    body = result
    if isinstance(result, tuple):
        body, status = result[0], int(result[1])
        if len(result) > 2 and result[2]:
            headers = dict(result[2])
    raw = [(k.lower().encode("latin-1"), str(v).encode("latin-1")) for k, v in headers.items()]
    document: object = NO_BODY
    if body is None:
        payload = b""
    elif isinstance(body, bytes):
        payload = body
    else:
        plain = jsonio.dumps_plain(body)
        if plain is None:
            payload = jsonio.dumps_standard(body, default=_json_default)
        else:
            payload, document = plain, body
        if not any(k == b"content-type" for k, _ in raw):
            raw.append((b"content-type", b"application/json"))
    raw.append((b"content-length", str(len(payload)).encode()))
    return status, raw, payload, document


class DispatchMiddleware:
    """The innermost Waybill layer: handler call and response, no Connexion handler layer."""

    def __init__(
        self,
        app: ASGIApp,
        *,
        contracts: Iterable[LoadedContract],
        handlers: Mapping[tuple[str, str], Handler],
    ) -> None:
        self.app = app
        self.targets = compile_targets(contracts, handlers)

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        routed = routed_operation(scope) if scope["type"] == "http" else None
        target = self.targets.get(routed) if routed else None
        validated = scope.get("state", {}).get(VALIDATED_KEY)
        if target is None or not isinstance(validated, ValidatedRequest):
            await self.app(scope, receive, send)
            return
        token = current_scope.set(scope)
        try:
            result = await target.handler(**target.arguments(validated))
        finally:
            current_scope.reset(token)
        status, headers, payload, document = _response(result)
        if document is not NO_BODY:
            # Response validation checks this object instead of parsing the payload again.
            scope.setdefault("state", {})[RESPONSE_DOCUMENT_KEY] = document
        await send({"type": "http.response.start", "status": status, "headers": headers})
        await send({"type": "http.response.body", "body": payload})
