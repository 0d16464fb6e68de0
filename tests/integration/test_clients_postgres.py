"""The client store on a real PostgreSQL (and SQLite for comparison): same behaviour either way."""

from __future__ import annotations

import uuid
from collections.abc import Iterator
from pathlib import Path

import psycopg
import pytest
from psycopg import sql

from gateway.adapters.postgres_clients import PostgresClientStore
from gateway.adapters.sqlite_clients import SqliteClientStore
from gateway.services.clients import ClientService, ClientStore
from tests.conftest import service_missing

POSTGRES_URL = "postgresql://postgres@127.0.0.1:5432/test"


@pytest.fixture
def postgres_schema() -> Iterator[str]:
    try:
        admin = psycopg.connect(POSTGRES_URL, autocommit=True, connect_timeout=3)
    except psycopg.OperationalError:
        service_missing("PostgreSQL on 127.0.0.1:5432")
    schema = f"test_clients_{uuid.uuid4().hex[:12]}"
    try:
        yield schema
    finally:
        admin.execute(sql.SQL("DROP SCHEMA IF EXISTS {} CASCADE").format(sql.Identifier(schema)))
        admin.close()


@pytest.fixture(params=["postgres", "sqlite"])
def store(request: pytest.FixtureRequest, tmp_path: Path) -> Iterator[ClientStore]:
    opened: ClientStore
    if request.param == "postgres":
        schema = request.getfixturevalue("postgres_schema")
        opened = PostgresClientStore(POSTGRES_URL, schema=schema)
    else:
        opened = SqliteClientStore(tmp_path / "clients.sqlite3")
    try:
        yield opened
    finally:
        opened.close()


def test_registered_client_round_trips_without_its_secret(store: ClientStore) -> None:
    service = ClientService(store)
    client, secret = service.register("Acme WMS", ["items:read", "inventory:read"], ["DC-EAST"])
    loaded = store.get(client.client_id)
    assert loaded == client
    assert secret not in loaded.secret_hash
    assert service.authenticate(client.client_id, secret) == client
    assert service.authenticate(client.client_id, secret + "x") is None
    assert service.authenticate("wb_nobody", secret) is None


def test_revocation_is_stored_and_stops_authentication(store: ClientStore) -> None:
    service = ClientService(store, status_ttl=0.0)
    client, secret = service.register("3PL", ["orders:read"], ["DC-WEST"])
    other, _ = service.register("Carrier", ["shipments:read"], [])
    assert service.status(client.client_id) == "active"
    assert service.revoke(client.client_id)
    assert service.revoke(client.client_id), "revoking twice is harmless"
    assert not service.revoke("wb_nobody")
    assert service.status(client.client_id) == "revoked"
    assert service.status(other.client_id) == "active"
    assert service.status("wb_nobody") is None
    assert service.authenticate(client.client_id, secret) is None
    revoked = store.get(client.client_id)
    assert revoked is not None
    assert revoked.revoked_at is not None


def test_list_is_oldest_first_and_shows_no_secret(store: ClientStore) -> None:
    service = ClientService(store)
    names = ["first", "second", "third"]
    for name in names:
        service.register(name, ["items:read"], ["DC-EAST"])
    listed = service.list_all()
    assert [c.name for c in listed] == names
    assert all("secret" not in str(c.public_view()) for c in listed)
    assert listed[0].public_view()["scopes"] == ["items:read"]


def test_a_second_store_on_the_same_database_sees_the_clients(
    store: ClientStore, request: pytest.FixtureRequest, tmp_path: Path
) -> None:
    client, _ = ClientService(store).register("shared", ["items:read"], [])
    if isinstance(store, PostgresClientStore):
        other: ClientStore = PostgresClientStore(
            POSTGRES_URL, schema=request.getfixturevalue("postgres_schema")
        )
    else:
        other = SqliteClientStore(tmp_path / "clients.sqlite3")
    try:
        assert other.get(client.client_id) == client
        other.revoke(client.client_id, 1.0)
        refreshed = store.get(client.client_id)
        assert refreshed is not None
        assert refreshed.status == "revoked"
    finally:
        other.close()
