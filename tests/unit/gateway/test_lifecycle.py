"""Shutting the app down closes every store, even when one of them fails to close."""

from __future__ import annotations

from pathlib import Path

import pytest
from starlette.testclient import TestClient

from gateway.app import build_context, create_app
from gateway.settings import Settings
from tests.conftest import SPECS


async def test_close_runs_every_closer_and_reports_all_failures(tmp_path: Path) -> None:
    ctx = build_context(Settings(specs_dir=SPECS, data_dir=tmp_path))
    ran: list[str] = []

    async def ok() -> None:
        ran.append("ok")

    async def broken() -> None:
        ran.append("broken")
        raise RuntimeError("pool already gone")

    ctx.closers[:] = [broken, ok, broken]
    with pytest.raises(ExceptionGroup) as caught:
        await ctx.close()
    assert ran == ["broken", "ok", "broken"]
    assert len(caught.value.exceptions) == 2


def test_app_shutdown_closes_the_sqlite_stores(tmp_path: Path) -> None:
    app = create_app(Settings(specs_dir=SPECS, data_dir=tmp_path))
    with TestClient(app) as client:
        assert client.get("/readyz").json()["status"] == "ready"
    # After shutdown the stores reopen on demand: a new app on the same files is ready too.
    with TestClient(create_app(Settings(specs_dir=SPECS, data_dir=tmp_path))) as client:
        assert client.get("/readyz").status_code == 200
