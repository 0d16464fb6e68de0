"""Review findings on tenant scope: site ids are checked wherever a contract puts them — nested
body objects, array items, arrays of site ids, header and comma-separated query parameters."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from starlette.types import Message, Receive, Scope, Send

from gateway.contracts import LoadedContract, ServedContract
from gateway.domain.access import PRINCIPAL_CONTEXT_KEY, Principal
from gateway.middleware.tenancy import EACH, TenancyMiddleware, compile_site_inputs
from registry.loading import JSON

SITE: JSON = {"$ref": "#/components/schemas/SiteId"}
CONTRACT = LoadedContract(
    ServedContract("probe", 1, Path("probe/v1.yaml")),
    {
        "openapi": "3.0.3",
        "info": {"title": "probe", "version": "1"},
        "components": {"schemas": {"SiteId": {"type": "string"}}},
        "paths": {
            "/moves": {
                "get": {
                    "operationId": "listMoves",
                    "parameters": [
                        {
                            "name": "sites",
                            "in": "query",
                            "schema": {"type": "array", "items": SITE},
                        },
                        {"name": "X-Site", "in": "header", "schema": SITE},
                    ],
                },
                "post": {
                    "operationId": "createMove",
                    "requestBody": {
                        "content": {
                            "application/json": {
                                "schema": {
                                    "type": "object",
                                    "properties": {
                                        "origin": {
                                            "type": "object",
                                            "properties": {"siteId": SITE},
                                        },
                                        "lines": {
                                            "type": "array",
                                            "items": {
                                                "type": "object",
                                                "properties": {"toSiteId": {"type": "string"}},
                                            },
                                        },
                                        "watchers": {"type": "array", "items": SITE},
                                        "billedTo": {"allOf": [SITE], "description": "wrapped"},
                                    },
                                }
                            }
                        }
                    },
                },
            }
        },
    },
)
ALICE = Principal("alice", frozenset(), frozenset({"DC-EAST", "DC-NORTH"}))


def test_site_ids_are_found_wherever_the_contract_puts_them() -> None:
    inputs = compile_site_inputs([CONTRACT])
    listing, creating = inputs[("/probe/v1", "listMoves")], inputs[("/probe/v1", "createMove")]
    assert listing.query == ("sites",)
    assert listing.header == ("x-site",)
    assert set(creating.body) == {
        ("origin", "siteId"),
        ("lines", EACH, "toSiteId"),
        ("watchers",),
        ("billedTo",),
    }


async def _status(
    method: str, query: bytes, headers: list[tuple[bytes, bytes]], body: bytes
) -> int:
    operation = "listMoves" if method == "GET" else "createMove"
    reached: list[bool] = []

    async def app(scope: Scope, receive: Receive, send: Send) -> None:
        reached.append(True)
        await send({"type": "http.response.start", "status": 200, "headers": []})
        await send({"type": "http.response.body", "body": b""})

    scope: Scope = {
        "type": "http",
        "method": method,
        "path": "/probe/v1/moves",
        "query_string": query,
        "headers": [(b"content-type", b"application/json"), *headers],
        "extensions": {
            "connexion_routing": {"api_base_path": "/probe/v1", "operation_id": operation},
            "connexion_context": {PRINCIPAL_CONTEXT_KEY: ALICE},
        },
    }
    sent: list[Message] = []

    async def receive() -> Message:
        return {"type": "http.request", "body": body, "more_body": False}

    async def send(message: Message) -> None:
        sent.append(message)

    await TenancyMiddleware(app, contracts=[CONTRACT])(scope, receive, send)
    assert bool(reached) == (sent[0]["status"] == 200)
    status: int = sent[0]["status"]
    return status


OWN = {
    "origin": {"siteId": "DC-EAST"},
    "lines": [{"toSiteId": "DC-NORTH"}, {"toSiteId": "DC-EAST"}],
    "watchers": ["DC-EAST", "DC-NORTH"],
    "billedTo": "DC-NORTH",
}
CASES = [
    # (method, query, headers, body, expected status)
    ("GET", b"sites=DC-EAST&sites=DC-NORTH", [], {}, 200),
    ("GET", b"sites=DC-EAST&sites=DC-WEST", [], {}, 404),
    ("GET", b"sites=DC-EAST,DC-WEST", [], {}, 404),  # style=form, explode=false
    ("GET", b"", [(b"x-site", b"DC-EAST")], {}, 200),
    ("GET", b"", [(b"x-site", b"DC-WEST")], {}, 404),
    ("POST", b"", [], OWN, 200),
    ("POST", b"", [], {**OWN, "origin": {"siteId": "DC-WEST"}}, 404),
    ("POST", b"", [], {**OWN, "lines": [{"toSiteId": "DC-EAST"}, {"toSiteId": "DC-WEST"}]}, 404),
    ("POST", b"", [], {**OWN, "watchers": ["DC-EAST", "DC-WEST"]}, 404),
    ("POST", b"", [], {**OWN, "billedTo": "DC-WEST"}, 404),
    ("POST", b"", [], {"lines": "not a list", "origin": ["odd"]}, 200),  # validation's job
]


@pytest.mark.parametrize(("method", "query", "headers", "body", "status"), CASES)
async def test_a_site_outside_the_token_is_404_wherever_it_is(
    method: str,
    query: bytes,
    headers: list[tuple[bytes, bytes]],
    body: dict[str, object],
    status: int,
) -> None:
    assert await _status(method, query, headers, json.dumps(body).encode()) == status
