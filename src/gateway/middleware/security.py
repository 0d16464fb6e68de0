"""Security layer: bearer JWT on every secured operation, with the scopes the contract asks for.

Replaces Connexion's security middleware, which ignores scopes on bearer schemes. Requirements
are compiled once per operation from the contracts (operation-level ``security`` overrides the
document's; alternatives are OR'ed, schemes inside one alternative AND'ed). The token itself was
verified once for the request by the rate-limit layer, which runs before routing and leaves its
verdict in the scope (``credentials.py``); this layer turns that verdict into 401/403 per
operation. A verified caller is handed to later layers and handlers as a ``Principal`` in
Connexion's request context.
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Mapping
from dataclasses import dataclass

from starlette.types import ASGIApp, Receive, Scope, Send

from gateway import problems
from gateway.contracts import LoadedContract
from gateway.domain.access import PRINCIPAL_CONTEXT_KEY
from gateway.metrics import Metrics
from gateway.middleware.credentials import credentials_of
from gateway.middleware.routing_info import routed_operation
from gateway.services.tokens import TokenVerifier

_METHODS = ("get", "put", "post", "delete", "patch", "head", "options", "trace")
# Scheme types whose credential is our bearer JWT.
_BEARER_SCHEMES = ("oauth2", "openIdConnect")
# The auth-failure metric's reason, by what the credentials proved.
_FAILURE_REASONS = {"absent": "missing_token", "malformed": "malformed", "invalid": "invalid_token"}


@dataclass(frozen=True)
class SecurityRequirement:
    """What one operation needs: any one of ``alternatives`` (each a set of scopes).

    No alternatives means the operation is public; an empty alternative (``{}``) lets anonymous
    callers in, though a token that is sent must still be valid.
    """

    alternatives: tuple[frozenset[str], ...]
    anonymous_allowed: bool = False

    @property
    def public(self) -> bool:
        return not self.alternatives

    def missing_scopes(self, granted: frozenset[str]) -> frozenset[str] | None:
        """None when some alternative is satisfied, else the smallest set of scopes missing."""
        gaps = [alt - granted for alt in self.alternatives]
        if any(not gap for gap in gaps):
            return None
        return min(gaps, key=lambda gap: (len(gap), sorted(gap)))


PUBLIC = SecurityRequirement(())


def _scheme_scopes(name: str, scopes: object, schemes: Mapping[str, object]) -> frozenset[str]:
    scheme = schemes.get(name)
    if not isinstance(scheme, dict):
        raise ValueError(f"security scheme {name!r} is not defined")
    kind = scheme.get("type")
    bearer = kind == "http" and str(scheme.get("scheme", "")).lower() == "bearer"
    if kind not in _BEARER_SCHEMES and not bearer:
        raise ValueError(f"security scheme {name!r} of type {kind!r} is not supported")
    return frozenset(str(s) for s in scopes) if isinstance(scopes, list) else frozenset()


def _requirement(security: object, schemes: Mapping[str, object]) -> SecurityRequirement:
    alternatives: list[frozenset[str]] = []
    anonymous = False
    for alternative in security if isinstance(security, list) else []:
        if not isinstance(alternative, dict):
            raise ValueError(f"security requirement {alternative!r} is not an object")
        anonymous = anonymous or not alternative
        needed: frozenset[str] = frozenset()
        for name, scopes in alternative.items():
            needed |= _scheme_scopes(str(name), scopes, schemes)
        alternatives.append(needed)
    return SecurityRequirement(tuple(alternatives), anonymous)


# A routed operation missing from the compiled table (not from our contracts) fails closed:
# it needs a valid token, though no particular scope.
_UNKNOWN_OPERATION = SecurityRequirement((frozenset(),))


def compile_requirements(
    contracts: Iterable[LoadedContract],
) -> dict[tuple[str, str], SecurityRequirement]:
    """``(base_path, operation_id)`` -> requirement, for every operation of every contract."""
    compiled: dict[tuple[str, str], SecurityRequirement] = {}
    for loaded in contracts:
        doc = loaded.document
        components = doc.get("components")
        schemes = components.get("securitySchemes") if isinstance(components, dict) else None
        scheme_map: Mapping[str, object] = schemes if isinstance(schemes, dict) else {}
        default = doc.get("security", [])
        paths = doc.get("paths")
        for item in paths.values() if isinstance(paths, dict) else ():
            for method in _METHODS:
                op = item.get(method) if isinstance(item, dict) else None
                if not isinstance(op, dict) or not isinstance(op.get("operationId"), str):
                    continue
                security = op.get("security", default)
                key = (loaded.contract.base_path, str(op["operationId"]))
                compiled[key] = _requirement(security, scheme_map)
    return compiled


# RFC 6750 §3: error_description and scope values are %x20-21 / %x23-5B / %x5D-7E.
_UNQUOTABLE = re.compile(r"[^\x20\x21\x23-\x5b\x5d-\x7e]")
_MAX_QUOTED = 200


def _quoted(text: str) -> str:
    """``text`` made safe inside a quoted header parameter.

    Token errors quote what the token said (a header member's name, say): control characters
    would split the response header and anything beyond latin-1 cannot be sent at all.
    """
    safe = _UNQUOTABLE.sub("?", text.replace('"', "'"))
    return safe if len(safe) <= _MAX_QUOTED else safe[: _MAX_QUOTED - 3] + "..."


class SecurityMiddleware:
    """Authenticates bearer tokens and enforces each operation's scopes."""

    def __init__(
        self,
        app: ASGIApp,
        *,
        contracts: Iterable[LoadedContract],
        verifier: TokenVerifier,
        metrics: Metrics | None = None,
        realm: str = "waybill",
        paths: Mapping[str, SecurityRequirement] | None = None,
    ) -> None:
        self.app = app
        self._requirements = compile_requirements(contracts)
        # The gateway's own endpoints outside the contracts (``/metrics``) that need a scope.
        self._paths = dict(paths or {})
        self._verifier = verifier
        self._metrics = metrics
        self._realm = _quoted(realm)

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        key = routed_operation(scope)
        if key is not None:
            requirement = self._requirements.get(key, _UNKNOWN_OPERATION)
        else:  # not an API operation: /healthz and /oauth/token are public, /metrics is not
            requirement = self._paths.get(scope["path"], PUBLIC)
        if requirement.public:
            await self.app(scope, receive, send)
            return
        credentials = await credentials_of(scope, self._verifier)
        if credentials.kind == "absent" and requirement.anonymous_allowed:
            await self.app(scope, receive, send)
            return
        if credentials.kind == "unavailable":
            # Neither a 401 (the token may be fine) nor a 500: the caller should retry.
            await problems.send_problem(
                send,
                problems.BACKEND_UNAVAILABLE,
                "Access tokens cannot be checked right now; retry later.",
                headers=[("Retry-After", "1")],
            )
            return
        verified = credentials.verified
        if verified is None:
            await self._unauthorized(send, credentials.error, _FAILURE_REASONS[credentials.kind])
            return
        principal = verified.principal
        missing = requirement.missing_scopes(principal.scopes)
        if missing is not None:
            await self._insufficient_scope(send, missing)
            return
        extensions = scope.setdefault("extensions", {})
        context = extensions.setdefault("connexion_context", {})
        context[PRINCIPAL_CONTEXT_KEY] = principal
        context["user"] = principal.client_id
        context["token_info"] = dict(verified.claims)
        await self.app(scope, receive, send)

    def _count(self, reason: str) -> None:
        if self._metrics is not None:
            self._metrics.auth_failures.labels(reason=reason).inc()

    async def _unauthorized(self, send: Send, error: str | None, reason: str) -> None:
        self._count(reason)
        challenge = f'Bearer realm="{self._realm}"'
        if error is not None:
            challenge += f', error="invalid_token", error_description="{_quoted(error)}"'
        detail = error or "This operation needs a bearer access token."
        await problems.send_problem(
            send, problems.UNAUTHORIZED, detail, headers=[("WWW-Authenticate", challenge)]
        )

    async def _insufficient_scope(self, send: Send, missing: frozenset[str]) -> None:
        self._count("insufficient_scope")
        scopes = sorted(missing)
        challenge = (
            f'Bearer realm="{self._realm}", error="insufficient_scope", '
            f'scope="{_quoted(" ".join(scopes))}"'
        )
        names = ", ".join(f"'{s}'" for s in scopes)
        noun = "scope" if len(scopes) == 1 else "scopes"
        await problems.send_problem(
            send,
            problems.INSUFFICIENT_SCOPE,
            f"This operation needs the {noun} {names}.",
            headers=[("WWW-Authenticate", challenge)],
            requiredScopes=scopes,
        )
