"""The inventory operations, shared by every version: versions differ only in answer shapes.

Each version module supplies its four shapers; the handlers, their parameters and the calls into
the one ``InventoryService`` are the same. A version whose contract has no ``uom`` parameter is
never given one (request validation refuses unknown parameters).
"""

# ruff: noqa: N803 - parameters carry the contract's camelCase names; Connexion passes them so

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from gateway.api.handling import Body, Response, ok, page, respond, timestamp
from gateway.api.requests import current_principal
from gateway.domain.inventory import Availability, BinBalance, ErpBalance, StockStatus
from gateway.services.blocking import BlockingPool
from gateway.services.inventory import BalanceFilter, InventoryService, Reconciliation


@dataclass(frozen=True)
class Shapes:
    """How one API version renders the service's answers."""

    balance: Callable[[BinBalance], Body]
    availability: Callable[[Availability, str], Body]  # the second argument: "now", for asOf
    erp_balance: Callable[[ErpBalance], Body]
    reconciliation: Callable[[Reconciliation], Body]


def handlers(service: InventoryService, shapes: Shapes, pool: BlockingPool) -> dict[str, Any]:
    """The four inventory operations, by operationId."""

    async def list_balances(
        *,
        siteId: str,
        locationId: str | None = None,
        itemId: str | None = None,
        lotId: str | None = None,
        stockStatus: str | None = None,
        uom: str | None = None,
        cursor: str | None = None,
        limit: int = 50,
    ) -> Response:
        principal = current_principal()
        query = BalanceFilter(
            siteId, locationId, itemId, lotId, StockStatus(stockStatus) if stockStatus else None
        )

        def work() -> Response:
            found = service.list_balances(principal, query, uom=uom, cursor=cursor, limit=limit)
            return ok(page([shapes.balance(b) for b in found.items], found.next_cursor))

        return await respond(pool, work)

    async def get_item_availability(siteId: str, itemId: str, uom: str | None = None) -> Response:
        principal = current_principal()

        def work() -> Response:
            result = service.availability(principal, siteId, itemId, uom=uom)
            return ok(shapes.availability(result, timestamp(service.now())))

        return await respond(pool, work)

    async def list_erp_balances(
        siteId: str,
        storageLocationId: str | None = None,
        itemId: str | None = None,
        cursor: str | None = None,
        limit: int = 50,
    ) -> Response:
        principal = current_principal()

        def work() -> Response:
            found = service.erp_balances(
                principal,
                siteId,
                storage_location_id=storageLocationId,
                item_id=itemId,
                cursor=cursor,
                limit=limit,
            )
            return ok(page([shapes.erp_balance(b) for b in found.items], found.next_cursor))

        return await respond(pool, work)

    async def get_reconciliation(
        siteId: str, itemId: str | None = None, breaksOnly: bool = False
    ) -> Response:
        principal = current_principal()

        def work() -> Response:
            found = service.reconciliation(
                principal, siteId, item_id=itemId, breaks_only=breaksOnly
            )
            return ok(shapes.reconciliation(found))

        return await respond(pool, work)

    return {
        "listBalances": list_balances,
        "getItemAvailability": get_item_availability,
        "listErpBalances": list_erp_balances,
        "getReconciliation": get_reconciliation,
    }
