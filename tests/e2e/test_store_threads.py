"""Store calls run in the process's store threads: the handler's and the idempotency layer's."""

from __future__ import annotations

import sqlite3
import threading
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

import pytest

from gateway.adapters.sqlite_database import SqliteDatabase
from tests.support.gateway import item_input, start_gateway


def test_an_idempotent_write_touches_its_stores_only_from_the_store_threads(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    seen: list[tuple[str, str]] = []
    transaction = SqliteDatabase.transaction

    @contextmanager
    def recorded(self: SqliteDatabase, *, read_only: bool = False) -> Iterator[sqlite3.Connection]:
        seen.append((self.path.name, threading.current_thread().name))
        with transaction(self, read_only=read_only) as conn:
            yield conn

    monkeypatch.setattr(SqliteDatabase, "transaction", recorded)
    gw = start_gateway(tmp_path)
    headers = gw.headers(gw.token(), Idempotency_Key="store-threads-1")
    seen.clear()
    answer = gw.http.put("/items/v1/items/SKU-10001", json=item_input("SKU-10001"), headers=headers)
    assert answer.status_code == 201, answer.text
    threads: dict[str, set[str]] = {}
    for name, thread in seen:
        threads.setdefault(name, set()).add(thread)
    # The claim and the stored result; the item itself in the gateway store.
    assert {"idempotency.sqlite3", "gateway.sqlite"} <= set(threads)
    for name in ("idempotency.sqlite3", "gateway.sqlite"):
        assert all(t.startswith("waybill-store") for t in threads[name]), (name, threads[name])
