"""Retries that re-serialise the same request differently keep the same fingerprint."""

from __future__ import annotations

import json

import pytest
from hypothesis import given
from hypothesis import strategies as st

from gateway.services.idempotency import fingerprint

JSON = "application/json"


def _print(query: str = "", body: bytes = b"{}", path: str = "/a", method: str = "POST") -> str:
    return fingerprint(method, path, query, body, JSON)


def test_json_key_order_and_spacing_do_not_matter() -> None:
    assert _print(body=b'{"a": 1, "b": [1, 2]}') == _print(body=b'{"b":[1,2],"a":1}')


def test_query_parameter_order_does_not_matter() -> None:
    assert _print(query="site=DC-EAST&limit=5") == _print(query="limit=5&site=DC-EAST")


@pytest.mark.parametrize(
    ("one", "other"),
    [
        ({"query": "a=1"}, {"query": "a=2"}),
        ({"query": "a=1&a=2"}, {"query": "a=2"}),
        ({"body": b'{"a": 1}'}, {"body": b'{"a": 2}'}),
        ({"body": b"[1, 2]"}, {"body": b"[2, 1]"}),  # array order is meaning
        ({"path": "/a"}, {"path": "/b"}),
        ({"method": "POST"}, {"method": "PUT"}),
        ({"path": "/a", "query": "b=1"}, {"path": "/ab", "query": "=1"}),  # no boundary collision
    ],
)
def test_a_different_request_has_a_different_fingerprint(
    one: dict[str, object], other: dict[str, object]
) -> None:
    assert _print(**one) != _print(**other)  # type: ignore[arg-type]


@given(st.dictionaries(st.text(max_size=5), st.integers() | st.text(max_size=5), max_size=5))
def test_a_body_parsed_already_gives_the_same_fingerprint(document: dict[str, object]) -> None:
    body = json.dumps(document, indent=1).encode()
    given_parsed = fingerprint("POST", "/p", "", body, JSON, document=json.loads(body))
    assert given_parsed == fingerprint("POST", "/p", "", body, JSON)
