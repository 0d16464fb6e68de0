"""SqliteDatabase: writers queue on a lock (threads and processes), readers never wait."""

from __future__ import annotations

import gc
import multiprocessing
import os
import sqlite3
import threading
from pathlib import Path

import pytest

from gateway.adapters.sqlite_database import SqliteDatabase

SCHEMA = "CREATE TABLE IF NOT EXISTS counter (id INTEGER PRIMARY KEY, value INTEGER NOT NULL)"
ROUNDS = 200


def _database(path: Path) -> SqliteDatabase:
    db = SqliteDatabase(path, SCHEMA)
    with db.transaction() as conn:
        conn.execute("INSERT OR IGNORE INTO counter (id, value) VALUES (1, 0)")
    return db


def _value(db: SqliteDatabase) -> int:
    (value,) = db.connection().execute("SELECT value FROM counter WHERE id = 1").fetchone()
    return int(value)


def _increment(db: SqliteDatabase) -> None:
    with db.transaction() as conn:
        (value,) = conn.execute("SELECT value FROM counter WHERE id = 1").fetchone()
        conn.execute("UPDATE counter SET value = ? WHERE id = 1", (value + 1,))


def _update_then_fail(db: SqliteDatabase) -> None:
    with db.transaction() as conn:
        conn.execute("UPDATE counter SET value = 3 WHERE id = 1")
        conn.execute("INSERT INTO counter (id, value) VALUES (1, 0)")


def _write_rounds(path: str, threads: int) -> None:
    """A worker process: ``threads`` threads each increment the counter ``ROUNDS`` times."""
    db = SqliteDatabase(Path(path), SCHEMA)

    def work() -> None:
        # No busy handler at all: a writer that reached BEGIN IMMEDIATE without the lock fails.
        db.connection().execute("PRAGMA busy_timeout = 0")
        for _ in range(ROUNDS):
            _increment(db)

    pool = [threading.Thread(target=work) for _ in range(threads)]
    for thread in pool:
        thread.start()
    for thread in pool:
        thread.join()


def test_writers_in_two_processes_queue_on_the_lock_not_the_busy_handler(tmp_path: Path) -> None:
    path = tmp_path / "shared.sqlite"
    db = _database(path)
    spawn = multiprocessing.get_context("spawn")
    workers = [spawn.Process(target=_write_rounds, args=(str(path), 2)) for _ in range(2)]
    for worker in workers:
        worker.start()
    for worker in workers:
        worker.join(timeout=120)
    assert [worker.exitcode for worker in workers] == [0, 0]
    assert _value(db) == 2 * 2 * ROUNDS
    assert path.with_name("shared.sqlite.lock").exists()


def test_a_nested_write_on_one_thread_raises_instead_of_waiting_for_itself(
    tmp_path: Path,
) -> None:
    db = _database(tmp_path / "db.sqlite")
    other = SqliteDatabase(tmp_path / "db.sqlite", SCHEMA)  # same file, separate connections
    with db.transaction(), pytest.raises(RuntimeError, match="nested write"), other.transaction():
        pass
    _increment(other)  # both locks were released
    assert _value(db) == 1


def test_a_reader_sees_the_last_commit_while_a_writer_holds_the_lock(tmp_path: Path) -> None:
    db = _database(tmp_path / "db.sqlite")
    reader = SqliteDatabase(tmp_path / "db.sqlite", SCHEMA)
    reader.connection()  # its first use creates the schema, a write
    with db.transaction() as conn:
        conn.execute("UPDATE counter SET value = 7 WHERE id = 1")
        with reader.transaction(read_only=True) as snapshot:
            assert snapshot.execute("SELECT value FROM counter").fetchone() == (0,)
    with reader.transaction(read_only=True) as snapshot:
        assert snapshot.execute("SELECT value FROM counter").fetchone() == (7,)


def test_a_read_only_transaction_that_writes_is_rolled_back(tmp_path: Path) -> None:
    db = _database(tmp_path / "db.sqlite")
    with pytest.raises(RuntimeError, match="read-only"), db.transaction(read_only=True) as conn:
        conn.execute("UPDATE counter SET value = 5 WHERE id = 1")
    assert _value(db) == 0
    assert not db.connection().in_transaction


def test_a_failed_write_releases_the_lock_and_rolls_back(tmp_path: Path) -> None:
    db = _database(tmp_path / "db.sqlite")
    with pytest.raises(sqlite3.IntegrityError):
        _update_then_fail(db)
    assert not db.connection().in_transaction
    done = threading.Event()

    def write_elsewhere() -> None:
        _increment(db)
        done.set()

    thread = threading.Thread(target=write_elsewhere)
    thread.start()
    thread.join(timeout=60)
    assert done.is_set()
    assert _value(db) == 1


def _open_files(name: str) -> int:
    fds = Path("/proc/self/fd")
    return sum(1 for fd in fds.iterdir() if os.path.realpath(fd).endswith(name))


@pytest.mark.skipif(not Path("/proc/self/fd").is_dir(), reason="needs /proc")
def test_the_lock_file_is_closed_with_the_last_database_on_it(tmp_path: Path) -> None:
    first, second = _database(tmp_path / "db.sqlite"), _database(tmp_path / "db.sqlite")
    assert _open_files("db.sqlite.lock") == 1  # one per process and file
    del first
    gc.collect()
    _increment(second)
    assert _open_files("db.sqlite.lock") == 1
    del second
    gc.collect()
    assert _open_files("db.sqlite.lock") == 0
