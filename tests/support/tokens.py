"""Token verifiers for tests of layers that need one but are not about tokens."""

from __future__ import annotations

from gateway.services.keys import VerificationKey
from gateway.services.tokens import TokenVerifier, TrustedIssuer


async def _no_keys(_kid: str) -> VerificationKey | None:
    return None


def trusting_no_one() -> TokenVerifier:
    """A verifier that knows no key: every bearer token is rejected."""
    issuer = TrustedIssuer("https://gateway.test", "waybill", _no_keys, own=True)
    return TokenVerifier([issuer], client_status=lambda _client_id: None)
