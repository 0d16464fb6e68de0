"""Signing keys: the gateway's own RS256 key ring (with rotation) and an external IdP's JWKS.

The ring lives under ``<data_dir>/keys``: one PKCS#8 PEM per key (mode 0600) and ``ring.json``
listing them. The newest key signs; older keys keep verifying until their ``retire_at`` (a grace
period at least as long as a token's lifetime), so rotation never invalidates a live token.
Several gateway processes share the directory: writers hold an ``flock``, readers notice a changed
manifest and reload it.
"""

from __future__ import annotations

import contextlib
import fcntl
import json
import logging
import os
import time
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from pathlib import Path

import httpx
from joserfc.errors import JoseError
from joserfc.jwk import ECKey, JWKRegistry, RSAKey

logger = logging.getLogger(__name__)

RSA_BITS = 2048
MANIFEST = "ring.json"
# Verification keys are RSA (RS256) or EC P-256 (ES256); nothing symmetric ever verifies a token.
VerificationKey = RSAKey | ECKey
Clock = Callable[[], float]


class KeyRingError(RuntimeError):
    """The key directory cannot be read or written."""


@dataclass(frozen=True)
class RingKey:
    """One key of the ring; it verifies until ``retire_at`` (``None`` while it is the newest)."""

    kid: str
    key: RSAKey
    created_at: float
    retire_at: float | None

    def active(self, now: float) -> bool:
        """True while tokens signed by this key are accepted."""
        return self.retire_at is None or now < self.retire_at


@dataclass(frozen=True)
class _Entry:
    kid: str
    created_at: float
    retire_at: float | None


def _write_private(path: Path, data: bytes) -> None:
    """Write ``data`` atomically to ``path`` readable by the owner only."""
    tmp = path.with_name(f".{path.name}.{os.getpid()}.tmp")
    fd = os.open(tmp, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o600)
    try:
        os.write(fd, data)
        os.fsync(fd)
    finally:
        os.close(fd)
    os.replace(tmp, path)


class KeyRing:
    """The gateway's RS256 keys: the newest signs, every active one verifies."""

    def __init__(
        self,
        directory: Path,
        *,
        grace_seconds: float,
        clock: Clock = time.time,
        reload_interval: float = 1.0,
    ) -> None:
        self.directory = directory
        self.grace_seconds = grace_seconds
        self._clock = clock
        self._reload_interval = reload_interval
        self._keys: dict[str, RingKey] = {}
        self._newest: RingKey | None = None
        self._stamp: tuple[int, int, int] | None = None
        self._checked_at = float("-inf")

    # -- opening and persistence ---------------------------------------------------------------

    @classmethod
    def open(cls, directory: Path, *, grace_seconds: float, clock: Clock = time.time) -> KeyRing:
        """Load the ring from ``directory``, creating its first key when there is none."""
        ring = cls(directory, grace_seconds=grace_seconds, clock=clock)
        with ring._locked():
            entries = ring._read_manifest()
            if not any(e.retire_at is None or clock() < e.retire_at for e in entries):
                ring._write_manifest([*entries, ring._new_key()])
        ring._reload()
        return ring

    @contextlib.contextmanager
    def _locked(self) -> Iterator[None]:
        try:
            self.directory.mkdir(mode=0o700, parents=True, exist_ok=True)
            fd = os.open(self.directory / ".lock", os.O_RDWR | os.O_CREAT, 0o600)
        except OSError as exc:
            raise KeyRingError(f"cannot use key directory {self.directory}: {exc}") from exc
        try:
            fcntl.flock(fd, fcntl.LOCK_EX)
            yield
        finally:
            os.close(fd)

    def _read_manifest(self) -> list[_Entry]:
        path = self.directory / MANIFEST
        try:
            raw = json.loads(path.read_text(encoding="utf-8"))
        except FileNotFoundError:
            return []
        except (OSError, ValueError) as exc:
            raise KeyRingError(f"cannot read {path}: {exc}") from exc
        entries = []
        for item in raw.get("keys", []):
            retire = item.get("retire_at")
            entries.append(
                _Entry(
                    str(item["kid"]),
                    float(item["created_at"]),
                    None if retire is None else float(retire),
                )
            )
        return entries

    def _write_manifest(self, entries: list[_Entry]) -> None:
        doc = {
            "keys": [
                {"kid": e.kid, "created_at": e.created_at, "retire_at": e.retire_at}
                for e in entries
            ]
        }
        _write_private(self.directory / MANIFEST, json.dumps(doc, indent=2).encode())

    def _new_key(self) -> _Entry:
        key = RSAKey.generate_key(RSA_BITS, private=True)
        kid = key.thumbprint()
        _write_private(self.directory / f"{kid}.pem", key.as_pem(private=True))
        return _Entry(kid, self._clock(), None)

    def _manifest_stamp(self) -> tuple[int, int, int] | None:
        try:
            st = (self.directory / MANIFEST).stat()
        except FileNotFoundError:
            return None
        return st.st_ino, st.st_mtime_ns, st.st_size

    def _reload(self) -> None:
        stamp = self._manifest_stamp()
        now = self._clock()
        keys: dict[str, RingKey] = {}
        for entry in self._read_manifest():
            if entry.retire_at is not None and now >= entry.retire_at:
                continue
            try:
                pem = (self.directory / f"{entry.kid}.pem").read_bytes()
            except OSError as exc:
                raise KeyRingError(f"key {entry.kid} is listed but unreadable: {exc}") from exc
            key = RSAKey.import_key(
                pem, parameters={"kid": entry.kid, "alg": "RS256", "use": "sig"}
            )
            keys[entry.kid] = RingKey(entry.kid, key, entry.created_at, entry.retire_at)
        self._keys = keys
        self._newest = max(keys.values(), key=lambda k: k.created_at, default=None)
        self._stamp = stamp
        self._checked_at = time.monotonic()

    def refresh(self, *, force: bool = False) -> None:
        """Reload when another process changed the ring (checked at most once per interval)."""
        if not force and time.monotonic() - self._checked_at < self._reload_interval:
            return
        self._checked_at = time.monotonic()
        if self._manifest_stamp() != self._stamp:
            self._reload()

    # -- use -------------------------------------------------------------------------------------

    def signing_key(self) -> RingKey:
        """The newest key, which signs every new token."""
        self.refresh()
        if self._newest is None or not self._newest.active(self._clock()):
            self._reload()
        if self._newest is None:
            raise KeyRingError(f"no active signing key in {self.directory}")
        return self._newest

    def verification_key(self, kid: str) -> RSAKey | None:
        """The active key with this ``kid``, or None (after checking for a rotation elsewhere)."""
        found = self._keys.get(kid)
        if found is None:
            self.refresh(force=True)
            found = self._keys.get(kid)
        if found is None or not found.active(self._clock()):
            return None
        return found.key

    def active_keys(self) -> list[RingKey]:
        """Every key that currently verifies, newest first."""
        self.refresh()
        now = self._clock()
        live = [k for k in self._keys.values() if k.active(now)]
        return sorted(live, key=lambda k: k.created_at, reverse=True)

    def public_jwks(self) -> dict[str, list[dict[str, object]]]:
        """The JWK Set of the active public keys, as served at ``/.well-known/jwks.json``."""
        return {
            "keys": [
                {**k.key.as_dict(private=False), "kid": k.kid, "alg": "RS256", "use": "sig"}
                for k in self.active_keys()
            ]
        }

    def rotate(self) -> RingKey:
        """Add a new signing key; the previous one verifies for the grace period, older ones stop.

        At most two keys are active afterwards; retired keys' files are deleted.
        """
        with self._locked():
            now = self._clock()
            entries = [e for e in self._read_manifest() if e.retire_at is None or now < e.retire_at]
            entries.sort(key=lambda e: e.created_at)
            kept: list[_Entry] = []
            if entries:
                previous = entries[-1]
                kept.append(_Entry(previous.kid, previous.created_at, now + self.grace_seconds))
            new = self._new_key()
            self._write_manifest([*kept, new])
            live = {e.kid for e in (*kept, new)}
            for pem in self.directory.glob("*.pem"):
                if pem.stem not in live:
                    pem.unlink(missing_ok=True)
        self._reload()
        assert self._newest is not None
        return self._newest


class RemoteKeySet:
    """An external IdP's JWKS, fetched over HTTP and cached.

    Refetched when older than ``ttl``, and on an unknown ``kid`` at most once per
    ``min_refetch_interval`` so forged kids cannot make the gateway hammer the IdP.
    """

    def __init__(
        self,
        url: str,
        *,
        client: httpx.AsyncClient,
        ttl: float = 300.0,
        min_refetch_interval: float = 60.0,
        clock: Clock = time.monotonic,
    ) -> None:
        self.url = url
        self._client = client
        self._ttl = ttl
        self._min_refetch = min_refetch_interval
        self._clock = clock
        self._keys: dict[str, VerificationKey] = {}
        self._fetched_at = float("-inf")
        self._attempted_at = float("-inf")

    async def get(self, kid: str) -> VerificationKey | None:
        """The IdP's key with this ``kid``, or None."""
        now = self._clock()
        if now - self._fetched_at >= self._ttl and now - self._attempted_at >= 1.0:
            await self._fetch()
        key = self._keys.get(kid)
        if key is None and self._clock() - self._attempted_at >= self._min_refetch:
            await self._fetch()
            key = self._keys.get(kid)
        return key

    async def _fetch(self) -> None:
        # Mark the attempt first: concurrent requests then skip a refetch instead of piling up.
        self._attempted_at = self._clock()
        try:
            response = await self._client.get(self.url, headers={"Accept": "application/json"})
            response.raise_for_status()
            document = response.json()
        except (httpx.HTTPError, ValueError) as exc:
            logger.warning("cannot fetch JWKS from %s: %s", self.url, exc)
            return
        self._keys = _parse_jwks(document)
        self._fetched_at = self._clock()


def _parse_jwks(document: object) -> dict[str, VerificationKey]:
    """Keep the signature keys of a JWK Set that carry a kid; skip anything else."""
    found: dict[str, VerificationKey] = {}
    entries = document.get("keys") if isinstance(document, dict) else None
    if not isinstance(entries, list):
        logger.warning("JWKS document has no 'keys' list")
        return found
    for entry in entries:
        if not isinstance(entry, dict) or not isinstance(entry.get("kid"), str):
            continue
        if entry.get("kty") not in ("RSA", "EC") or entry.get("use", "sig") != "sig":
            continue
        if any(name in entry for name in ("d", "p", "q")):
            continue  # a private key published by mistake is not something to trust
        try:
            key = JWKRegistry.import_key(entry)
        except (JoseError, ValueError, TypeError) as exc:
            logger.warning("skipping JWKS key %s: %s", entry.get("kid"), exc)
            continue
        if isinstance(key, RSAKey | ECKey):
            found[entry["kid"]] = key
    return found
