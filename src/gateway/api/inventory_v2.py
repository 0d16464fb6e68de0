"""Handlers of ``/inventory/v2``: Quantity objects, the full balance key, ``asOf``/``sequence``.

Same service as v1; only the shape of the answer differs (and v2 can answer in another unit).
"""

from __future__ import annotations

from typing import Any

from gateway.api.handling import Body, quantity, timestamp
from gateway.api.inventory_handlers import Shapes, handlers
from gateway.context import AppContext
from gateway.domain.inventory import Availability, BinBalance, ErpBalance
from gateway.services.inventory import Reconciliation


def balance_body(balance: BinBalance) -> Body:
    """A bin balance as v2's ``Balance``."""
    uom = balance.uom
    return {
        "siteId": balance.site_id,
        "storageLocationId": balance.storage_location_id,
        "locationId": balance.location_id,
        "locationType": balance.location_type.value,
        "itemId": balance.item_id,
        "lotId": balance.lot_id,
        "stockStatus": balance.stock_status.value,
        "onHand": quantity(balance.on_hand, uom),
        "reserved": quantity(balance.reserved, uom),
        "available": quantity(balance.available, uom),
        "asOf": timestamp(balance.as_of),
        "sequence": balance.sequence,
    }


def availability_body(result: Availability, as_of: str) -> Body:
    """Availability as v2's ``Availability``."""
    uom = result.uom
    return {
        "siteId": result.site_id,
        "itemId": result.item_id,
        "onHand": quantity(result.on_hand, uom),
        "reserved": quantity(result.reserved, uom),
        "available": quantity(result.available, uom),
        "inboundExpected": quantity(result.inbound_expected, uom),
        "byStockStatus": [
            {"stockStatus": status.value, "onHand": quantity(value, uom)}
            for status, value in result.by_status
        ],
        "asOf": timestamp(result.as_of) if result.as_of else as_of,
    }


def erp_balance_body(balance: ErpBalance) -> Body:
    """An ERP balance as v2's ``ErpBalance``."""
    key = balance.key
    return {
        "siteId": key.site_id,
        "storageLocationId": key.storage_location_id,
        "itemId": key.item_id,
        "lotId": key.lot_id,
        "stockStatus": key.stock_status.value,
        "quantity": quantity(balance.quantity, balance.uom),
        "asOf": timestamp(balance.as_of),
    }


def reconciliation_body(result: Reconciliation) -> Body:
    """A reconciliation as v2's ``Reconciliation``."""
    return {
        "siteId": result.site_id,
        "lines": [
            {
                "storageLocationId": line.key.storage_location_id,
                "itemId": line.key.item_id,
                "lotId": line.key.lot_id,
                "stockStatus": line.key.stock_status.value,
                "erpQuantity": quantity(line.erp_quantity, line.uom),
                "wmsQuantity": quantity(line.wms_quantity, line.uom),
                "difference": quantity(line.difference, line.uom),
                "status": "BREAK" if line.is_break else "MATCHED",
            }
            for line in result.lines
        ],
        "lineCount": len(result.lines),
        "breakCount": result.break_count,
        "asOf": timestamp(result.as_of),
    }


def operations(ctx: AppContext) -> dict[str, Any]:
    """The inventory v2 operations, by operationId."""
    if ctx.inventory is None:
        return {}
    return handlers(ctx.inventory, SHAPES, ctx.blocking)


SHAPES = Shapes(balance_body, availability_body, erp_balance_body, reconciliation_body)
