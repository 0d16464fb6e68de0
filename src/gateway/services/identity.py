"""Who may call the gateway: clients, keys and tokens wired together from the settings."""

from __future__ import annotations

from dataclasses import dataclass

import httpx

from gateway.services.clients import ClientService, ClientStore
from gateway.services.keys import KeyRing, RemoteKeySet
from gateway.services.tokens import (
    TokenIssuer,
    TokenVerifier,
    TrustedIssuer,
    ring_lookup,
)
from gateway.settings import Settings, SettingsError

# A retired signing key keeps verifying this much longer than the longest token it signed.
ROTATION_MARGIN_SECONDS = 300


@dataclass
class Identity:
    """The identity services of one gateway process."""

    clients: ClientService
    keys: KeyRing
    issuer: TokenIssuer
    verifier: TokenVerifier
    remote_keys: RemoteKeySet | None = None


def open_key_ring(settings: Settings) -> KeyRing:
    """The key ring under ``<data_dir>/keys``, created on first use."""
    return KeyRing.open(
        settings.data_dir / "keys",
        grace_seconds=settings.token_ttl + ROTATION_MARGIN_SECONDS,
    )


def build_identity(
    settings: Settings,
    store: ClientStore,
    *,
    http_client: httpx.AsyncClient | None = None,
) -> Identity:
    """Wire key ring, token issuer and verifier (ours plus an optional external IdP)."""
    clients = ClientService(store)
    ring = open_key_ring(settings)
    issuer = TokenIssuer(
        ring, issuer=settings.issuer, audience=settings.token_audience, ttl=settings.token_ttl
    )
    trusted = [TrustedIssuer(settings.issuer, settings.token_audience, ring_lookup(ring), True)]
    remote = None
    if settings.jwks_url:
        if not settings.jwt_issuer:
            raise SettingsError("WAYBILL_JWKS_URL needs WAYBILL_JWT_ISSUER (the IdP's 'iss')")
        remote = RemoteKeySet(
            settings.jwks_url, client=http_client or httpx.AsyncClient(timeout=5.0)
        )
        audience = settings.jwt_audience or settings.token_audience
        trusted.append(TrustedIssuer(settings.jwt_issuer, audience, remote.get, False))
    verifier = TokenVerifier(trusted, client_status=clients.status)
    return Identity(clients, ring, issuer, verifier, remote)
