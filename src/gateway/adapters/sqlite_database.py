"""One SQLite file shared by threads and worker processes: WAL, a connection per thread.

Connections stay open for the life of the thread: closing the last one checkpoints the WAL,
which would cost milliseconds per request.

Readers never wait: a read transaction is a deferred ``BEGIN`` on a WAL snapshot. Writers queue:
before ``BEGIN IMMEDIATE`` a writer takes a lock of its process (threads) and an exclusive
``flock`` on a sidecar file (processes), so a waiter sleeps in the kernel and wakes the moment the
writer before it commits. SQLite's own busy handler polls with growing sleeps (up to 100 ms) and
stays only as the fallback for connections that do not take the lock (another tool on the file).
"""

from __future__ import annotations

import os
import sqlite3
import threading
import time
import weakref
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

try:
    import fcntl
except ImportError:  # pragma: no cover - Windows: threads still queue, processes poll
    fcntl = None  # type: ignore[assignment]

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
        self._writer: tuple[int, _WriterLock] | None = None

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
                with self._writer_lock().held():
                    _switch_to_wal(conn)
                    conn.execute("BEGIN IMMEDIATE")
                    with _ended(conn):
                        for statement in self._schema.split(";"):
                            if statement.strip():
                                conn.execute(statement)
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
    def transaction(self, *, read_only: bool = False) -> Iterator[sqlite3.Connection]:
        """A transaction, committed on success and rolled back on error.

        A write transaction queues for the writer lock, then runs under ``BEGIN IMMEDIATE``. A
        read-only one (``BEGIN``) reads one snapshot without taking any lock; writing in it is
        an error. A thread must not open a write transaction inside another on the same file: it
        would wait for itself, so that raises at once.
        """
        conn = self.connection()
        if read_only:
            changes = conn.total_changes
            conn.execute("BEGIN")
            with _ended(conn):
                yield conn
                if conn.total_changes != changes:
                    raise RuntimeError(f"a read-only transaction wrote to {self.path}")
            return
        with self._writer_lock().held():
            conn.execute("BEGIN IMMEDIATE")
            with _ended(conn):
                yield conn

    def _writer_lock(self) -> _WriterLock:
        pid = os.getpid()
        if self._writer is None or self._writer[0] != pid:
            self._writer = (pid, _shared_writer_lock(self.path))
        return self._writer[1]

    def ping(self) -> None:
        """Raise when the file cannot be read."""
        self.connection().execute("SELECT 1").fetchone()


@contextmanager
def _ended(conn: sqlite3.Connection) -> Iterator[None]:
    """Commit on a clean exit, roll back otherwise; the connection never stays in a transaction."""
    try:
        yield
        conn.execute("COMMIT")
    finally:
        # Some errors end the transaction inside SQLite already; a failed COMMIT leaves it open.
        if conn.in_transaction:
            conn.execute("ROLLBACK")


class _WriterLock:
    """Serialises the writers of one file: a thread lock, then ``flock`` on a sidecar file.

    The thread lock comes first because ``flock`` is held by the open file (shared by the
    process's threads); the sidecar is opened once per process, so a forked worker never shares
    its parent's open file (and with it the lock).
    """

    def __init__(self, path: Path) -> None:
        self._threads = threading.Lock()
        self._holder: int | None = None
        self._fd: int | None = None
        if fcntl is not None:
            path.parent.mkdir(parents=True, exist_ok=True)
            self._fd = os.open(path, os.O_RDWR | os.O_CREAT | os.O_CLOEXEC, 0o600)
            weakref.finalize(self, os.close, self._fd)

    @contextmanager
    def held(self) -> Iterator[None]:
        """Wait for the lock (threads in line, then processes), hold it for the block."""
        me = threading.get_ident()
        if self._holder == me:
            raise RuntimeError("nested write transaction on one SQLite file: it would deadlock")
        with self._threads:
            if self._fd is not None:
                fcntl.flock(self._fd, fcntl.LOCK_EX)
            self._holder = me
            try:
                yield
            finally:
                self._holder = None
                if self._fd is not None:
                    fcntl.flock(self._fd, fcntl.LOCK_UN)


# Per process and file, whichever SqliteDatabase opened it: all writers of a file meet here. The
# databases hold their lock; it goes (and closes its file) when the last of them does.
_writer_locks: weakref.WeakValueDictionary[tuple[int, str], _WriterLock] = (
    weakref.WeakValueDictionary()
)
_writer_locks_guard = threading.Lock()


def _shared_writer_lock(db_path: Path) -> _WriterLock:
    """The writer lock of this process for the file, shared by every ``SqliteDatabase`` on it."""
    key = (os.getpid(), str(db_path.resolve()))
    found = _writer_locks.get(key)
    if found is not None:
        return found
    with _writer_locks_guard:
        found = _writer_locks.get(key)
        if found is None:
            sidecar = db_path.with_name(db_path.name + ".lock")
            found = _writer_locks[key] = _WriterLock(sidecar)
        return found


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
