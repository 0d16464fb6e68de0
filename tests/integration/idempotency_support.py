"""Shared pieces of the idempotency tests: store factories and a routed, counting test app."""

from __future__ import annotations

import asyncio
import json
import uuid
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from pathlib import Path

from starlette.types import ASGIApp, Receive, Scope, Send

from gateway.adapters.postgres_idempotency import PostgresIdempotencyStore
from gateway.adapters.sqlite_idempotency import SqliteIdempotencyStore
from gateway.contracts import LoadedContract, ServedContract
from gateway.domain.access import PRINCIPAL_CONTEXT_KEY, Principal
from gateway.metrics import Metrics
from gateway.middleware.idempotency import IdempotencyMiddleware
from gateway.services.idempotency import IdempotencyStore

PG_URL = "postgresql://postgres@127.0.0.1:5432/test"

CONTRACT = LoadedContract(
    ServedContract("adjustments", 1, Path("adjustments/v1.yaml")),
    {
        "openapi": "3.0.3",
        "info": {"title": "t", "version": "1"},
        "paths": {
            "/adjustments": {
                "post": {
                    "operationId": "requestAdjustment",
                    "parameters": [{"name": "Idempotency-Key", "in": "header", "required": True}],
                }
            }
        },
    },
)


def postgres_available() -> bool:
    """True when the CI PostgreSQL answers on loopback."""
    import psycopg

    try:
        with psycopg.connect(PG_URL, connect_timeout=3) as conn:
            conn.execute("SELECT 1")
    except psycopg.OperationalError:
        return False
    return True


def make_store(kind: str, where: str) -> IdempotencyStore:
    """A store of ``kind`` ('sqlite' or 'postgres'); ``where`` is a file path or table name."""
    if kind == "sqlite":
        return SqliteIdempotencyStore(Path(where))
    return PostgresIdempotencyStore(PG_URL, table=where)


def unique_table() -> str:
    return f"idem_test_{uuid.uuid4().hex[:12]}"


def drop_table(table: str) -> None:
    import psycopg
    from psycopg import sql

    with psycopg.connect(PG_URL, autocommit=True) as conn:
        conn.execute(sql.SQL("DROP TABLE IF EXISTS {}").format(sql.Identifier(table)))


class CountingBackend:
    """The handler: counts executions in a file (visible across processes), answers 201."""

    def __init__(self, counter: Path, delay: float) -> None:
        self.counter = counter
        self.delay = delay

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        body = b""
        more = True
        while more:
            message = await receive()
            body += message.get("body", b"")
            more = message.get("more_body", False)
        with self.counter.open("a") as f:
            f.write("x")
        await asyncio.sleep(self.delay)
        answer = json.dumps({"id": uuid.uuid4().hex, "echo": json.loads(body or b"{}")}).encode()
        await send(
            {
                "type": "http.response.start",
                "status": 201,
                "headers": [(b"content-type", b"application/json"), (b"location", b"/x/1")],
            }
        )
        await send({"type": "http.response.body", "body": answer})


def routed_app(store: IdempotencyStore, backend: ASGIApp, client_id: str = "partner-1") -> ASGIApp:
    """IdempotencyMiddleware behind a stand-in for routing + security."""
    inner = IdempotencyMiddleware(backend, store=store, contracts=[CONTRACT], metrics=Metrics())

    async def app(scope: Scope, receive: Receive, send: Send) -> None:
        ext = scope.setdefault("extensions", {})
        ext["connexion_routing"] = {
            "api_base_path": "/adjustments/v1",
            "operation_id": "requestAdjustment",
        }
        ext["connexion_context"] = {
            PRINCIPAL_CONTEXT_KEY: Principal(client_id, frozenset(), frozenset())
        }
        await inner(scope, receive, send)

    return app


@asynccontextmanager
async def closing(store: IdempotencyStore) -> AsyncIterator[IdempotencyStore]:
    try:
        yield store
    finally:
        close = getattr(store, "close", None)
        if close is not None:
            await close()
