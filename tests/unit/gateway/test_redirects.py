"""Redirects point at a path on the host the client asked, never at what its Host header said."""

from __future__ import annotations

from pathlib import Path

import pytest

from gateway.middleware.redirects import relative_location
from tests.support.gateway import start_gateway


@pytest.mark.parametrize(
    ("location", "host", "expected"),
    [
        (b"http://evil.example/items/v1/items", b"evil.example", b"/items/v1/items"),
        (b"https://Evil.Example:8443/a?b=1#c", b"evil.example:8443", b"/a?b=1#c"),
        (b"http://evil.example", b"evil.example", b"/"),
        # Not the requested host, already relative, or unreadable: left as they are.
        (b"https://idp.example/authorize", b"gateway.example", b"https://idp.example/authorize"),
        (b"/items/v1/items/ui/", b"gateway.example", b"/items/v1/items/ui/"),
        (b"http://evil.example/x", None, b"http://evil.example/x"),
        (b"http://[::1/x", b"[::1", b"http://[::1/x"),
    ],
)
def test_location_is_made_relative_only_when_it_names_the_requested_host(
    location: bytes, host: bytes | None, expected: bytes
) -> None:
    assert relative_location(location, host) == expected


def test_the_trailing_slash_redirect_ignores_a_forged_host_header(tmp_path: Path) -> None:
    gw = start_gateway(tmp_path)
    gw.http.follow_redirects = False
    headers = gw.headers(gw.token(), Host="evil.example")
    redirected = gw.http.get("/items/v1/items/?limit=5", headers=headers)
    assert redirected.status_code == 307
    assert redirected.headers["location"] == "/items/v1/items?limit=5"
    followed = gw.http.get(redirected.headers["location"], headers=gw.headers(gw.token()))
    assert followed.status_code == 200
