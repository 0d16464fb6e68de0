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


def check_json_encoding(body: bytes) -> None:
    """Raise ShapeError unless ``body`` is UTF-8 without NUL bytes (RFC 8259 §8.1).

    ``json.loads`` guesses UTF-16/32 from NUL bytes; in those encodings a quote or a bracket can
    hide inside a code unit, so the byte tokenizer would see another document than the parser.
    No JSON text in UTF-8 holds a raw NUL, so requiring both keeps the two in step.
    """
    if b"\x00" not in body:
        try:
            body.decode("utf-8")
            return
        except UnicodeDecodeError:
            pass
    raise ShapeError(problems.MALFORMED_BODY, "A JSON body must be encoded in UTF-8.")


def check_json_shape(body: bytes, limits: Limits) -> None:
    """Raise ShapeError when ``body`` is not UTF-8, nests too deep or holds too long an array or
    string."""
    check_json_encoding(body)
    if (
        len(body) <= limits.max_string_bytes
        and body.count(b"[") + body.count(b"{") <= limits.max_depth
        and body.count(b",") < limits.max_array_items
    ):
        # No string, nesting or array in it can be over a limit (each is bounded by the size or
        # by the count of its bytes): the parser alone judges whether it is well formed.
        return
    check_json_tokens(body, limits)


def check_json_tokens(body: bytes, limits: Limits) -> None:
    """The shape limits checked token by token (strings, brackets, commas)."""
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


# A media type is tokens, "/", ";", "=", quoted strings and white space (RFC 9110 §8.3): ASCII.
_MEDIA_TYPE = re.compile(rb"^[\x20-\x7e\t]*$")


def _header_problem(
    scope: Scope, *, has_body: bool
) -> tuple[problems.ProblemKind, str, dict[str, str]] | None:
    """Why the request's framing headers are unusable, if they are.

    Later layers decode ``Content-Type`` as UTF-8 and read bodies as identity-coded, so a
    Content-Type outside ASCII or a body in a content coding we never decode is refused here.
    """
    for name, value in scope["headers"]:
        if name == b"content-type" and not _MEDIA_TYPE.match(value):
            return problems.UNSUPPORTED_MEDIA_TYPE, "The Content-Type header is not ASCII.", {}
        coded = name == b"content-encoding" and value.strip().lower() not in (b"", b"identity")
        if coded and has_body:
            # RFC 9110 §15.5.16 and RFC 7694: 415, naming the codings we accept.
            return (
                problems.UNSUPPORTED_MEDIA_TYPE,
                "Request bodies are not decompressed; send them without a Content-Encoding.",
                {"Accept-Encoding": "identity"},
            )
    return None


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
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        cid = correlation_id(scope)
        has_body = scope["method"] not in ("GET", "HEAD", "OPTIONS")
        unusable = _header_problem(scope, has_body=has_body)
        if unusable is not None:
            kind, detail, headers = unusable
            await problems.problem_response(kind, detail, headers=headers, correlation_id=cid)(
                scope, receive, send
            )
            return
        if not has_body:
            await self.app(scope, receive, send)
            return
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
