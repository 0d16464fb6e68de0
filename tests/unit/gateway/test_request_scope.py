"""What layers share through the scope: the routed operation and the query, worked out once."""

from __future__ import annotations

from typing import Any

from gateway.middleware.routing_info import routed_operation
from gateway.request_scope import query_pairs


def test_the_query_is_parsed_once_and_keeps_blanks_and_repeats() -> None:
    scope: dict[str, Any] = {"query_string": b"siteId=DC-EAST&tag=a&tag=b&empty=&x=%20y"}
    pairs = query_pairs(scope)
    assert pairs == [("siteId", "DC-EAST"), ("tag", "a"), ("tag", "b"), ("empty", ""), ("x", " y")]
    assert query_pairs(scope) is pairs
    assert query_pairs({"query_string": b""}) == []


def test_the_routed_operation_is_read_from_connexion_and_kept() -> None:
    routing: dict[str, Any] = {"api_base_path": "/inventory/v2", "operation_id": "listBalances"}
    scope: dict[str, Any] = {"extensions": {"connexion_routing": routing}}
    assert routed_operation(scope) == ("/inventory/v2", "listBalances")
    assert routed_operation(scope) is routed_operation(scope)
    assert routed_operation({"extensions": {"connexion_routing": {}}}) is None
    assert routed_operation({}) is None
