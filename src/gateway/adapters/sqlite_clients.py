"""Clients kept in an SQLite file (WAL), the embedded default."""

from __future__ import annotations

import json
import os
import sqlite3
import threading
from pathlib import Path

from gateway.services.clients import Client, ClientStatus

_SCHEMA = """
CREATE TABLE IF NOT EXISTS oauth_clients (
    client_id   TEXT PRIMARY KEY,
    name        TEXT NOT NULL,
    scopes      TEXT NOT NULL,
    sites       TEXT NOT NULL,
    secret_hash TEXT NOT NULL,
    status      TEXT NOT NULL CHECK (status IN ('active', 'revoked')),
    created_at  REAL NOT NULL,
    revoked_at  REAL
)
"""
_COLUMNS = "client_id, name, scopes, sites, secret_hash, status, created_at, revoked_at"


def _client(row: tuple[str, str, str, str, str, str, float, float | None]) -> Client:
    client_id, name, scopes, sites, secret_hash, status, created_at, revoked_at = row
    checked: ClientStatus = "revoked" if status == "revoked" else "active"
    return Client(
        client_id=client_id,
        name=name,
        scopes=frozenset(json.loads(scopes)),
        sites=frozenset(json.loads(sites)),
        secret_hash=secret_hash,
        status=checked,
        created_at=created_at,
        revoked_at=revoked_at,
    )


class SqliteClientStore:
    """A ``ClientStore`` in one SQLite file; the connection opens on first use."""

    def __init__(self, path: Path) -> None:
        self.path = path
        self._conn: sqlite3.Connection | None = None
        self._lock = threading.Lock()

    def _connection(self) -> sqlite3.Connection:
        if self._conn is None:
            self.path.parent.mkdir(parents=True, exist_ok=True)
            # Secret hashes live here: create the file readable by the owner only.
            os.close(os.open(self.path, os.O_RDWR | os.O_CREAT, 0o600))
            conn = sqlite3.connect(self.path, timeout=10.0, check_same_thread=False)
            conn.execute("PRAGMA journal_mode=WAL")
            conn.execute("PRAGMA synchronous=NORMAL")
            conn.execute(_SCHEMA)
            conn.commit()
            self._conn = conn
        return self._conn

    def add(self, client: Client) -> None:
        """Insert a new client."""
        with self._lock:
            conn = self._connection()
            with conn:
                conn.execute(
                    f"INSERT INTO oauth_clients ({_COLUMNS}) VALUES (?, ?, ?, ?, ?, ?, ?, ?)",  # noqa: S608 - fixed column list
                    (
                        client.client_id,
                        client.name,
                        json.dumps(sorted(client.scopes)),
                        json.dumps(sorted(client.sites)),
                        client.secret_hash,
                        client.status,
                        client.created_at,
                        client.revoked_at,
                    ),
                )

    def get(self, client_id: str) -> Client | None:
        """The client with this id, or None."""
        with self._lock:
            row = (
                self._connection()
                .execute(
                    f"SELECT {_COLUMNS} FROM oauth_clients WHERE client_id = ?",  # noqa: S608 - fixed column list
                    (client_id,),
                )
                .fetchone()
            )
        return _client(row) if row else None

    def list_all(self) -> list[Client]:
        """Every client, oldest first."""
        with self._lock:
            rows = (
                self._connection()
                .execute(f"SELECT {_COLUMNS} FROM oauth_clients ORDER BY created_at, client_id")  # noqa: S608 - fixed column list
                .fetchall()
            )
        return [_client(row) for row in rows]

    def revoke(self, client_id: str, at: float) -> bool:
        """Mark the client revoked (idempotent); False when there is no such client."""
        with self._lock:
            conn = self._connection()
            with conn:
                cur = conn.execute(
                    "UPDATE oauth_clients SET status = 'revoked',"
                    " revoked_at = COALESCE(revoked_at, ?) WHERE client_id = ?",
                    (at, client_id),
                )
        return cur.rowcount > 0

    def close(self) -> None:
        """Close the connection (it reopens on the next use)."""
        with self._lock:
            if self._conn is not None:
                self._conn.close()
                self._conn = None
