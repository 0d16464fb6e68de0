"""Request validation: strict parameters (coerced from the wire), bodies, content types."""

from __future__ import annotations

import json
from dataclasses import dataclass, field

import pytest
from starlette.applications import Starlette
from starlette.requests import Request
from starlette.responses import JSONResponse
from starlette.routing import Route
from starlette.testclient import TestClient

from gateway.middleware.correlation import CorrelationIdMiddleware
from gateway.middleware.request_validation import RequestValidationMiddleware
from gateway.validation import SchemaCompiler
from tests.unit.gateway.validation_support import CONTRACT, DOCUMENT, FakeRouting

TENANT = {"X-Tenant": "t-1"}
KEY = {"Idempotency-Key": "key-00000001"}
WIDGET = {"name": "bolt", "note": None, "secret": "s3cret"}


async def echo(request: Request) -> JSONResponse:
    body = await request.body()
    return JSONResponse({"body": body.decode("latin-1")})


@pytest.fixture(scope="module")
def client() -> TestClient:
    routes = [
        Route("/widgets/v1/widgets", echo, methods=["GET", "POST"]),
        Route("/widgets/v1/widgets/{widgetId}", echo, methods=["PATCH"]),
        Route("/unrouted", echo, methods=["GET"]),
    ]
    inner = RequestValidationMiddleware(Starlette(routes=routes), contracts=[CONTRACT])
    return TestClient(CorrelationIdMiddleware(FakeRouting(inner)))


@dataclass(frozen=True)
class Case:
    name: str
    url: str
    status: int = 200
    slug: str | None = None
    pointers: tuple[str, ...] = ()
    method: str = "GET"
    headers: dict[str, str] = field(default_factory=lambda: dict(TENANT))
    body: bytes | None = None


def _json(doc: object) -> bytes:
    return json.dumps(doc).encode()


JSON_CT = {"content-type": "application/json"}

CASES = [
    Case("no parameters at all", "/widgets/v1/widgets"),
    Case("integer coerced", "/widgets/v1/widgets?limit=10"),
    Case(
        "integer above maximum",
        "/widgets/v1/widgets?limit=11",
        400,
        "validation-failed",
        ("limit",),
    ),
    Case(
        "integer that is not one",
        "/widgets/v1/widgets?limit=ten",
        400,
        "validation-failed",
        ("limit",),
    ),
    Case("boolean coerced", "/widgets/v1/widgets?flag=false"),
    Case(
        "boolean spelled otherwise",
        "/widgets/v1/widgets?flag=yes",
        400,
        "validation-failed",
        ("flag",),
    ),
    Case("number coerced", "/widgets/v1/widgets?ratio=-1.5e2"),
    Case(
        "number that is not one",
        "/widgets/v1/widgets?ratio=NaN",
        400,
        "validation-failed",
        ("ratio",),
    ),
    Case("enum through a $ref", "/widgets/v1/widgets?status=OPEN"),
    Case("bad enum", "/widgets/v1/widgets?status=open", 400, "validation-failed", ("status",)),
    Case("bad pattern", "/widgets/v1/widgets?code=AB1", 400, "validation-failed", ("code",)),
    Case(
        "unknown query parameter", "/widgets/v1/widgets?limt=5", 400, "validation-failed", ("limt",)
    ),
    Case(
        "scalar given twice",
        "/widgets/v1/widgets?limit=1&limit=2",
        400,
        "validation-failed",
        ("limit",),
    ),
    # An empty value is a value: the schema decides (allowEmptyValue is deprecated in 3.0.3).
    Case(
        "empty value breaking a pattern",
        "/widgets/v1/widgets?code=",
        400,
        "validation-failed",
        ("code",),
    ),
    Case(
        "empty value that is no integer",
        "/widgets/v1/widgets?limit=",
        400,
        "validation-failed",
        ("limit",),
    ),
    Case("empty value for a plain string", "/widgets/v1/widgets?empty="),
    Case("exploded array", "/widgets/v1/widgets?tag=a&tag=b"),
    Case(
        "exploded array too long",
        "/widgets/v1/widgets?tag=a&tag=b&tag=c",
        400,
        "validation-failed",
        ("tag",),
    ),
    Case("comma-separated array of integers", "/widgets/v1/widgets?ids=1,2,3"),
    Case(
        "array item breaks its schema",
        "/widgets/v1/widgets?ids=1,0",
        400,
        "validation-failed",
        ("ids/1",),
    ),
    Case(
        "missing required header",
        "/widgets/v1/widgets",
        400,
        "validation-failed",
        ("X-Tenant",),
        headers={},
    ),
    Case(
        "header breaks its pattern",
        "/widgets/v1/widgets",
        400,
        "validation-failed",
        ("X-Tenant",),
        headers={"X-Tenant": "x"},
    ),
    Case(
        "header array of integers, blanks around commas",
        "/widgets/v1/widgets",
        headers={**TENANT, "X-Shelves": "1, 2,3"},
    ),
    Case(
        "header array item breaks its schema",
        "/widgets/v1/widgets",
        400,
        "validation-failed",
        ("X-Shelves/1",),
        headers={**TENANT, "X-Shelves": "1, 12"},
    ),
    Case(
        "errors are all reported",
        "/widgets/v1/widgets?limit=0&status=X&bogus=1",
        400,
        "validation-failed",
        ("limit", "status", "bogus"),
    ),
    Case("unrouted requests pass", "/unrouted?anything=goes", headers={}),
    Case(
        "valid body",
        "/widgets/v1/widgets",
        200,
        method="POST",
        headers={**KEY, **JSON_CT},
        body=_json(WIDGET),
    ),
    Case(
        "readOnly property not required in requests",
        "/widgets/v1/widgets",
        200,
        method="POST",
        headers={**KEY, **JSON_CT},
        body=_json({"name": "x", "note": "n", "secret": "s"}),
    ),
    Case(
        "nullable accepts null, not other types",
        "/widgets/v1/widgets",
        400,
        "validation-failed",
        ("/note",),
        method="POST",
        headers={**KEY, **JSON_CT},
        body=_json({**WIDGET, "note": 5}),
    ),
    Case(
        "closed schema refuses unknown properties",
        "/widgets/v1/widgets",
        400,
        "validation-failed",
        ("",),
        method="POST",
        headers={**KEY, **JSON_CT},
        body=_json({**WIDGET, "colour": "red"}),
    ),
    Case(
        "exclusive minimum (OpenAPI 3.0 boolean form)",
        "/widgets/v1/widgets",
        400,
        "validation-failed",
        ("/size",),
        method="POST",
        headers={**KEY, **JSON_CT},
        body=_json({**WIDGET, "size": 0}),
    ),
    Case(
        "example keyword is not a constraint",
        "/widgets/v1/widgets",
        200,
        method="POST",
        headers={**KEY, **JSON_CT},
        body=_json({**WIDGET, "name": "nut"}),
    ),
    Case(
        "required body missing",
        "/widgets/v1/widgets",
        400,
        "validation-failed",
        method="POST",
        headers={**KEY, **JSON_CT},
        body=b"",
    ),
    Case(
        "wrong content type",
        "/widgets/v1/widgets",
        415,
        "unsupported-media-type",
        method="POST",
        headers={**KEY, "content-type": "text/plain"},
        body=b"hello",
    ),
    Case(
        "no content type",
        "/widgets/v1/widgets",
        415,
        "unsupported-media-type",
        method="POST",
        headers=KEY,
        body=_json(WIDGET),
    ),
    Case(
        "charset parameter is fine",
        "/widgets/v1/widgets",
        200,
        method="POST",
        headers={**KEY, "content-type": "application/json; charset=utf-8"},
        body=_json(WIDGET),
    ),
    Case(
        "malformed JSON",
        "/widgets/v1/widgets",
        400,
        "malformed-body",
        method="POST",
        headers={**KEY, **JSON_CT},
        body=b'{"name": ',
    ),
    Case(
        "NaN is not JSON",
        "/widgets/v1/widgets",
        400,
        "malformed-body",
        method="POST",
        headers={**KEY, **JSON_CT},
        body=b'{"size": NaN}',
    ),
    Case(
        "body not UTF-8",
        "/widgets/v1/widgets",
        400,
        "malformed-body",
        method="POST",
        headers={**KEY, **JSON_CT},
        body=b'{"name": "\xff"}',
    ),
    Case(
        "missing required header on POST",
        "/widgets/v1/widgets",
        400,
        "validation-failed",
        ("Idempotency-Key",),
        method="POST",
        headers=JSON_CT,
        body=_json(WIDGET),
    ),
    Case(
        "path parameter coerced",
        "/widgets/v1/widgets/7",
        200,
        method="PATCH",
        headers={"content-type": "application/merge-patch+json"},
        body=b'{"name": "x"}',
    ),
    Case(
        "path parameter below minimum",
        "/widgets/v1/widgets/0",
        400,
        "validation-failed",
        ("widgetId",),
        method="PATCH",
        headers={},
        body=b"",
    ),
    Case(
        "path parameter not an integer",
        "/widgets/v1/widgets/x",
        400,
        "validation-failed",
        ("widgetId",),
        method="PATCH",
        headers={},
        body=b"",
    ),
    Case(
        "+json media type validated",
        "/widgets/v1/widgets/7",
        400,
        "validation-failed",
        ("/name",),
        method="PATCH",
        headers={"content-type": "application/merge-patch+json"},
        body=b'{"name": 1}',
    ),
    Case(
        "media range text/* matches",
        "/widgets/v1/widgets/7",
        200,
        method="PATCH",
        headers={"content-type": "text/csv"},
        body=b"a,b",
    ),
    Case(
        "optional body may be absent",
        "/widgets/v1/widgets/7",
        200,
        method="PATCH",
        headers={},
        body=b"",
    ),
]


@pytest.mark.parametrize("case", CASES, ids=[c.name for c in CASES])
def test_request_validation(client: TestClient, case: Case) -> None:
    response = client.request(case.method, case.url, headers=case.headers, content=case.body)
    assert response.status_code == case.status, response.text
    if case.slug is None:
        # Accepted requests reach the handler with the body untouched.
        assert response.json() == {"body": (case.body or b"").decode("latin-1")}
        return
    problem = response.json()
    assert response.headers["content-type"] == "application/problem+json"
    assert problem["type"] == f"https://waybill.dev/problems/{case.slug}"
    assert problem["status"] == case.status
    assert problem["correlationId"] == response.headers["x-correlation-id"]
    pointers = {error["pointer"] for error in problem.get("errors", [])}
    assert set(case.pointers) <= pointers, problem


def test_errors_are_bounded_and_short(client: TestClient) -> None:
    body = _json({**WIDGET, **{f"extra{i}": i for i in range(150)}, "note": "x" * 5000, "name": 7})
    response = client.post("/widgets/v1/widgets", headers={**KEY, **JSON_CT}, content=body)
    errors = response.json()["errors"]
    assert response.status_code == 400
    assert 0 < len(errors) <= 100
    assert all(len(error["message"]) <= 1024 for error in errors)


TRANSLATIONS = [
    # (OpenAPI 3.0 schema, JSON Schema 2020-12 it becomes)
    ({"type": "string", "nullable": True}, {"type": ["string", "null"]}),
    (
        {"type": "string", "nullable": True, "enum": ["A"]},
        {"type": ["string", "null"], "enum": ["A", None]},
    ),
    (
        {"type": "integer", "minimum": 1, "exclusiveMinimum": True},
        {"type": "integer", "exclusiveMinimum": 1},
    ),
    (
        {"type": "integer", "maximum": 9, "exclusiveMaximum": False},
        {"type": "integer", "maximum": 9},
    ),
    (
        {"$ref": "#/components/schemas/Status", "description": "ignored"},
        {"$ref": "#/components/schemas/Status"},
    ),
    (
        {
            "type": "object",
            "example": {},
            "x-internal": 1,
            "deprecated": True,
            "discriminator": {"propertyName": "k"},
        },
        {"type": "object"},
    ),
    (
        {"allOf": [{"type": "string", "nullable": True, "xml": {}}]},
        {"allOf": [{"type": ["string", "null"]}]},
    ),
    (
        {"type": "array", "items": {"type": "number", "externalDocs": {}}},
        {"type": "array", "items": {"type": "number"}},
    ),
]


@pytest.mark.parametrize(("openapi", "expected"), TRANSLATIONS)
def test_schema_translation(openapi: dict[str, object], expected: dict[str, object]) -> None:
    assert SchemaCompiler(DOCUMENT, "request").translate(openapi) == expected  # type: ignore[arg-type]


@pytest.mark.parametrize(
    ("direction", "required"),
    [("request", ["name", "note", "secret"]), ("response", ["id", "name", "note"])],
)
def test_read_only_and_write_only_properties(direction: str, required: list[str]) -> None:
    widget = DOCUMENT["components"]["schemas"]["Widget"]  # type: ignore[index,call-overload]
    translated = SchemaCompiler(DOCUMENT, direction).translate(widget)  # type: ignore[arg-type]
    assert translated["required"] == required  # type: ignore[index,call-overload]
