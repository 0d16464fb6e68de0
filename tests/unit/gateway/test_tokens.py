"""Issuing and verifying access tokens; key ring persistence and rotation; remote JWKS caching."""

from __future__ import annotations

import asyncio
import stat
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

import httpx
import pytest
from joserfc import jwt
from joserfc.jwk import ECKey, RSAKey

from gateway.services.clients import hash_secret, verify_secret
from gateway.services.keys import KeyRing, RemoteKeySet
from gateway.services.tokens import (
    InvalidTokenError,
    TokenIssuer,
    TokenVerifier,
    TrustedIssuer,
    VerifiedToken,
    ring_lookup,
)
from gateway.settings import Settings, SettingsError

ISS = "https://gateway.test"
AUD = "waybill"
GRACE = 3900.0


class FakeClock:
    """A wall clock that tests move by hand."""

    def __init__(self, now: float = 1_800_000_000.0) -> None:
        self.now = now

    def __call__(self) -> float:
        return self.now


@pytest.fixture
def clock() -> FakeClock:
    return FakeClock()


@pytest.fixture
def ring(tmp_path: Path, clock: FakeClock) -> KeyRing:
    return KeyRing.open(tmp_path / "keys", grace_seconds=GRACE, clock=clock)


def issuer_for(ring: KeyRing, clock: FakeClock, ttl: int = 600) -> TokenIssuer:
    return TokenIssuer(ring, issuer=ISS, audience=AUD, ttl=ttl, clock=clock)


def verifier_for(
    ring: KeyRing, clock: FakeClock, statuses: dict[str, str] | None = None
) -> TokenVerifier:
    known = statuses if statuses is not None else {"wb_partner": "active"}
    return TokenVerifier(
        [TrustedIssuer(ISS, AUD, ring_lookup(ring), own=True)],
        client_status=known.get,
        clock=clock,
    )


def verify(verifier: TokenVerifier, token: str) -> VerifiedToken:
    return asyncio.run(verifier.verify(token))


def test_issued_token_carries_the_contract_claims(ring: KeyRing, clock: FakeClock) -> None:
    issued = issuer_for(ring, clock).issue(
        "wb_partner", frozenset({"items:read", "inventory:read"}), frozenset({"DC-EAST"})
    )
    token = jwt.decode(issued.access_token, ring.signing_key().key, algorithms=["RS256"])
    assert token.header == {"alg": "RS256", "kid": ring.signing_key().kid, "typ": "at+jwt"}
    claims = token.claims
    assert claims["iss"] == ISS
    assert claims["aud"] == AUD
    assert claims["sub"] == "wb_partner"
    assert claims["exp"] - claims["iat"] == 600 == issued.expires_in
    assert claims["nbf"] == claims["iat"] == int(clock.now)
    assert claims["scope"] == "inventory:read items:read" == issued.scope
    assert claims["sites"] == ["DC-EAST"]
    assert isinstance(claims["jti"], str)
    assert len(claims["jti"]) >= 16


def test_issued_token_verifies_to_the_principal(ring: KeyRing, clock: FakeClock) -> None:
    issued = issuer_for(ring, clock).issue(
        "wb_partner", frozenset({"items:read"}), frozenset({"DC-EAST", "DC-WEST"})
    )
    verified = verify(verifier_for(ring, clock), issued.access_token)
    assert verified.principal.client_id == "wb_partner"
    assert verified.principal.scopes == frozenset({"items:read"})
    assert verified.principal.sites == frozenset({"DC-EAST", "DC-WEST"})
    assert verified.claims["jti"] == issued.claims["jti"]


def test_token_lifetime_is_capped_at_one_hour(ring: KeyRing, clock: FakeClock) -> None:
    with pytest.raises(ValueError, match="TTL"):
        issuer_for(ring, clock, ttl=3601)
    with pytest.raises(SettingsError):
        Settings.from_env({"WAYBILL_TOKEN_TTL": "7200"})
    assert Settings.from_env({}).token_ttl == 3600


def test_issuer_defaults_to_the_public_base_url() -> None:
    settings = Settings.from_env({"WAYBILL_PUBLIC_BASE_URL": "https://api.example.test"})
    assert settings.issuer == "https://api.example.test"
    assert settings.token_audience == "waybill"
    assert Settings(token_issuer="https://idp.test").issuer == "https://idp.test"


def test_expired_token_is_rejected_after_the_leeway(ring: KeyRing, clock: FakeClock) -> None:
    issued = issuer_for(ring, clock, ttl=60).issue("wb_partner", frozenset(), frozenset())
    verifier = verifier_for(ring, clock)
    clock.now += 60 + 29
    verify(verifier, issued.access_token)
    clock.now += 2
    with pytest.raises(InvalidTokenError, match="expired"):
        verify(verifier, issued.access_token)


def test_revoked_or_unknown_client_is_rejected(ring: KeyRing, clock: FakeClock) -> None:
    issued = issuer_for(ring, clock).issue("wb_partner", frozenset(), frozenset())
    for statuses in ({"wb_partner": "revoked"}, {}):
        with pytest.raises(InvalidTokenError, match="not active"):
            verify(verifier_for(ring, clock, statuses), issued.access_token)


def test_a_token_seen_before_is_still_checked_for_expiry_and_revocation(
    ring: KeyRing, clock: FakeClock
) -> None:
    issued = issuer_for(ring, clock, ttl=60).issue("wb_partner", frozenset(), frozenset())
    statuses = {"wb_partner": "active"}
    verifier = verifier_for(ring, clock, statuses)
    verify(verifier, issued.access_token)
    verify(verifier, issued.access_token)
    statuses["wb_partner"] = "revoked"
    with pytest.raises(InvalidTokenError, match="not active"):
        verify(verifier, issued.access_token)
    statuses["wb_partner"] = "active"
    clock.now += 120
    with pytest.raises(InvalidTokenError, match="expired"):
        verify(verifier, issued.access_token)


def test_recall_answers_only_for_tokens_seen_before_and_still_checks_revocation(
    ring: KeyRing, clock: FakeClock
) -> None:
    issued = issuer_for(ring, clock).issue("wb_partner", frozenset(), frozenset())
    statuses = {"wb_partner": "active"}
    verifier = verifier_for(ring, clock, statuses)
    assert asyncio.run(verifier.recall(issued.access_token)) is None
    assert asyncio.run(verifier.recall("not.a.token")) is None
    verify(verifier, issued.access_token)
    recalled = asyncio.run(verifier.recall(issued.access_token))
    assert recalled is not None
    assert recalled.principal.client_id == "wb_partner"
    statuses["wb_partner"] = "revoked"
    with pytest.raises(InvalidTokenError, match="not active"):
        asyncio.run(verifier.recall(issued.access_token))


def test_key_files_are_private_and_the_ring_persists(
    tmp_path: Path, ring: KeyRing, clock: FakeClock
) -> None:
    directory = tmp_path / "keys"
    kid = ring.signing_key().kid
    pem = directory / f"{kid}.pem"
    assert stat.S_IMODE(pem.stat().st_mode) == 0o600
    assert stat.S_IMODE((directory / "ring.json").stat().st_mode) == 0o600
    assert b"PRIVATE KEY" in pem.read_bytes()
    reopened = KeyRing.open(directory, grace_seconds=GRACE, clock=clock)
    assert reopened.signing_key().kid == kid
    assert [k["kid"] for k in reopened.public_jwks()["keys"]] == [kid]


def test_processes_starting_together_create_one_key(tmp_path: Path, clock: FakeClock) -> None:
    directory = tmp_path / "shared-keys"
    with ThreadPoolExecutor(max_workers=4) as pool:
        rings = list(
            pool.map(lambda _: KeyRing.open(directory, grace_seconds=GRACE, clock=clock), range(4))
        )
    assert len({r.signing_key().kid for r in rings}) == 1
    assert len(list(directory.glob("*.pem"))) == 1


def test_jwks_publishes_public_parts_only(ring: KeyRing) -> None:
    (key,) = ring.public_jwks()["keys"]
    assert key["kty"] == "RSA"
    assert key["alg"] == "RS256"
    assert key["use"] == "sig"
    assert {"n", "e"} <= key.keys()
    assert not {"d", "p", "q", "dp", "dq", "qi"} & key.keys()


def test_rotation_keeps_the_previous_key_verifying_for_the_grace_period(
    tmp_path: Path, ring: KeyRing, clock: FakeClock
) -> None:
    issuer = issuer_for(ring, clock)
    verifier = verifier_for(ring, clock)
    old_kid = ring.signing_key().kid
    old_token = issuer.issue("wb_partner", frozenset(), frozenset()).access_token

    clock.now += 10
    new = ring.rotate()
    assert new.kid != old_kid
    assert ring.signing_key().kid == new.kid
    assert [k["kid"] for k in ring.public_jwks()["keys"]] == [new.kid, old_kid]
    new_token = issuer.issue("wb_partner", frozenset(), frozenset()).access_token
    assert jwt.decode(new_token, new.key).header["kid"] == new.kid
    verify(verifier, old_token)
    verify(verifier, new_token)

    clock.now += GRACE
    assert [k["kid"] for k in ring.public_jwks()["keys"]] == [new.kid]
    with pytest.raises(InvalidTokenError, match="unknown key"):
        verify(verifier, old_token)


def test_at_most_two_keys_are_active_and_retired_keys_are_deleted(
    tmp_path: Path, ring: KeyRing, clock: FakeClock
) -> None:
    first = ring.signing_key().kid
    clock.now += 1
    second = ring.rotate().kid
    clock.now += 1
    third = ring.rotate().kid
    assert [k["kid"] for k in ring.public_jwks()["keys"]] == [third, second]
    assert sorted(p.stem for p in (tmp_path / "keys").glob("*.pem")) == sorted([second, third])
    assert ring.verification_key(first) is None


def test_a_rotation_by_another_process_is_picked_up(
    tmp_path: Path, ring: KeyRing, clock: FakeClock
) -> None:
    verifier = verifier_for(ring, clock)
    other = KeyRing.open(tmp_path / "keys", grace_seconds=GRACE, clock=clock)
    clock.now += 1
    rotated = other.rotate()
    token = issuer_for(other, clock).issue("wb_partner", frozenset(), frozenset())
    assert token.claims["iat"] == int(clock.now)
    assert jwt.decode(token.access_token, rotated.key).header["kid"] == rotated.kid
    verify(verifier, token.access_token)  # unknown kid -> the ring re-reads ring.json


def test_secrets_are_hashed_with_salt_and_checked(ring: KeyRing) -> None:
    first, second = hash_secret("s3cret"), hash_secret("s3cret")
    assert first != second
    assert first.startswith("scrypt$")
    assert "s3cret" not in first
    assert verify_secret("s3cret", first)
    assert not verify_secret("s3cret!", first)
    assert not verify_secret("s3cret", "garbage")


def _jwks_transport(keys: list[dict[str, object]], calls: list[str]) -> httpx.MockTransport:
    def handler(request: httpx.Request) -> httpx.Response:
        calls.append(str(request.url))
        return httpx.Response(200, json={"keys": keys})

    return httpx.MockTransport(handler)


def test_remote_jwks_is_cached_and_refetched_on_unknown_kid_once_a_minute() -> None:
    rsa = RSAKey.generate_key(2048, parameters={"kid": "idp-1"}, private=True)
    ec = ECKey.generate_key("P-256", parameters={"kid": "idp-ec"}, private=True)
    published: list[dict[str, object]] = [
        dict(rsa.as_dict(private=False)),
        dict(ec.as_dict(private=False)),
    ]
    calls: list[str] = []
    monotonic = FakeClock(1000.0)

    async def scenario() -> None:
        async with httpx.AsyncClient(transport=_jwks_transport(published, calls)) as client:
            remote = RemoteKeySet("https://idp.test/jwks", client=client, ttl=300, clock=monotonic)
            assert isinstance(await remote.get("idp-1"), RSAKey)
            assert isinstance(await remote.get("idp-ec"), ECKey)
            assert len(calls) == 1
            assert await remote.get("nope") is None
            assert await remote.get("nope") is None
            assert len(calls) == 1, "unknown kids within a minute of a fetch refetch nothing"
            monotonic.now += 61
            assert await remote.get("nope") is None
            assert len(calls) == 2
            monotonic.now += 300
            assert await remote.get("idp-1") is not None
            assert len(calls) == 3, "a stale set is refetched"

    asyncio.run(scenario())
    assert calls[0] == "https://idp.test/jwks"


def test_remote_jwks_ignores_private_and_symmetric_keys() -> None:
    rsa = RSAKey.generate_key(2048, parameters={"kid": "leaked"}, private=True)
    published: list[dict[str, object]] = [
        dict(rsa.as_dict(private=True)),
        {"kty": "oct", "kid": "hmac", "k": "c2VjcmV0"},
        {"kty": "RSA", "kid": "broken", "n": "x", "e": "AQAB"},
    ]
    calls: list[str] = []

    async def scenario() -> list[object]:
        async with httpx.AsyncClient(transport=_jwks_transport(published, calls)) as client:
            remote = RemoteKeySet("https://idp.test/jwks", client=client)
            return [await remote.get(kid) for kid in ("leaked", "hmac", "broken")]

    assert asyncio.run(scenario()) == [None, None, None]
