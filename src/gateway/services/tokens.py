"""Access tokens: issuing RS256 JWTs and verifying them (ours or an external IdP's).

Verification is deliberately narrow: the header is checked against a whitelist *before* any key
is chosen, the key is looked up only by ``kid`` in keys we already trust, the algorithm must match
that key's type, and every time claim is mandatory or checked. Any doubt raises
``InvalidTokenError``.
"""

from __future__ import annotations

import base64
import binascii
import json
import secrets
import time
from collections.abc import Awaitable, Callable, Mapping
from dataclasses import dataclass
from typing import TypeAlias, TypeVar

from joserfc import jws, jwt
from joserfc.errors import JoseError
from joserfc.jwk import ECKey, RSAKey

from gateway.domain.access import Principal
from gateway.services.keys import Clock, KeyRing, VerificationKey

MAX_TOKEN_LIFETIME = 3600
MAX_TOKEN_BYTES = 8192
VERIFIED_CACHE_SIZE = 4096
# alg -> the key type that may verify it. Never "none", never HMAC: a public key is no secret.
ALGORITHM_KEY_TYPES: Mapping[str, type[RSAKey] | type[ECKey]] = {"RS256": RSAKey, "ES256": ECKey}
# Header parameters that smuggle a key or a key location, or change how the token is processed.
FORBIDDEN_HEADERS = frozenset({"jwk", "jku", "x5u", "x5c", "crit", "b64", "zip", "enc", "cty"})
ALLOWED_HEADERS = frozenset({"alg", "kid", "typ", "x5t", "x5t#S256"})
ALLOWED_TYPES = frozenset({"jwt", "at+jwt", "application/jwt", "application/at+jwt"})


class InvalidTokenError(Exception):
    """The bearer token is not acceptable; ``description`` is safe to show the caller."""

    def __init__(self, description: str) -> None:
        super().__init__(description)
        self.description = description


@dataclass(frozen=True)
class IssuedToken:
    """A freshly signed access token and what the token endpoint reports about it."""

    access_token: str
    expires_in: int
    scope: str
    claims: Mapping[str, object]


@dataclass(frozen=True)
class VerifiedToken:
    """A token that passed every check: who is calling, and the raw claims."""

    principal: Principal
    claims: Mapping[str, object]


class TokenIssuer:
    """Signs access tokens with the key ring's newest key."""

    def __init__(
        self,
        ring: KeyRing,
        *,
        issuer: str,
        audience: str,
        ttl: int = MAX_TOKEN_LIFETIME,
        clock: Clock = time.time,
    ) -> None:
        if not 0 < ttl <= MAX_TOKEN_LIFETIME:
            raise ValueError(f"token TTL must be 1..{MAX_TOKEN_LIFETIME} seconds, got {ttl}")
        self._ring = ring
        self.issuer = issuer
        self.audience = audience
        self.ttl = ttl
        self._clock = clock

    def issue(self, subject: str, scopes: frozenset[str], sites: frozenset[str]) -> IssuedToken:
        """Sign a token for ``subject`` carrying exactly these scopes and sites."""
        key = self._ring.signing_key()
        now = int(self._clock())
        scope = " ".join(sorted(scopes))
        claims: dict[str, object] = {
            "iss": self.issuer,
            "aud": self.audience,
            "sub": subject,
            "iat": now,
            "nbf": now,
            "exp": now + self.ttl,
            "jti": secrets.token_urlsafe(16),
            "scope": scope,
            "sites": sorted(sites),
        }
        header = {"alg": "RS256", "kid": key.kid, "typ": "at+jwt"}
        token = jwt.encode(header, claims, key.key, algorithms=["RS256"])
        return IssuedToken(token, self.ttl, scope, claims)


KeyLookup = Callable[[str], Awaitable[VerificationKey | None]]
# client id -> "active" | "revoked" | None (unknown)
ClientStatusLookup = Callable[[str], str | None]


@dataclass(frozen=True)
class TrustedIssuer:
    """An issuer whose tokens we accept: its ``iss``, our audience for it, and its keys.

    ``own`` marks the gateway itself: its subjects must be registered, active clients. Subjects
    of an external IdP are accepted unless they name a local client (a revoked one revokes them).
    """

    issuer: str
    audience: str
    keys: KeyLookup
    own: bool


def _b64decode(segment: str) -> bytes:
    if not segment or "=" in segment:
        raise InvalidTokenError("The token is malformed.")
    try:
        return base64.urlsafe_b64decode(segment + "=" * (-len(segment) % 4))
    except (binascii.Error, ValueError) as exc:
        raise InvalidTokenError("The token is malformed.") from exc


def _unique_keys(pairs: list[tuple[str, object]]) -> dict[str, object]:
    obj: dict[str, object] = {}
    for key, value in pairs:
        if key in obj:
            raise InvalidTokenError(f"The token repeats the member '{key}'.")
        obj[key] = value
    return obj


def _json_object(raw: bytes) -> dict[str, object]:
    try:
        value = json.loads(raw, object_pairs_hook=_unique_keys)
    except (ValueError, RecursionError) as exc:
        raise InvalidTokenError("The token is malformed.") from exc
    if not isinstance(value, dict):
        raise InvalidTokenError("The token is malformed.")
    return value


def _number(claims: Mapping[str, object], name: str, *, required: bool) -> float | None:
    value = claims.get(name)
    if value is None:
        if required:
            raise InvalidTokenError(f"The token has no '{name}' claim.")
        return None
    if isinstance(value, bool) or not isinstance(value, int | float):
        raise InvalidTokenError(f"The token's '{name}' claim is not a number.")
    return float(value)


def check_header(header: Mapping[str, object]) -> tuple[str, str]:
    """Return ``(alg, kid)`` of an acceptable JOSE header, else raise InvalidTokenError."""
    smuggled = sorted(FORBIDDEN_HEADERS & header.keys())
    if smuggled:
        raise InvalidTokenError(f"The token header carries '{smuggled[0]}', which is not accepted.")
    unknown = sorted(header.keys() - ALLOWED_HEADERS)
    if unknown:
        raise InvalidTokenError(f"The token header carries '{unknown[0]}', which is not accepted.")
    alg = header.get("alg")
    if not isinstance(alg, str) or alg not in ALGORITHM_KEY_TYPES:
        raise InvalidTokenError("The token's signing algorithm is not accepted.")
    typ = header.get("typ")
    if typ is not None and (not isinstance(typ, str) or typ.lower() not in ALLOWED_TYPES):
        raise InvalidTokenError("The token's type is not an access token.")
    kid = header.get("kid")
    if not isinstance(kid, str) or not kid:
        raise InvalidTokenError("The token header has no key id.")
    return alg, kid


@dataclass(frozen=True)
class _Signed:
    """A token whose header and signature passed: by whom, with which key, saying what."""

    issuer: TrustedIssuer
    kid: str
    key: VerificationKey
    claims: Mapping[str, object]
    facts: _Facts


_Refusable = TypeVar("_Refusable")
_Fact: TypeAlias = _Refusable | InvalidTokenError


@dataclass(frozen=True)
class _Facts:
    """What the claims say once and for all, each as a value or as the refusal it leads to.

    Only the clock and the client's status change between two uses of one token, so a cached
    token re-checks just those, in the order a fresh check would meet them.
    """

    exp: _Fact[float | None]
    nbf: _Fact[float | None]
    iat: _Fact[float | None]
    caller: _Fact[Principal]


def _fact(read: Callable[[], _Refusable]) -> _Fact[_Refusable]:
    try:
        return read()
    except InvalidTokenError as refusal:
        return refusal


def _settled(fact: _Fact[_Refusable]) -> _Refusable:
    if isinstance(fact, InvalidTokenError):
        raise fact
    return fact


def _facts(claims: Mapping[str, object], issuer: TrustedIssuer) -> _Facts:
    return _Facts(
        exp=_fact(lambda: _number(claims, "exp", required=True)),
        nbf=_fact(lambda: _number(claims, "nbf", required=False)),
        iat=_fact(lambda: _number(claims, "iat", required=False)),
        caller=_fact(lambda: _caller_of(claims, issuer)),
    )


def _caller_of(claims: Mapping[str, object], issuer: TrustedIssuer) -> Principal:
    if claims.get("iss") != issuer.issuer:
        raise InvalidTokenError("The token was issued by someone else.")
    aud = claims.get("aud")
    audiences = aud if isinstance(aud, list) else [aud]
    if issuer.audience not in audiences:
        raise InvalidTokenError("The token is meant for another audience.")
    sub = claims.get("sub")
    if not isinstance(sub, str) or not sub:
        raise InvalidTokenError("The token has no subject.")
    scope = claims.get("scope", "")
    sites = claims.get("sites", [])
    if not isinstance(scope, str):
        raise InvalidTokenError("The token's 'scope' claim is not a string.")
    if not isinstance(sites, list) or not all(isinstance(s, str) for s in sites):
        raise InvalidTokenError("The token's 'sites' claim is not a list of site ids.")
    return Principal(
        client_id=sub,
        scopes=frozenset(scope.split()),
        sites=frozenset(str(s) for s in sites),
    )


class TokenVerifier:
    """Verifies bearer tokens against the trusted issuers and the client registry."""

    def __init__(
        self,
        issuers: list[TrustedIssuer],
        *,
        client_status: ClientStatusLookup,
        leeway: float = 30.0,
        clock: Clock = time.time,
    ) -> None:
        if not issuers:
            raise ValueError("at least one trusted issuer is needed")
        self._issuers = issuers
        self._client_status = client_status
        self._leeway = leeway
        self._clock = clock
        # Partners reuse a token for up to an hour: remember tokens whose signature checked out
        # (never failures), so a repeat costs the claim checks but not the RSA verification.
        self._verified: dict[str, _Signed] = {}

    async def recall(self, token: str) -> VerifiedToken | None:
        """The caller of a token whose signature checked out before; None when not seen before.

        One cache lookup and the claim checks, which run every time: expiry and the client's
        status (revocation) are never cached here. Raises InvalidTokenError like ``verify``.
        """
        signed = await self._known(token)
        return None if signed is None else self._caller(signed)

    async def verify(self, token: str) -> VerifiedToken:
        """Check signature, header and claims; return the caller or raise InvalidTokenError."""
        signed = await self._known(token)
        if signed is None:
            signed = await self._verify_signature(token)
            if len(self._verified) >= VERIFIED_CACHE_SIZE:
                del self._verified[next(iter(self._verified))]
            self._verified[token] = signed
        return self._caller(signed)

    async def _known(self, token: str) -> _Signed | None:
        """The token's checked signature, from the cache, while its key is still trusted."""
        signed = self._verified.get(token)
        if signed is None or await signed.issuer.keys(signed.kid) is not signed.key:
            return None
        return signed

    def _caller(self, signed: _Signed) -> VerifiedToken:
        return VerifiedToken(self._check_claims(signed.facts, signed.issuer), signed.claims)

    async def _verify_signature(self, token: str) -> _Signed:
        if len(token) > MAX_TOKEN_BYTES or not token.isascii():
            raise InvalidTokenError("The token is malformed.")
        parts = token.split(".")
        if len(parts) != 3:
            raise InvalidTokenError("The token is malformed.")
        alg, kid = check_header(_json_object(_b64decode(parts[0])))
        if not parts[2]:
            raise InvalidTokenError("The token is not signed.")
        issuer, key = await self._find_key(kid)
        if not isinstance(key, ALGORITHM_KEY_TYPES[alg]) or (
            isinstance(key, ECKey) and key.curve_name != "P-256"
        ):
            raise InvalidTokenError("The token's algorithm does not match its key.")
        try:
            verified = jws.deserialize_compact(token, key, algorithms=[alg])
        except (JoseError, ValueError, TypeError) as exc:
            raise InvalidTokenError("The token signature is invalid.") from exc
        claims = _json_object(verified.payload or b"")
        return _Signed(issuer, kid, key, claims, _facts(claims, issuer))

    async def _find_key(self, kid: str) -> tuple[TrustedIssuer, VerificationKey]:
        for issuer in self._issuers:
            key = await issuer.keys(kid)
            if key is not None:
                return issuer, key
        raise InvalidTokenError("The token was signed by an unknown key.")

    def _check_claims(self, facts: _Facts, issuer: TrustedIssuer) -> Principal:
        now = self._clock()
        exp = _settled(facts.exp)
        assert exp is not None
        if now >= exp + self._leeway:
            raise InvalidTokenError("The token has expired.")
        nbf = _settled(facts.nbf)
        if nbf is not None and nbf > now + self._leeway:
            raise InvalidTokenError("The token is not valid yet.")
        iat = _settled(facts.iat)
        if iat is not None and iat > now + self._leeway:
            raise InvalidTokenError("The token was issued in the future.")
        caller = _settled(facts.caller)
        status = self._client_status(caller.client_id)
        if status == "revoked" or (issuer.own and status != "active"):
            raise InvalidTokenError("The client is not active.")
        if not issuer.own and status is not None:
            # An IdP subject named like one of our clients would share its idempotency keys (and
            # their stored results), its rate bucket and its identity in audit trails.
            raise InvalidTokenError("The token's subject is a client of this gateway.")
        return caller


def ring_lookup(ring: KeyRing) -> KeyLookup:
    """Adapt the local key ring to the async key lookup the verifier uses."""

    async def lookup(kid: str) -> VerificationKey | None:
        return ring.verification_key(kid)

    return lookup
