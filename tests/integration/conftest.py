"""Fixtures shared by the integration tests."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest

from tests.conftest import service_missing
from tests.integration.idempotency_support import drop_table, postgres_available, unique_table


@pytest.fixture(params=["sqlite", "postgres"], name="where")
def idempotency_store_location(
    request: pytest.FixtureRequest, tmp_path: Path
) -> Iterator[tuple[str, str]]:
    """``(kind, location)`` of an idempotency store: a SQLite file, or a PostgreSQL table."""
    if request.param == "sqlite":
        yield "sqlite", str(tmp_path / "idem.sqlite3")
        return
    if not postgres_available():
        service_missing("PostgreSQL on 127.0.0.1:5432")
    table = unique_table()
    try:
        yield "postgres", table
    finally:
        drop_table(table)
