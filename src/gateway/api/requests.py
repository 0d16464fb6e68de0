"""What handlers may read about the current request beyond their parameters."""

from __future__ import annotations

from connexion.context import context

from gateway.domain.access import PRINCIPAL_CONTEXT_KEY, Principal


def current_principal() -> Principal:
    """The authenticated caller; the security layer guarantees one on every secured operation."""
    principal = context.get(PRINCIPAL_CONTEXT_KEY)
    if not isinstance(principal, Principal):
        raise LookupError("no authenticated principal on this request")
    return principal
