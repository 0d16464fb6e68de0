"""API calls skip the Swagger UI router; its own paths still reach it."""

from __future__ import annotations

import pytest

from gateway.middleware.swagger_gate import serves


@pytest.mark.parametrize(
    ("path", "expected"),
    [
        ("/items/v1/openapi.json", True),
        ("/items/v1/openapi.yaml", True),
        ("/items/v1/ui/", True),
        ("/items/v1/ui", True),
        ("/items/v1/ui/swagger-ui.css", True),
        ("/items/v1/items/SKU-1", False),
        ("/inventory/v2/balances", False),
        ("/adjustments/v1/adjustments", False),
    ],
)
def test_only_swagger_paths_go_through_the_ui_router(path: str, expected: bool) -> None:
    assert serves(path) is expected
