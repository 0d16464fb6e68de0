"""Review findings on the token endpoint: a burst of requests cannot run unbounded scrypt checks."""

from __future__ import annotations

import asyncio
import threading
from pathlib import Path

import httpx
import pytest
from starlette.applications import Starlette
from starlette.routing import Route
from starlette.testclient import TestClient

from gateway.adapters.sqlite_clients import SqliteClientStore
from gateway.api.oauth import token_endpoint
from gateway.services.clients import Client
from gateway.services.identity import build_identity
from gateway.settings import Settings
from tests.conftest import SPECS

SLOTS = 2
BURST = 8


class _Recorder:
    """Stands in for the secret check: records how many run at once, refuses everyone."""

    def __init__(self) -> None:
        self._lock = threading.Lock()
        self._overflow = threading.Event()
        self.inside = 0
        self.most = 0

    def authenticate(self, _client_id: str, _secret: str) -> Client | None:
        with self._lock:
            self.inside += 1
            self.most = max(self.most, self.inside)
            if self.inside > SLOTS:
                self._overflow.set()
        # Hold the slot a moment (or until the bound is broken), so overlapping checks overlap.
        self._overflow.wait(timeout=0.1)
        with self._lock:
            self.inside -= 1
        return None


def test_concurrent_secret_checks_are_bounded(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    identity = build_identity(
        Settings(specs_dir=SPECS, data_dir=tmp_path), SqliteClientStore(tmp_path / "c.sqlite3")
    )
    recorder = _Recorder()
    monkeypatch.setattr(identity.clients, "authenticate", recorder.authenticate)
    app = Starlette(
        routes=[
            Route("/oauth/token", token_endpoint(identity, hashing_slots=SLOTS), methods=["POST"])
        ]
    )

    async def burst() -> list[int]:
        transport = httpx.ASGITransport(app=app)
        async with httpx.AsyncClient(transport=transport, base_url="http://gw") as http:
            responses = await asyncio.gather(
                *(
                    http.post(
                        "/oauth/token",
                        data={
                            "grant_type": "client_credentials",
                            "client_id": f"wb_{n}",
                            "client_secret": "guess",
                        },
                    )
                    for n in range(BURST)
                )
            )
        return [r.status_code for r in responses]

    statuses = asyncio.run(burst())
    assert statuses == [401] * BURST
    assert recorder.most == SLOTS


def test_a_client_store_outage_is_503_temporarily_unavailable(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    identity = build_identity(
        Settings(specs_dir=SPECS, data_dir=tmp_path), SqliteClientStore(tmp_path / "c.sqlite3")
    )

    def down(_client_id: str, _secret: str) -> Client | None:
        raise ConnectionError("database is down")

    monkeypatch.setattr(identity.clients, "authenticate", down)
    app = Starlette(routes=[Route("/oauth/token", token_endpoint(identity), methods=["POST"])])
    response = TestClient(app).post(
        "/oauth/token",
        data={"grant_type": "client_credentials", "client_id": "wb_x", "client_secret": "s"},
    )
    assert response.status_code == 503
    assert response.json()["error"] == "temporarily_unavailable"
    assert response.headers["retry-after"] == "1"
    assert response.headers["cache-control"] == "no-store"
