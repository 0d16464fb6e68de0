"""Correlation ids: accept the caller's ``X-Correlation-ID`` or mint one, echo it, log with it."""

from __future__ import annotations

import random
import re
import uuid

from starlette.types import ASGIApp, Message, Receive, Scope, Send

from gateway.observability import correlation_id_var, traceparent_var

HEADER = "x-correlation-id"
_VALID = re.compile(r"^[A-Za-z0-9._:-]{1,128}$")
# W3C trace context: version-traceid-parentid-flags, lower-case hex.
_TRACEPARENT = re.compile(r"^[0-9a-f]{2}-[0-9a-f]{32}-[0-9a-f]{16}-[0-9a-f]{2}$")


def new_correlation_id() -> str:
    """A random (version 4) UUID, minted without a system call.

    ``uuid.uuid4`` reads ``os.urandom``, which lets go of the GIL on the event loop's thread; with
    a store thread busy, getting it back can take milliseconds. A correlation id needs to be
    unique, not secret: the ``random`` module (reseeded in every forked worker) is enough.
    """
    return str(uuid.UUID(int=random.getrandbits(128), version=4))


def correlation_id(scope: Scope) -> str | None:
    """The id the correlation layer settled on for this request."""
    value = scope.get("state", {}).get("correlation_id")
    return value if isinstance(value, str) else None


class CorrelationIdMiddleware:
    """Outermost layer: every response, error or not, carries ``X-Correlation-ID``."""

    def __init__(self, app: ASGIApp) -> None:
        self.app = app

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        given = traceparent = None
        for name, value in scope["headers"]:
            if name == b"x-correlation-id":
                given = value.decode("latin-1")
            elif name == b"traceparent":
                traceparent = value.decode("latin-1")
        # An id we cannot safely log or echo is replaced, not rejected: tracing must not fail calls.
        cid = given if given and _VALID.match(given) else new_correlation_id()
        scope.setdefault("state", {})["correlation_id"] = cid
        # Connexion routes on a shallow copy of the scope; an ``extensions`` dict created here is
        # shared by that copy, so outer layers see the routed operation and the principal.
        scope.setdefault("extensions", {})
        cid_token = correlation_id_var.set(cid)
        tp_token = traceparent_var.set(
            traceparent if traceparent and _TRACEPARENT.match(traceparent) else None
        )

        echoed = (b"x-correlation-id", cid.encode("latin-1"))

        async def send_with_id(message: Message) -> None:
            if message["type"] == "http.response.start":
                # Only this layer writes the header (replays do not store it): append it.
                message["headers"] = [*message.get("headers", ()), echoed]
            await send(message)

        try:
            await self.app(scope, receive, send_with_id)
        finally:
            correlation_id_var.reset(cid_token)
            traceparent_var.reset(tp_token)
