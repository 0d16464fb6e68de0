"""The whole policy chain through create_app(): what partners see when a request goes wrong."""

from __future__ import annotations

import json

import pytest

from tests.support.gateway import Gateway, start_gateway

PROBLEM = "application/problem+json"


@pytest.fixture(scope="module")
def gw(tmp_path_factory: pytest.TempPathFactory) -> Gateway:
    return start_gateway(tmp_path_factory.mktemp("chain"))


@pytest.fixture(scope="module")
def token(gw: Gateway) -> str:
    return gw.token(sites=["DC-EAST"])


def _problem(response: object, status: int, slug: str) -> dict[str, object]:
    assert response.status_code == status, response.text  # type: ignore[attr-defined]
    assert response.headers["content-type"].startswith(PROBLEM)  # type: ignore[attr-defined]
    body: dict[str, object] = response.json()  # type: ignore[attr-defined]
    assert body["type"] == f"https://waybill.dev/problems/{slug}", body
    assert body["status"] == status
    return body


def test_no_token_is_401_with_a_bearer_challenge(gw: Gateway) -> None:
    response = gw.http.get("/items/v1/items")
    _problem(response, 401, "unauthorized")
    assert response.headers["www-authenticate"].startswith("Bearer")


def test_missing_scope_is_403_naming_the_scope(gw: Gateway) -> None:
    reader = gw.token(scopes=["items:read"])
    response = gw.http.put(
        "/items/v1/items/SKU-1",
        content="{}",
        headers=gw.headers(reader, Idempotency_Key="k-00000001", Content_Type="application/json"),
    )
    body = _problem(response, 403, "insufficient-scope")
    assert "items:write" in str(body["detail"])


def test_unknown_query_parameter_is_400(gw: Gateway, token: str) -> None:
    response = gw.http.get("/items/v1/items?colour=red", headers=gw.headers(token))
    _problem(response, 400, "validation-failed")


def test_malformed_json_is_400(gw: Gateway, token: str) -> None:
    response = gw.http.post(
        "/adjustments/v1/adjustments",
        content=b'{"siteId": "DC-EAST", ',
        headers=gw.headers(token, Idempotency_Key="k-00000002", Content_Type="application/json"),
    )
    assert response.status_code == 400
    assert response.json()["type"] in {
        "https://waybill.dev/problems/malformed-body",
        "https://waybill.dev/problems/validation-failed",
    }


def test_deeply_nested_json_is_400_before_validation(gw: Gateway, token: str) -> None:
    body = "[" * 40 + "]" * 40
    response = gw.http.post(
        "/adjustments/v1/adjustments",
        content=body,
        headers=gw.headers(token, Idempotency_Key="k-00000003", Content_Type="application/json"),
    )
    _problem(response, 400, "validation-failed")


def test_huge_array_is_400(gw: Gateway, token: str) -> None:
    body = json.dumps({"lines": [0] * 10_001})
    response = gw.http.post(
        "/adjustments/v1/adjustments",
        content=body,
        headers=gw.headers(token, Idempotency_Key="k-00000004", Content_Type="application/json"),
    )
    _problem(response, 400, "validation-failed")


def test_oversize_body_is_413(gw: Gateway, token: str) -> None:
    body = json.dumps({"note": "x" * (1024 * 1024)})
    response = gw.http.post(
        "/adjustments/v1/adjustments",
        content=body,
        headers=gw.headers(token, Idempotency_Key="k-00000005", Content_Type="application/json"),
    )
    _problem(response, 413, "payload-too-large")


def test_missing_idempotency_key_is_400(gw: Gateway, token: str) -> None:
    response = gw.http.put(
        "/items/v1/items/SKU-1",
        content="{}",
        headers=gw.headers(token, Content_Type="application/json"),
    )
    body = _problem(response, 400, "validation-failed")
    assert "Idempotency-Key" in str(body["detail"])


def test_rate_limit_headers_on_authenticated_answers(gw: Gateway, token: str) -> None:
    response = gw.http.get("/items/v1/items", headers=gw.headers(token))
    assert int(response.headers["ratelimit-limit"]) == 10_000
    assert int(response.headers["ratelimit-remaining"]) < 10_000


def test_inventory_v1_carries_deprecation_headers(gw: Gateway, token: str) -> None:
    response = gw.http.get("/inventory/v1/balances?siteId=DC-EAST", headers=gw.headers(token))
    assert response.headers.get("deprecation", "").startswith("@"), response.text
    assert response.headers["sunset"].endswith("GMT")
    assert 'rel="successor-version"' in response.headers["link"]
