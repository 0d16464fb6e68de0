"""Rate limiting runs before authentication yet buckets per verified client, verifying once."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest
from joserfc import jws, jwt
from joserfc.jwk import RSAKey
from starlette.responses import PlainTextResponse
from starlette.testclient import TestClient
from starlette.types import ASGIApp, Receive, Scope, Send

from gateway.metrics import Metrics
from gateway.middleware.ratelimit import RateLimitMiddleware
from gateway.middleware.routing_info import principal_of
from gateway.middleware.security import SecurityMiddleware
from gateway.services.keys import KeyRing
from gateway.services.ratelimit import Decision, InProcessRateLimiter, Quota
from gateway.services.tokens import (
    TokenIssuer,
    TokenVerifier,
    TrustedIssuer,
    VerifiedToken,
    ring_lookup,
)
from tests.support.security import probe_contract

ISS, AUD = "https://gateway.test", "waybill"
NOW = 1_800_000_000.0
STATUSES = {"wb_a": "active", "wb_b": "active", "wb_gone": "revoked"}
ATTACKER = ("203.0.113.66", 4000)
PARTNER = ("198.51.100.7", 4000)
ATTACKER_KEY = RSAKey.generate_key(2048, private=True)
CONTRACT = probe_contract("things:read")


class RecordingLimiter(InProcessRateLimiter):
    """Buckets in memory that remember which keys paid, in order."""

    def __init__(self, quota: Quota) -> None:
        super().__init__(quota)
        self.keys: list[str] = []

    async def take(self, key: str, now: float) -> Decision:
        self.keys.append(key)
        return await super().take(key, now)


class CountingVerifier(TokenVerifier):
    """The real verifier, counting how often each layer consults it."""

    recalls = 0
    verifies = 0

    async def recall(self, token: str) -> VerifiedToken | None:
        self.recalls += 1
        return await super().recall(token)

    async def verify(self, token: str) -> VerifiedToken:
        self.verifies += 1
        return await super().verify(token)


async def _operation(scope: Scope, receive: Receive, send: Send) -> None:
    principal = principal_of(scope)
    await PlainTextResponse(principal.client_id if principal else "-")(scope, receive, send)


def _routed(app: ASGIApp) -> ASGIApp:
    """A stand-in for Connexion's routing: every request is the probe's ``listThings``."""

    async def routing(scope: Scope, receive: Receive, send: Send) -> None:
        if scope["path"] == "/probe/v1/things":
            routing_info = {"api_base_path": "/probe/v1", "operation_id": "listThings"}
            scope.setdefault("extensions", {})["connexion_routing"] = routing_info
        await app(scope, receive, send)

    return routing


class Chain:
    """Rate limit -> routing -> security -> operation, on a real key ring and verifier."""

    def __init__(self, tmp_path: Path, burst: int = 100) -> None:
        self.ring = KeyRing.open(tmp_path / "keys", grace_seconds=3900.0, clock=lambda: NOW)
        self.issuer = TokenIssuer(self.ring, issuer=ISS, audience=AUD, clock=lambda: NOW)
        self.verifier = CountingVerifier(
            [TrustedIssuer(ISS, AUD, ring_lookup(self.ring), own=True)],
            client_status=STATUSES.get,
            clock=lambda: NOW,
        )
        self.limiter = RecordingLimiter(Quota(rate=0.001, burst=burst))
        self.metrics = Metrics()
        security = SecurityMiddleware(
            _operation, contracts=[CONTRACT], verifier=self.verifier, metrics=self.metrics
        )
        self.app: ASGIApp = RateLimitMiddleware(
            _routed(security),
            limiter=self.limiter,
            verifier=self.verifier,
            metrics=self.metrics,
            clock=lambda: 50.0,
        )

    def token(self, client_id: str, scopes: frozenset[str] = frozenset({"things:read"})) -> str:
        return self.issuer.issue(client_id, scopes, frozenset({"DC-EAST"})).access_token

    def forged(self, client_id: str) -> str:
        """A token naming ``client_id`` under our key id, signed with the attacker's key."""
        claims = {"iss": ISS, "aud": AUD, "sub": client_id, "exp": int(NOW) + 600}
        header = {"alg": "RS256", "kid": self.ring.signing_key().kid, "typ": "at+jwt"}
        return jwt.encode(header, claims, ATTACKER_KEY, algorithms=["RS256"])

    def get(self, token: str | None, peer: tuple[str, int] = PARTNER, path: str = "") -> Any:
        headers = {"Authorization": f"Bearer {token}"} if token is not None else {}
        return TestClient(self.app, client=peer).get(path or "/probe/v1/things", headers=headers)


@pytest.fixture
def chain(tmp_path: Path) -> Chain:
    return Chain(tmp_path)


@pytest.fixture
def signature_checks(monkeypatch: pytest.MonkeyPatch) -> list[str]:
    """Every RSA/EC signature check the verifier runs (the work a cache hit saves)."""
    checked: list[str] = []
    real = jws.deserialize_compact

    def counting(value: Any, *args: Any, **kwargs: Any) -> Any:
        checked.append(value)
        return real(value, *args, **kwargs)

    monkeypatch.setattr(jws, "deserialize_compact", counting)  # as tokens.py calls it
    return checked


def test_a_valid_token_spends_from_its_clients_bucket(chain: Chain) -> None:
    token = chain.token("wb_a")
    chain.get(token)  # a token's first use also costs its address one (the signature check)
    chain.limiter.keys.clear()
    response = chain.get(token)
    assert response.status_code == 200
    assert response.text == "wb_a"  # the security layer handed the principal on
    assert chain.limiter.keys == ["client:wb_a"]
    assert response.headers["ratelimit-limit"] == "100"
    assert response.headers["ratelimit-remaining"] == "98"


def test_a_forged_token_naming_a_client_spends_from_the_peer_not_the_client(
    chain: Chain,
) -> None:
    response = chain.get(chain.forged("wb_a"), peer=ATTACKER)
    assert response.status_code == 401
    assert 'error="invalid_token"' in response.headers["www-authenticate"]
    assert chain.limiter.keys == [f"peer:{ATTACKER[0]}"]
    assert "client:wb_a" not in chain.limiter._buckets  # its quota is untouched


def test_a_missing_token_spends_from_the_peer(chain: Chain) -> None:
    response = chain.get(None, peer=ATTACKER)
    assert response.status_code == 401
    assert response.headers["www-authenticate"] == 'Bearer realm="waybill"'
    assert response.headers["ratelimit-remaining"] == "99"
    assert chain.limiter.keys == [f"peer:{ATTACKER[0]}"]
    assert chain.verifier.recalls == chain.verifier.verifies == 0


@pytest.mark.parametrize(
    "authorization",
    ["Bearer not-a-jwt", "Bearer ", "Bearer a.b.c"],
    ids=["garbage", "empty", "unsigned-shape"],
)
def test_malformed_or_rejected_tokens_spend_from_the_peer(chain: Chain, authorization: str) -> None:
    response = TestClient(chain.app, client=ATTACKER).get(
        "/probe/v1/things", headers={"Authorization": authorization}
    )
    assert response.status_code == 401
    assert chain.limiter.keys == [f"peer:{ATTACKER[0]}"]


def test_a_revoked_clients_valid_token_is_refused_and_bucketed_by_peer(chain: Chain) -> None:
    token = chain.token("wb_gone")
    for _ in range(2):  # the second time from the verified-signature cache
        response = chain.get(token, peer=ATTACKER)
        assert response.status_code == 401
        assert "not active" in response.headers["www-authenticate"]
    assert set(chain.limiter.keys) == {f"peer:{ATTACKER[0]}"}


def test_a_flood_of_bad_tokens_gets_429_after_the_burst_without_signature_checks(
    tmp_path: Path, signature_checks: list[str]
) -> None:
    chain = Chain(tmp_path, burst=3)
    forged = chain.forged("wb_a")
    statuses = [chain.get(forged, peer=ATTACKER).status_code for _ in range(6)]
    assert statuses == [401, 401, 401, 429, 429, 429]
    assert len(signature_checks) == 3  # refused floods cost no RSA work
    refused = chain.get(forged, peer=ATTACKER)
    assert refused.status_code == 429
    assert refused.headers["content-type"] == "application/problem+json"
    assert refused.json()["type"].endswith("/rate-limited")
    assert int(refused.headers["retry-after"]) >= 1
    assert refused.headers["ratelimit-limit"] == "3"
    assert refused.headers["ratelimit-remaining"] == "0"
    assert "ratelimit-reset" in refused.headers
    missing = chain.get(None, peer=ATTACKER)
    assert missing.status_code == 429
    exposed = chain.metrics.exposition()[0].decode()
    assert 'waybill_rate_limited_total{client="anonymous"} 5.0' in exposed
    assert chain.get(chain.token("wb_a")).status_code == 200  # another bucket, unaffected


def test_each_request_consults_the_verifier_once_and_checks_a_signature_once(
    chain: Chain, signature_checks: list[str]
) -> None:
    token = chain.token("wb_a")
    for _ in range(3):
        assert chain.get(token).status_code == 200
    assert chain.verifier.recalls == 3  # one cache lookup per request
    assert chain.verifier.verifies == 1  # the first request's full check; security never asks
    assert signature_checks == [token]


def test_insufficient_scope_is_still_answered_by_the_security_layer(chain: Chain) -> None:
    response = chain.get(chain.token("wb_b", scopes=frozenset({"other:read"})))
    assert response.status_code == 403
    assert 'error="insufficient_scope"' in response.headers["www-authenticate"]
    assert chain.limiter.keys[-1] == "client:wb_b"


def test_a_throttled_client_is_named_to_telemetry(tmp_path: Path) -> None:
    chain = Chain(tmp_path, burst=1)
    token = chain.token("wb_a")
    seen: list[str] = []
    inner = chain.app

    async def watching(scope: Scope, receive: Receive, send: Send) -> None:
        await inner(scope, receive, send)
        principal = principal_of(scope)
        seen.append(principal.client_id if principal else "anonymous")

    chain.app = watching
    assert chain.get(token).status_code == 200
    assert chain.get(token).status_code == 429
    assert seen == ["wb_a", "wb_a"]


def test_the_token_endpoint_is_limited_per_peer_whatever_it_carries(chain: Chain) -> None:
    token = chain.token("wb_a")
    chain.get(token, path="/oauth/token")
    assert chain.limiter.keys == [f"peer:{PARTNER[0]}"]
    assert chain.verifier.recalls == chain.verifier.verifies == 0


@pytest.mark.parametrize("path", ["/healthz", "/readyz", "/metrics"])
def test_probes_are_neither_limited_nor_authenticated(chain: Chain, path: str) -> None:
    response = chain.get(chain.forged("wb_a"), path=path)
    assert "ratelimit-limit" not in response.headers
    assert chain.limiter.keys == []
    assert chain.verifier.recalls == chain.verifier.verifies == 0
