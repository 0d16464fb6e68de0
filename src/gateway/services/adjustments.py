"""Adjustment use cases: request, approve, reject, reverse, and post to the WMS and the ERP.

Every transition is stored with its audit entries and events in one unit of work. Posting happens
after the approval is committed: the WMS applies the change, the ERP books it (both idempotent per
adjustment id), then the POSTED state is committed. A posting that fails leaves the adjustment
APPROVED; approving it again resumes it, and so does ``resume_postings``, which a background task
of the served gateway (and ``gateway adjustments resume``) runs for every site.
"""

from __future__ import annotations

from dataclasses import dataclass, replace
from datetime import datetime, timedelta
from fractions import Fraction

from gateway.domain import adjustments as domain
from gateway.domain.access import Principal
from gateway.domain.adjustments import (
    Adjustment,
    AdjustmentStatus,
    NewAdjustment,
    Outcome,
    ReasonCode,
    StatusChange,
)
from gateway.domain.errors import BusinessRuleViolation, DomainError, NotFound
from gateway.domain.events import EventMeta
from gateway.domain.inventory import StockStatus
from gateway.domain.items import Item, TrackingMode, require_active
from gateway.domain.quantities import Money, Quantity, format_decimal
from gateway.ports import (
    AdjustmentFilter,
    BalanceQuery,
    ErpPort,
    UnitOfWork,
    UnitOfWorkFactory,
    WmsPort,
)
from gateway.services.inventory import require_site
from gateway.services.paging import Page, decode_cursor, page_of
from gateway.services.unit_of_work import (
    Clock,
    envelopes,
    new_id,
    record_envelopes,
    record_events,
    utc_now,
)

_CURSOR = "adjustments"
# The actor of postings nobody asked for again: the audit trail tells them from a partner's.
RESUMER = "waybill:resume"


@dataclass(frozen=True)
class RequestAdjustment:
    """What a partner asks for, as received (the quantity in any unit of the item)."""

    site_id: str
    location_id: str
    item_id: str
    quantity: Quantity
    reason_code: ReasonCode
    lot_id: str | None = None
    serial_numbers: tuple[str, ...] = ()
    stock_status: StockStatus | None = None
    status_change: StatusChange | None = None
    note: str | None = None
    requested_by: str | None = None
    partner_reference: str | None = None


@dataclass(frozen=True)
class ListAdjustments:
    """Filters of ``list``; the caller's sites always apply."""

    site_id: str | None = None
    status: AdjustmentStatus | None = None
    reason_code: ReasonCode | None = None
    item_id: str | None = None
    cursor: str | None = None
    limit: int = 50


@dataclass(frozen=True)
class PostingFailure:
    """An adjustment whose resumed posting failed again, and why."""

    adjustment_id: str
    reason: str


@dataclass(frozen=True)
class ResumeReport:
    """What one ``resume_postings`` run did with the approved adjustments it found."""

    posted: tuple[str, ...] = ()
    failed: tuple[PostingFailure, ...] = ()
    skipped: tuple[str, ...] = ()  # posted by another request meanwhile
    # Where the next run continues when this one stopped at its limit; None: it saw them all.
    resume_after: tuple[datetime, str] | None = None

    def to_json(self) -> dict[str, object]:
        """The report as printed by the CLI and logged by the background task."""
        return {
            "posted": len(self.posted),
            "failed": len(self.failed),
            "skipped": len(self.skipped),
            "postedIds": list(self.posted),
            "failures": [
                {"adjustmentId": f.adjustment_id, "reason": f.reason} for f in self.failed
            ],
            "skippedIds": list(self.skipped),
            "more": self.resume_after is not None,
        }


class AdjustmentService:
    """The adjustment workflow between the WMS that requests and the ERP that approves."""

    def __init__(
        self, uow: UnitOfWorkFactory, erp: ErpPort, wms: WmsPort, clock: Clock = utc_now
    ) -> None:
        self._uow = uow
        self._erp = erp
        self._wms = wms
        self._clock = clock

    def request(
        self, principal: Principal, command: RequestAdjustment, meta: EventMeta
    ) -> Adjustment:
        """Record a request, apply the approval rules, and post at once when they approve."""
        require_site(principal, command.site_id)
        with self._uow(read_only=True) as uow:
            item = uow.items.get(command.item_id)
        if item is None:
            raise BusinessRuleViolation(f"item {command.item_id} is not in the item master")
        new = self._validated(principal, command, item)
        value = self._value(new, item)
        threshold = self._erp.adjustment_threshold(new.site_id)
        outcome = domain.request(new, value, threshold, self._clock())
        ready = envelopes(outcome.events, meta, self._clock)
        with self._uow() as uow:
            uow.adjustments.add(outcome.adjustment)
            record_envelopes(uow, ready)
        if outcome.adjustment.status is not AdjustmentStatus.APPROVED:
            return outcome.adjustment
        try:
            return self._post(outcome.adjustment, principal.client_id, meta)
        except DomainError:
            # The request is recorded and approved; approveAdjustment resumes the posting.
            return outcome.adjustment

    def get(self, principal: Principal, adjustment_id: str) -> Adjustment:
        """One adjustment of the caller's sites, with its audit trail."""
        with self._uow(read_only=True) as uow:
            return _visible(uow, principal, adjustment_id)

    def list(self, principal: Principal, query: ListAdjustments) -> Page[Adjustment]:
        """Adjustments of the caller's sites, newest first."""
        if query.site_id is not None:
            require_site(principal, query.site_id)
        before = decode_cursor(_CURSOR, query.cursor, 1)
        with self._uow(read_only=True) as uow:
            rows = uow.adjustments.list(
                AdjustmentFilter(
                    sites=principal.sites,
                    site_id=query.site_id,
                    status=query.status,
                    reason_code=query.reason_code,
                    item_id=query.item_id,
                    before_id=None if before is None else before[0],
                    limit=query.limit + 1,
                )
            )
        return page_of(_CURSOR, rows, query.limit, lambda a: (a.adjustment_id,))

    def approve(
        self,
        principal: Principal,
        adjustment_id: str,
        *,
        decided_by: str | None,
        note: str | None,
        meta: EventMeta,
    ) -> Adjustment:
        """Approve a pending adjustment (not the requester's own) and post it."""
        with self._uow() as uow:
            approved = _visible(uow, principal, adjustment_id)
            if approved.status is not AdjustmentStatus.APPROVED:
                outcome = domain.approve(
                    approved, principal.client_id, decided_by, note, self._clock()
                )
                _store(uow, approved, outcome, meta, self._clock)
                approved = outcome.adjustment
        return self._post(approved, principal.client_id, meta)

    def reject(
        self,
        principal: Principal,
        adjustment_id: str,
        *,
        decided_by: str | None,
        reason: str,
        meta: EventMeta,
    ) -> Adjustment:
        """Reject a pending adjustment; it then waits for a recount."""
        with self._uow() as uow:
            current = _visible(uow, principal, adjustment_id)
            outcome = domain.reject(current, principal.client_id, decided_by, reason, self._clock())
            _store(uow, current, outcome, meta, self._clock)
        return outcome.adjustment

    def reverse(
        self,
        principal: Principal,
        adjustment_id: str,
        *,
        decided_by: str | None,
        reason: str,
        meta: EventMeta,
    ) -> Adjustment:
        """Compensate a posted adjustment with an opposite one; the answer is the new one.

        The original names its compensation as soon as it exists, so a reversal whose posting
        failed is resumed by the next request instead of being duplicated.
        """
        with self._uow() as uow:
            original = _visible(uow, principal, adjustment_id)
            if original.status is AdjustmentStatus.POSTED and original.reversed_by is not None:
                pending = _existing(uow, original.reversed_by)
            else:
                outcome = domain.compensation(
                    original,
                    adjustment_id=new_id("adj"),
                    client_id=principal.client_id,
                    decided_by=decided_by,
                    reason=reason,
                    at=self._clock(),
                )
                pending = outcome.adjustment
                uow.adjustments.add(pending)
                uow.adjustments.save(
                    replace(original, reversed_by=pending.adjustment_id),
                    expected_version=original.version,
                )
                record_events(uow, outcome.events, meta, self._clock)
        return self._post(pending, principal.client_id, meta)

    def resume_postings(
        self,
        *,
        older_than: timedelta,
        limit: int,
        meta: EventMeta | None = None,
        after: tuple[datetime, str] | None = None,
    ) -> ResumeReport:
        """Post approved adjustments of every site left unposted for longer than ``older_than``.

        Oldest first, at most ``limit``, continuing past ``after`` (a report's ``resume_after``):
        a failed posting leaves its adjustment as it was, so runs that each started from the
        oldest would retry the same refused ones for ever and never reach the rest. A request
        posting right now is younger than the cut-off and left alone; several resumers at once
        are harmless, as for ``_post`` in general.
        """
        cutoff = self._clock() - older_than
        with self._uow(read_only=True) as uow:
            waiting = uow.adjustments.unchanged_since(
                AdjustmentStatus.APPROVED, cutoff, limit, after
            )
        meta = meta or EventMeta(correlation_id=new_id("resume"))
        posted: list[str] = []
        skipped: list[str] = []
        failed: list[PostingFailure] = []
        for adjustment in waiting:
            try:
                _, by_us = self._post_once(adjustment, RESUMER, meta)
            except Exception as exc:  # reported: one failure must not hold back the rest
                failed.append(PostingFailure(adjustment.adjustment_id, _reason(exc)))
                continue
            (posted if by_us else skipped).append(adjustment.adjustment_id)
        last = waiting[-1] if len(waiting) == limit else None
        return ResumeReport(
            tuple(posted),
            tuple(failed),
            tuple(skipped),
            (last.updated_at, last.adjustment_id) if last is not None else None,
        )

    def _post(self, approved: Adjustment, actor: str, meta: EventMeta) -> Adjustment:
        """Apply and book an adjustment this request has just read or written."""
        return self._post_once(approved, actor, meta)[0]

    def _post_once(
        self, approved: Adjustment, actor: str, meta: EventMeta
    ) -> tuple[Adjustment, bool]:
        """``_post``, also saying whether this call stored the POSTED state.

        What the caller read is as fresh as a re-read would be: both WMS and ERP apply an
        adjustment once however often they are asked, and the state is checked again under the
        write below.
        """
        if approved.status is not AdjustmentStatus.APPROVED:
            return approved, False  # another request posted it meanwhile
        self._wms.apply_adjustment(approved, self._clock())
        posting = self._erp.post_adjustment(approved)
        # Worked out before the write; used when the re-check under it finds what was posted.
        outcome = domain.post(approved, posting, actor, self._clock())
        ready = envelopes(outcome.events, meta, self._clock)
        with self._uow() as uow:
            current = _existing(uow, approved.adjustment_id)
            if current.status is not AdjustmentStatus.APPROVED:
                return current, False  # another request posted it meanwhile
            if current != approved:
                outcome = domain.post(current, posting, actor, self._clock())
                ready = envelopes(outcome.events, meta, self._clock)
            uow.adjustments.save(outcome.adjustment, expected_version=current.version)
            record_envelopes(uow, ready)
            original_id = current.request.reversal_of
            if original_id is not None:
                original = uow.adjustments.get(original_id)
                assert original is not None
                reversed_ = domain.mark_reversed(original, outcome.adjustment, self._clock())
                _store(uow, original, reversed_, meta, self._clock)
        return outcome.adjustment, True

    def _validated(
        self, principal: Principal, command: RequestAdjustment, item: Item
    ) -> NewAdjustment:
        require_active(item)
        location = self._wms.get_location(command.site_id, command.location_id)
        if location is None:
            raise BusinessRuleViolation(
                f"bin {command.location_id} does not exist in site {command.site_id}"
            )
        if item.tracking_mode is TrackingMode.NONE and command.lot_id is not None:
            raise BusinessRuleViolation(f"item {item.item_id} is not lot-tracked; leave lotId out")
        if item.tracking_mode is not TrackingMode.NONE and command.lot_id is None:
            raise BusinessRuleViolation(f"item {item.item_id} is lot-tracked; name the lot")
        if item.tracking_mode is TrackingMode.SERIAL and not command.serial_numbers:
            raise BusinessRuleViolation(f"item {item.item_id} is serialised; list the serials")
        base = item.units.to_base(command.quantity)
        stock_status = command.stock_status
        if command.status_change is None and stock_status is None:
            stock_status = StockStatus.AVAILABLE
        self._check_stock(command, base, stock_status)
        return NewAdjustment(
            adjustment_id=new_id("adj"),
            site_id=command.site_id,
            storage_location_id=location.storage_location_id,
            location_id=command.location_id,
            item_id=command.item_id,
            lot_id=command.lot_id,
            quantity=command.quantity,
            base_quantity=base,
            reason_code=command.reason_code,
            requested_by_client=principal.client_id,
            stock_status=stock_status,
            status_change=command.status_change,
            serial_numbers=command.serial_numbers,
            note=command.note,
            requested_by=command.requested_by,
            partner_reference=command.partner_reference,
        )

    def _check_stock(
        self, command: RequestAdjustment, base: Quantity, stock_status: StockStatus | None
    ) -> None:
        change = command.status_change
        taken_from = change.from_status if change is not None else stock_status
        needed = base.value if change is not None else -base.value
        if needed <= 0 or taken_from is None:
            return
        on_hand = sum(
            (
                b.on_hand
                for b in self._wms.bin_balances(
                    BalanceQuery(
                        site_id=command.site_id,
                        location_id=command.location_id,
                        item_id=command.item_id,
                        stock_status=taken_from,
                    )
                )
                if b.lot_id == command.lot_id
            ),
            Fraction(0),
        )
        if on_hand < needed:
            raise BusinessRuleViolation(
                f"bin {command.location_id} holds {format_decimal(on_hand)} {base.uom} of "
                f"{command.item_id} in {taken_from.value}; cannot take {format_decimal(needed)}"
            )

    def _value(self, new: NewAdjustment, item: Item) -> Money | None:
        price = self._erp.valuation_price(new.site_id, new.item_id) or item.standard_cost
        if price is None:
            return None
        if new.status_change is not None:
            return Money(Fraction(0), price.currency)
        return Money.of(new.base_quantity.value * price.amount, price.currency)


def _reason(exc: Exception) -> str:
    return f"{type(exc).__name__}: {exc}" if str(exc) else type(exc).__name__


def _visible(uow: UnitOfWork, principal: Principal, adjustment_id: str) -> Adjustment:
    found = _existing(uow, adjustment_id)
    if not principal.may_access_site(found.site_id):
        raise NotFound(f"adjustment {adjustment_id} not found")
    return found


def _existing(uow: UnitOfWork, adjustment_id: str) -> Adjustment:
    found = uow.adjustments.get(adjustment_id)
    if found is None:
        raise NotFound(f"adjustment {adjustment_id} not found")
    return found


def _store(
    uow: UnitOfWork, before: Adjustment, outcome: Outcome, meta: EventMeta, clock: Clock
) -> None:
    uow.adjustments.save(outcome.adjustment, expected_version=before.version)
    record_events(uow, outcome.events, meta, clock)
