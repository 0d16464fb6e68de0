"""Log lines written in batches: one ``write`` per buffer-full or per interval, not per line.

The access log writes a line for every request. A ``write`` per line is a system call on the
event loop's thread, and it lets go of the GIL: with a store thread busy, getting it back costs
far more than the write. Proxies such as Envoy and nginx buffer their access logs for the same
reason. A line waits at most ``interval`` seconds (a flusher thread sees to it when the process
goes quiet); a WARNING or worse is written at once, with everything before it; ``close`` (run by
``logging.shutdown`` at exit) writes what is left. A process killed outright loses at most one
interval of lines.
"""

from __future__ import annotations

import contextlib
import logging
import os
import sys
import threading
import time
from typing import TextIO


class BufferedLineHandler(logging.Handler):
    """Formats each record at once, in the caller's thread, and writes the lines in batches."""

    def __init__(
        self,
        stream: TextIO | None = None,
        *,
        interval: float = 0.2,
        max_bytes: int = 64 * 1024,
    ) -> None:
        super().__init__()
        if interval <= 0 or max_bytes < 1:
            raise ValueError("a buffered handler needs a positive interval and size")
        self._stream = stream
        self._interval = interval
        self._max_bytes = max_bytes
        self._pending: list[str] = []
        self._size = 0
        self._due = 0.0  # when the oldest pending line must be out
        # The process whose lines are pending and whose flusher thread runs; a forked child drops
        # its parent's lines and starts a flusher of its own (threads do not survive fork).
        self._owner: int | None = None
        self._stopping = threading.Event()

    @property
    def stream(self) -> TextIO:
        """Where lines go: the stream given, else the current ``sys.stderr``."""
        return self._stream if self._stream is not None else sys.stderr

    def emit(self, record: logging.LogRecord) -> None:
        """Queue the record's line; write the batch when it is full, due or urgent."""
        try:
            line = self.format(record) + "\n"
        except Exception:  # as logging.StreamHandler: report, never raise into the caller
            self.handleError(record)
            return
        pid = os.getpid()
        if self._owner != pid:
            self._pending, self._size, self._owner = [], 0, pid
            if not self._stopping.is_set():
                flusher = threading.Thread(target=self._flush_when_due, name="log-flush")
                flusher.daemon = True
                flusher.start()
        now = time.monotonic()
        if not self._pending:
            self._due = now + self._interval
        self._pending.append(line)
        self._size += len(line)
        if record.levelno >= logging.WARNING or self._size >= self._max_bytes or now >= self._due:
            self._write()

    def flush(self) -> None:
        """Write every pending line now."""
        self.acquire()
        try:
            self._write()
        finally:
            self.release()

    def close(self) -> None:
        """Write what is pending and stop the flusher."""
        self._stopping.set()
        self.flush()
        super().close()

    def _write(self) -> None:
        # Runs with the handler's lock held (``handle`` takes it around ``emit``).
        if not self._pending or self._owner != os.getpid():
            return  # nothing, or lines a parent process had pending when it forked us
        batch, self._pending, self._size = "".join(self._pending), [], 0
        try:
            self.stream.write(batch)
            self.stream.flush()
        except Exception:  # a closed or broken stream must not fail the request that logged
            if logging.raiseExceptions:
                with contextlib.suppress(Exception):  # stderr may be the broken stream itself
                    sys.stderr.write(f"waybill: {batch.count(chr(10))} log lines lost\n")

    def _flush_when_due(self) -> None:
        while not self._stopping.wait(self._interval):
            if self._pending and time.monotonic() >= self._due:
                self.flush()
