"""OAuth2 token endpoint (client credentials, RFC 6749 §4.4) and the JWKS of our signing keys."""

from __future__ import annotations

import base64
import binascii
import logging
import os
from collections.abc import Awaitable, Callable
from urllib.parse import parse_qsl, unquote_plus

import anyio
import anyio.to_thread
from starlette.requests import Request
from starlette.responses import JSONResponse, Response

from gateway.services.clients import Client
from gateway.services.identity import Identity

Endpoint = Callable[[Request], Awaitable[Response]]
log = logging.getLogger("waybill.oauth")
_MAX_FORM_BYTES = 16 * 1024
_NO_STORE = {"Cache-Control": "no-store", "Pragma": "no-cache"}
# Each secret check is an scrypt run holding 16 MiB and tens of milliseconds of CPU. Without a
# bound, a burst of token requests takes every worker thread at once (40 x 16 MiB per process);
# with one, the burst queues for a few slots and the rest of the gateway keeps its threads.
HASHING_SLOTS = max(1, min(4, os.cpu_count() or 1))


class OAuthError(Exception):
    """An RFC 6749 §5.2 error response."""

    def __init__(self, error: str, description: str, *, status: int = 400) -> None:
        super().__init__(description)
        self.error = error
        self.description = description
        self.status = status

    def response(self) -> JSONResponse:
        headers = dict(_NO_STORE)
        if self.status == 401:
            # RFC 6749 §5.2: a client that tried HTTP authentication is told the scheme.
            headers["WWW-Authenticate"] = 'Basic realm="waybill"'
        if self.status == 503:
            headers["Retry-After"] = "1"
        return JSONResponse(
            {"error": self.error, "error_description": self.description},
            status_code=self.status,
            headers=headers,
        )


def _invalid_client(description: str) -> OAuthError:
    return OAuthError("invalid_client", description, status=401)


async def _form(request: Request) -> dict[str, str]:
    content_type = request.headers.get("content-type", "").split(";", 1)[0].strip().lower()
    if content_type != "application/x-www-form-urlencoded":
        raise OAuthError("invalid_request", "The body must be application/x-www-form-urlencoded.")
    body = b""
    async for chunk in request.stream():
        body += chunk
        if len(body) > _MAX_FORM_BYTES:
            raise OAuthError("invalid_request", "The request body is too large.")
    try:
        pairs = parse_qsl(body.decode("ascii"), keep_blank_values=True, strict_parsing=bool(body))
    except (UnicodeDecodeError, ValueError) as exc:
        raise OAuthError("invalid_request", "The request body is not a valid form.") from exc
    form: dict[str, str] = {}
    for name, value in pairs:
        if name in form:
            # RFC 6749 §3.2: parameters must not be included more than once.
            raise OAuthError("invalid_request", f"The parameter '{name}' is repeated.")
        form[name] = value
    return form


def _credentials(request: Request, form: dict[str, str]) -> tuple[str, str]:
    """``client_secret_basic`` or ``client_secret_post``, never both (RFC 6749 §2.3)."""
    header = request.headers.get("authorization")
    in_body = "client_id" in form or "client_secret" in form
    if header is not None:
        if in_body:
            raise OAuthError("invalid_request", "Use one client authentication method, not two.")
        scheme, _, encoded = header.strip().partition(" ")
        if scheme.lower() != "basic":
            raise _invalid_client("Client authentication must use HTTP Basic or the form.")
        try:
            decoded = base64.b64decode(encoded.strip(), validate=True).decode("utf-8")
        except (binascii.Error, UnicodeDecodeError) as exc:
            raise _invalid_client("The Basic credentials are malformed.") from exc
        client_id, sep, secret = decoded.partition(":")
        if not sep:
            raise _invalid_client("The Basic credentials are malformed.")
        # RFC 6749 §2.3.1: id and secret are form-encoded before Basic encoding.
        return unquote_plus(client_id), unquote_plus(secret)
    if not in_body:
        raise _invalid_client("The client did not authenticate.")
    client_id, secret = form.get("client_id", ""), form.get("client_secret", "")
    if not client_id or not secret:
        raise _invalid_client("Both client_id and client_secret are needed.")
    return client_id, secret


def _granted_scopes(client: Client, requested: str | None) -> frozenset[str]:
    if requested is None:
        return client.scopes
    scopes = frozenset(requested.split(" "))
    if not requested or "" in scopes:
        raise OAuthError("invalid_scope", "The scope parameter is malformed.")
    unknown = sorted(scopes - client.scopes)
    if unknown:
        raise OAuthError("invalid_scope", f"The client may not request '{unknown[0]}'.")
    return scopes


def token_endpoint(identity: Identity, *, hashing_slots: int = HASHING_SLOTS) -> Endpoint:
    """``POST /oauth/token``: exchange client credentials for an access token."""
    slots: anyio.CapacityLimiter | None = None  # made on first use: it belongs to the event loop

    async def token(request: Request) -> Response:
        nonlocal slots
        if slots is None:
            slots = anyio.CapacityLimiter(hashing_slots)
        try:
            form = await _form(request)
            client_id, secret = _credentials(request, form)
            grant_type = form.get("grant_type")
            if not grant_type:
                raise OAuthError("invalid_request", "The grant_type parameter is missing.")
            # scrypt takes tens of milliseconds: keep it off the event loop.
            try:
                client = await anyio.to_thread.run_sync(
                    identity.clients.authenticate, client_id, secret, limiter=slots
                )
            except Exception as exc:  # the client store is down: any driver error alike
                log.exception("cannot authenticate clients: client store unavailable")
                raise OAuthError(
                    "temporarily_unavailable", "Try again shortly.", status=503
                ) from exc
            if client is None:
                raise _invalid_client("Unknown client, wrong secret or revoked client.")
            if grant_type != "client_credentials":
                raise OAuthError(
                    "unsupported_grant_type", "Only the client_credentials grant is supported."
                )
            scopes = _granted_scopes(client, form.get("scope"))
        except OAuthError as error:
            return error.response()
        issued = identity.issuer.issue(client.client_id, scopes, client.sites)
        return JSONResponse(
            {
                "access_token": issued.access_token,
                "token_type": "Bearer",
                "expires_in": issued.expires_in,
                "scope": issued.scope,
            },
            headers=_NO_STORE,
        )

    return token


def jwks_endpoint(identity: Identity) -> Endpoint:
    """``GET /.well-known/jwks.json``: the public keys of every active signing key."""

    async def jwks(_request: Request) -> Response:
        return JSONResponse(
            identity.keys.public_jwks(),
            headers={"Cache-Control": "public, max-age=300"},
        )

    return jwks
