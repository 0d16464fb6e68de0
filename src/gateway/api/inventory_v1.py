"""Handlers of ``/inventory/v1`` (deprecated): flat decimal strings beside one ``uom`` field.

Same service as v2; only the shape of the answer differs.
"""

# ruff: noqa: N803 - parameters carry the contract's camelCase names; Connexion passes them so

from __future__ import annotations

from typing import Any

from gateway.api.handling import Body, Response, decimal, drop_none, ok, page, respond
from gateway.api.requests import current_principal
from gateway.context import AppContext
from gateway.domain.inventory import Availability, BinBalance, ErpBalance, StockStatus
from gateway.services.inventory import BalanceFilter, InventoryService, Reconciliation


def balance_body(balance: BinBalance) -> Body:
    """A bin balance as v1's ``Balance``."""
    return drop_none(
        {
            "siteId": balance.site_id,
            "storageLocationId": balance.storage_location_id,
            "locationId": balance.location_id,
            "itemId": balance.item_id,
            "lotId": balance.lot_id,
            "stockStatus": balance.stock_status.value,
            "onHand": decimal(balance.on_hand),
            "reserved": decimal(balance.reserved),
            "available": decimal(balance.available),
            "uom": balance.uom,
        }
    )


def availability_body(result: Availability) -> Body:
    """Availability as v1's ``Availability``."""
    return {
        "siteId": result.site_id,
        "itemId": result.item_id,
        "onHand": decimal(result.on_hand),
        "reserved": decimal(result.reserved),
        "available": decimal(result.available),
        "inboundExpected": decimal(result.inbound_expected),
        "uom": result.uom,
    }


def erp_balance_body(balance: ErpBalance) -> Body:
    """An ERP balance as v1's ``ErpBalance``."""
    key = balance.key
    return drop_none(
        {
            "siteId": key.site_id,
            "storageLocationId": key.storage_location_id,
            "itemId": key.item_id,
            "lotId": key.lot_id,
            "stockStatus": key.stock_status.value,
            "quantity": decimal(balance.quantity),
            "uom": balance.uom,
        }
    )


def reconciliation_body(result: Reconciliation) -> Body:
    """A reconciliation as v1's ``Reconciliation``."""
    return {
        "siteId": result.site_id,
        "lines": [
            drop_none(
                {
                    "storageLocationId": line.key.storage_location_id,
                    "itemId": line.key.item_id,
                    "lotId": line.key.lot_id,
                    "stockStatus": line.key.stock_status.value,
                    "erpQuantity": decimal(line.erp_quantity),
                    "wmsQuantity": decimal(line.wms_quantity),
                    "difference": decimal(line.difference),
                    "uom": line.uom,
                    "isBreak": line.is_break,
                }
            )
            for line in result.lines
        ],
        "lineCount": len(result.lines),
        "breakCount": result.break_count,
    }


def operations(ctx: AppContext) -> dict[str, Any]:
    """The inventory v1 operations, by operationId."""
    if ctx.inventory is None:
        return {}
    return _handlers(ctx.inventory)


def _handlers(service: InventoryService) -> dict[str, Any]:
    async def list_balances(
        *,
        siteId: str,
        locationId: str | None = None,
        itemId: str | None = None,
        lotId: str | None = None,
        stockStatus: str | None = None,
        cursor: str | None = None,
        limit: int = 50,
    ) -> Response:
        principal = current_principal()
        query = BalanceFilter(
            siteId, locationId, itemId, lotId, StockStatus(stockStatus) if stockStatus else None
        )

        def work() -> Response:
            found = service.list_balances(principal, query, cursor=cursor, limit=limit)
            return ok(page([balance_body(b) for b in found.items], found.next_cursor))

        return await respond(work)

    async def get_item_availability(siteId: str, itemId: str) -> Response:
        principal = current_principal()
        return await respond(
            lambda: ok(availability_body(service.availability(principal, siteId, itemId)))
        )

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
            return ok(page([erp_balance_body(b) for b in found.items], found.next_cursor))

        return await respond(work)

    async def get_reconciliation(
        siteId: str, itemId: str | None = None, breaksOnly: bool = False
    ) -> Response:
        principal = current_principal()
        return await respond(
            lambda: ok(
                reconciliation_body(
                    service.reconciliation(
                        principal, siteId, item_id=itemId, breaks_only=breaksOnly
                    )
                )
            )
        )

    return {
        "listBalances": list_balances,
        "getItemAvailability": get_item_availability,
        "listErpBalances": list_erp_balances,
        "getReconciliation": get_reconciliation,
    }
