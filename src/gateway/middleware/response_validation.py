"""Response validation: a backend answer that breaks the contract never reaches the partner.

The handler's response is buffered (bounded) and checked against the operation's compiled
response rules: the status must be documented (exactly, as ``2XX`` or by ``default``), the media
type declared for it, required headers present, declared headers and JSON bodies valid. Any
violation is logged, counted and replaced by a 502 problem that never carries the offending body.
"""

from __future__ import annotations

import json
import logging
from collections.abc import Iterable, Mapping
from dataclasses import dataclass

from starlette.types import ASGIApp, Message, Receive, Scope, Send

from gateway import problems
from gateway.contracts import LoadedContract, OperationSpec, operations
from gateway.metrics import Metrics
from gateway.middleware.correlation import correlation_id
from gateway.middleware.request_validation import is_json, match_media, media_type
from gateway.middleware.routing_info import routed_operation
from gateway.request_scope import NO_BODY, RESPONSE_DOCUMENT_KEY
from gateway.validation import (
    Parameter,
    SchemaCompiler,
    Validator,
    Violation,
    compile_parameter,
    parameters_schema,
    violations,
)
from registry.loading import JSON

log = logging.getLogger("waybill.contract")

# Larger answers are refused rather than buffered without bound.
DEFAULT_MAX_BODY_BYTES = 16 * 1024 * 1024


@dataclass(frozen=True)
class ResponseRule:
    """What one documented status of an operation may answer."""

    media: Mapping[str, Validator | None]  # declared media range -> body validator (JSON)
    headers: Mapping[str, Parameter]  # lower-cased name -> declared header
    header_validator: Validator | None


@dataclass(frozen=True)
class ResponseRules:
    """The documented answers of one operation, keyed ``"200"``, ``"2XX"`` or ``"default"``."""

    by_status: Mapping[str, ResponseRule]

    def rule_for(self, status: int) -> ResponseRule | None:
        """The rule documenting ``status``: the exact code, then its range, then ``default``."""
        code = str(status)
        return (
            self.by_status.get(code)
            or self.by_status.get(f"{code[0]}XX")
            or self.by_status.get("default")
        )


def _header_objects(headers: JSON, compiler: SchemaCompiler) -> list[dict[str, JSON]]:
    """Response header objects as header *parameters*, so the request machinery parses them."""
    found: list[dict[str, JSON]] = []
    for name, raw in headers.items() if isinstance(headers, dict) else ():
        header = compiler.deref(raw)
        if isinstance(header, dict) and name.lower() != "content-type":
            found.append({**header, "name": name, "in": "header"})
    return found


def compile_response_rules(op: OperationSpec, compiler: SchemaCompiler) -> ResponseRules:
    """The compiled response checks of one operation."""
    by_status: dict[str, ResponseRule] = {}
    responses = op.spec.get("responses")
    for status, raw in responses.items() if isinstance(responses, dict) else ():
        response = compiler.deref(raw)
        if not isinstance(response, dict):
            continue
        content = response.get("content")
        media: dict[str, Validator | None] = {}
        for name, entry in content.items() if isinstance(content, dict) else ():
            schema = entry.get("schema") if isinstance(entry, dict) else None
            key = media_type(name)
            media[key] = compiler.compile(schema) if is_json(key) and schema is not None else None
        header_objects = _header_objects(response.get("headers"), compiler)
        headers = {
            param.key: param
            for param in (compile_parameter(h, compiler) for h in header_objects)
            if param is not None
        }
        key = str(status)
        by_status[key.upper() if key.lower().endswith("xx") else key] = ResponseRule(
            media=media,
            headers=headers,
            header_validator=(
                compiler.compile(parameters_schema(header_objects)) if header_objects else None
            ),
        )
    return ResponseRules(by_status)


def compile_all(contracts: Iterable[LoadedContract]) -> dict[tuple[str, str], ResponseRules]:
    """``(base_path, operation_id)`` -> compiled response checks, for every served operation."""
    compiled: dict[tuple[str, str], ResponseRules] = {}
    for loaded in contracts:
        compiler = SchemaCompiler(loaded.document, "response")
        for op in operations(loaded):
            compiled[op.key] = compile_response_rules(op, compiler)
    return compiled


def _headers_of(start: Message) -> dict[str, list[str]]:
    headers: dict[str, list[str]] = {}
    for name, value in start.get("headers", ()):
        headers.setdefault(name.decode("latin-1").lower(), []).append(value.decode("latin-1"))
    return headers


def check_response(
    rules: ResponseRules,
    status: int,
    headers: Mapping[str, list[str]],
    body: bytes,
    *,
    head: bool,
    document: object = NO_BODY,
) -> list[Violation]:
    """Every way this answer breaks the operation's documented responses.

    ``document``, when given, is the object ``body`` encodes; when it keeps the contract,
    ``body`` is not parsed again.
    """
    rule = rules.rule_for(status)
    if rule is None:
        documented = ", ".join(sorted(rules.by_status))
        return [Violation("status", f"Status {status} is not documented (only {documented}).")]
    found: list[Violation] = []
    values: dict[str, object] = {}
    for key, header in rule.headers.items():
        if key in headers:
            values[key] = header.parse([", ".join(headers[key])])
        elif header.required:
            found.append(Violation(header.name, "Required response header is missing."))
    if rule.header_validator is not None and values:
        instance = {"header": values}
        if not rule.header_validator.is_valid(instance):
            for violation in violations(rule.header_validator, instance):
                name = violation.pointer.split("/", 3)[2]
                found.append(Violation(rule.headers[name].name, violation.message))
    if head:
        return found
    if not rule.media:
        if body:
            found.append(Violation("body", "The contract declares no body for this status."))
        return found
    media = media_type(headers.get("content-type", [""])[0])
    declared = match_media(media, rule.media) if media else None
    if declared is None:
        accepted = ", ".join(sorted(rule.media))
        found.append(Violation("content-type", f"{media or '(none)'!r} is not one of {accepted}."))
        return found
    validator = rule.media[declared]
    if validator is None:
        return found
    if document is not NO_BODY:
        try:
            if validator.is_valid(document):
                return found
        except ValueError:  # a type JSON does not have (a UUID, say)
            pass
        # Refusals are judged on the bytes that would have left, whatever the object held.
    try:
        document = json.loads(body)
    except (ValueError, RecursionError) as exc:
        found.append(Violation("body", f"The body is not valid JSON: {exc}"))
        return found
    if not validator.is_valid(document):
        found.extend(violations(validator, document, prefix="body"))
    return found


class ResponseValidationMiddleware:
    """Holds back the handler's answer until it is known to keep the contract."""

    def __init__(
        self,
        app: ASGIApp,
        *,
        contracts: Iterable[LoadedContract],
        metrics: Metrics,
        max_body_bytes: int = DEFAULT_MAX_BODY_BYTES,
    ) -> None:
        self.app = app
        self.rules = compile_all(contracts)
        self.metrics = metrics
        self.max_body_bytes = max_body_bytes

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        routed = routed_operation(scope) if scope["type"] == "http" else None
        rules = self.rules.get(routed) if routed else None
        if routed is None or rules is None:
            await self.app(scope, receive, send)
            return
        operation_id = routed[1]
        start: Message | None = None
        chunks: list[bytes] = []
        size = 0
        overflow = False
        done = False

        async def hold(message: Message) -> None:
            nonlocal start, size, overflow, done
            if message["type"] == "http.response.start":
                start = message
            elif message["type"] == "http.response.body" and not done:
                chunk = message.get("body", b"")
                size += len(chunk)
                overflow = overflow or size > self.max_body_bytes
                if not overflow:
                    chunks.append(chunk)
                done = not message.get("more_body", False)

        await self.app(scope, receive, hold)
        document = scope.get("state", {}).pop(RESPONSE_DOCUMENT_KEY, NO_BODY)
        if start is None:
            return  # the app answered nothing; the outer layers deal with that
        body = b"".join(chunks)
        status = int(start["status"])
        if overflow:
            found = [Violation("body", f"The response exceeds {self.max_body_bytes} bytes.")]
        else:
            headers = _headers_of(start)
            head = scope["method"] == "HEAD"
            found = self._violations(rules, status, headers, body, head=head, document=document)
        if found:
            self._report(operation_id, status, found)
            await problems.problem_response(
                problems.CONTRACT_VIOLATION,
                "The backend answered something the contract does not allow; it was withheld.",
                correlation_id=correlation_id(scope),
            )(scope, receive, send)
            return
        await send(start)
        await send({"type": "http.response.body", "body": body, "more_body": False})

    def _violations(
        self,
        rules: ResponseRules,
        status: int,
        headers: Mapping[str, list[str]],
        body: bytes,
        *,
        head: bool,
        document: object,
    ) -> list[Violation]:
        # Operations without behaviour yet answer 501 problem+json from the gateway itself;
        # that is not the backend breaking the contract (unless the contract documents 501).
        if status == 501 and "501" not in rules.by_status:
            content_type = headers.get("content-type", [""])[0]
            if media_type(content_type) == problems.PROBLEM_CONTENT_TYPE:
                return []
        return check_response(rules, status, headers, body, head=head, document=document)

    def _report(self, operation_id: str, status: int, found: list[Violation]) -> None:
        self.metrics.contract_violations.labels(operation_id).inc()
        log.error(
            "response of %s broke the contract: %s",
            operation_id,
            "; ".join(f"{v.pointer}: {v.message}" for v in found[:10]),
            extra={
                "operation": operation_id,
                "status": status,
                "violations": [v.as_json() for v in found],
            },
        )
