"""The objects one gateway process shares across requests, built once by ``create_app``."""

from __future__ import annotations

from collections.abc import Awaitable, Callable
from dataclasses import dataclass, field

from gateway.contracts import LoadedContract
from gateway.metrics import Metrics
from gateway.services.adjustments import AdjustmentService
from gateway.services.blocking import BlockingPool
from gateway.services.idempotency import IdempotencyStore
from gateway.services.identity import Identity
from gateway.services.inventory import InventoryService
from gateway.services.items import ItemService
from gateway.services.posting_retry import PostingResumer
from gateway.services.ratelimit import RateLimiter
from gateway.settings import Settings


@dataclass
class AppContext:
    """Everything handlers and middleware need; ``create_app`` fills it, nothing else does.

    Helpers add one typed field per shared object (stores, key ring, services) here and build it
    in ``gateway.app.build_context``.
    """

    settings: Settings
    contracts: list[LoadedContract]
    metrics: Metrics
    # clients, key ring, token issuer and verifier (gateway.services.identity)
    identity: Identity
    idempotency: IdempotencyStore
    rate_limiter: RateLimiter
    # the threads the requests' blocking store calls run in (handlers, idempotency)
    blocking: BlockingPool
    # name -> async check that raises when its store is unreachable; /readyz runs them all.
    readiness_checks: dict[str, Callable[[], Awaitable[None]]] = field(default_factory=dict)
    # Run in order when the process shuts down: connection pools are closed, not abandoned.
    closers: list[Callable[[], Awaitable[None]]] = field(default_factory=list)

    async def close(self) -> None:
        """Close every store; each closer runs even when an earlier one fails."""
        errors: list[Exception] = []
        for closer in self.closers:
            try:
                await closer()
            except Exception as exc:  # keep closing the rest; report all at the end
                errors.append(exc)
        if errors:
            raise ExceptionGroup("closing the gateway's stores failed", errors)

    # the logistics slice (items, inventory v1/v2, adjustments); None leaves them answering 501
    items: ItemService | None = None
    inventory: InventoryService | None = None
    adjustments: AdjustmentService | None = None
    # resumes failed ERP postings between start-up and shutdown; None when disabled
    posting_resumer: PostingResumer | None = None
