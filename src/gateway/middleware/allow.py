"""A 405 names every method the contract allows on that path (RFC 9110 §15.5.6).

Connexion adds one Starlette route per method, so the 405 it produces lists only the first
matching route's methods; this layer rewrites ``Allow`` from the contracts instead.
"""

from __future__ import annotations

import re
from collections.abc import Iterable

from starlette.datastructures import MutableHeaders
from starlette.types import ASGIApp, Message, Receive, Scope, Send

from gateway.contracts import LoadedContract, operations

_PARAM = re.compile(r"\\\{[^/}]+\\\}")


def compile_paths(contracts: Iterable[LoadedContract]) -> list[tuple[re.Pattern[str], str]]:
    """``(full path pattern, Allow value)`` for every templated path of every contract."""
    methods: dict[str, set[str]] = {}
    for loaded in contracts:
        for op in operations(loaded):
            methods.setdefault(op.base_path + op.path, set()).add(op.method.upper())
    compiled: list[tuple[re.Pattern[str], str]] = []
    for template, allowed in methods.items():
        if "GET" in allowed:
            allowed.add("HEAD")
        pattern = re.compile("^" + _PARAM.sub("[^/]+", re.escape(template)) + "/?$")
        compiled.append((pattern, ", ".join(sorted(allowed))))
    return compiled


class AllowHeaderMiddleware:
    """Rewrites ``Allow`` on 405 answers to the full set of methods for the path."""

    def __init__(self, app: ASGIApp, *, contracts: Iterable[LoadedContract]) -> None:
        self.app = app
        self.paths = compile_paths(contracts)

    def allowed(self, path: str) -> str | None:
        """The ``Allow`` value for a request path, or None when no contract path matches."""
        for pattern, allow in self.paths:
            if pattern.match(path):
                return allow
        return None

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return

        async def send_with_allow(message: Message) -> None:
            if message["type"] == "http.response.start" and message["status"] == 405:
                allow = self.allowed(scope["path"])
                if allow is not None:
                    MutableHeaders(scope=message)["Allow"] = allow
            await send(message)

        await self.app(scope, receive, send_with_allow)
