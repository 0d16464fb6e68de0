"""The dispatch layer calls handlers with the validated, typed request and sends their answer."""

from __future__ import annotations

import json
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

from starlette.testclient import TestClient
from starlette.types import ASGIApp, Receive, Scope, Send

from gateway.contracts import LoadedContract, ServedContract
from gateway.middleware.dispatch import DispatchMiddleware
from gateway.request_scope import NO_BODY, VALIDATED_KEY, ValidatedRequest, current_scope

DOC: dict[str, Any] = {
    "openapi": "3.0.3",
    "info": {"title": "t", "version": "1"},
    "paths": {
        "/things/{thingId}": {
            "post": {
                "operationId": "touchThing",
                "parameters": [
                    {"name": "thingId", "in": "path", "required": True},
                    {"name": "limit", "in": "query", "schema": {"$ref": "#/components/schemas/L"}},
                ],
            }
        }
    },
    "components": {"schemas": {"L": {"type": "integer", "default": 50}}},
}
CONTRACT = LoadedContract(ServedContract("things", 1, Path("things/v1.yaml")), DOC)
KEY = ("/things/v1", "touchThing")
seen: dict[str, object] = {}


async def touch_thing(thingId: str, limit: int, body: dict[str, Any]) -> object:  # noqa: N803
    seen.update(thingId=thingId, limit=limit, body=body, scope=current_scope.get() is not None)
    return {"ok": True, "at": None}, 201, {"Location": f"/things/v1/things/{thingId}"}


async def fallback(scope: Scope, receive: Receive, send: Send) -> None:
    await send({"type": "http.response.start", "status": 418, "headers": []})
    await send({"type": "http.response.body", "body": b"connexion"})


def _client(validated: ValidatedRequest | None) -> TestClient:
    inner = DispatchMiddleware(fallback, contracts=[CONTRACT], handlers={KEY: touch_thing})

    async def app(scope: Scope, receive: Receive, send: Send) -> None:
        scope.setdefault("extensions", {})["connexion_routing"] = {
            "api_base_path": KEY[0],
            "operation_id": KEY[1],
        }
        if validated is not None:
            scope.setdefault("state", {})[VALIDATED_KEY] = validated
        await inner(scope, receive, send)

    wrapped: ASGIApp = app
    return TestClient(wrapped)


def test_handler_gets_typed_values_contract_defaults_and_the_parsed_body() -> None:
    seen.clear()
    validated = ValidatedRequest({"thingId": "T-1"}, {}, {}, {"qty": "2"})
    response = _client(validated).post("/things/T-1")
    assert response.status_code == 201
    assert response.json() == {"ok": True, "at": None}
    assert response.headers["location"] == "/things/v1/things/T-1"
    assert response.headers["content-type"] == "application/json"
    assert seen == {"thingId": "T-1", "limit": 50, "body": {"qty": "2"}, "scope": True}
    assert current_scope.get() is None  # reset after the call


def test_query_values_override_defaults_and_unaccepted_names_are_dropped() -> None:
    seen.clear()
    validated = ValidatedRequest({"thingId": "T-2"}, {"limit": 5, "other": "x"}, {}, {})
    assert _client(validated).post("/things/T-2").status_code == 201
    assert seen["limit"] == 5


def test_unvalidated_requests_go_on_to_connexion() -> None:
    assert _client(None).post("/things/T-3").text == "connexion"


def test_the_encoded_document_is_handed_on_only_when_it_is_plain_json() -> None:
    from gateway.middleware.dispatch import _response

    plain = {"ok": True, "n": [1, "2"]}
    status, headers, payload, document = _response((plain, 200))
    assert (status, document, json.loads(payload)) == (200, plain, plain)
    assert (b"content-type", b"application/json") in headers
    at = datetime(2026, 11, 26, tzinfo=UTC)
    _, _, payload, document = _response({"at": at})
    assert document is NO_BODY
    assert json.loads(payload) == {"at": "2026-11-26T00:00:00+00:00"}
