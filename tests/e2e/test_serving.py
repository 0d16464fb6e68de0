"""The gateway mounts every contract, serves it as JSON with a Swagger UI, and answers /healthz."""

from __future__ import annotations

import pytest
from starlette.testclient import TestClient

from gateway.app import create_app
from gateway.contracts import discover
from gateway.settings import Settings
from tests.conftest import SPECS

CONTRACTS = discover(SPECS / "openapi")


@pytest.fixture(scope="module")
def client() -> TestClient:
    return TestClient(create_app(Settings(specs_dir=SPECS)))


def test_healthz_answers_ok(client: TestClient) -> None:
    response = client.get("/healthz")
    assert response.status_code == 200
    assert response.json() == {"status": "ok"}


@pytest.mark.parametrize("contract", CONTRACTS, ids=lambda c: c.base_path)
def test_each_contract_is_served_bundled(client: TestClient, contract: object) -> None:
    base = contract.base_path  # type: ignore[attr-defined]
    response = client.get(f"{base}/openapi.json")
    assert response.status_code == 200
    served = response.json()
    assert served["openapi"] == "3.0.3"
    assert "../common" not in response.text, "served contracts must stand alone"
    ui = client.get(f"{base}/ui/")
    assert ui.status_code == 200
    assert "swagger" in ui.text.lower()


def test_unknown_path_is_problem_json(client: TestClient) -> None:
    response = client.get("/no/such/path")
    assert response.status_code == 404
    assert response.headers["content-type"].startswith("application/problem+json")
