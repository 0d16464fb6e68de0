"""Review findings on the security layer: a registry outage is a 503, never a 500 or a 401."""

from __future__ import annotations

import json

from starlette.types import Message, Receive, Scope, Send

from gateway.middleware.security import SecurityMiddleware
from gateway.services.tokens import TokenVerifier, VerifiedToken
from tests.support.security import probe_contract

CONTRACT = probe_contract()


class _RegistryDown(TokenVerifier):
    """A verifier whose client registry (SQLite/PostgreSQL) does not answer."""

    def __init__(self) -> None:
        """Nothing to set up: every verification fails the same way."""

    async def verify(self, token: str) -> VerifiedToken:
        raise ConnectionError("database is down")


async def _never(scope: Scope, receive: Receive, send: Send) -> None:
    raise AssertionError("the operation must not run")


async def test_a_registry_outage_is_503_not_500() -> None:
    app = SecurityMiddleware(_never, contracts=[CONTRACT], verifier=_RegistryDown())
    scope: Scope = {
        "type": "http",
        "method": "GET",
        "path": "/probe/v1/things",
        "headers": [(b"authorization", b"Bearer a.b.c")],
        "extensions": {
            "connexion_routing": {"api_base_path": "/probe/v1", "operation_id": "listThings"}
        },
    }
    sent: list[Message] = []

    async def receive() -> Message:
        return {"type": "http.request", "body": b"", "more_body": False}

    async def send(message: Message) -> None:
        sent.append(message)

    await app(scope, receive, send)
    headers = dict(sent[0]["headers"])
    assert sent[0]["status"] == 503
    assert headers[b"content-type"] == b"application/problem+json"
    assert headers[b"retry-after"] == b"1"
    assert b"www-authenticate" not in headers
    assert json.loads(sent[1]["body"])["type"].endswith("/backend-unavailable")
