"""Request limits: body size, and JSON shape (depth, array length, string length) before parsing.

Oversized bodies are refused while they stream in, so a client cannot make the gateway buffer more
than the limit; the JSON shape is checked by a tokenizer before any parser recurses into it.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

from starlette.types import ASGIApp, Receive, Scope, Send

from gateway import problems
from gateway.middleware.bodies import replaying
from gateway.middleware.correlation import correlation_id


@dataclass(frozen=True)
class Limits:
    """Defaults follow the gateway issue: 1 MiB bodies, depth 32, 10,000 items, 64 KiB strings."""

    max_body_bytes: int = 1024 * 1024
    max_depth: int = 32
    max_array_items: int = 10_000
    max_string_bytes: int = 64 * 1024


class ShapeError(ValueError):
    """A JSON document exceeds a shape limit or is not JSON."""

    def __init__(self, kind: problems.ProblemKind, detail: str) -> None:
        super().__init__(detail)
        self.kind = kind
        self.detail = detail


# Strings (with escapes) are one token, so brackets inside them are never counted.
_TOKENS = re.compile(rb'"(?:[^"\\]|\\.)*"|[\[\]{},]|"')


def check_json_shape(body: bytes, limits: Limits) -> None:
    """Raise ShapeError when ``body`` nests too deep or holds too long an array or string."""
    stack: list[int] = []  # per open container: commas seen in an array, -1 for an object
    for match in _TOKENS.finditer(body):
        token = match.group()
        first = token[:1]
        if first == b'"':
            if len(token) == 1:
                raise ShapeError(problems.MALFORMED_BODY, "Unterminated string in JSON body.")
            if len(token) - 2 > limits.max_string_bytes:
                raise ShapeError(
                    problems.VALIDATION_FAILED,
                    f"A string in the body is longer than {limits.max_string_bytes} bytes.",
                )
        elif first in b"[{":
            if len(stack) >= limits.max_depth:
                raise ShapeError(
                    problems.VALIDATION_FAILED,
                    f"The body nests deeper than {limits.max_depth} levels.",
                )
            stack.append(0 if first == b"[" else -1)
        elif first in b"]}":
            if not stack:
                raise ShapeError(problems.MALFORMED_BODY, "Unbalanced brackets in JSON body.")
            stack.pop()
        elif stack and stack[-1] >= 0:  # a comma inside an array: items = commas + 1
            stack[-1] += 1
            if stack[-1] + 1 > limits.max_array_items:
                raise ShapeError(
                    problems.VALIDATION_FAILED,
                    f"An array in the body has more than {limits.max_array_items} items.",
                )


def _is_json(scope: Scope) -> bool:
    for name, value in scope["headers"]:
        if name == b"content-type":
            media = value.split(b";", 1)[0].strip().lower()
            return bool(media == b"application/json" or media.endswith(b"+json"))
    return False


def _declared_length(scope: Scope) -> int | None:
    for name, value in scope["headers"]:
        if name == b"content-length":
            return int(value) if value.isdigit() else -1
    return None


class RequestLimitsMiddleware:
    """Refuses oversized (413) and over-deep or over-long JSON (400) bodies before validation."""

    def __init__(self, app: ASGIApp, *, limits: Limits | None = None) -> None:
        self.app = app
        self.limits = limits or Limits()

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http" or scope["method"] in ("GET", "HEAD", "OPTIONS"):
            await self.app(scope, receive, send)
            return
        cid = correlation_id(scope)
        declared = _declared_length(scope)
        if declared == -1:
            await problems.problem_response(
                problems.VALIDATION_FAILED, "Content-Length is not a number.", correlation_id=cid
            )(scope, receive, send)
            return
        if declared is not None and declared > self.limits.max_body_bytes:
            await self._too_large(scope, receive, send)
            return
        chunks: list[bytes] = []
        size = 0
        more = True
        while more:
            message = await receive()
            if message["type"] == "http.disconnect":
                return
            chunk = message.get("body", b"")
            size += len(chunk)
            if size > self.limits.max_body_bytes:
                await self._too_large(scope, receive, send)
                return
            chunks.append(chunk)
            more = message.get("more_body", False)
        body = b"".join(chunks)
        if body and _is_json(scope):
            try:
                check_json_shape(body, self.limits)
            except ShapeError as exc:
                await problems.problem_response(exc.kind, exc.detail, correlation_id=cid)(
                    scope, receive, send
                )
                return
        await self.app(scope, replaying(body, receive), send)

    async def _too_large(self, scope: Scope, receive: Receive, send: Send) -> None:
        response = problems.problem_response(
            problems.PAYLOAD_TOO_LARGE,
            f"The body exceeds {self.limits.max_body_bytes} bytes.",
            correlation_id=correlation_id(scope),
            headers={"Connection": "close"},
        )
        await response(scope, receive, send)
