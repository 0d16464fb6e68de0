"""OAuth2 clients (partners): registration, secret checking, revocation, and their store port."""

from __future__ import annotations

import base64
import hashlib
import hmac
import re
import secrets
import time
from collections.abc import Iterable
from dataclasses import dataclass
from typing import Literal, Protocol

ClientStatus = Literal["active", "revoked"]

# RFC 6749 §3.3 scope-token: printable ASCII except space, '"' and '\'.
_SCOPE_TOKEN = re.compile(r"^[\x21\x23-\x5B\x5D-\x7E]+$")
# The SiteId schema of specs/openapi/common/components.yaml.
_SITE_ID = re.compile(r"^[A-Z0-9][A-Z0-9_-]{0,19}$")
_SCRYPT_N, _SCRYPT_R, _SCRYPT_P = 2**14, 8, 1


class ClientError(ValueError):
    """A client registration or change request is not acceptable."""


@dataclass(frozen=True)
class Client:
    """A registered partner; ``secret_hash`` is the only trace of its secret."""

    client_id: str
    name: str
    scopes: frozenset[str]
    sites: frozenset[str]
    secret_hash: str
    status: ClientStatus
    created_at: float
    revoked_at: float | None = None

    def public_view(self) -> dict[str, object]:
        """What ``gateway clients list`` shows: everything but the secret hash."""
        return {
            "client_id": self.client_id,
            "name": self.name,
            "scopes": sorted(self.scopes),
            "sites": sorted(self.sites),
            "status": self.status,
            "created_at": self.created_at,
            "revoked_at": self.revoked_at,
        }


class ClientStore(Protocol):
    """Where clients are kept (SQLite by default, PostgreSQL when configured)."""

    def add(self, client: Client) -> None:
        """Insert a new client; its id is unique."""
        ...

    def get(self, client_id: str) -> Client | None:
        """The client with this id, or None."""
        ...

    def list_all(self) -> list[Client]:
        """Every client, oldest first."""
        ...

    def revoke(self, client_id: str, at: float) -> bool:
        """Mark the client revoked; False when there is no such client."""
        ...

    def close(self) -> None:
        """Release connections."""
        ...


def hash_secret(secret: str) -> str:
    """A salted scrypt hash of ``secret``, self-describing so parameters can change later."""
    salt = secrets.token_bytes(16)
    digest = hashlib.scrypt(
        secret.encode(), salt=salt, n=_SCRYPT_N, r=_SCRYPT_R, p=_SCRYPT_P, dklen=32
    )
    b64 = base64.urlsafe_b64encode
    return f"scrypt${_SCRYPT_N}${_SCRYPT_R}${_SCRYPT_P}${b64(salt).decode()}${b64(digest).decode()}"


def verify_secret(secret: str, encoded: str) -> bool:
    """True when ``secret`` matches the hash (compared in constant time)."""
    try:
        scheme, n, r, p, salt, digest = encoded.split("$")
        if scheme != "scrypt":
            return False
        expected = base64.urlsafe_b64decode(digest)
        actual = hashlib.scrypt(
            secret.encode(),
            salt=base64.urlsafe_b64decode(salt),
            n=int(n),
            r=int(r),
            p=int(p),
            dklen=len(expected),
        )
    except ValueError:
        return False
    return hmac.compare_digest(actual, expected)


# Checked against when the client id is unknown, so the answer takes as long either way.
_DUMMY_HASH = hash_secret(secrets.token_urlsafe(32))


def _check_registration(name: str, scopes: Iterable[str], sites: Iterable[str]) -> None:
    if not name.strip() or len(name) > 100:
        raise ClientError("a client name is 1..100 characters")
    for scope in scopes:
        if not _SCOPE_TOKEN.match(scope):
            raise ClientError(f"not a valid scope: {scope!r}")
    for site in sites:
        if not _SITE_ID.match(site):
            raise ClientError(f"not a valid site id: {site!r}")


class ClientService:
    """Registers, authenticates and revokes clients; answers "is it still active?" cheaply."""

    def __init__(self, store: ClientStore, *, status_ttl: float = 5.0) -> None:
        self.store = store
        self._status_ttl = status_ttl
        self._cache: dict[str, tuple[float, ClientStatus | None]] = {}
        self._cache_limit = 10_000

    def register(
        self, name: str, scopes: Iterable[str], sites: Iterable[str]
    ) -> tuple[Client, str]:
        """Create a client; returns it and its secret, which is never available again."""
        scope_set, site_set = frozenset(scopes), frozenset(sites)
        _check_registration(name, scope_set, site_set)
        secret = secrets.token_urlsafe(32)
        client = Client(
            client_id="wb_" + secrets.token_urlsafe(12),
            name=name.strip(),
            scopes=scope_set,
            sites=site_set,
            secret_hash=hash_secret(secret),
            status="active",
            created_at=time.time(),
        )
        self.store.add(client)
        return client, secret

    def authenticate(self, client_id: str, secret: str) -> Client | None:
        """The active client these credentials belong to, or None."""
        client = self.store.get(client_id) if client_id else None
        matches = verify_secret(secret, client.secret_hash if client else _DUMMY_HASH)
        if client is None or not matches or client.status != "active":
            return None
        return client

    def revoke(self, client_id: str) -> bool:
        """Revoke a client: its tokens stop working within the status cache's lifetime."""
        done = self.store.revoke(client_id, time.time())
        self._cache.pop(client_id, None)
        return done

    def list_all(self) -> list[Client]:
        """Every client, oldest first."""
        return self.store.list_all()

    def status(self, client_id: str) -> ClientStatus | None:
        """The client's status, cached for a few seconds (checked on every request)."""
        now = time.monotonic()
        cached = self._cache.get(client_id)
        if cached is not None and now - cached[0] < self._status_ttl:
            return cached[1]
        client = self.store.get(client_id)
        status = client.status if client else None
        if len(self._cache) >= self._cache_limit:
            self._cache.clear()
        self._cache[client_id] = (now, status)
        return status
