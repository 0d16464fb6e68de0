"""One SQLite file shared by threads and worker processes: WAL, a connection per thread.

Connections stay open for the life of the thread: closing the last one checkpoints the WAL,
which would cost milliseconds per request.
"""

from __future__ import annotations

import os
import sqlite3
import threading
import time
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

BUSY_TIMEOUT_S = 15.0
_WAL_ATTEMPTS = 40  # ~40 s of back-off in all, far beyond any first start


class SqliteDatabase:
    """One SQLite file: a connection per thread and process, schema created on first use."""

    def __init__(self, path: Path, schema: str) -> None:
        self.path = path
        self._schema = schema
        self._local = threading.local()
        self._ready = threading.Lock()
        self._created_in: int | None = None
        # Every connection this process opened, so close() can reach other threads' too; a
        # generation bump makes threads holding a closed one open a fresh one.
        self._opened: list[tuple[int, sqlite3.Connection]] = []
        self._generation = 0

    def connection(self) -> sqlite3.Connection:
        """This thread's connection (a forked worker never reuses its parent's)."""
        conn: sqlite3.Connection | None = getattr(self._local, "conn", None)
        current = (os.getpid(), self._generation)
        if conn is not None and getattr(self._local, "owner", None) == current:
            return conn
        self.path.parent.mkdir(parents=True, exist_ok=True)
        conn = sqlite3.connect(
            self.path, timeout=BUSY_TIMEOUT_S, isolation_level=None, check_same_thread=False
        )
        conn.execute("PRAGMA synchronous=NORMAL")
        conn.execute("PRAGMA foreign_keys=ON")
        with self._ready:
            if self._created_in != os.getpid():
                _switch_to_wal(conn)
                conn.execute("BEGIN IMMEDIATE")
                try:
                    for statement in self._schema.split(";"):
                        if statement.strip():
                            conn.execute(statement)
                    conn.execute("COMMIT")
                except BaseException:
                    conn.execute("ROLLBACK")
                    raise
                self._created_in = os.getpid()
            self._opened.append((os.getpid(), conn))
        self._local.conn, self._local.owner = conn, current
        return conn

    def close(self) -> None:
        """Close every connection this process opened (they reopen on the next use).

        A forked worker leaves its parent's connections alone: closing them would close the
        parent's file handles too.
        """
        with self._ready:
            opened, self._opened = self._opened, []
            self._generation += 1
        for pid, conn in opened:
            if pid == os.getpid():
                conn.close()

    @contextmanager
    def transaction(self) -> Iterator[sqlite3.Connection]:
        """A write transaction: ``BEGIN IMMEDIATE``, committed on success, rolled back on error."""
        conn = self.connection()
        conn.execute("BEGIN IMMEDIATE")
        try:
            yield conn
        except BaseException:
            conn.execute("ROLLBACK")
            raise
        conn.execute("COMMIT")

    def ping(self) -> None:
        """Raise when the file cannot be read."""
        self.connection().execute("SELECT 1").fetchone()


def _switch_to_wal(conn: sqlite3.Connection) -> None:
    """Put the file in WAL mode (persistent, so once per process is enough).

    Changing the journal mode does not wait on SQLite's busy handler: when another process is
    doing the same on a new file, it fails at once with "database is locked". Retry, bounded.
    """
    for attempt in range(_WAL_ATTEMPTS):
        try:
            conn.execute("PRAGMA journal_mode=WAL")
            return
        except sqlite3.OperationalError as exc:
            if "locked" not in str(exc) or attempt == _WAL_ATTEMPTS - 1:
                raise
            time.sleep(0.05 * (attempt + 1))
