"""Findings of the pre-release security review, pinned through the fully wired gateway."""

from __future__ import annotations

import base64
import json
import re

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


def _b64(part: dict[str, object]) -> str:
    return base64.urlsafe_b64encode(json.dumps(part).encode()).rstrip(b"=").decode()


@pytest.mark.parametrize(
    "member",
    ["\u2603", "a\r\nX-Evil: 1", "jwk\u0000", "\udc80", "x" * 5000],
    ids=["non-latin-1", "crlf", "nul", "lone-surrogate", "long"],
)
def test_what_a_forged_token_says_never_breaks_the_challenge_header(
    gw: Gateway, member: str
) -> None:
    forged = f"{_b64({'alg': 'RS256', 'kid': 'k', member: 1})}.{_b64({'sub': 'x'})}.c2ln"
    response = gw.http.get("/items/v1/items", headers={"Authorization": f"Bearer {forged}"})
    _problem(response, 401, "unauthorized")
    challenge = response.headers["www-authenticate"]
    assert re.fullmatch(r"[\x20-\x7e]{1,400}", challenge), challenge
    assert "x-evil" not in response.headers
