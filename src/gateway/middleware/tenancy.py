"""Tenant scope: a partner only touches its own sites; any other site answers 404.

Which inputs are site ids is compiled once per operation from the contracts: parameters named
``siteId``/``fromSiteId``/``toSiteId`` or typed with the common ``SiteId`` schema, or arrays of
them (in the path, the query or a header), and the same anywhere in a JSON request body (nested
objects, array items). A site outside the token's ``sites`` gets the same 404 as a site that does
not exist, so existence never leaks. List operations without a site filter pass; their handlers
filter by the principal's sites.
"""

from __future__ import annotations

import json
from collections.abc import Iterable, Iterator, Mapping
from dataclasses import dataclass

from starlette.types import ASGIApp, Message, Receive, Scope, Send

from gateway import problems
from gateway.contracts import LoadedContract
from gateway.domain.access import Principal
from gateway.metrics import Metrics
from gateway.middleware.routing_info import principal_of, routed_operation
from gateway.request_scope import query_pairs
from registry.loading import JSON, DocumentError, resolve_pointer

SITE_ID_NAMES = frozenset({"siteId", "fromSiteId", "toSiteId"})
SITE_ID_SCHEMA = "#/components/schemas/SiteId"
_METHODS = ("get", "put", "post", "delete", "patch")
# The limits layer bounds bodies long before this; it only keeps this layer safe on its own.
_MAX_BODY_BYTES = 16 * 1024 * 1024
# A body path step that stands for every item of an array.
EACH = "*"
_COMBINATORS = ("allOf", "oneOf", "anyOf")


@dataclass(frozen=True)
class SiteInputs:
    """Where one operation carries site ids."""

    path: tuple[str, ...] = ()
    query: tuple[str, ...] = ()
    header: tuple[str, ...] = ()  # lower-case names
    body: tuple[tuple[str, ...], ...] = ()  # JSON paths; EACH steps into every array item

    def __bool__(self) -> bool:
        return bool(self.path or self.query or self.header or self.body)


class _Resolver:
    """Follows local ``$ref``s of one bundled document (bounded, cycle-safe)."""

    def __init__(self, document: JSON) -> None:
        self.document = document

    def deref(self, node: JSON) -> JSON:
        for _ in range(32):
            ref = node.get("$ref") if isinstance(node, dict) else None
            if not isinstance(ref, str) or not ref.startswith("#"):
                return node
            try:
                node = resolve_pointer(self.document, ref[1:])
            except DocumentError:
                return None
        return None

    def _is_site_schema(self, schema: JSON) -> bool:
        """The common SiteId, referenced directly or wrapped in allOf/oneOf/anyOf."""
        if not isinstance(schema, dict):
            return False
        if schema.get("$ref") == SITE_ID_SCHEMA:
            return True
        parts = [schema.get(combinator) for combinator in _COMBINATORS]
        return any(
            isinstance(part, dict) and part.get("$ref") == SITE_ID_SCHEMA
            for listed in parts
            if isinstance(listed, list)
            for part in listed
        )

    def is_site_id(self, name: str, schema: JSON) -> bool:
        """A site id, or an array of site ids, by its name or its schema."""
        if name in SITE_ID_NAMES or self._is_site_schema(schema):
            return True
        resolved = self.deref(schema)
        return isinstance(resolved, dict) and self._is_site_schema(resolved.get("items"))

    def body_site_paths(
        self, schema: JSON, prefix: tuple[str, ...] = (), depth: int = 0
    ) -> set[tuple[str, ...]]:
        """Where a body schema carries site ids: top level, nested objects and array items."""
        schema = self.deref(schema)
        if not isinstance(schema, dict) or depth > 8:
            return set()
        found: set[tuple[str, ...]] = set()
        properties = schema.get("properties")
        for name, sub in properties.items() if isinstance(properties, dict) else ():
            if self.is_site_id(name, sub):
                found.add((*prefix, name))
            else:
                found |= self.body_site_paths(sub, (*prefix, name), depth + 1)
        items = schema.get("items")
        if items is not None:
            if self._is_site_schema(items):
                found.add((*prefix, EACH))
            else:
                found |= self.body_site_paths(items, (*prefix, EACH), depth + 1)
        for combinator in _COMBINATORS:
            parts = schema.get(combinator)
            for part in parts if isinstance(parts, list) else ():
                found |= self.body_site_paths(part, prefix, depth + 1)
        return found


def _site_inputs(op: dict[str, JSON], shared: JSON, resolver: _Resolver) -> SiteInputs:
    path: set[str] = set()
    query: set[str] = set()
    header: set[str] = set()
    own = op.get("parameters")
    params = [
        *(shared if isinstance(shared, list) else []),
        *(own if isinstance(own, list) else []),
    ]
    for raw in params:
        param = resolver.deref(raw)
        if not isinstance(param, dict) or not isinstance(param.get("name"), str):
            continue
        name = str(param["name"])
        if not resolver.is_site_id(name, param.get("schema")):
            continue
        if param.get("in") == "path":
            path.add(name)
        elif param.get("in") == "query":
            query.add(name)
        elif param.get("in") == "header":
            header.add(name.lower())
    body: set[tuple[str, ...]] = set()
    request_body = resolver.deref(op.get("requestBody"))
    content = request_body.get("content") if isinstance(request_body, dict) else None
    for media_type, media in content.items() if isinstance(content, dict) else ():
        if "json" in media_type and isinstance(media, dict):
            body |= resolver.body_site_paths(media.get("schema"))
    return SiteInputs(
        tuple(sorted(path)), tuple(sorted(query)), tuple(sorted(header)), tuple(sorted(body))
    )


def compile_site_inputs(contracts: Iterable[LoadedContract]) -> dict[tuple[str, str], SiteInputs]:
    """``(base_path, operation_id)`` -> where it carries site ids, for site-scoped operations."""
    compiled: dict[tuple[str, str], SiteInputs] = {}
    for loaded in contracts:
        resolver = _Resolver(loaded.document)
        paths = loaded.document.get("paths")
        for item in paths.values() if isinstance(paths, dict) else ():
            if not isinstance(item, dict):
                continue
            for method in _METHODS:
                op = item.get(method)
                if not isinstance(op, dict) or not isinstance(op.get("operationId"), str):
                    continue
                inputs = _site_inputs(op, item.get("parameters"), resolver)
                if inputs:
                    compiled[(loaded.contract.base_path, str(op["operationId"]))] = inputs
    return compiled


def _is_json(scope: Scope) -> bool:
    for name, value in scope.get("headers", ()):
        if name == b"content-type":
            media = bytes(value).split(b";", 1)[0].strip().lower()
            return media == b"application/json" or media.endswith(b"+json")
    return False


async def _read_body(receive: Receive) -> tuple[bytes, list[Message], bool]:
    """Every message of the request body, their joined bytes, and whether it was all read."""
    messages: list[Message] = []
    size = 0
    while True:
        message = await receive()
        messages.append(message)
        if message["type"] != "http.request":
            return b"", messages, False
        size += len(message.get("body", b""))
        if size > _MAX_BODY_BYTES:
            return b"", messages, False
        if not message.get("more_body", False):
            break
    return b"".join(m.get("body", b"") for m in messages), messages, True


def _replay(messages: list[Message], receive: Receive) -> Receive:
    pending = list(messages)

    async def replayed() -> Message:
        if pending:
            return pending.pop(0)
        return await receive()

    return replayed


class TenancyMiddleware:
    """Answers 404 when a request names a site outside the caller's ``sites``."""

    def __init__(
        self,
        app: ASGIApp,
        *,
        contracts: Iterable[LoadedContract],
        metrics: Metrics | None = None,
    ) -> None:
        self.app = app
        self._inputs = compile_site_inputs(contracts)
        self._metrics = metrics

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        key = routed_operation(scope)
        inputs = self._inputs.get(key) if key else None
        principal = principal_of(scope) if inputs else None
        if inputs is None or principal is None:
            await self.app(scope, receive, send)
            return
        if not self._params_allowed(scope, inputs, principal):
            await self._not_found(send)
            return
        if inputs.body and _is_json(scope):
            body, messages, complete = await _read_body(receive)
            receive = _replay(messages, receive)
            if complete and not _body_allowed(body, inputs.body, principal):
                await self._not_found(send)
                return
        await self.app(scope, receive, send)

    @staticmethod
    def _params_allowed(scope: Scope, inputs: SiteInputs, principal: Principal) -> bool:
        path_params: Mapping[str, object] = scope.get("path_params", {})
        for name in inputs.path:
            value = path_params.get(name)
            if value is not None and not principal.may_access_site(str(value)):
                return False
        if inputs.query:
            for name, value in query_pairs(scope):
                if name in inputs.query and not _all_allowed(value, principal):
                    return False
        if inputs.header:
            for raw_name, raw_value in scope.get("headers", ()):
                name = bytes(raw_name).decode("latin-1").lower()
                value = bytes(raw_value).decode("latin-1")
                if name in inputs.header and not _all_allowed(value, principal):
                    return False
        return True

    async def _not_found(self, send: Send) -> None:
        if self._metrics is not None:
            self._metrics.auth_failures.labels(reason="site_out_of_scope").inc()
        await problems.send_problem(send, problems.NOT_FOUND, "No such resource.")


def _all_allowed(value: str, principal: Principal) -> bool:
    """Every site in a parameter value, a list when comma-separated (a SiteId has no comma)."""
    return all(principal.may_access_site(part.strip()) for part in value.split(","))


def _values_at(node: object, path: tuple[str, ...]) -> Iterator[object]:
    """What a JSON document holds at ``path`` (EACH steps into every item of an array)."""
    if not path:
        yield node
        return
    step, rest = path[0], path[1:]
    if step == EACH and isinstance(node, list):
        for item in node:
            yield from _values_at(item, rest)
    elif isinstance(node, dict) and step in node:
        yield from _values_at(node[step], rest)


def _body_allowed(body: bytes, paths: tuple[tuple[str, ...], ...], principal: Principal) -> bool:
    """False when the JSON body names a site outside the caller's anywhere a site id goes;
    unparsable bodies pass on to request validation, which rejects them."""
    try:
        document = json.loads(body)
    except (ValueError, RecursionError):
        return True
    for path in paths:
        for value in _values_at(document, path):
            sites = value if isinstance(value, list) else [value]
            if any(isinstance(s, str) and not principal.may_access_site(s) for s in sites):
                return False
    return True
