"""Request validation against the contract, compiled once per operation at start-up.

Strict: unknown query parameters, missing required parameters and bodies, undeclared content
types and schema violations are refused with problem+json before idempotency or the handler see
the request. Parameters are coerced from their wire strings to the declared types first.
"""

from __future__ import annotations

import json
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from typing import Any

from starlette.types import ASGIApp, Receive, Scope, Send

from gateway import problems
from gateway.contracts import LoadedContract, OperationSpec, operations
from gateway.middleware.bodies import read_body
from gateway.middleware.correlation import correlation_id
from gateway.middleware.routing_info import routed_operation
from gateway.request_scope import NO_BODY, VALIDATED_KEY, ValidatedRequest, query_pairs
from gateway.validation import (
    MAX_ERRORS,
    Parameter,
    SchemaCompiler,
    Validator,
    Violation,
    compile_parameter,
    parameters_schema,
    violations,
)
from registry.loading import JSON


def media_type(value: str) -> str:
    """``type/subtype`` of a Content-Type value, lower-cased, parameters dropped."""
    return value.split(";", 1)[0].strip().lower()


def is_json(media: str) -> bool:
    """JSON media types: ``application/json`` and any ``+json`` suffix."""
    return media == "application/json" or media.endswith("+json")


def match_media(media: str, declared: Iterable[str]) -> str | None:
    """The declared media range (exact, ``type/*`` or ``*/*``) that ``media`` falls under."""
    ranges = list(declared)
    if media in ranges:
        return media
    wildcard = media.split("/", 1)[0] + "/*"
    for candidate in (wildcard, "*/*"):
        if candidate in ranges:
            return candidate
    return None


@dataclass(frozen=True)
class RequestBody:
    """What the operation accepts as a body: per declared media range, a validator (JSON)."""

    required: bool
    media: Mapping[str, Validator | None]


@dataclass(frozen=True)
class RequestRules:
    """Everything request validation checks for one operation."""

    query: Mapping[str, Parameter] = field(default_factory=dict)
    path: Mapping[str, Parameter] = field(default_factory=dict)
    header: Mapping[str, Parameter] = field(default_factory=dict)
    parameters: Validator | None = None
    body: RequestBody | None = None


def _body_rules(raw: JSON, compiler: SchemaCompiler) -> RequestBody | None:
    request_body = compiler.deref(raw)
    if not isinstance(request_body, dict):
        return None
    content = request_body.get("content")
    media: dict[str, Validator | None] = {}
    for name, entry in content.items() if isinstance(content, dict) else ():
        schema = entry.get("schema") if isinstance(entry, dict) else None
        key = media_type(name)
        media[key] = compiler.compile(schema) if is_json(key) and schema is not None else None
    return RequestBody(bool(request_body.get("required", False)), media)


def compile_request_rules(op: OperationSpec, compiler: SchemaCompiler) -> RequestRules:
    """The compiled checks of one operation."""
    by_location: dict[str, dict[str, Parameter]] = {"query": {}, "path": {}, "header": {}}
    validated: list[dict[str, JSON]] = []
    for raw in op.parameters:
        param = compile_parameter(raw, compiler)
        if param is not None:
            by_location[param.location][param.key] = param
            validated.append(raw)
    return RequestRules(
        query=by_location["query"],
        path=by_location["path"],
        header=by_location["header"],
        parameters=compiler.compile(parameters_schema(validated)) if validated else None,
        body=_body_rules(op.spec.get("requestBody"), compiler),
    )


def compile_all(contracts: Iterable[LoadedContract]) -> dict[tuple[str, str], RequestRules]:
    """``(base_path, operation_id)`` -> compiled request checks, for every served operation."""
    compiled: dict[tuple[str, str], RequestRules] = {}
    for loaded in contracts:
        compiler = SchemaCompiler(loaded.document, "request")
        for op in operations(loaded):
            compiled[op.key] = compile_request_rules(op, compiler)
    return compiled


class RejectedError(Exception):
    """A request the contract does not allow; ``errors`` are listed in the problem too."""

    def __init__(
        self, kind: problems.ProblemKind, detail: str, errors: list[Violation] | None = None
    ) -> None:
        if errors:  # name the first few in the detail, for humans reading logs and consoles
            shown = "; ".join(f"{e.pointer or '(root)'}: {e.message}" for e in errors[:3])
            more = f" (and {len(errors) - 3} more)" if len(errors) > 3 else ""
            detail = f"{detail} {shown}{more}"[:4000]
        super().__init__(detail)
        self.kind = kind
        self.detail = detail
        self.errors = errors


def _reject_constant(name: str) -> object:
    raise ValueError(f"{name} is not JSON")


def _collect(
    declared: Mapping[str, Parameter],
    raw: Mapping[str, list[str]],
    location: str,
    errors: list[Violation],
) -> dict[str, object]:
    values: dict[str, object] = {}
    for key, occurrences in raw.items():
        param = declared.get(key)
        if param is None:
            if location == "query":
                errors.append(Violation(key, "Unknown query parameter."))
            continue
        if param.kind != "array" and len(occurrences) > 1:
            errors.append(
                Violation(param.name, f"The {location} parameter is given more than once.")
            )
            continue
        values[key] = param.parse(occurrences)
    for key, param in declared.items():
        if param.required and key not in raw:
            errors.append(
                Violation(param.name, f"Required {location} parameter {param.name!r} is missing.")
            )
    return values


def check_parameters(rules: RequestRules, scope: Scope) -> dict[str, dict[str, object]]:
    """The typed parameters by location; raise a rejection when they break the contract."""
    query: dict[str, list[str]] = {}
    for name, value in query_pairs(scope):
        query.setdefault(name, []).append(value)
    if not (query or rules.query or rules.path or rules.header):
        return {"query": {}, "path": {}, "header": {}}
    headers: dict[str, list[str]] = {}
    if rules.header:
        for name_bytes, value_bytes in scope["headers"]:
            name = name_bytes.decode("latin-1").lower()
            if name in rules.header:
                headers.setdefault(name, []).append(value_bytes.decode("latin-1"))
        headers = {k: [", ".join(v)] for k, v in headers.items()}
    path_params = scope.get("path_params") or {}
    path = {k: [str(v)] for k, v in path_params.items() if k in rules.path}
    errors: list[Violation] = []
    instance = {
        "query": _collect(rules.query, query, "query", errors),
        "path": _collect(rules.path, path, "path", errors),
        "header": _collect(rules.header, headers, "header", errors),
    }
    if rules.parameters is not None and not rules.parameters.is_valid(instance):
        for found in violations(rules.parameters, instance):
            # "/query/limit/0" -> "limit/0": the parameter name, then a pointer inside its value
            parts = [*found.pointer.split("/", 3), "", "", ""]
            declared = getattr(rules, parts[1], {}).get(parts[2])
            name = declared.name if declared is not None else parts[2]
            inner = parts[3]
            errors.append(Violation(f"{name}/{inner}" if inner else name, found.message))
    if errors:
        raise RejectedError(
            problems.VALIDATION_FAILED,
            "The request's parameters break the contract:",
            errors[:MAX_ERRORS],
        )
    return instance


def check_body(body_rules: RequestBody, scope: Scope, body: bytes) -> Any:
    """The parsed JSON body (``NO_BODY`` when absent or not JSON); raise a rejection when it is
    missing, of an undeclared type or breaks its schema."""
    if not body:
        if body_rules.required:
            raise RejectedError(problems.VALIDATION_FAILED, "This operation needs a request body.")
        return NO_BODY
    content_type = ""
    for name, value in scope["headers"]:
        if name == b"content-type":
            content_type = value.decode("latin-1")
            break
    media = media_type(content_type)
    declared = match_media(media, body_rules.media) if media else None
    if declared is None:
        accepted = ", ".join(sorted(body_rules.media)) or "no body"
        raise RejectedError(
            problems.UNSUPPORTED_MEDIA_TYPE,
            f"Content-Type {media or '(none)'!r} is not accepted here; use {accepted}.",
        )
    validator = body_rules.media[declared]
    if validator is None:
        return NO_BODY
    try:
        document = json.loads(body, parse_constant=_reject_constant)
    except (ValueError, RecursionError) as exc:  # UnicodeDecodeError is a ValueError
        raise RejectedError(problems.MALFORMED_BODY, f"The body is not valid JSON: {exc}") from exc
    if not validator.is_valid(document):
        raise RejectedError(
            problems.VALIDATION_FAILED,
            "The request body breaks the contract:",
            violations(validator, document),
        )
    return document


class RequestValidationMiddleware:
    """Checks every routed request against its operation's compiled parameter and body rules."""

    def __init__(self, app: ASGIApp, *, contracts: Iterable[LoadedContract]) -> None:
        self.app = app
        self.rules = compile_all(contracts)

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        routed = routed_operation(scope) if scope["type"] == "http" else None
        rules = self.rules.get(routed) if routed else None
        if rules is None:
            await self.app(scope, receive, send)
            return
        try:
            params = check_parameters(rules, scope)
            document = NO_BODY
            if rules.body is not None:
                body, receive = await read_body(receive)
                document = check_body(rules.body, scope, body)
        except RejectedError as rejection:
            errors = [e.as_json() for e in rejection.errors] if rejection.errors else None
            response = problems.problem_response(
                rejection.kind,
                rejection.detail,
                correlation_id=correlation_id(scope),
                errors=errors,
            )
            await response(scope, receive, send)
            return
        scope.setdefault("state", {})[VALIDATED_KEY] = ValidatedRequest(
            params["path"], params["query"], params["header"], document
        )
        await self.app(scope, receive, send)
