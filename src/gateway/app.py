"""The one wiring point: ``create_app(settings)`` builds the ASGI application."""

from __future__ import annotations

import logging
import re
from collections.abc import AsyncIterator, Awaitable, Callable, Mapping
from contextlib import AbstractAsyncContextManager, asynccontextmanager
from functools import partial
from importlib import import_module
from typing import Any

from anyio import to_thread
from connexion import AsyncApp
from connexion.lifecycle import ConnexionRequest
from connexion.middleware.context import ContextMiddleware
from connexion.middleware.exceptions import ExceptionMiddleware
from connexion.middleware.lifespan import LifespanMiddleware
from connexion.middleware.routing import RoutingMiddleware
from connexion.middleware.server_error import ServerErrorMiddleware
from connexion.resolver import Resolver
from starlette.responses import JSONResponse, Response

from gateway import problems
from gateway.adapters.postgres_clients import PostgresClientStore
from gateway.adapters.postgres_idempotency import PostgresIdempotencyStore
from gateway.adapters.postgres_store import POOL_SIZE as POSTGRES_POOL_SIZE
from gateway.adapters.postgres_store import PostgresStore
from gateway.adapters.redis_ratelimit import RedisRateLimiter
from gateway.adapters.reference_erp import ReferenceErp
from gateway.adapters.reference_wms import ReferenceWms
from gateway.adapters.sqlite_clients import SqliteClientStore
from gateway.adapters.sqlite_idempotency import SqliteIdempotencyStore
from gateway.adapters.sqlite_store import SqliteStore
from gateway.api.errors import build_handlers
from gateway.api.oauth import jwks_endpoint, token_endpoint
from gateway.context import AppContext
from gateway.contracts import ServedContract, load_all, operations
from gateway.metrics import Metrics
from gateway.middleware.allow import AllowHeaderMiddleware
from gateway.middleware.correlation import CorrelationIdMiddleware
from gateway.middleware.dispatch import DispatchMiddleware
from gateway.middleware.idempotency import IdempotencyMiddleware
from gateway.middleware.limits import RequestLimitsMiddleware
from gateway.middleware.ratelimit import RateLimitMiddleware
from gateway.middleware.redirects import RelativeRedirectMiddleware
from gateway.middleware.request_validation import RequestValidationMiddleware
from gateway.middleware.response_validation import ResponseValidationMiddleware
from gateway.middleware.security import SecurityMiddleware, SecurityRequirement
from gateway.middleware.swagger_gate import SwaggerUIGateMiddleware
from gateway.middleware.telemetry import TelemetryMiddleware
from gateway.middleware.tenancy import TenancyMiddleware
from gateway.middleware.versioning import VersionHeadersMiddleware
from gateway.observability import correlation_id_var
from gateway.services.adjustments import AdjustmentService
from gateway.services.blocking import BlockingPool
from gateway.services.clients import ClientStore
from gateway.services.identity import build_identity
from gateway.services.inventory import InventoryService
from gateway.services.items import ItemService
from gateway.services.posting_retry import PostingResumer
from gateway.services.ratelimit import InProcessRateLimiter, Quota, RateLimiter
from gateway.settings import Settings

Handler = Callable[..., Awaitable[Any]]
log = logging.getLogger("waybill.app")
# A handler module ``gateway.api.<service>_v<major>`` exposes ``operations(ctx)`` returning this.
Operations = Mapping[str, Handler]

# The scope a client needs to read /metrics (unless WAYBILL_METRICS_PUBLIC is set).
METRICS_SCOPE = "metrics:read"


def _snake(operation_id: str) -> str:
    return re.sub(r"(?<!^)(?=[A-Z])", "_", operation_id).lower()


def _not_implemented(contract: ServedContract, operation_id: str) -> Handler:
    async def handler(
        *_args: object, **_kwargs: object
    ) -> tuple[dict[str, object], int, dict[str, str]]:
        body = problems.NOT_IMPLEMENTED.body(
            f"Operation '{operation_id}' of {contract.base_path} is in the contract but has no "
            "behaviour behind it yet.",
            operationId=operation_id,
            correlationId=correlation_id_var.get(),
        )
        return body, 501, {"Content-Type": problems.PROBLEM_CONTENT_TYPE}

    return handler


def _operations(contract: ServedContract, ctx: AppContext) -> Operations:
    module_name = f"gateway.api.{contract.service}_v{contract.major}"
    try:
        module = import_module(module_name)
    except ModuleNotFoundError as exc:
        if exc.name is None or not (module_name + ".").startswith(exc.name + "."):
            raise
        return {}
    built: Operations = module.operations(ctx)
    return built


def handlers(ctx: AppContext) -> dict[tuple[str, str], Handler]:
    """Every operation's handler by ``(base_path, operation_id)``; a 501 where none exists."""
    found: dict[tuple[str, str], Handler] = {}
    for loaded in ctx.contracts:
        implemented = _operations(loaded.contract, ctx)
        for op in operations(loaded):
            handler = implemented.get(op.operation_id)
            found[op.key] = handler or _not_implemented(loaded.contract, op.operation_id)
    return found


def _resolver(base_path: str, table: Mapping[tuple[str, str], Handler]) -> Resolver:
    """Connexion resolves operation ids to the same handlers the dispatch layer calls."""

    def resolve(operation_id: str) -> Handler:
        return table[(base_path, operation_id)]

    return Resolver(function_resolver=resolve)


async def _healthz(_request: ConnexionRequest) -> JSONResponse:
    return JSONResponse({"status": "ok"})


def _readyz(ctx: AppContext) -> Handler:
    """Ready when every store answers; each check is a named callable on the context."""

    async def readyz(_request: ConnexionRequest) -> JSONResponse:
        results: dict[str, str] = {}
        for name, check in ctx.readiness_checks.items():
            try:
                await check()
                results[name] = "ok"
            except Exception as exc:  # any failure means "not ready"
                # The public probe names the failing check only; the details go to the log.
                log.warning("readiness check %s failed", name, exc_info=exc)
                results[name] = f"failed: {type(exc).__name__}"
        ready = all(v == "ok" for v in results.values())
        return JSONResponse(
            {"status": "ready" if ready else "not-ready", "checks": results},
            status_code=200 if ready else 503,
        )

    return readyz


def _metrics(ctx: AppContext) -> Handler:
    async def metrics(_request: ConnexionRequest) -> Response:
        body, content_type = ctx.metrics.exposition()
        return Response(body, media_type=content_type)

    return metrics


def build_context(settings: Settings) -> AppContext:
    """Build the shared objects (stores, keys, services) for one process."""
    pool = BlockingPool(store_threads(settings))
    idempotency = idempotency_store(settings, pool)
    identity = build_identity(settings, client_store(settings))

    async def clients_ready() -> None:
        identity.clients.store.get("readiness-probe")

    store = gateway_store(settings)
    erp, wms = ReferenceErp.in_dir(settings.data_dir), ReferenceWms.in_dir(settings.data_dir)

    async def slice_ready() -> None:
        await to_thread.run_sync(store.ping)  # a first PostgreSQL connect may take a while

    limiter = rate_limiter(settings)
    closers: list[Callable[[], Awaitable[None]]] = [
        pool.close,  # first: calls in progress finish before their stores close
        partial(to_thread.run_sync, identity.clients.store.close),
        partial(to_thread.run_sync, store.close),
    ]
    for resource in (idempotency, limiter):
        close = getattr(resource, "close", None)
        if close is not None:
            closers.append(close)
    checks: dict[str, Callable[[], Awaitable[None]]] = {
        "idempotency-store": idempotency.ping,
        "client-store": clients_ready,
        "gateway-store": slice_ready,
    }
    if isinstance(limiter, RedisRateLimiter):
        checks["rate-limit-store"] = limiter.ping
    adjustments = AdjustmentService(store.unit_of_work, erp, wms)
    every = settings.posting_retry_seconds
    return AppContext(
        closers=closers,
        settings=settings,
        contracts=load_all(settings.specs_dir / "openapi"),
        metrics=Metrics(),
        identity=identity,
        idempotency=idempotency,
        rate_limiter=limiter,
        blocking=pool,
        readiness_checks=checks,
        items=ItemService(store.unit_of_work, erp),
        inventory=InventoryService(store.unit_of_work, erp, wms),
        adjustments=adjustments,
        posting_resumer=(
            PostingResumer(
                adjustments, every=every, exclusive=partial(store.exclusive, "posting-resumer")
            )
            if every
            else None
        ),
    )


def client_store(settings: Settings) -> ClientStore:
    """PostgreSQL when ``WAYBILL_DATABASE_URL`` is set, else SQLite under the data dir."""
    if settings.database_url:
        return PostgresClientStore(settings.database_url)
    return SqliteClientStore(settings.data_dir / "clients.sqlite3")


def gateway_store(settings: Settings) -> SqliteStore | PostgresStore:
    """Items, adjustments and outbox in PostgreSQL when ``WAYBILL_DATABASE_URL`` is set.

    ``WAYBILL_STORE_SCHEMA`` names the PostgreSQL schema; otherwise the store is SQLite under
    the data dir.
    """
    if settings.database_url:
        return PostgresStore(settings.database_url, schema=settings.store_schema)
    return SqliteStore.in_dir(settings.data_dir)


def rate_limiter(settings: Settings) -> RateLimiter:
    """Shared buckets in Redis when ``WAYBILL_REDIS_URL`` is set, else per process."""
    quota = Quota(settings.rate_limit_per_second, settings.rate_limit_burst)
    if settings.redis_url:
        return RedisRateLimiter(settings.redis_url, quota)
    return InProcessRateLimiter(quota)


def store_threads(settings: Settings) -> int:
    """Threads per process for store calls: ``WAYBILL_WORKER_THREADS``, else what the store uses.

    PostgreSQL serves as many transactions at once as the pool holds connections. SQLite
    serialises its writers, and a single thread per process measured fastest (docs/gateway.md).
    """
    if settings.worker_threads is not None:
        return settings.worker_threads
    return POSTGRES_POOL_SIZE if settings.database_url else 1


def idempotency_store(
    settings: Settings, pool: BlockingPool | None = None
) -> SqliteIdempotencyStore | PostgresIdempotencyStore:
    """PostgreSQL when ``WAYBILL_DATABASE_URL`` is set, else SQLite under the data dir."""
    if settings.database_url:
        return PostgresIdempotencyStore(settings.database_url)
    return SqliteIdempotencyStore(settings.data_dir / "idempotency.sqlite3", pool=pool)


def _own_paths(settings: Settings) -> dict[str, SecurityRequirement]:
    """The scopes the gateway's own endpoints need (the contracts say the rest).

    ``/metrics`` names every client and its traffic: it needs ``metrics:read`` (Prometheus can
    fetch the token itself, with ``oauth2`` client credentials in its scrape config) unless
    ``WAYBILL_METRICS_PUBLIC`` says it is only reachable from a trusted network.
    """
    if settings.metrics_public:
        return {}
    return {"/metrics": SecurityRequirement((frozenset({METRICS_SCOPE}),))}


def _middlewares(ctx: AppContext, table: Mapping[tuple[str, str], Handler]) -> list[Any]:
    """The request path, outermost first (see ARCHITECTURE.md)."""
    return [
        CorrelationIdMiddleware,
        RelativeRedirectMiddleware,
        partial(TelemetryMiddleware, metrics=ctx.metrics),
        # Outside the exception layer, which turns routing's 405 exception into the response.
        partial(AllowHeaderMiddleware, contracts=ctx.contracts),
        ServerErrorMiddleware,
        ExceptionMiddleware,
        RequestLimitsMiddleware,
        # Before routing and security, so bad or missing tokens are limited too; it verifies the
        # token once and leaves the verdict in the scope for the security layer.
        partial(
            RateLimitMiddleware,
            limiter=ctx.rate_limiter,
            verifier=ctx.identity.verifier,
            metrics=ctx.metrics,
        ),
        SwaggerUIGateMiddleware,
        RoutingMiddleware,
        partial(VersionHeadersMiddleware, contracts=ctx.contracts),
        partial(
            SecurityMiddleware,
            contracts=ctx.contracts,
            verifier=ctx.identity.verifier,
            metrics=ctx.metrics,
            paths=_own_paths(ctx.settings),
        ),
        partial(TenancyMiddleware, contracts=ctx.contracts, metrics=ctx.metrics),
        partial(RequestValidationMiddleware, contracts=ctx.contracts),
        partial(
            IdempotencyMiddleware,
            store=ctx.idempotency,
            contracts=ctx.contracts,
            metrics=ctx.metrics,
        ),
        partial(ResponseValidationMiddleware, contracts=ctx.contracts, metrics=ctx.metrics),
        partial(DispatchMiddleware, contracts=ctx.contracts, handlers=table),
        LifespanMiddleware,
        ContextMiddleware,
    ]


def _lifespan(ctx: AppContext) -> Callable[[Any], AbstractAsyncContextManager[None]]:
    @asynccontextmanager
    async def lifespan(_app: Any) -> AsyncIterator[None]:
        resumer = ctx.posting_resumer
        if resumer is not None:
            resumer.start()
        try:
            yield
        finally:
            try:
                if resumer is not None:
                    await resumer.stop()  # before the stores it uses are closed
            finally:
                await ctx.close()

    return lifespan


def create_app(settings: Settings | None = None) -> AsyncApp:
    """Build the gateway: every contract under ``specs/openapi`` mounted at its base path."""
    settings = settings or Settings.from_env()
    ctx = build_context(settings)
    table = handlers(ctx)
    app = AsyncApp(__name__, middlewares=_middlewares(ctx, table), lifespan=_lifespan(ctx))
    for loaded in ctx.contracts:
        contract = loaded.contract
        app.add_api(
            loaded.document,
            base_path=contract.base_path,
            name=f"{contract.service}-v{contract.major}",
            resolver=_resolver(contract.base_path, table),
            strict_validation=True,
            validate_responses=True,
        )
    for error, handler in build_handlers():
        app.add_error_handler(error, handler)
    app.add_url_rule("/healthz", "healthz", _healthz, methods=["GET"])
    app.add_url_rule("/oauth/token", "oauth_token", token_endpoint(ctx.identity), methods=["POST"])
    app.add_url_rule("/.well-known/jwks.json", "jwks", jwks_endpoint(ctx.identity), methods=["GET"])
    app.add_url_rule("/readyz", "readyz", _readyz(ctx), methods=["GET"])
    app.add_url_rule("/metrics", "metrics", _metrics(ctx), methods=["GET"])
    return app
