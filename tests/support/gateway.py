"""A fully wired gateway for end-to-end tests: real stores under a temp dir, real tokens."""

from __future__ import annotations

import uuid
from collections.abc import Iterable
from dataclasses import dataclass, replace
from pathlib import Path
from typing import Any

from starlette.testclient import TestClient

from gateway.app import client_store, create_app
from gateway.demo import ITEMS
from gateway.services.clients import ClientService
from gateway.settings import Settings
from registry.loading import load_document
from tests.conftest import SPECS


def _declared_scopes() -> list[str]:
    """Every scope the shared OAuth2 scheme declares: the contracts are the source of truth."""
    common: Any = load_document(SPECS / "openapi" / "common" / "components.yaml")
    scheme = common["components"]["securitySchemes"]["oauth2"]
    return sorted(scheme["flows"]["clientCredentials"]["scopes"])


ALL_SCOPES = _declared_scopes()


@dataclass
class Gateway:
    """The app under test plus a way to mint partners and their tokens."""

    http: TestClient
    settings: Settings
    _clients: ClientService | None = None

    def register(self, scopes: Iterable[str], sites: Iterable[str]) -> tuple[str, str]:
        """A new partner client; returns ``(client_id, secret)``."""
        if self._clients is None:  # one store (and pool) per gateway, not one per client
            self._clients = ClientService(client_store(self.settings))
        client, secret = self._clients.register(f"partner-{uuid.uuid4().hex[:8]}", scopes, sites)
        return client.client_id, secret

    def token(self, scopes: Iterable[str] = ALL_SCOPES, sites: Iterable[str] = ("DC-EAST",)) -> str:
        """An access token from the real token endpoint for a new partner."""
        client_id, secret = self.register(scopes, sites)
        response = self.http.post(
            "/oauth/token",
            data={
                "grant_type": "client_credentials",
                "client_id": client_id,
                "client_secret": secret,
            },
        )
        assert response.status_code == 200, response.text
        token: str = response.json()["access_token"]
        return token

    def headers(self, token: str, **extra: str) -> dict[str, str]:
        """Authorization plus any extra headers (underscores become dashes)."""
        out = {"Authorization": f"Bearer {token}"}
        out.update({k.replace("_", "-"): v for k, v in extra.items()})
        return out


def start_gateway(data_dir: Path, **overrides: object) -> Gateway:
    """Build the app on ``data_dir`` with limits generous enough for test traffic."""
    settings = Settings(
        specs_dir=SPECS,
        data_dir=data_dir,
        rate_limit_per_second=10_000.0,
        rate_limit_burst=10_000,
    )
    settings = replace(settings, **overrides)  # type: ignore[arg-type]
    return Gateway(TestClient(create_app(settings)), settings)


def item_input(item_id: str) -> dict[str, Any]:
    """The items v1 ``PUT`` body for one of the demo items (version 1, active)."""
    item = next(i for i in ITEMS if i.item_id == item_id)
    assert item.standard_cost is not None
    return {
        "gtin": item.gtin,
        "description": item.description,
        "itemType": item.item_type,
        "baseUom": item.base_uom,
        "trackingMode": item.tracking_mode.value,
        "removalStrategy": item.removal_strategy,
        "standardCost": {"amount": item.standard_cost.render(), "currency": "EUR"},
        "uomConversions": [
            {"altUom": c.alt_uom, "numerator": c.numerator, "denominator": c.denominator}
            for c in item.uom_conversions
        ],
        "status": "ACTIVE",
        "version": 1,
    }
