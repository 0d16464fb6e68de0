"""The two baselines the gateway is measured against, as gunicorn app factories.

Both serve the same two requests as the gateway (inventory v2 ``listBalances`` and adjustments v1
``requestAdjustment``) over the same data directory (``WAYBILL_DATA_DIR``), calling the same
application services the gateway's handlers call, in the same store threads as they do
(``AppContext.blocking``):

- ``bare_app()``: Starlette routes, no policy at all (the floor: framework + service cost);
- ``stock_connexion_app()``: Connexion 3's ``AsyncApp`` with its default middleware stack
  (routing, its request validation, ...) on the same bundled contracts, with the gateway's own
  handlers, but no security (the caller is a fixed principal) and none of Waybill's layers.
"""

from __future__ import annotations

import copy
from typing import Any

from connexion import AsyncApp
from connexion.resolver import Resolver
from starlette.applications import Starlette
from starlette.requests import Request
from starlette.responses import JSONResponse
from starlette.routing import Route
from starlette.types import ASGIApp, Receive, Scope, Send

from gateway.api import adjustments_v1, inventory_v2
from gateway.api.handling import page
from gateway.app import build_context
from gateway.context import AppContext
from gateway.domain.access import PRINCIPAL_CONTEXT_KEY, Principal
from gateway.domain.events import EventMeta
from gateway.domain.inventory import StockStatus
from gateway.services.inventory import BalanceFilter
from gateway.settings import Settings

# Who the baselines pretend is calling: the benchmark client's scopes and sites.
PRINCIPAL = Principal(
    client_id="bench",
    scopes=frozenset({"inventory:read", "adjustments:write"}),
    sites=frozenset({"DC-EAST", "DC-WEST"}),
)
SERVED = ("/inventory/v2", "/adjustments/v1")


def _context() -> AppContext:
    ctx = build_context(Settings.from_env())
    if ctx.inventory is None or ctx.adjustments is None:
        raise RuntimeError("the slice's services are not wired into the context")
    return ctx


def bare_app() -> Starlette:
    """Starlette calling the services directly: parse, call, serialise."""
    ctx = _context()
    inventory, adjustments, pool = ctx.inventory, ctx.adjustments, ctx.blocking
    assert inventory is not None
    assert adjustments is not None

    async def list_balances(request: Request) -> JSONResponse:
        q = request.query_params
        status = q.get("stockStatus")
        query = BalanceFilter(
            q["siteId"],
            q.get("locationId"),
            q.get("itemId"),
            q.get("lotId"),
            StockStatus(status) if status else None,
        )
        limit = int(q.get("limit", "50"))

        def work() -> dict[str, Any]:
            found = inventory.list_balances(
                PRINCIPAL, query, uom=q.get("uom"), cursor=q.get("cursor"), limit=limit
            )
            return page([inventory_v2.balance_body(b) for b in found.items], found.next_cursor)

        return JSONResponse(await pool.run(work))

    async def request_adjustment(request: Request) -> JSONResponse:
        command = adjustments_v1.request_from_body(await request.json())
        meta = EventMeta(
            correlation_id=request.headers.get("x-correlation-id"),
            idempotency_key=request.headers.get("idempotency-key"),
        )
        created = await pool.run(adjustments.request, PRINCIPAL, command, meta)
        location = f"/adjustments/v1/adjustments/{created.adjustment_id}"
        return JSONResponse(
            adjustments_v1.adjustment_body(created), 201, headers={"Location": location}
        )

    async def healthz(_request: Request) -> JSONResponse:
        return JSONResponse({"status": "ok"})

    return Starlette(
        routes=[
            Route("/inventory/v2/balances", list_balances, methods=["GET"]),
            Route("/adjustments/v1/adjustments", request_adjustment, methods=["POST"]),
            Route("/healthz", healthz, methods=["GET"]),
        ]
    )


def _without_security(document: dict[str, Any]) -> dict[str, Any]:
    stripped = copy.deepcopy(document)
    stripped.pop("security", None)
    for item in stripped.get("paths", {}).values():
        for operation in item.values():
            if isinstance(operation, dict):
                operation.pop("security", None)
    return stripped


class _FixedPrincipal:
    """Hands the handlers the caller the gateway's security layer would have verified."""

    def __init__(self, app: ASGIApp) -> None:
        self.app = app

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] == "http":
            extensions = scope.setdefault("extensions", {})
            extensions.setdefault("connexion_context", {})[PRINCIPAL_CONTEXT_KEY] = PRINCIPAL
        await self.app(scope, receive, send)


def stock_connexion_app() -> ASGIApp:
    """Connexion's default stack on the same contracts and handlers, without security."""
    ctx = _context()
    app = AsyncApp(__name__)
    modules = {"/inventory/v2": inventory_v2, "/adjustments/v1": adjustments_v1}
    for loaded in ctx.contracts:
        base_path = loaded.contract.base_path
        if base_path not in SERVED:
            continue
        handlers = modules[base_path].operations(ctx)
        app.add_api(
            _without_security(loaded.document),
            base_path=base_path,
            resolver=Resolver(function_resolver=handlers.__getitem__),
        )

    async def healthz(_request: Any) -> JSONResponse:
        return JSONResponse({"status": "ok"})

    app.add_url_rule("/healthz", "healthz", healthz, methods=["GET"])
    return _FixedPrincipal(app)
