"""Two gateway processes sharing PostgreSQL: one Idempotency-Key, fifty racing requests, one effect.

Both processes are started as ``gateway serve --dev`` with the same WAYBILL_DATABASE_URL and data
dir (signing keys, reference ERP/WMS files). Half of the identical requests go to each.
"""

from __future__ import annotations

import asyncio
import json
import os
import subprocess
import uuid
from collections.abc import Iterator
from contextlib import ExitStack
from datetime import UTC, datetime
from fractions import Fraction
from pathlib import Path
from typing import Any

import httpx
import psycopg
import pytest
from psycopg import sql

from gateway.adapters.reference_erp import ReferenceErp
from gateway.adapters.reference_wms import ReferenceWms
from gateway.demo import seed_reference_data
from gateway.ports import BalanceQuery
from tests.conftest import SPECS, service_missing
from tests.integration.idempotency_support import PG_URL, postgres_available
from tests.support.gateway import item_input
from tests.support.served import GATEWAY, free_port, stop, wait_until_healthy

pytestmark = pytest.mark.slow

REQUESTS = 50
SCOPES = ["items:write", "adjustments:read", "adjustments:write"]
IN_FLIGHT = "https://waybill.dev/problems/idempotency-key-in-flight"
BODY = {
    "siteId": "DC-EAST",
    "locationId": "A-01-01",
    "itemId": "SKU-10001",
    "lotId": "LOT-2026-11-A",
    "quantity": {"value": "-1", "uom": "EA"},
    "reasonCode": "DAMAGED",
    "partnerReference": "two-gateways-race",
}


@pytest.fixture
def env(tmp_path: Path) -> Iterator[dict[str, str]]:
    """The environment both gateways and the CLI share; the test's schema is dropped after."""
    if not postgres_available():
        service_missing("PostgreSQL on 127.0.0.1:5432")
    schema = f"test_two_gw_{uuid.uuid4().hex[:12]}"
    shared = {
        "WAYBILL_DATABASE_URL": PG_URL,
        "WAYBILL_STORE_SCHEMA": schema,
        "WAYBILL_DATA_DIR": str(tmp_path / "data"),
        "WAYBILL_SPECS_DIR": str(SPECS),
        "WAYBILL_TOKEN_ISSUER": "http://gateways.waybill.test",
        "WAYBILL_RATE_LIMIT_PER_SECOND": "10000",
        "WAYBILL_RATE_LIMIT_BURST": "10000",
    }
    base = {k: v for k, v in os.environ.items() if not k.startswith("WAYBILL_")}
    try:
        yield base | shared
    finally:
        with psycopg.connect(PG_URL, autocommit=True) as conn:
            conn.execute(sql.SQL("DROP SCHEMA IF EXISTS {} CASCADE").format(sql.Identifier(schema)))


def _serve(env: dict[str, str], logs: list[Path], stack: ExitStack) -> list[str]:
    """Start one gateway per log file, together; their base URLs once each answers /healthz.

    They are stopped when ``stack`` closes, whatever happened meanwhile.
    """
    started: list[tuple[str, subprocess.Popen[bytes], Path]] = []
    for log in logs:
        port = free_port()
        out = stack.enter_context(log.open("wb"))
        process = subprocess.Popen(
            [str(GATEWAY), "serve", "--dev", "--bind", f"127.0.0.1:{port}"],
            env=env,
            stdout=out,
            stderr=subprocess.STDOUT,
        )
        stack.callback(stop, process)
        started.append((f"http://127.0.0.1:{port}", process, log))
    for url, process, log in started:
        wait_until_healthy(url, process, log)
    return [url for url, _, _ in started]


def _register(env: dict[str, str]) -> dict[str, Any]:
    name = f"two-gateways-{uuid.uuid4().hex[:8]}"
    done = subprocess.run(
        [str(GATEWAY), "clients", "add", name, "--scopes", *SCOPES, "--sites", "DC-EAST"],
        env=env,
        capture_output=True,
        timeout=60,
        check=True,
    )
    client: dict[str, Any] = json.loads(done.stdout)
    return client


def _forget(client_id: str) -> None:
    with psycopg.connect(PG_URL, autocommit=True) as conn:
        conn.execute("DELETE FROM waybill_idempotency_keys WHERE client_id = %s", (client_id,))
        conn.execute("DELETE FROM oauth_clients WHERE client_id = %s", (client_id,))


async def _race(urls: list[str], token: str, key: str) -> list[httpx.Response]:
    headers = {"Authorization": f"Bearer {token}", "Idempotency-Key": key}
    limits = httpx.Limits(max_connections=REQUESTS)
    async with httpx.AsyncClient(timeout=60, limits=limits) as http:
        return await asyncio.gather(
            *(
                http.post(f"{urls[n % 2]}/adjustments/v1/adjustments", json=BODY, headers=headers)
                for n in range(REQUESTS)
            )
        )


def _count(env: dict[str, str], query: str) -> int:
    schema = env["WAYBILL_STORE_SCHEMA"]
    with psycopg.connect(PG_URL) as conn:
        formatted = sql.SQL(query).format(
            adjustments=sql.Identifier(schema, "adjustments"),
            outbox=sql.Identifier(schema, "outbox"),
        )
        row = conn.execute(formatted).fetchone()
    assert row is not None
    return int(row[0])


def test_fifty_identical_requests_across_two_gateways_create_one_adjustment(
    tmp_path: Path, env: dict[str, str]
) -> None:
    data_dir = Path(env["WAYBILL_DATA_DIR"])
    erp, wms = ReferenceErp.in_dir(data_dir), ReferenceWms.in_dir(data_dir)
    seed_reference_data(erp, wms, datetime.now(UTC))
    stock = BalanceQuery("DC-EAST", "A-01-01", "SKU-10001", "LOT-2026-11-A")
    on_hand_before = sum((b.on_hand for b in wms.bin_balances(stock)), Fraction(0))
    with ExitStack() as stack:
        urls = _serve(env, [tmp_path / "gateway-a.log", tmp_path / "gateway-b.log"], stack)
        client = _register(env)
        stack.callback(_forget, client["client_id"])
        form = {"grant_type": "client_credentials", "client_id": client["client_id"]}
        issued = httpx.post(
            f"{urls[0]}/oauth/token", data=form | {"client_secret": client["client_secret"]}
        )
        assert issued.status_code == 200, issued.text
        token = issued.json()["access_token"]
        synced = httpx.put(
            f"{urls[1]}/items/v1/items/SKU-10001",
            json=item_input("SKU-10001"),
            headers={"Authorization": f"Bearer {token}", "Idempotency-Key": uuid.uuid4().hex},
        )
        assert synced.status_code == 201, synced.text

        responses = asyncio.run(_race(urls, token, f"race-{uuid.uuid4().hex}"))

    statuses = sorted(r.status_code for r in responses)
    ok = [r for r in responses if r.is_success]
    others = [r for r in responses if not r.is_success]
    assert len(responses) == REQUESTS
    assert ok, statuses
    assert {r.status_code for r in ok} == {201}, statuses
    assert len({r.content for r in ok}) == 1  # replays carry the first answer, byte for byte
    assert ok[0].json()["status"] == "POSTED"
    originals = [r for r in ok if r.headers.get("idempotent-replayed") != "true"]
    assert len(originals) == 1, statuses
    for refused in others:
        assert refused.status_code == 409, refused.text
        assert refused.json()["type"] == IN_FLIGHT
        assert int(refused.headers["retry-after"]) >= 1

    assert _count(env, "SELECT COUNT(*) FROM {adjustments}") == 1
    requested = "SELECT COUNT(*) FROM {outbox} WHERE type = 'inventory.adjustment.requested'"
    assert _count(env, requested) == 1
    on_hand_after = sum((b.on_hand for b in wms.bin_balances(stock)), Fraction(0))
    assert on_hand_before - on_hand_after == 1  # the bin was changed once
