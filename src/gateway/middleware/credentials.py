"""The request's bearer credential, checked once and shared through the ASGI scope.

The rate-limit layer needs the verified caller to pick a bucket, before routing; the security
layer needs the same verdict to answer 401/403 per operation. The first to ask verifies and
leaves a ``Credentials`` under ``scope["state"]``; the other reads it.
"""

from __future__ import annotations

import logging
from collections.abc import Awaitable
from dataclasses import dataclass
from typing import Literal

from starlette.types import Scope

from gateway.services.tokens import InvalidTokenError, TokenVerifier, VerifiedToken

log = logging.getLogger("waybill.security")
CREDENTIALS_KEY = "waybill.credentials"
# absent: no bearer credential; malformed: an unusable Authorization header; invalid: a token
# the verifier rejected; unavailable: the client registry could not be asked.
CredentialsKind = Literal["absent", "malformed", "invalid", "valid", "unavailable"]


@dataclass(frozen=True)
class Credentials:
    """What the Authorization header proved: a verified token, or why not."""

    kind: CredentialsKind
    verified: VerifiedToken | None = None
    error: str | None = None  # shown to the caller (WWW-Authenticate, problem detail)


ABSENT = Credentials("absent")
UNAVAILABLE = Credentials("unavailable")


def bearer_token(scope: Scope) -> tuple[str | None, str | None]:
    """``(token, error)``: the bearer token, or why the Authorization header is unusable.

    Both None when the request carries no credentials at all.
    """
    values = [v for k, v in scope.get("headers", ()) if k == b"authorization"]
    if not values:
        return None, None
    if len(values) > 1:
        return None, "The request carries more than one Authorization header."
    raw = values[0].decode("latin-1").strip()
    scheme, _, credentials = raw.partition(" ")
    if scheme.lower() != "bearer":
        return None, None  # another scheme is no bearer credential at all (RFC 6750 §3)
    token = credentials.strip()
    if not token:
        return None, "The bearer token is empty."
    return token, None


def unverified(scope: Scope) -> tuple[str | None, Credentials | None]:
    """``(token, None)`` when there is a token to verify, else ``(None, verdict)``."""
    token, error = bearer_token(scope)
    if token is not None:
        return token, None
    return None, ABSENT if error is None else Credentials("malformed", error=error)


async def recalled(token: str, verifier: TokenVerifier) -> Credentials | None:
    """The verdict on a token whose signature checked out before; None when it needs verifying."""
    return await _judged(verifier.recall(token))


async def verified(token: str, verifier: TokenVerifier) -> Credentials:
    """The verifier's verdict on ``token`` (a full check when it was not seen before)."""
    verdict = await _judged(verifier.verify(token))
    return verdict or UNAVAILABLE  # never None: verify answers or raises


async def _judged(check: Awaitable[VerifiedToken | None]) -> Credentials | None:
    try:
        found = await check
    except InvalidTokenError as exc:
        return Credentials("invalid", error=exc.description)
    except Exception:  # the client registry's store is down: any driver error alike
        log.exception("cannot verify tokens: client registry unavailable")
        return UNAVAILABLE
    return None if found is None else Credentials("valid", found)


def remember(scope: Scope, credentials: Credentials) -> None:
    """Leave the verdict for the later layers of this request."""
    scope.setdefault("state", {})[CREDENTIALS_KEY] = credentials


def remembered(scope: Scope) -> Credentials | None:
    """The verdict an earlier layer left, or None when none checked the credential."""
    found = scope.get("state", {}).get(CREDENTIALS_KEY)
    return found if isinstance(found, Credentials) else None


async def credentials_of(scope: Scope, verifier: TokenVerifier) -> Credentials:
    """The remembered verdict, else one reached now (and remembered)."""
    found = remembered(scope)
    if found is None:
        token, found = unverified(scope)
        if token is not None:
            found = await verified(token, verifier)
        assert found is not None
        remember(scope, found)
    return found
