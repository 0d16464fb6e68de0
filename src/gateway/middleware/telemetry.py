"""One measurement per request, written twice: a Prometheus sample and a JSON access-log line."""

from __future__ import annotations

import logging
import time

from starlette.types import ASGIApp, Message, Receive, Scope, Send

from gateway.metrics import Metrics
from gateway.middleware.routing_info import client_label, routed_operation

access_log = logging.getLogger("waybill.access")


class TelemetryMiddleware:
    """Sits just inside the correlation layer, so its log lines carry the correlation id."""

    def __init__(self, app: ASGIApp, *, metrics: Metrics) -> None:
        self.app = app
        self.metrics = metrics

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        started = time.perf_counter()
        status = 500

        async def send_and_watch(message: Message) -> None:
            nonlocal status
            if message["type"] == "http.response.start":
                status = message["status"]
            await send(message)

        try:
            await self.app(scope, receive, send_and_watch)
        finally:
            elapsed = time.perf_counter() - started
            routed = routed_operation(scope)
            operation = routed[1] if routed else "unrouted"
            client = client_label(scope)
            self.metrics.observe_request(operation, str(status), client, elapsed)
            access_log.info(
                "%s %s %s",
                scope["method"],
                scope["path"],
                status,
                extra={
                    "method": scope["method"],
                    "path": scope["path"],
                    "status": status,
                    "duration_ms": round(elapsed * 1000, 3),
                    "operation": operation,
                    "client": client,
                },
            )
