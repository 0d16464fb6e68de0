"""Connexion's Swagger UI layer, consulted only for the paths it serves.

Stock, it routes every request through a router of all mounted APIs' UI and spec routes before
handing it on: ~60 us per API call. Its paths are ``<base>/openapi.json`` (and ``.yaml``) and
``<base>/ui``..., so anything else goes straight to the next layer.
"""

from __future__ import annotations

from connexion.middleware.swagger_ui import SwaggerUIMiddleware
from starlette.types import Receive, Scope, Send


def serves(path: str) -> bool:
    """Whether ``path`` may be one of the Swagger UI layer's own routes."""
    return path.endswith(("/openapi.json", "/openapi.yaml")) or "/ui" in path


class SwaggerUIGateMiddleware(SwaggerUIMiddleware):  # type: ignore[misc]
    """Skips the Swagger UI router for API calls."""

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] == "http" and not serves(scope["path"]):
            await self.app(scope, receive, send)
            return
        await super().__call__(scope, receive, send)
