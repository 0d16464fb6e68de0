"""Log lines in batches: late by at most the interval, warnings at once, nothing lost or doubled."""

from __future__ import annotations

import io
import logging
import os
import time
from collections.abc import Iterator

import pytest

from gateway.log_writer import BufferedLineHandler


class CountingStream(io.StringIO):
    """A stream that counts its writes, so batching shows."""

    def __init__(self) -> None:
        super().__init__()
        self.writes = 0

    def write(self, text: str) -> int:
        self.writes += 1
        return super().write(text)


@pytest.fixture
def logger() -> Iterator[logging.Logger]:
    log = logging.getLogger("waybill.test.log_writer")
    log.propagate = False
    log.setLevel(logging.INFO)
    yield log
    for handler in log.handlers:
        handler.close()
    log.handlers.clear()


def attach(
    log: logging.Logger, *, interval: float, max_bytes: int = 64 * 1024
) -> tuple[BufferedLineHandler, CountingStream]:
    stream = CountingStream()
    handler = BufferedLineHandler(stream, interval=interval, max_bytes=max_bytes)
    handler.setFormatter(logging.Formatter("%(levelname)s %(message)s"))
    log.addHandler(handler)
    return handler, stream


def lines(stream: io.StringIO) -> list[str]:
    return stream.getvalue().splitlines()


def test_lines_logged_together_are_written_in_one_batch_once_due(logger: logging.Logger) -> None:
    _, stream = attach(logger, interval=0.05)
    for n in range(50):
        logger.info("request %d", n)
    assert stream.writes == 0  # still buffered: not due yet
    deadline = time.monotonic() + 30
    while not stream.getvalue() and time.monotonic() < deadline:
        time.sleep(0.01)
    assert lines(stream) == [f"INFO request {n}" for n in range(50)]
    assert stream.writes == 1


def test_a_warning_is_written_at_once_with_the_lines_before_it(logger: logging.Logger) -> None:
    _, stream = attach(logger, interval=60)
    logger.info("first")
    logger.warning("ERP answered 503")
    assert lines(stream) == ["INFO first", "WARNING ERP answered 503"]
    assert stream.writes == 1


def test_a_full_buffer_is_written_without_waiting(logger: logging.Logger) -> None:
    _, stream = attach(logger, interval=60, max_bytes=100)
    for n in range(20):
        logger.info("line %02d", n)  # 14 bytes each
    assert 1 <= stream.writes <= 3
    assert lines(stream)[:7] == [f"INFO line {n:02d}" for n in range(7)]


def test_close_writes_what_is_pending(logger: logging.Logger) -> None:
    handler, stream = attach(logger, interval=60)
    logger.info("last words")
    assert stream.getvalue() == ""
    handler.close()
    assert lines(stream) == ["INFO last words"]


def test_a_forked_child_does_not_write_its_parents_pending_lines(logger: logging.Logger) -> None:
    read_end, write_end = os.pipe()
    with os.fdopen(write_end, "w") as pipe_out:
        handler = BufferedLineHandler(pipe_out, interval=60)
        handler.setFormatter(logging.Formatter("%(message)s"))
        logger.addHandler(handler)
        logger.info("parent, before the fork")
        pid = os.fork()
        if pid == 0:  # the child: logs one line of its own, then closes as it would at exit
            logger.info("child")
            handler.close()
            os._exit(0)
        os.waitpid(pid, 0)
        handler.close()
    with os.fdopen(read_end) as pipe_in:
        written = pipe_in.read().splitlines()
    assert sorted(written) == ["child", "parent, before the fork"]


def test_a_broken_stream_does_not_fail_the_caller_and_says_what_was_lost(
    logger: logging.Logger, capsys: pytest.CaptureFixture[str]
) -> None:
    stream = CountingStream()
    stream.close()
    handler = BufferedLineHandler(stream, interval=60)
    logger.addHandler(handler)
    logger.info("queued")
    logger.warning("nobody hears this")  # written at once, into a closed stream
    assert "2 log lines lost" in capsys.readouterr().err


def test_the_interval_and_size_must_be_positive() -> None:
    with pytest.raises(ValueError, match="positive"):
        BufferedLineHandler(io.StringIO(), interval=0)
    with pytest.raises(ValueError, match="positive"):
        BufferedLineHandler(io.StringIO(), max_bytes=0)


def test_a_broken_stderr_as_the_stream_does_not_fail_the_caller_either(
    logger: logging.Logger, monkeypatch: pytest.MonkeyPatch
) -> None:
    broken = CountingStream()
    broken.close()
    monkeypatch.setattr("sys.stderr", broken)
    handler = BufferedLineHandler(interval=60)  # the current sys.stderr: the broken one
    logger.addHandler(handler)
    logger.error("the pipe to the log collector is gone")  # written at once: must not raise
    assert broken.writes == 2  # the batch, then the report of its loss: both failed, quietly
