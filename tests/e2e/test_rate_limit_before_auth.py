"""Through create_app(): bad-token floods are limited per address; partners keep their quota."""

from __future__ import annotations

import base64
import json
from pathlib import Path

from cryptography.hazmat.primitives.asymmetric import rsa
from joserfc import jwt
from joserfc.jwk import RSAKey
from starlette.testclient import TestClient

from tests.support.gateway import start_gateway

BURST = 4
ATTACKER = ("203.0.113.66", 4000)


def _claims(token: str) -> dict[str, object]:
    payload = token.split(".")[1]
    claims: dict[str, object] = json.loads(base64.urlsafe_b64decode(payload + "=" * 4))
    return claims


def _forged_like(token: str, kid: str) -> str:
    """The same claims under our key id, signed with a key of the attacker's."""
    key = RSAKey.import_key(rsa.generate_private_key(public_exponent=65537, key_size=2048))
    header = {"alg": "RS256", "kid": kid, "typ": "at+jwt"}
    return jwt.encode(header, _claims(token), key, algorithms=["RS256"])


def test_a_bad_token_flood_gets_429_after_the_burst_and_the_partner_is_unaffected(
    tmp_path: Path,
) -> None:
    gw = start_gateway(tmp_path, rate_limit_burst=BURST, rate_limit_per_second=0.001)
    token = gw.token(scopes=["items:read"])
    first = gw.http.get("/items/v1/items", headers=gw.headers(token))
    assert first.status_code == 200, first.text
    assert first.headers["ratelimit-remaining"] == str(BURST - 1)

    kid = gw.http.get("/.well-known/jwks.json").json()["keys"][0]["kid"]
    forged = _forged_like(token, kid)  # names the partner, so would drain it if trusted
    attacker = TestClient(gw.http.app, client=ATTACKER)
    statuses = [
        attacker.get("/items/v1/items", headers=gw.headers(forged)).status_code
        for _ in range(BURST + 2)
    ]
    assert statuses == [401] * BURST + [429] * 2
    refused = attacker.get("/items/v1/items", headers=gw.headers("not-a-token"))
    assert refused.status_code == 429
    assert refused.headers["content-type"].startswith("application/problem+json")
    assert refused.json()["type"] == "https://waybill.dev/problems/rate-limited"
    assert int(refused.headers["retry-after"]) >= 1
    assert refused.headers["ratelimit-limit"] == str(BURST)
    assert refused.headers["ratelimit-remaining"] == "0"
    assert "ratelimit-reset" in refused.headers
    assert attacker.get("/items/v1/items").status_code == 429  # no token: the same address
    assert attacker.get("/healthz").status_code == 200  # probes are never limited

    again = gw.http.get("/items/v1/items", headers=gw.headers(token))
    assert again.status_code == 200, again.text
    assert again.headers["ratelimit-remaining"] == str(BURST - 2)  # only its own two requests
