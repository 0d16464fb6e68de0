"""The access log: one JSON line per request, carrying the correlation and trace ids."""

from __future__ import annotations

import io
import json
import logging
from collections.abc import Iterator

import pytest
from starlette.responses import PlainTextResponse
from starlette.testclient import TestClient
from starlette.types import Receive, Scope, Send

from gateway.metrics import Metrics
from gateway.middleware.correlation import CorrelationIdMiddleware
from gateway.middleware.telemetry import TelemetryMiddleware
from gateway.observability import ContextFilter, JsonFormatter

TRACEPARENT = "00-4bf92f3577b34da6a3ce929d0e0e4736-00f067aa0ba902b7-01"


@pytest.fixture
def lines() -> Iterator[io.StringIO]:
    out = io.StringIO()
    handler = logging.StreamHandler(out)
    handler.setFormatter(JsonFormatter())
    handler.addFilter(ContextFilter())
    logger = logging.getLogger("waybill.access")
    logger.addHandler(handler)
    logger.setLevel(logging.INFO)
    try:
        yield out
    finally:
        logger.removeHandler(handler)
        logger.setLevel(logging.NOTSET)


async def teapot(scope: Scope, receive: Receive, send: Send) -> None:
    await PlainTextResponse("short and stout", status_code=418)(scope, receive, send)


def test_each_request_writes_one_json_line_with_its_ids(lines: io.StringIO) -> None:
    metrics = Metrics()
    client = TestClient(CorrelationIdMiddleware(TelemetryMiddleware(teapot, metrics=metrics)))
    headers = {"X-Correlation-ID": "corr-1", "traceparent": TRACEPARENT}
    assert client.get("/tea?cups=2", headers=headers).status_code == 418
    [line] = lines.getvalue().splitlines()
    record = json.loads(line)
    assert record["logger"] == "waybill.access"
    assert record["msg"] == "GET /tea 418"
    assert record["correlation_id"] == "corr-1"
    assert record["trace_id"] == "4bf92f3577b34da6a3ce929d0e0e4736"
    assert {k: record[k] for k in ("method", "path", "status", "operation", "client")} == {
        "method": "GET",
        "path": "/tea",
        "status": 418,
        "operation": "unrouted",
        "client": "anonymous",
    }
    assert record["duration_ms"] >= 0
    assert record["ts"].endswith("Z")
    sample = metrics.registry.get_sample_value(
        "waybill_requests_total", {"operation": "unrouted", "status": "418", "client": "anonymous"}
    )
    assert sample == 1


def test_a_generated_correlation_id_is_logged_and_echoed(lines: io.StringIO) -> None:
    client = TestClient(CorrelationIdMiddleware(TelemetryMiddleware(teapot, metrics=Metrics())))
    response = client.get("/tea")
    record = json.loads(lines.getvalue())
    assert record["correlation_id"] == response.headers["x-correlation-id"]
    assert "trace_id" not in record


def test_timestamps_follow_each_record_across_seconds() -> None:
    formatter = JsonFormatter()
    stamps = []
    for created in (1764115200.5, 1764115200.75, 1764115202.125):
        record = logging.makeLogRecord({"msg": "m", "levelname": "INFO", "name": "t"})
        record.created, record.msecs = created, (created % 1) * 1000
        stamps.append(json.loads(formatter.format(record))["ts"])
    assert stamps == [
        "2025-11-26T00:00:00.500Z",
        "2025-11-26T00:00:00.750Z",
        "2025-11-26T00:00:02.125Z",
    ]
