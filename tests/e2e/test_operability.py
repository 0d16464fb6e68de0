"""Health, readiness, metrics and correlation ids on the fully wired gateway."""

from __future__ import annotations

from pathlib import Path

import pytest
from starlette.testclient import TestClient

from gateway.app import METRICS_SCOPE, create_app
from gateway.settings import Settings
from tests.conftest import SPECS
from tests.support.gateway import ALL_SCOPES, start_gateway


@pytest.fixture(scope="module")
def client(tmp_path_factory: pytest.TempPathFactory) -> TestClient:
    data_dir: Path = tmp_path_factory.mktemp("waybill")
    return TestClient(create_app(Settings(specs_dir=SPECS, data_dir=data_dir)))


def test_every_response_carries_a_correlation_id(client: TestClient) -> None:
    assert client.get("/healthz").headers["x-correlation-id"]
    response = client.get("/no/such/thing", headers={"X-Correlation-ID": "abc-123"})
    assert response.status_code == 404
    assert response.headers["x-correlation-id"] == "abc-123"
    assert response.headers["content-type"].startswith("application/problem+json")
    assert response.json()["type"] == "https://waybill.dev/problems/not-found"


def test_readyz_reports_each_check(client: TestClient) -> None:
    response = client.get("/readyz")
    assert response.status_code == 200
    body = response.json()
    assert body["status"] == "ready"
    assert all(result == "ok" for result in body["checks"].values())


def test_metrics_count_requests_by_operation_and_status(tmp_path: Path) -> None:
    gw = start_gateway(tmp_path)
    gw.http.get("/items/v1/items")
    response = gw.http.get("/metrics", headers=gw.headers(gw.token([METRICS_SCOPE])))
    assert response.status_code == 200
    assert response.headers["content-type"].startswith("text/plain")
    text = response.text
    assert "waybill_requests_total" in text
    assert 'operation="listItems"' in text
    assert "waybill_request_duration_seconds_bucket" in text


def test_metrics_need_a_token_with_the_metrics_scope(tmp_path: Path) -> None:
    # They name every client and its traffic: no partner may read the others'.
    gw = start_gateway(tmp_path)
    anonymous = gw.http.get("/metrics")
    assert anonymous.status_code == 401
    assert anonymous.headers["www-authenticate"].startswith("Bearer")
    assert anonymous.json()["type"].endswith("/unauthorized")
    partner = gw.http.get("/metrics", headers=gw.headers(gw.token(ALL_SCOPES)))
    assert partner.status_code == 403
    assert partner.json()["requiredScopes"] == [METRICS_SCOPE]
    assert "waybill_requests_total" not in partner.text


def test_metrics_can_be_left_open_for_a_trusted_network(tmp_path: Path) -> None:
    gw = start_gateway(tmp_path, metrics_public=True)
    response = gw.http.get("/metrics")
    assert response.status_code == 200
    assert "waybill_requests_total" in response.text


def test_oversize_body_is_refused_before_routing(client: TestClient) -> None:
    response = client.put(
        "/items/v1/items/SKU-1",
        content=b"{" + b" " * (1024 * 1024 + 10) + b"}",
        headers={"content-type": "application/json"},
    )
    assert response.status_code == 413
    assert response.json()["type"].endswith("/payload-too-large")
