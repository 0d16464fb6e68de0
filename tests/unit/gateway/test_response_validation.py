"""Response validation: answers that break the contract become 502 problems, counted and logged."""

from __future__ import annotations

import json
import logging
import uuid
from dataclasses import dataclass, field

import pytest
from starlette.responses import Response
from starlette.testclient import TestClient
from starlette.types import Receive, Scope, Send

from gateway.metrics import Metrics
from gateway.middleware.correlation import CorrelationIdMiddleware
from gateway.middleware.response_validation import ResponseValidationMiddleware
from gateway.request_scope import RESPONSE_DOCUMENT_KEY
from tests.unit.gateway.validation_support import CONTRACT, FakeRouting

JSON_CT = "application/json"
PROBLEM_CT = "application/problem+json"
WIDGET = {"id": "w1", "name": "bolt", "note": None}


@dataclass(frozen=True)
class Answer:
    """What the stand-in backend answers."""

    status: int
    body: bytes = b""
    content_type: str | None = JSON_CT
    headers: dict[str, str] = field(default_factory=dict)


def _json(doc: object) -> bytes:
    return json.dumps(doc).encode()


@dataclass(frozen=True)
class Case:
    name: str
    method: str
    path: str
    answer: Answer
    passes: bool


LIST = "/widgets/v1/widgets"
PAGE = _json({"data": [WIDGET]})
TOTAL = {"X-Total": "1"}

CASES = [
    Case("documented status, valid body", "GET", LIST, Answer(200, PAGE, headers=TOTAL), True),
    Case("undocumented status", "POST", LIST, Answer(200, _json(WIDGET)), False),
    Case(
        "status range 4XX",
        "GET",
        LIST,
        Answer(404, _json({"type": "t", "title": "t", "status": 404}), PROBLEM_CT),
        True,
    ),
    Case("status range does not cover 5xx", "GET", LIST, Answer(500, b"{}", PROBLEM_CT), False),
    Case(
        "default covers any status",
        "POST",
        LIST,
        Answer(503, _json({"type": "t", "title": "t", "status": 503}), PROBLEM_CT),
        True,
    ),
    Case(
        "body breaks the schema",
        "GET",
        LIST,
        Answer(200, _json({"data": [{"id": "w1"}]}), headers=TOTAL),
        False,
    ),
    Case(
        "closed schema, extra property",
        "GET",
        LIST,
        Answer(200, _json({"data": [], "next": 1}), headers=TOTAL),
        False,
    ),
    Case(
        "writeOnly property not required in responses",
        "POST",
        LIST,
        Answer(201, _json(WIDGET)),
        True,
    ),
    Case(
        "nullable accepts null only", "POST", LIST, Answer(201, _json({**WIDGET, "note": 3})), False
    ),
    Case(
        "undeclared media type",
        "GET",
        LIST,
        Answer(200, b"<data/>", "application/xml", TOTAL),
        False,
    ),
    Case("no content type", "GET", LIST, Answer(200, PAGE, None, TOTAL), False),
    Case("body that is not JSON", "GET", LIST, Answer(200, b"{", headers=TOTAL), False),
    Case("required response header missing", "GET", LIST, Answer(200, PAGE), False),
    Case(
        "response header breaks its schema",
        "GET",
        LIST,
        Answer(200, PAGE, headers={"X-Total": "-1"}),
        False,
    ),
    Case(
        "optional response header breaks its schema",
        "GET",
        LIST,
        Answer(200, PAGE, headers={**TOTAL, "X-Note": "toolong"}),
        False,
    ),
    Case("no content declared, none sent", "POST", LIST, Answer(204, b"", None), True),
    Case("no content declared, body sent", "POST", LIST, Answer(204, b"{}"), False),
    Case("HEAD answers carry no body", "HEAD", LIST, Answer(200, b"", headers=TOTAL), True),
    Case(
        "501 from an unimplemented operation",
        "GET",
        LIST,
        Answer(501, _json({"type": "t"}), PROBLEM_CT),
        True,
    ),
    Case("501 that is not a problem", "GET", LIST, Answer(501, b"nope", "text/plain"), False),
    Case(
        "no content declared, empty body", "PATCH", "/widgets/v1/widgets/1", Answer(200, b""), True
    ),
]


def _client(answer: Answer, metrics: Metrics, *, max_body_bytes: int = 1 << 20) -> TestClient:
    async def backend(scope: Scope, receive: Receive, send: Send) -> None:
        response = Response(answer.body, status_code=answer.status, headers=answer.headers)
        if answer.content_type is not None:
            response.headers["content-type"] = answer.content_type
        await response(scope, receive, send)

    layer = ResponseValidationMiddleware(
        backend, contracts=[CONTRACT], metrics=metrics, max_body_bytes=max_body_bytes
    )
    return TestClient(CorrelationIdMiddleware(FakeRouting(layer)))


def _violations(metrics: Metrics, operation: str) -> float:
    value = metrics.registry.get_sample_value(
        "waybill_contract_violations_total", {"operation": operation}
    )
    return value or 0.0


@pytest.mark.parametrize("case", CASES, ids=[c.name for c in CASES])
def test_response_validation(case: Case, caplog: pytest.LogCaptureFixture) -> None:
    metrics = Metrics()
    client = _client(case.answer, metrics)
    operation = {"GET": "listWidgets", "HEAD": "listWidgets", "POST": "createWidget"}.get(
        case.method, "patchWidget"
    )
    with caplog.at_level(logging.ERROR, logger="waybill.contract"):
        response = client.request(case.method, case.path)
    if case.passes:
        assert response.status_code == case.answer.status
        assert response.content == (b"" if case.method == "HEAD" else case.answer.body)
        assert _violations(metrics, operation) == 0
        assert not caplog.records
        return
    assert response.status_code == 502
    problem = response.json()
    assert problem["type"] == "https://waybill.dev/problems/contract-violation"
    assert problem["correlationId"] == response.headers["x-correlation-id"]
    # Nothing of the offending answer is passed on.
    assert set(problem) == {"type", "title", "status", "detail", "correlationId"}
    assert _violations(metrics, operation) == 1
    [record] = caplog.records
    assert record.operation == operation  # type: ignore[attr-defined]
    assert record.violations  # type: ignore[attr-defined]


def test_oversize_response_is_refused_not_buffered_forever() -> None:
    metrics = Metrics()
    body = _json({"data": [WIDGET] * 100})
    client = _client(Answer(200, body, headers=TOTAL), metrics, max_body_bytes=len(body) - 1)
    response = client.get(LIST)
    assert response.status_code == 502
    assert _violations(metrics, "listWidgets") == 1


def test_unrouted_responses_pass_untouched() -> None:
    metrics = Metrics()
    response = _client(Answer(418, b"teapot", "text/plain"), metrics).get("/elsewhere")
    assert response.status_code == 418
    assert response.text == "teapot"


def _client_handing(document: object, body: bytes) -> TestClient:
    """A backend that leaves the object it encoded in the scope, as the dispatch layer does."""

    async def backend(scope: Scope, receive: Receive, send: Send) -> None:
        scope["state"][RESPONSE_DOCUMENT_KEY] = document
        response = Response(body, headers={**TOTAL, "content-type": JSON_CT})
        await response(scope, receive, send)

    layer = ResponseValidationMiddleware(backend, contracts=[CONTRACT], metrics=Metrics())
    return TestClient(CorrelationIdMiddleware(FakeRouting(layer)))


def test_a_handed_document_that_keeps_the_contract_spares_parsing_the_body() -> None:
    # Bytes that are not JSON at all pass: the object they came from was checked instead.
    assert _client_handing({"data": [WIDGET]}, b"not parsed").get(LIST).status_code == 200


def test_a_handed_document_that_breaks_the_contract_is_judged_on_the_body() -> None:
    bad = {"data": [{"id": 1}]}
    assert _client_handing(bad, _json(bad)).get(LIST).status_code == 502
    # What would have left is what counts: an object the encoder rendered validly passes.
    assert _client_handing(bad, PAGE).get(LIST).status_code == 200


def test_a_handed_document_with_non_json_types_falls_back_to_the_body() -> None:
    document = {"data": [{**WIDGET, "id": uuid.UUID(int=1)}]}
    body = _json({"data": [{**WIDGET, "id": str(uuid.UUID(int=1))}]})
    response = _client_handing(document, body).get(LIST)
    assert response.status_code == 200
    assert response.content == body
