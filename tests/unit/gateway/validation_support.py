"""A small contract and a stand-in for Connexion's routing, shared by the validation tests."""

from __future__ import annotations

import re
from pathlib import Path

from starlette.types import ASGIApp, Receive, Scope, Send

from gateway.contracts import LoadedContract, ServedContract
from registry.loading import JSON, Document

BASE = "/widgets/v1"

_PROBLEM: JSON = {
    "application/problem+json": {"schema": {"$ref": "#/components/schemas/Problem"}},
}

DOCUMENT: Document = {
    "openapi": "3.0.3",
    "info": {"title": "Widgets", "version": "1.0.0"},
    "paths": {
        "/widgets": {
            "get": {
                "operationId": "listWidgets",
                "parameters": [
                    {"$ref": "#/components/parameters/Limit"},
                    {"name": "flag", "in": "query", "schema": {"type": "boolean"}},
                    {"name": "ratio", "in": "query", "schema": {"type": "number"}},
                    {
                        "name": "status",
                        "in": "query",
                        "schema": {"$ref": "#/components/schemas/Status"},
                    },
                    {
                        "name": "code",
                        "in": "query",
                        "schema": {"type": "string", "pattern": "^[A-Z]{3}$"},
                    },
                    {
                        "name": "tag",
                        "in": "query",
                        "schema": {"type": "array", "items": {"type": "string"}, "maxItems": 2},
                    },
                    {
                        "name": "ids",
                        "in": "query",
                        "explode": False,
                        "schema": {"type": "array", "items": {"type": "integer", "minimum": 1}},
                    },
                    {
                        "name": "empty",
                        "in": "query",
                        "allowEmptyValue": True,
                        "schema": {"type": "string"},
                    },
                    {
                        "name": "X-Shelves",
                        "in": "header",
                        "schema": {"type": "array", "items": {"type": "integer", "maximum": 9}},
                    },
                    {
                        "name": "X-Tenant",
                        "in": "header",
                        "required": True,
                        "schema": {"type": "string", "pattern": "^t-[0-9]+$"},
                    },
                ],
                "responses": {
                    "200": {
                        "description": "A page.",
                        "headers": {
                            "X-Total": {
                                "required": True,
                                "schema": {"type": "integer", "minimum": 0},
                            },
                            "X-Note": {"schema": {"type": "string", "maxLength": 5}},
                        },
                        "content": {
                            "application/json": {"schema": {"$ref": "#/components/schemas/Page"}}
                        },
                    },
                    "4XX": {"description": "Client error.", "content": _PROBLEM},
                },
            },
            "post": {
                "operationId": "createWidget",
                "parameters": [
                    {
                        "name": "Idempotency-Key",
                        "in": "header",
                        "required": True,
                        "schema": {"type": "string", "minLength": 8},
                    }
                ],
                "requestBody": {
                    "required": True,
                    "content": {
                        "application/json": {"schema": {"$ref": "#/components/schemas/Widget"}}
                    },
                },
                "responses": {
                    "201": {
                        "description": "Created.",
                        "content": {
                            "application/json": {"schema": {"$ref": "#/components/schemas/Widget"}}
                        },
                    },
                    "204": {"description": "Nothing to say."},
                    "default": {"description": "Any error.", "content": _PROBLEM},
                },
            },
        },
        "/widgets/{widgetId}": {
            "parameters": [
                {
                    "name": "widgetId",
                    "in": "path",
                    "required": True,
                    "schema": {"type": "integer", "minimum": 1},
                }
            ],
            "patch": {
                "operationId": "patchWidget",
                "requestBody": {
                    "content": {
                        "application/merge-patch+json": {
                            "schema": {"type": "object", "properties": {"name": {"type": "string"}}}
                        },
                        "text/*": {"schema": {"type": "string"}},
                    }
                },
                "responses": {"200": {"description": "Patched."}},
            },
        },
    },
    "components": {
        "parameters": {
            "Limit": {
                "name": "limit",
                "in": "query",
                "schema": {"type": "integer", "minimum": 1, "maximum": 10},
            }
        },
        "schemas": {
            "Status": {"type": "string", "enum": ["OPEN", "CLOSED"]},
            "Widget": {
                "type": "object",
                "required": ["id", "name", "note", "secret"],
                "properties": {
                    "id": {"type": "string", "readOnly": True},
                    "name": {"type": "string", "minLength": 1, "example": "bolt"},
                    "note": {"type": "string", "nullable": True},
                    "size": {"type": "number", "minimum": 0, "exclusiveMinimum": True},
                    "secret": {"type": "string", "writeOnly": True},
                },
                "additionalProperties": False,
            },
            "Page": {
                "type": "object",
                "required": ["data"],
                "properties": {
                    "data": {"type": "array", "items": {"$ref": "#/components/schemas/Widget"}}
                },
                "additionalProperties": False,
            },
            "Problem": {
                "type": "object",
                "required": ["type", "title", "status"],
                "properties": {
                    "type": {"type": "string"},
                    "title": {"type": "string"},
                    "status": {"type": "integer"},
                },
            },
        },
    },
}

CONTRACT = LoadedContract(ServedContract("widgets", 1, Path("widgets/v1.yaml")), DOCUMENT)

_ROUTES = [
    ("GET", re.compile(r"^/widgets/v1/widgets$"), "listWidgets"),
    ("POST", re.compile(r"^/widgets/v1/widgets$"), "createWidget"),
    ("PATCH", re.compile(r"^/widgets/v1/widgets/(?P<widgetId>[^/]+)$"), "patchWidget"),
]


class FakeRouting:
    """Puts the routed operation and path parameters into the scope, as Connexion does."""

    def __init__(self, app: ASGIApp) -> None:
        self.app = app

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] == "http":
            for method, pattern, operation_id in _ROUTES:
                match = pattern.match(scope["path"])
                if match and scope["method"] in (method, "HEAD" if method == "GET" else method):
                    scope.setdefault("extensions", {})["connexion_routing"] = {
                        "api_base_path": BASE,
                        "operation_id": operation_id,
                    }
                    scope["path_params"] = match.groupdict()
        await self.app(scope, receive, send)
