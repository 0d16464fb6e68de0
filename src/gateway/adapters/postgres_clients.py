"""Clients kept in PostgreSQL, shared by every gateway process (psycopg 3)."""

from __future__ import annotations

import threading

import psycopg
from psycopg import sql
from psycopg.rows import TupleRow
from psycopg_pool import ConnectionPool

from gateway.services.clients import Client, ClientStatus

_COLUMNS = sql.SQL("client_id, name, scopes, sites, secret_hash, status, created_at, revoked_at")


def _client(row: TupleRow) -> Client:
    client_id, name, scopes, sites, secret_hash, status, created_at, revoked_at = row
    checked: ClientStatus = "revoked" if status == "revoked" else "active"
    return Client(
        client_id=str(client_id),
        name=str(name),
        scopes=frozenset(str(s) for s in scopes),
        sites=frozenset(str(s) for s in sites),
        secret_hash=str(secret_hash),
        status=checked,
        created_at=float(created_at),
        revoked_at=None if revoked_at is None else float(revoked_at),
    )


class PostgresClientStore:
    """A ``ClientStore`` in table ``<schema>.oauth_clients``; the pool opens on first use."""

    def __init__(self, conninfo: str, *, schema: str = "public", max_size: int = 4) -> None:
        self._conninfo = conninfo
        self._table = sql.Identifier(schema, "oauth_clients")
        self._schema = sql.Identifier(schema)
        self._max_size = max_size
        self._pool: ConnectionPool[psycopg.Connection[TupleRow]] | None = None
        self._lock = threading.Lock()

    def _connection_pool(self) -> ConnectionPool[psycopg.Connection[TupleRow]]:
        with self._lock:
            if self._pool is None:
                pool: ConnectionPool[psycopg.Connection[TupleRow]] = ConnectionPool(
                    self._conninfo, min_size=1, max_size=self._max_size, open=True
                )
                with pool.connection() as conn:
                    # Several processes may start at once; DDL races are serialised here.
                    conn.execute("SELECT pg_advisory_xact_lock(hashtext('waybill.oauth_clients'))")
                    conn.execute(sql.SQL("CREATE SCHEMA IF NOT EXISTS {}").format(self._schema))
                    conn.execute(
                        sql.SQL(
                            "CREATE TABLE IF NOT EXISTS {} ("
                            " client_id text PRIMARY KEY,"
                            " name text NOT NULL,"
                            " scopes text[] NOT NULL,"
                            " sites text[] NOT NULL,"
                            " secret_hash text NOT NULL,"
                            " status text NOT NULL CHECK (status IN ('active', 'revoked')),"
                            " created_at double precision NOT NULL,"
                            " revoked_at double precision)"
                        ).format(self._table)
                    )
                self._pool = pool
            return self._pool

    def add(self, client: Client) -> None:
        """Insert a new client."""
        with self._connection_pool().connection() as conn:
            conn.execute(
                sql.SQL("INSERT INTO {} ({}) VALUES (%s, %s, %s, %s, %s, %s, %s, %s)").format(
                    self._table, _COLUMNS
                ),
                (
                    client.client_id,
                    client.name,
                    sorted(client.scopes),
                    sorted(client.sites),
                    client.secret_hash,
                    client.status,
                    client.created_at,
                    client.revoked_at,
                ),
            )

    def get(self, client_id: str) -> Client | None:
        """The client with this id, or None."""
        with self._connection_pool().connection() as conn:
            row = conn.execute(
                sql.SQL("SELECT {} FROM {} WHERE client_id = %s").format(_COLUMNS, self._table),
                (client_id,),
            ).fetchone()
        return _client(row) if row else None

    def list_all(self) -> list[Client]:
        """Every client, oldest first."""
        with self._connection_pool().connection() as conn:
            rows = conn.execute(
                sql.SQL("SELECT {} FROM {} ORDER BY created_at, client_id").format(
                    _COLUMNS, self._table
                )
            ).fetchall()
        return [_client(row) for row in rows]

    def revoke(self, client_id: str, at: float) -> bool:
        """Mark the client revoked (idempotent); False when there is no such client."""
        with self._connection_pool().connection() as conn:
            cur = conn.execute(
                sql.SQL(
                    "UPDATE {} SET status = 'revoked', revoked_at = COALESCE(revoked_at, %s)"
                    " WHERE client_id = %s"
                ).format(self._table),
                (at, client_id),
            )
            return cur.rowcount > 0

    def close(self) -> None:
        """Close the pool (it reopens on the next use)."""
        with self._lock:
            if self._pool is not None:
                self._pool.close()
                self._pool = None
