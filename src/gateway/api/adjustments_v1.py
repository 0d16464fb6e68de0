"""Handlers of ``/adjustments/v1``: request, read, approve, reject and reverse adjustments."""

# ruff: noqa: N803 - parameters carry the contract's camelCase names; Connexion passes them so

from __future__ import annotations

from typing import Any

from gateway.api.handling import (
    Body,
    Response,
    drop_none,
    event_meta,
    money,
    ok,
    page,
    quantity,
    respond,
    timestamp,
)
from gateway.api.requests import current_principal
from gateway.context import AppContext
from gateway.domain.adjustments import (
    Adjustment,
    AdjustmentStatus,
    AuditEntry,
    Decision,
    ReasonCode,
    StatusChange,
)
from gateway.domain.inventory import StockStatus
from gateway.domain.quantities import Quantity, parse_decimal
from gateway.services.adjustments import AdjustmentService, ListAdjustments, RequestAdjustment
from gateway.services.blocking import BlockingPool

_BASE = "/adjustments/v1/adjustments"


def _decision(decision: Decision | None) -> Body | None:
    if decision is None:
        return None
    return drop_none(
        {
            "mode": decision.mode.value,
            "decidedBy": decision.decided_by,
            "decidedAt": timestamp(decision.decided_at),
            "note": decision.note,
            "threshold": money(decision.threshold) if decision.threshold else None,
        }
    )


def _audit(entry: AuditEntry) -> Body:
    return drop_none(
        {
            "at": timestamp(entry.at),
            "actor": entry.actor,
            "action": entry.action,
            "fromStatus": entry.from_status.value if entry.from_status else None,
            "toStatus": entry.to_status.value if entry.to_status else None,
            "note": entry.note,
        }
    )


def adjustment_body(adjustment: Adjustment) -> Body:
    """An adjustment as the contract's ``Adjustment``, with its audit trail."""
    new = adjustment.request
    change = new.status_change
    posting = adjustment.erp_posting
    return drop_none(
        {
            "adjustmentId": new.adjustment_id,
            "siteId": new.site_id,
            "locationId": new.location_id,
            "itemId": new.item_id,
            "lotId": new.lot_id,
            "serialNumbers": list(new.serial_numbers) or None,
            "quantity": quantity(new.quantity.value, new.quantity.uom),
            "baseQuantity": quantity(new.base_quantity.value, new.base_quantity.uom),
            "stockStatus": new.stock_status.value if new.stock_status else None,
            "statusChange": {
                "fromStatus": change.from_status.value,
                "toStatus": change.to_status.value,
            }
            if change
            else None,
            "reasonCode": new.reason_code.value,
            "note": new.note,
            "requestedBy": new.requested_by,
            "requestedByClient": new.requested_by_client,
            "partnerReference": new.partner_reference,
            "status": adjustment.status.value,
            "valueDelta": money(adjustment.value_delta) if adjustment.value_delta else None,
            "approval": _decision(adjustment.approval),
            "rejection": _decision(adjustment.rejection),
            "erpPosting": {
                "documentId": posting.document_id,
                "postedAt": timestamp(posting.posted_at),
            }
            if posting
            else None,
            "reversalOf": new.reversal_of,
            "reversedBy": adjustment.reversed_by,
            "createdAt": timestamp(adjustment.created_at),
            "updatedAt": timestamp(adjustment.updated_at),
            "version": adjustment.version,
            "audit": [_audit(entry) for entry in adjustment.audit],
        }
    )


def request_from_body(body: dict[str, Any]) -> RequestAdjustment:
    """The command an ``AdjustmentRequest`` body describes."""
    change = body.get("statusChange")
    status = body.get("stockStatus")
    return RequestAdjustment(
        site_id=body["siteId"],
        location_id=body["locationId"],
        item_id=body["itemId"],
        quantity=Quantity(parse_decimal(body["quantity"]["value"]), body["quantity"]["uom"]),
        reason_code=ReasonCode(body["reasonCode"]),
        lot_id=body.get("lotId"),
        serial_numbers=tuple(body.get("serialNumbers", ())),
        stock_status=StockStatus(status) if status else None,
        status_change=StatusChange(
            StockStatus(change["fromStatus"]), StockStatus(change["toStatus"])
        )
        if change
        else None,
        note=body.get("note"),
        requested_by=body.get("requestedBy"),
        partner_reference=body.get("partnerReference"),
    )


def operations(ctx: AppContext) -> dict[str, Any]:
    """The adjustments v1 operations, by operationId."""
    if ctx.adjustments is None:
        return {}
    return _handlers(ctx.adjustments, ctx.blocking)


def _handlers(service: AdjustmentService, pool: BlockingPool) -> dict[str, Any]:
    def created(adjustment: Adjustment) -> Response:
        location = f"{_BASE}/{adjustment.adjustment_id}"
        return ok(adjustment_body(adjustment), 201, {"Location": location})

    async def request_adjustment(body: dict[str, Any]) -> Response:
        principal, meta = current_principal(), event_meta()
        return await respond(
            pool, lambda: created(service.request(principal, request_from_body(body), meta))
        )

    async def list_adjustments(
        *,
        siteId: str | None = None,
        status: str | None = None,
        reasonCode: str | None = None,
        itemId: str | None = None,
        cursor: str | None = None,
        limit: int = 50,
    ) -> Response:
        principal = current_principal()
        query = ListAdjustments(
            site_id=siteId,
            status=AdjustmentStatus(status) if status else None,
            reason_code=ReasonCode(reasonCode) if reasonCode else None,
            item_id=itemId,
            cursor=cursor,
            limit=limit,
        )

        def work() -> Response:
            found = service.list(principal, query)
            return ok(page([adjustment_body(a) for a in found.items], found.next_cursor))

        return await respond(pool, work)

    async def get_adjustment(adjustmentId: str) -> Response:
        principal = current_principal()
        return await respond(
            pool, lambda: ok(adjustment_body(service.get(principal, adjustmentId)))
        )

    async def approve_adjustment(adjustmentId: str, body: dict[str, Any] | None = None) -> Response:
        principal, meta, given = current_principal(), event_meta(), body or {}
        return await respond(
            pool,
            lambda: ok(
                adjustment_body(
                    service.approve(
                        principal,
                        adjustmentId,
                        decided_by=given.get("decidedBy"),
                        note=given.get("note"),
                        meta=meta,
                    )
                )
            ),
        )

    async def reject_adjustment(adjustmentId: str, body: dict[str, Any]) -> Response:
        principal, meta = current_principal(), event_meta()
        return await respond(
            pool,
            lambda: ok(
                adjustment_body(
                    service.reject(
                        principal,
                        adjustmentId,
                        decided_by=body.get("decidedBy"),
                        reason=body["reason"],
                        meta=meta,
                    )
                )
            ),
        )

    async def reverse_adjustment(adjustmentId: str, body: dict[str, Any]) -> Response:
        principal, meta = current_principal(), event_meta()
        return await respond(
            pool,
            lambda: created(
                service.reverse(
                    principal,
                    adjustmentId,
                    decided_by=body.get("decidedBy"),
                    reason=body["reason"],
                    meta=meta,
                )
            ),
        )

    return {
        "requestAdjustment": request_adjustment,
        "listAdjustments": list_adjustments,
        "getAdjustment": get_adjustment,
        "approveAdjustment": approve_adjustment,
        "rejectAdjustment": reject_adjustment,
        "reverseAdjustment": reverse_adjustment,
    }
