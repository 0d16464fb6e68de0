"""Handlers of ``/items/v1``: the item master and its units of measure."""

# ruff: noqa: N803 - parameters carry the contract's camelCase names; Connexion passes them so

from __future__ import annotations

from datetime import UTC, datetime
from typing import Any

from gateway.api.handling import (
    Body,
    Response,
    decimal,
    drop_none,
    event_meta,
    money,
    ok,
    page,
    respond,
    timestamp,
)
from gateway.context import AppContext
from gateway.domain.items import Item, ItemStatus, TrackingMode
from gateway.domain.quantities import Money, parse_decimal
from gateway.domain.uom import UomConversion
from gateway.services.blocking import BlockingPool
from gateway.services.items import ItemService


def item_body(item: Item) -> Body:
    """An item as the contract's ``Item``."""
    return drop_none(
        {
            "itemId": item.item_id,
            "gtin": item.gtin,
            "description": item.description,
            "itemType": item.item_type,
            "baseUom": item.base_uom,
            "baseUomRoundingIncrement": decimal(item.base_rounding_increment)
            if item.base_rounding_increment is not None
            else None,
            "trackingMode": item.tracking_mode.value,
            "shelfLifeDays": item.shelf_life_days,
            "removalStrategy": item.removal_strategy,
            "inspectOnReceipt": item.inspect_on_receipt,
            "abcClass": item.abc_class,
            "standardCost": money(item.standard_cost) if item.standard_cost else None,
            "uomConversions": [
                drop_none(
                    {
                        "altUom": c.alt_uom,
                        "numerator": c.numerator,
                        "denominator": c.denominator,
                        "roundingIncrement": decimal(c.rounding_increment)
                        if c.rounding_increment is not None
                        else None,
                    }
                )
                for c in item.uom_conversions
            ],
            "status": item.status.value,
            "version": item.version,
            "updatedAt": timestamp(item.updated_at),
        }
    )


def item_from_input(item_id: str, body: dict[str, Any]) -> Item:
    """The domain item an ``ItemInput`` describes (the service stamps ``updated_at``)."""
    cost = body.get("standardCost")
    increment = body.get("baseUomRoundingIncrement")
    return Item(
        item_id=item_id,
        gtin=body["gtin"],
        description=body["description"],
        item_type=body["itemType"],
        base_uom=body["baseUom"],
        tracking_mode=TrackingMode(body["trackingMode"]),
        removal_strategy=body["removalStrategy"],
        status=ItemStatus(body["status"]),
        version=body["version"],
        updated_at=datetime.now(UTC),
        base_rounding_increment=parse_decimal(increment) if increment else None,
        shelf_life_days=body.get("shelfLifeDays"),
        inspect_on_receipt=body.get("inspectOnReceipt", False),
        abc_class=body.get("abcClass"),
        standard_cost=Money(parse_decimal(cost["amount"]), cost["currency"]) if cost else None,
        uom_conversions=tuple(
            UomConversion(
                c["altUom"],
                c["numerator"],
                c["denominator"],
                parse_decimal(c["roundingIncrement"]) if "roundingIncrement" in c else None,
            )
            for c in body.get("uomConversions", [])
        ),
    )


def operations(ctx: AppContext) -> dict[str, Any]:
    """The items v1 operations, by operationId."""
    service = ctx.items
    if service is None:
        return {}
    return _handlers(service, ctx.blocking)


def _handlers(service: ItemService, pool: BlockingPool) -> dict[str, Any]:
    async def list_items(
        limit: int = 50,
        cursor: str | None = None,
        updatedSince: str | None = None,
        status: str | None = None,
    ) -> Response:
        def work() -> Response:
            found = service.list_items(
                status=ItemStatus(status) if status else None,
                updated_since=datetime.fromisoformat(updatedSince) if updatedSince else None,
                cursor=cursor,
                limit=limit,
            )
            return ok(page([item_body(i) for i in found.items], found.next_cursor))

        return await respond(pool, work)

    async def get_item(itemId: str) -> Response:
        return await respond(pool, lambda: ok(item_body(service.get(itemId))))

    async def sync_item(itemId: str, body: dict[str, Any]) -> Response:
        meta = event_meta()

        def work() -> Response:
            result = service.sync(item_from_input(itemId, body), meta)
            if result.created:
                location = f"/items/v1/items/{itemId}"
                return ok(item_body(result.item), 201, {"Location": location})
            return ok(item_body(result.item))

        return await respond(pool, work)

    async def list_item_uom_conversions(itemId: str) -> Response:
        def work() -> Response:
            item, effective = service.conversions(itemId)
            return ok(
                {
                    "itemId": item.item_id,
                    "baseUom": item.base_uom,
                    "conversions": [
                        {
                            "altUom": c.alt_uom,
                            "numerator": c.factor.numerator,
                            "denominator": c.factor.denominator,
                            "dimension": c.dimension.value,
                            "source": c.source,
                            "roundingIncrement": decimal(c.rounding_increment),
                        }
                        for c in effective
                    ],
                }
            )

        return await respond(pool, work)

    async def convert_item_quantity(itemId: str, value: str, fromUom: str, toUom: str) -> Response:
        def work() -> Response:
            result = service.convert(itemId, value, fromUom, toUom)
            return ok(
                {
                    "itemId": itemId,
                    "from": {"value": value, "uom": fromUom},
                    "to": {"value": decimal(result.target.value), "uom": toUom},
                    "factor": f"{result.factor.numerator}/{result.factor.denominator}",
                }
            )

        return await respond(pool, work)

    async def change_item_status(itemId: str, body: dict[str, Any]) -> Response:
        meta = event_meta()
        status, version = ItemStatus(body["status"]), int(body["version"])
        return await respond(
            pool, lambda: ok(item_body(service.change_status(itemId, status, version, meta)))
        )

    return {
        "listItems": list_items,
        "getItem": get_item,
        "syncItem": sync_item,
        "listItemUomConversions": list_item_uom_conversions,
        "convertItemQuantity": convert_item_quantity,
        "changeItemStatus": change_item_status,
    }
