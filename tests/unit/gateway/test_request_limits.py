"""The limits layer refuses oversize bodies (413) and over-deep / over-long JSON (400) early."""

from __future__ import annotations

import json

import pytest
from hypothesis import given
from hypothesis import strategies as st
from starlette.applications import Starlette
from starlette.requests import Request
from starlette.responses import JSONResponse
from starlette.routing import Route
from starlette.testclient import TestClient

from gateway import problems
from gateway.middleware.correlation import CorrelationIdMiddleware
from gateway.middleware.limits import (
    Limits,
    RequestLimitsMiddleware,
    ShapeError,
    check_json_shape,
    check_json_tokens,
)

LIMITS = Limits(max_body_bytes=2048, max_depth=4, max_array_items=5, max_string_bytes=16)


async def echo(request: Request) -> JSONResponse:
    return JSONResponse({"received": len(await request.body())})


def _client() -> TestClient:
    app = Starlette(routes=[Route("/echo", echo, methods=["POST"])])
    wrapped = CorrelationIdMiddleware(RequestLimitsMiddleware(app, limits=LIMITS))
    return TestClient(wrapped)


SHAPES = [
    # (body, expected problem slug or None when accepted)
    (b'{"a": [1, 2, 3, 4, 5]}', None),
    (b'{"a": [1, 2, 3, 4, 5, 6]}', "validation-failed"),
    (b'{"a": {"b": {"c": {"d": 1}}}}', None),
    (b'{"a": {"b": {"c": {"d": {"e": 1}}}}}', "validation-failed"),
    (b'{"s": "0123456789abcdef"}', None),
    (b'{"s": "0123456789abcdefg"}', "validation-failed"),
    (b'{"s": "[[[[[[[[[[[[[["}', None),  # brackets inside strings do not nest
    (b'{"s": "a\\"[[[[[[[[[[["}', None),  # nor after an escaped quote
    (b"[[], [], [], [], []]", None),
    # Bodies longer than the longest string allowed go through the tokenizer, which also
    # stops at broken framing; shorter ones cannot break a limit and are left to the parser.
    (b'{"a": "open and never closed', "malformed-body"),
    (b"]" + b" " * 16, "malformed-body"),
    (b'{"a": "open', None),
    (b"]", None),
]


@pytest.mark.parametrize(("body", "slug"), SHAPES)
def test_json_shape_limits(body: bytes, slug: str | None) -> None:
    if slug is None:
        check_json_shape(body, LIMITS)
        return
    with pytest.raises(ShapeError) as caught:
        check_json_shape(body, LIMITS)
    assert caught.value.kind.slug == slug


def test_declared_oversize_body_is_413_problem() -> None:
    response = _client().post(
        "/echo", content=b"x" * 4096, headers={"content-type": "application/json"}
    )
    assert response.status_code == 413
    assert response.headers["content-type"] == "application/problem+json"
    problem = response.json()
    assert problem["type"].endswith("/payload-too-large")
    assert problem["correlationId"] == response.headers["x-correlation-id"]


def test_streamed_oversize_body_is_413_without_content_length() -> None:
    def chunks() -> object:
        for _ in range(10):
            yield b"x" * 512

    response = _client().post("/echo", content=chunks())  # type: ignore[arg-type]
    assert response.status_code == 413


def test_deep_json_is_400_before_the_app_sees_it() -> None:
    body = json.dumps({"a": {"b": {"c": {"d": {"e": 1}}}}})
    response = _client().post("/echo", content=body, headers={"content-type": "application/json"})
    assert response.status_code == 400
    assert response.json()["type"].endswith("/validation-failed")


def test_accepted_body_reaches_the_app_whole() -> None:
    body = json.dumps({"a": [1, 2, 3]}).encode()
    response = _client().post("/echo", content=body, headers={"content-type": "application/json"})
    assert response.status_code == 200
    assert response.json() == {"received": len(body)}


def test_non_json_bodies_skip_the_shape_check() -> None:
    body = b"[" * 100
    response = _client().post("/echo", content=body, headers={"content-type": "text/plain"})
    assert response.status_code == 200


_JSON = st.recursive(
    st.none() | st.integers() | st.text(max_size=12),
    lambda inner: st.lists(inner, max_size=6) | st.dictionaries(st.text(max_size=4), inner),
    max_leaves=30,
)
_LIMITS = st.builds(
    Limits,
    max_body_bytes=st.just(1 << 20),
    max_depth=st.integers(1, 6),
    max_array_items=st.integers(1, 6),
    max_string_bytes=st.integers(1, 40),
)


@given(document=_JSON, limits=_LIMITS)
def test_the_shortcut_never_lets_a_body_over_a_limit_through(
    document: object, limits: Limits
) -> None:
    body = json.dumps(document).encode()
    refused: problems.ProblemKind | None = None
    try:
        check_json_tokens(body, limits)
    except ShapeError as exc:
        refused = exc.kind
    if refused is None:
        check_json_shape(body, limits)
        return
    with pytest.raises(ShapeError) as caught:
        check_json_shape(body, limits)
    assert caught.value.kind == refused
