"""Findings of the pre-release security review, pinned through the fully wired gateway."""

from __future__ import annotations

import json

import httpx
import pytest

from tests.support.gateway import Gateway, start_gateway

PROBLEM = "application/problem+json"
ADJUSTMENT = {
    "siteId": "DC-EAST",
    "locationId": "A-01-01",
    "itemId": "SKU-10001",
    "quantity": {"value": "1", "uom": "EA"},
    "reasonCode": "FOUND",
}


@pytest.fixture(scope="module")
def gw(tmp_path_factory: pytest.TempPathFactory) -> Gateway:
    return start_gateway(tmp_path_factory.mktemp("review"))


@pytest.fixture(scope="module")
def token(gw: Gateway) -> str:
    return gw.token(sites=["DC-EAST"])


def _problem(response: httpx.Response, status: int, slug: str) -> None:
    assert response.status_code == status, response.text
    assert response.headers["content-type"] == PROBLEM
    assert response.json()["type"] == f"https://waybill.dev/problems/{slug}"


def test_a_content_type_that_is_not_utf8_is_415_not_500(gw: Gateway, token: str) -> None:
    headers: dict[str, str | bytes] = {**gw.headers(token), "Content-Type": b"\xff"}
    response = gw.http.get("/items/v1/items", headers=headers)
    _problem(response, 415, "unsupported-media-type")


@pytest.mark.parametrize("encoding", ["utf-16-le", "utf-16-be", "utf-32"])
def test_json_in_another_unicode_encoding_is_refused(
    gw: Gateway, token: str, encoding: str
) -> None:
    response = gw.http.post(
        "/adjustments/v1/adjustments",
        content=json.dumps(ADJUSTMENT).encode(encoding),
        headers=gw.headers(
            token, Idempotency_Key=f"utf-{encoding}-0001", Content_Type="application/json"
        ),
    )
    _problem(response, 400, "malformed-body")


def test_a_compressed_body_is_415_not_read_as_plain(gw: Gateway, token: str) -> None:
    response = gw.http.post(
        "/adjustments/v1/adjustments",
        content=json.dumps(ADJUSTMENT).encode(),
        headers=gw.headers(
            token,
            Idempotency_Key="gzip-00000001",
            Content_Type="application/json",
            Content_Encoding="gzip",
        ),
    )
    _problem(response, 415, "unsupported-media-type")
    assert response.headers["accept-encoding"] == "identity"
