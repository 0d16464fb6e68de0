"""Review findings on token verification: an external IdP cannot speak for one of our clients."""

from __future__ import annotations

import asyncio

import pytest
from joserfc import jwt
from joserfc.jwk import RSAKey

from gateway.services.keys import VerificationKey
from gateway.services.tokens import InvalidTokenError, TokenVerifier, TrustedIssuer

IDP = "https://idp.test"
AUD = "waybill"
NOW = 1_800_000_000.0
IDP_KEY = RSAKey.generate_key(2048, parameters={"kid": "idp-1"}, private=True)
STATUSES = {"wb_partner": "active", "wb_gone": "revoked"}


async def _idp_keys(kid: str) -> VerificationKey | None:
    return IDP_KEY if kid == "idp-1" else None


async def _no_own_keys(_kid: str) -> VerificationKey | None:
    return None


def _verifier() -> TokenVerifier:
    return TokenVerifier(
        [
            TrustedIssuer("https://gateway.test", AUD, _no_own_keys, own=True),
            TrustedIssuer(IDP, AUD, _idp_keys, own=False),
        ],
        client_status=STATUSES.get,
        clock=lambda: NOW,
    )


def _idp_token(sub: str) -> str:
    claims = {"iss": IDP, "aud": AUD, "sub": sub, "exp": int(NOW) + 600, "sites": ["DC-EAST"]}
    return jwt.encode({"alg": "RS256", "kid": "idp-1"}, claims, IDP_KEY, algorithms=["RS256"])


def test_an_idp_subject_of_its_own_is_accepted() -> None:
    verified = asyncio.run(_verifier().verify(_idp_token("idp-partner-7")))
    assert verified.principal.client_id == "idp-partner-7"


@pytest.mark.parametrize("sub", ["wb_partner", "wb_gone"])
def test_an_idp_subject_naming_one_of_our_clients_is_refused(sub: str) -> None:
    with pytest.raises(InvalidTokenError):
        asyncio.run(_verifier().verify(_idp_token(sub)))
