"""The slice through create_app() with WAYBILL_DATABASE_URL set: every gateway state in PostgreSQL.

Only the reference ERP and WMS (stand-ins for the real systems) stay in SQLite files. The test
checks the tables themselves, not just the answers.
"""

from __future__ import annotations

import json
import uuid
from collections.abc import Callable, Iterator
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import fastavro.validation
import psycopg
import pytest
from psycopg import sql

from gateway import app as app_module
from gateway.adapters.postgres_clients import PostgresClientStore
from gateway.adapters.reference_erp import ReferenceErp
from gateway.adapters.reference_wms import ReferenceWms
from gateway.demo import seed_reference_data
from gateway.services.clients import ClientService
from gateway.settings import Settings
from registry.avro_schemas import load_avro_schema
from tests.conftest import SPECS, service_missing
from tests.integration.idempotency_support import PG_URL, postgres_available
from tests.support.gateway import ALL_SCOPES, Gateway, item_input, start_gateway

_PREFIX = f"e2e-pg-{uuid.uuid4().hex[:6]}-"


@pytest.fixture
def schema() -> Iterator[str]:
    if not postgres_available():
        service_missing("PostgreSQL on 127.0.0.1:5432")
    name = f"test_e2e_{uuid.uuid4().hex[:12]}"
    try:
        yield name
    finally:
        with psycopg.connect(PG_URL, autocommit=True) as conn:
            conn.execute(sql.SQL("DROP SCHEMA IF EXISTS {} CASCADE").format(sql.Identifier(name)))


@pytest.fixture
def opened(monkeypatch: pytest.MonkeyPatch) -> Iterator[list[object]]:
    """The stores build_context opens; their pools are closed when the test ends."""
    made: list[object] = []

    def recording(factory: Callable[[Settings], Any]) -> Callable[[Settings], Any]:
        def make(settings: Settings) -> Any:
            made.append(factory(settings))
            return made[-1]

        return make

    monkeypatch.setattr(app_module, "gateway_store", recording(app_module.gateway_store))
    monkeypatch.setattr(app_module, "client_store", recording(app_module.client_store))
    yield made
    for store in made:
        store.close()  # type: ignore[attr-defined]  # both PostgreSQL stores close their pools


@pytest.fixture
def clients(schema: str) -> Iterator[ClientService]:
    """Registers partners; their rows in the shared tables go afterwards."""
    store = PostgresClientStore(PG_URL)
    yield ClientService(store)
    made = [c.client_id for c in store.list_all() if c.name.startswith(_PREFIX)]
    store.close()
    with psycopg.connect(PG_URL, autocommit=True) as conn:
        for table in ("waybill_idempotency_keys", "oauth_clients"):
            if conn.execute("SELECT to_regclass(%s)", (table,)).fetchone() != (None,):
                query = sql.SQL("DELETE FROM {} WHERE client_id = ANY(%s)")
                conn.execute(query.format(sql.Identifier(table)), (made,))


def _token(gw: Gateway, clients: ClientService, sites: list[str]) -> str:
    client, secret = clients.register(f"{_PREFIX}{uuid.uuid4().hex[:8]}", ALL_SCOPES, sites)
    client_id = client.client_id
    response = gw.http.post(
        "/oauth/token",
        data={"grant_type": "client_credentials", "client_id": client_id, "client_secret": secret},
    )
    assert response.status_code == 200, response.text
    token: str = response.json()["access_token"]
    return token


def _rows(schema: str, query: str, *args: object) -> list[tuple[Any, ...]]:
    with psycopg.connect(PG_URL) as conn:
        tables = {t: sql.Identifier(schema, t) for t in ("items", "adjustments", "audit_trail")}
        return conn.execute(
            sql.SQL(query).format(outbox=sql.Identifier(schema, "outbox"), **tables), args
        ).fetchall()


def test_sync_request_approve_and_read_back_with_all_state_in_postgres(
    tmp_path: Path, schema: str, opened: list[object], clients: ClientService
) -> None:
    seed_reference_data(
        ReferenceErp.in_dir(tmp_path), ReferenceWms.in_dir(tmp_path), datetime.now(UTC)
    )
    gw = start_gateway(tmp_path, database_url=PG_URL, store_schema=schema)
    with gw.http:
        ready = gw.http.get("/readyz")
        assert ready.status_code == 200, ready.text
        assert ready.json()["checks"]["gateway-store"] == "ok"
        partner = _token(gw, clients, ["DC-EAST"])
        approver = _token(gw, clients, ["DC-EAST", "DC-WEST"])
        client_ids = [c.client_id for c in clients.list_all() if c.name.startswith(_PREFIX)]

        def unsafe(token: str, key: str) -> dict[str, str]:
            return gw.headers(token, Idempotency_Key=f"{key}-{uuid.uuid4().hex[:8]}")

        synced = gw.http.put(
            "/items/v1/items/SKU-10001",
            json=item_input("SKU-10001"),
            headers=unsafe(partner, "sync"),
        )
        assert synced.status_code == 201, synced.text
        requested = gw.http.post(
            "/adjustments/v1/adjustments",
            json={
                "siteId": "DC-EAST", "locationId": "A-01-01", "itemId": "SKU-10001",
                "lotId": "LOT-2026-11-A", "quantity": {"value": "-2", "uom": "CS"},
                "reasonCode": "MISSING",
            },
            headers=unsafe(partner, "request"),
        )  # fmt: skip
        assert requested.status_code == 201, requested.text
        assert requested.json()["status"] == "PENDING_APPROVAL"
        url = f"/adjustments/v1/adjustments/{requested.json()['adjustmentId']}"
        approved = gw.http.post(f"{url}/approval", json={}, headers=unsafe(approver, "approve"))
        assert approved.status_code == 200, approved.text
        read = gw.http.get(url, headers=gw.headers(partner))
        assert read.status_code == 200, read.text
        listed = gw.http.get("/adjustments/v1/adjustments", headers=gw.headers(partner))
        assert listed.status_code == 200, listed.text

    body = read.json()
    adjustment_id = body["adjustmentId"]
    assert body["status"] == "POSTED"
    assert body["baseQuantity"] == {"value": "-24", "uom": "EA"}
    assert [e["action"] for e in body["audit"]] == [
        "request", "hold-for-approval", "approve", "post",
    ]  # fmt: skip
    assert [a["adjustmentId"] for a in listed.json()["data"]] == [adjustment_id]

    assert _rows(schema, "SELECT item_id, version FROM {items}") == [("SKU-10001", 1)]
    assert _rows(schema, "SELECT adjustment_id, status, version FROM {adjustments}") == [
        (adjustment_id, "POSTED", body["version"])
    ]
    assert _rows(schema, "SELECT action FROM {audit_trail} ORDER BY seq") == [
        ("request",), ("hold-for-approval",), ("approve",), ("post",),
    ]  # fmt: skip
    events = _rows(schema, "SELECT type, sequence, payload FROM {outbox} ORDER BY position")
    assert [(t, n) for t, n, _ in events] == [
        ("item.synced", 1),
        ("inventory.adjustment.requested", 1),
        ("inventory.adjustment.approved", 3),
        ("inventory.adjustment.posted", 4),
    ]
    for event_type, sequence, payload in events:
        envelope = json.loads(payload)
        assert (envelope["eventType"], envelope["sequence"]) == (event_type, sequence)
        assert envelope["correlationId"]
        schema_of = load_avro_schema(SPECS / "avro" / f"{event_type}.avsc")
        fastavro.validation.validate(
            envelope["data"], schema_of.parsed, raise_errors=True, strict=True
        )
    with psycopg.connect(PG_URL) as conn:
        (keys,) = conn.execute(
            "SELECT COUNT(*) FROM waybill_idempotency_keys WHERE client_id = ANY(%s) "
            "AND state = 'done'",
            (client_ids,),
        ).fetchone() or (0,)
        (stored_clients,) = conn.execute(
            "SELECT COUNT(*) FROM oauth_clients WHERE client_id = ANY(%s)", (client_ids,)
        ).fetchone() or (0,)
    assert (keys, stored_clients) == (3, 2)
    assert not (tmp_path / "gateway.sqlite").exists()  # nothing of the gateway's own in SQLite
    assert {type(store).__name__ for store in opened} == {"PostgresStore", "PostgresClientStore"}
