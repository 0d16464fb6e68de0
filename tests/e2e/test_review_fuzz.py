"""Property: no request, however odd, makes the gateway fail (5xx other than 501/502/503) or
answer an error that is not problem+json.

Requests go straight to the ASGI app, so paths, methods and header bytes are not tidied by an
HTTP client first. The token endpoint answers RFC 6749 errors (JSON, not problem+json).
"""

from __future__ import annotations

import asyncio
import base64
import json
from dataclasses import dataclass

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from starlette.types import ASGIApp, Message

from tests.support.gateway import Gateway, start_gateway

ALLOWED_5XX = frozenset({501, 502, 503})

_SEGMENTS = st.sampled_from(
    [
        "items",
        "SKU-10001",
        "sites",
        "DC-EAST",
        "DC-WEST",
        "availability",
        "balances",
        "adjustments",
        "approval",
        "reconciliation",
        "uom-conversions",
        "converted-quantity",
        "erp-balances",
        "",
        ".",
        "..",
        "%2e%2e",
        "%00",
        "%ff",
        "a.b",
        "\u00e9",
        "ui",
        "openapi.json",
    ]
)
_BASES = st.sampled_from(
    [
        "/items/v1",
        "/inventory/v1",
        "/inventory/v2",
        "/adjustments/v1",
        "/counts/v1",
        "/ITEMS/v1",
        "",
        "/oauth/token",
        "/.well-known/jwks.json",
        "/healthz",
    ]
)
# Real operations (so requests reach the handlers) and made-up paths around them.
_PATHS = st.one_of(
    st.sampled_from(
        [
            "/items/v1/items",
            "/items/v1/items/SKU-10001",
            "/items/v1/items/SKU-10001/uom-conversions",
            "/inventory/v1/balances",
            "/inventory/v2/balances",
            "/inventory/v1/sites/DC-EAST/items/SKU-10001/availability",
            "/inventory/v2/sites/DC-WEST/reconciliation",
            "/adjustments/v1/adjustments",
            "/adjustments/v1/adjustments/ADJ-1/approval",
        ]
    ),
    st.builds(
        lambda base, segs: base + "".join("/" + s for s in segs),
        _BASES,
        st.lists(_SEGMENTS, max_size=6),
    ),
)
_METHODS = st.sampled_from(
    ["GET", "HEAD", "POST", "PUT", "DELETE", "PATCH", "OPTIONS", "TRACE", "FOO"]
)
_HEADER_NAMES = st.sampled_from(
    [
        b"content-type",
        b"content-length",
        b"content-encoding",
        b"idempotency-key",
        b"x-correlation-id",
        b"traceparent",
        b"accept",
        b"authorization",
        b"x-site-id",
    ]
)


def _forged(header: dict[str, str | int | None]) -> bytes:
    """A bearer token whose JOSE header says whatever the strategy drew."""
    parts = [json.dumps(header).encode(), b'{"sub":"x"}']
    encoded = [base64.urlsafe_b64encode(p).rstrip(b"=") for p in parts]
    return b"Bearer " + b".".join([*encoded, b"c2ln"])


_FORGED_TOKENS = st.dictionaries(
    st.one_of(st.sampled_from(["alg", "kid", "typ", "crit", "jku"]), st.text(max_size=8)),
    st.one_of(st.text(max_size=8), st.integers(), st.none()),
    max_size=4,
).map(_forged)
_HEADER_VALUES = st.one_of(
    _FORGED_TOKENS,
    st.sampled_from(
        [
            b"application/json",
            b"application/json; charset=utf-16",
            b"application/x-www-form-urlencoded",
            b"text/plain",
            b"gzip",
            b"-1",
            b"12",
            b"key-00000001",
            b"Bearer",
            b"Bearer a.b.c",
            b"Basic Og==",
            b"\xff",
            b"application/json; charset=\xe9",
        ]
    ),
    st.binary(max_size=40),
)
_JSON = st.recursive(
    st.none()
    | st.booleans()
    | st.integers()
    | st.text(max_size=10)
    | st.sampled_from(["DC-EAST", "DC-WEST"]),
    lambda inner: (
        st.lists(inner, max_size=4)
        | st.dictionaries(
            st.sampled_from(
                ["siteId", "itemId", "quantity", "value", "uom", "reasonCode", "locationId", "x"]
            ),
            inner,
            max_size=5,
        )
    ),
    max_leaves=20,
)
_BODIES = st.one_of(
    st.just(b""),
    st.binary(max_size=200),
    _JSON.map(lambda doc: json.dumps(doc).encode()),
    st.sampled_from(
        [
            b"[" * 40,
            b'{"a":' + b"9" * 5000 + b"}",
            b"\xef\xbb\xbf{}",
            b"grant_type=client_credentials",
        ]
    ),
)
# Servers (h11, httptools) refuse request targets outside visible ASCII with their own 400.
_QUERIES = st.one_of(
    st.just(b""),
    st.sampled_from(
        [
            b"siteId=DC-EAST",
            b"siteId=DC-WEST",
            b"siteId=DC-EAST&siteId=DC-WEST",
            b"limit=0",
            b"limit=99999999999999999999",
            b"cursor=%ff",
            b"a[b][c]=1",
            b"%",
            b"uom=EA&itemId=SKU-10001",
        ]
    ),
    st.text(st.characters(min_codepoint=0x21, max_codepoint=0x7E), max_size=30).map(str.encode),
)


@pytest.fixture(scope="module")
def gw(tmp_path_factory: pytest.TempPathFactory) -> Gateway:
    return start_gateway(tmp_path_factory.mktemp("fuzz"))


@pytest.fixture(scope="module")
def bearer(gw: Gateway) -> bytes:
    return f"Bearer {gw.token(sites=['DC-EAST'])}".encode()


@dataclass(frozen=True)
class Probe:
    """One raw request: what the server would hand the ASGI app."""

    method: str
    path: str
    query: bytes
    headers: list[tuple[bytes, bytes]]
    body: bytes
    authorised: bool


_PROBES = st.builds(
    Probe,
    _METHODS,
    _PATHS,
    _QUERIES,
    st.lists(st.tuples(_HEADER_NAMES, _HEADER_VALUES), max_size=5),
    _BODIES,
    st.booleans(),
)


async def _call(app: ASGIApp, probe: Probe, bearer: bytes) -> tuple[int, dict[bytes, bytes], bytes]:
    headers = [(b"authorization", bearer)] if probe.authorised else []
    scope = {
        "type": "http",
        "asgi": {"version": "3.0"},
        "http_version": "1.1",
        "method": probe.method,
        "scheme": "http",
        "path": probe.path,
        "raw_path": probe.path.encode(),
        "query_string": probe.query,
        "root_path": "",
        "headers": headers + probe.headers,
        "client": ("127.0.0.1", 50000),
        "server": ("testserver", 80),
    }
    pending = [{"type": "http.request", "body": probe.body, "more_body": False}]
    sent: list[Message] = []

    async def receive() -> Message:
        return pending.pop() if pending else {"type": "http.disconnect"}

    async def send(message: Message) -> None:
        sent.append(message)

    await app(scope, receive, send)
    start = next(m for m in sent if m["type"] == "http.response.start")
    raw = b"".join(m.get("body", b"") for m in sent if m["type"] == "http.response.body")
    return start["status"], dict(start.get("headers", [])), raw


@settings(
    max_examples=150,
    deadline=None,
    derandomize=True,
    suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow],
)
@given(probe=_PROBES)
def test_no_request_makes_the_gateway_fail(gw: Gateway, bearer: bytes, probe: Probe) -> None:
    status, answer, raw = asyncio.run(_call(gw.http.app, probe, bearer))
    assert status < 500 or status in ALLOWED_5XX, raw[:500]
    if status >= 400 and not probe.path.startswith("/oauth/token"):
        assert answer.get(b"content-type") == b"application/problem+json", (status, raw[:300])
        if probe.method != "HEAD":
            assert json.loads(raw)["status"] == status
