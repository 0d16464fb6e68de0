"""A one-operation contract secured by the shared OAuth2 scheme, for security-layer tests."""

from __future__ import annotations

from pathlib import Path

from gateway.contracts import LoadedContract, ServedContract


def probe_contract(*scopes: str) -> LoadedContract:
    """``GET /probe/v1/things`` (``listThings``), needing a bearer token with ``scopes``."""
    return LoadedContract(
        ServedContract("probe", 1, Path("probe/v1.yaml")),
        {
            "openapi": "3.0.3",
            "info": {"title": "probe", "version": "1"},
            "components": {
                "securitySchemes": {
                    "oauth2": {
                        "type": "oauth2",
                        "flows": {"clientCredentials": {"tokenUrl": "/oauth/token", "scopes": {}}},
                    }
                }
            },
            "security": [{"oauth2": list(scopes)}],
            "paths": {"/things": {"get": {"operationId": "listThings"}}},
        },
    )
