"""Every response carries a correlation id: the caller's when it is safe to echo, else a new one."""

from __future__ import annotations

import logging
import os
import uuid

import pytest
from starlette.applications import Starlette
from starlette.requests import Request
from starlette.responses import PlainTextResponse
from starlette.routing import Route
from starlette.testclient import TestClient

from gateway.middleware.correlation import CorrelationIdMiddleware, new_correlation_id
from gateway.observability import ContextFilter, correlation_id_var, traceparent_var

seen: dict[str, str | None] = {}


async def handler(_request: Request) -> PlainTextResponse:
    seen["cid"] = correlation_id_var.get()
    seen["traceparent"] = traceparent_var.get()
    record = logging.makeLogRecord({"msg": "inside"})
    ContextFilter().filter(record)
    seen["logged"] = record.correlation_id  # type: ignore[attr-defined]
    seen["trace_id"] = record.trace_id  # type: ignore[attr-defined]
    return PlainTextResponse("ok")


@pytest.fixture
def client() -> TestClient:
    seen.clear()
    return TestClient(CorrelationIdMiddleware(Starlette(routes=[Route("/", handler)])))


def test_callers_id_is_echoed_and_logged(client: TestClient) -> None:
    response = client.get("/", headers={"X-Correlation-ID": "order-4711.retry:2"})
    assert response.headers["x-correlation-id"] == "order-4711.retry:2"
    assert seen["cid"] == seen["logged"] == "order-4711.retry:2"


@pytest.mark.parametrize("given", [None, "", "has space", "x" * 129, "semi;colon"])
def test_missing_or_unsafe_id_is_replaced(client: TestClient, given: str | None) -> None:
    headers = {} if given is None else {"X-Correlation-ID": given}
    response = client.get("/", headers=headers)
    minted = response.headers["x-correlation-id"]
    assert minted != given
    assert uuid.UUID(minted).version == 4


def test_traceparent_is_carried_into_log_context(client: TestClient) -> None:
    tp = "00-4bf92f3577b34da6a3ce929d0e0e4736-00f067aa0ba902b7-01"
    client.get("/", headers={"traceparent": tp})
    assert seen["traceparent"] == tp
    assert seen["trace_id"] == "4bf92f3577b34da6a3ce929d0e0e4736"


def test_malformed_traceparent_is_dropped(client: TestClient) -> None:
    client.get("/", headers={"traceparent": "not-a-trace"})
    assert seen["traceparent"] is None


def test_minted_ids_are_distinct_random_uuids() -> None:
    minted = {new_correlation_id() for _ in range(10_000)}
    assert len(minted) == 10_000
    assert {uuid.UUID(m).version for m in minted} == {4}


def test_a_forked_worker_mints_other_ids_than_its_parent() -> None:
    # gunicorn forks its workers from one master: they must not mint the same sequence.
    read_end, write_end = os.pipe()
    pid = os.fork()
    if pid == 0:  # the child: send its next id, leave at once
        os.write(write_end, new_correlation_id().encode())
        os._exit(0)
    os.close(write_end)
    os.waitpid(pid, 0)
    with os.fdopen(read_end) as pipe:
        childs = pipe.read()
    assert uuid.UUID(childs).version == 4
    assert childs != new_correlation_id()
