"""What handlers may read about the current request beyond their parameters."""

from __future__ import annotations

from connexion.context import context, request

from gateway.domain.access import PRINCIPAL_CONTEXT_KEY, Principal
from gateway.request_scope import current_scope


def current_principal() -> Principal:
    """The authenticated caller; the security layer guarantees one on every secured operation."""
    scope = current_scope.get()
    if scope is not None:
        found = scope.get("extensions", {}).get("connexion_context", {})
        principal = found.get(PRINCIPAL_CONTEXT_KEY)
    else:
        principal = context.get(PRINCIPAL_CONTEXT_KEY)
    if not isinstance(principal, Principal):
        raise LookupError("no authenticated principal on this request")
    return principal


def request_header(name: str) -> str | None:
    """A request header (the last one when repeated), or None."""
    scope = current_scope.get()
    if scope is None:
        value = request.headers.get(name)
        return value if isinstance(value, str) else None
    wanted = name.lower().encode("latin-1")
    found = None
    for key, value in scope["headers"]:
        if key == wanted:
            found = value.decode("latin-1")
    return found
