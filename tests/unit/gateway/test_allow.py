"""A 405 names every method the contracts allow on the path, not just the first route's."""

from __future__ import annotations

from pathlib import Path

import pytest

from tests.support.gateway import Gateway, start_gateway


@pytest.fixture(scope="module")
def gw(tmp_path_factory: pytest.TempPathFactory) -> Gateway:
    data_dir: Path = tmp_path_factory.mktemp("allow")
    return start_gateway(data_dir)


@pytest.mark.parametrize(
    ("method", "path", "allow"),
    [
        ("OPTIONS", "/adjustments/v1/adjustments", "GET, HEAD, POST"),
        ("DELETE", "/items/v1/items/SKU-1", "GET, HEAD, PUT"),
        ("PATCH", "/items/v1/items", "GET, HEAD"),
        ("PUT", "/adjustments/v1/adjustments/adj_1/approval", "POST"),
    ],
)
def test_405_lists_all_methods_of_the_path(gw: Gateway, method: str, path: str, allow: str) -> None:
    response = gw.http.request(method, path)
    assert response.status_code == 405
    assert response.headers["allow"] == allow
    assert response.json()["type"].endswith("/method-not-allowed")
