"""Deprecated versions announce Deprecation/Sunset/successor; retired ones answer 410."""

from __future__ import annotations

from datetime import UTC, datetime
from pathlib import Path

import pytest
from starlette.testclient import TestClient
from starlette.types import ASGIApp, Receive, Scope, Send

from gateway.contracts import LoadedContract, ServedContract
from gateway.middleware.versioning import VersionHeadersMiddleware, compile_lifecycles


def _contract(service: str, major: int, info: dict[str, object], op: dict[str, object]) -> object:
    doc = {
        "openapi": "3.0.3",
        "info": {"title": service, "version": f"{major}.0.0", **info},
        "paths": {"/balances": {"get": {"operationId": "listBalances", **op}}},
    }
    return LoadedContract(ServedContract(service, major, Path(f"{service}/v{major}.yaml")), doc)


V1 = _contract(
    "inventory",
    1,
    {"x-sunset": "2027-06-30", "x-deprecated-at": "2026-11-01T00:00:00Z"},
    {"deprecated": True},
)
V2 = _contract("inventory", 2, {}, {})


def _routed(app: ASGIApp, base: str) -> ASGIApp:
    async def route(scope: Scope, receive: Receive, send: Send) -> None:
        scope.setdefault("extensions", {})["connexion_routing"] = {
            "api_base_path": base,
            "operation_id": "listBalances",
        }
        await app(scope, receive, send)

    return route


async def ok(scope: Scope, receive: Receive, send: Send) -> None:
    await send({"type": "http.response.start", "status": 200, "headers": []})
    await send({"type": "http.response.body", "body": b"{}"})


def _client(base: str, now: datetime) -> TestClient:
    middleware = VersionHeadersMiddleware(ok, contracts=[V1, V2], now=lambda: now)  # type: ignore[list-item]
    return TestClient(_routed(middleware, base))


def test_only_deprecated_operations_get_a_lifecycle() -> None:
    table = compile_lifecycles([V1, V2])  # type: ignore[list-item]
    assert set(table) == {("/inventory/v1", "listBalances")}
    assert table[("/inventory/v1", "listBalances")].successor == "/inventory/v2"


def test_deprecated_version_announces_its_lifecycle() -> None:
    response = _client("/inventory/v1", datetime(2027, 1, 1, tzinfo=UTC)).get("/")
    assert response.status_code == 200
    deprecated_at = int(datetime(2026, 11, 1, tzinfo=UTC).timestamp())
    assert response.headers["deprecation"] == f"@{deprecated_at}"
    assert response.headers["sunset"] == "Wed, 30 Jun 2027 23:59:59 GMT"
    assert response.headers["link"] == '</inventory/v2>; rel="successor-version"'


def test_current_version_has_no_lifecycle_headers() -> None:
    response = _client("/inventory/v2", datetime(2027, 1, 1, tzinfo=UTC)).get("/")
    assert response.status_code == 200
    assert "deprecation" not in response.headers
    assert "sunset" not in response.headers


@pytest.mark.parametrize(
    ("now", "status"),
    [
        (datetime(2027, 6, 30, 23, 59, 58, tzinfo=UTC), 200),
        (datetime(2027, 7, 1, 0, 0, 0, tzinfo=UTC), 410),
    ],
)
def test_sunset_turns_the_version_into_410(now: datetime, status: int) -> None:
    response = _client("/inventory/v1", now).get("/")
    assert response.status_code == status
    if status == 410:
        problem = response.json()
        assert problem["type"].endswith("/version-sunset")
        assert "/inventory/v2" in problem["detail"]
        assert response.headers["sunset"] == "Wed, 30 Jun 2027 23:59:59 GMT"
