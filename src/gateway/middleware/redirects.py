"""Redirects the gateway makes itself point at a path, never at the caller's ``Host``.

Routing answers ``/items/v1/items/`` with a 307 to ``/items/v1/items``, and Starlette builds that
``Location`` as an absolute URL from the request's ``Host`` header. A caller choosing the header
chooses where the redirect goes; behind a shared cache that keys on the path alone, everyone
would be sent there (host-header cache poisoning). A relative reference (RFC 9110 §10.2.2) keeps
the client on the host it asked, whatever the header said.
"""

from __future__ import annotations

from urllib.parse import urlsplit

from starlette.types import ASGIApp, Message, Receive, Scope, Send

_REDIRECTS = frozenset({301, 302, 303, 307, 308})


def _request_host(scope: Scope) -> bytes | None:
    for name, value in scope["headers"]:
        if name == b"host":
            return bytes(value).lower()
    return None


def relative_location(location: bytes, host: bytes | None) -> bytes:
    """``location`` as path, query and fragment when it names the requested host, else as is."""
    try:
        parts = urlsplit(location.decode("latin-1"))
    except ValueError:  # not a URL we can read: leave it to the client
        return location
    if not parts.netloc or host is None or parts.netloc.lower().encode("latin-1") != host:
        return location
    relative = parts.path or "/"
    if parts.query:
        relative += "?" + parts.query
    if parts.fragment:
        relative += "#" + parts.fragment
    return relative.encode("latin-1")


class RelativeRedirectMiddleware:
    """Rewrites the ``Location`` of redirects to the requested host into a relative reference."""

    def __init__(self, app: ASGIApp) -> None:
        self.app = app

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return

        async def send_relative(message: Message) -> None:
            if message["type"] == "http.response.start" and message["status"] in _REDIRECTS:
                host = _request_host(scope)
                message["headers"] = [
                    (name, relative_location(value, host) if name.lower() == b"location" else value)
                    for name, value in message.get("headers", ())
                ]
            await send(message)

        await self.app(scope, receive, send_relative)
