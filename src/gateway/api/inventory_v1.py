"""Handlers of ``/inventory/v1`` (deprecated): flat decimal strings beside one ``uom`` field.

Same service as v2; only the shape of the answer differs.
"""

from __future__ import annotations

from typing import Any

from gateway.api.handling import Body, decimal, drop_none
from gateway.api.inventory_handlers import Shapes, handlers
from gateway.context import AppContext
from gateway.domain.inventory import Availability, BinBalance, ErpBalance
from gateway.services.inventory import Reconciliation


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


def availability_body(result: Availability, _now: str = "") -> Body:
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
    return handlers(ctx.inventory, SHAPES, ctx.blocking)


SHAPES = Shapes(balance_body, availability_body, erp_balance_body, reconciliation_body)
