"""Review findings on the limits layer: what its byte tokenizer sees must be what the parser sees,
and framing headers later layers cannot honour are refused up front."""

from __future__ import annotations

import json

import pytest
from starlette.applications import Starlette
from starlette.requests import Request
from starlette.responses import JSONResponse
from starlette.routing import Route
from starlette.testclient import TestClient

from gateway.middleware.correlation import CorrelationIdMiddleware
from gateway.middleware.limits import Limits, RequestLimitsMiddleware, ShapeError, check_json_shape

# Strings may be long enough to swallow the hidden brackets, as with the default 64 KiB.
LIMITS = Limits(max_body_bytes=1 << 20, max_depth=4, max_array_items=5, max_string_bytes=4096)

# U+2200 is 00 22 in UTF-16LE and 22 00 in UTF-16BE: a quote byte inside one code unit, so a
# bytewise tokenizer opens a "string" that swallows the brackets json.loads still parses.
_HIDDEN_NESTING = '["\u2200", ' + "[" * 40 + "]" * 40 + ', "\u2200"]'

ENCODINGS = [
    # (body, expected problem slug or None when accepted)
    (_HIDDEN_NESTING.encode("utf-16-le"), "malformed-body"),
    (_HIDDEN_NESTING.encode("utf-16-be"), "malformed-body"),
    (_HIDDEN_NESTING.encode("utf-16"), "malformed-body"),
    (_HIDDEN_NESTING.encode("utf-32"), "malformed-body"),
    ('{"a": 1}'.encode("utf-16-le"), "malformed-body"),  # valid UTF-8 bytes, but NULs
    (b'{"a": "\xff"}', "malformed-body"),  # not UTF-8 at all
    ('{"a": "\u00e9\u2200"}'.encode(), None),  # non-ASCII UTF-8 is fine
    (b'\xef\xbb\xbf{"a": 1}', None),  # a UTF-8 BOM is tolerated (RFC 8259 §8.1 "MAY ignore")
]


def test_the_hidden_nesting_really_parses_deep() -> None:
    # Guards the case above: Python's parser does decode it, so the tokenizer must not miss it.
    assert isinstance(json.loads(_HIDDEN_NESTING.encode("utf-16-le")), list)


@pytest.mark.parametrize(("body", "slug"), ENCODINGS)
def test_json_bodies_must_be_utf8(body: bytes, slug: str | None) -> None:
    if slug is None:
        check_json_shape(body, LIMITS)
        return
    with pytest.raises(ShapeError) as caught:
        check_json_shape(body, LIMITS)
    assert caught.value.kind.slug == slug


async def echo(request: Request) -> JSONResponse:
    return JSONResponse({"received": len(await request.body()), "type": request.url.path})


def _client() -> TestClient:
    app = Starlette(routes=[Route("/echo", echo, methods=["GET", "POST"])])
    return TestClient(CorrelationIdMiddleware(RequestLimitsMiddleware(app, limits=LIMITS)))


HEADERS = [
    # (method, headers, expected status: 415 is an unsupported-media-type problem)
    ("GET", {"content-type": b"\xff"}, 415),  # Connexion decodes it as UTF-8: was a 500
    ("POST", {"content-type": b"application/json; charset=\xe9"}, 415),
    ("POST", {"content-type": "application/json", "content-encoding": "gzip"}, 415),
    ("POST", {"content-type": "application/json", "content-encoding": "br"}, 415),
    ("POST", {"content-type": "application/json", "content-encoding": "Identity"}, 200),
    ("GET", {"content-encoding": "gzip"}, 200),  # no body, nothing to decode
    ("GET", {"content-type": "application/json"}, 200),
]


@pytest.mark.parametrize(("method", "headers", "status"), HEADERS)
def test_framing_headers_later_layers_cannot_honour_are_refused(
    method: str, headers: dict[str, str | bytes], status: int
) -> None:
    response = _client().request(method, "/echo", content=b"{}", headers=headers)
    assert response.status_code == status, response.text
    if status == 415:
        assert response.headers["content-type"] == "application/problem+json"
        assert response.json()["type"].endswith("/unsupported-media-type")
        assert response.json()["correlationId"] == response.headers["x-correlation-id"]
    if "content-encoding" in headers and status == 415:
        assert response.headers["accept-encoding"] == "identity"
