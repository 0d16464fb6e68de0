"""What earlier layers decided about the current request: the routed operation, the caller."""

from __future__ import annotations

from starlette.types import Scope

from gateway.domain.access import PRINCIPAL_CONTEXT_KEY, Principal

_ROUTED_KEY = "waybill.routed"


def routed_operation(scope: Scope) -> tuple[str, str] | None:
    """``(api_base_path, operation_id)`` of a request Connexion routed to an operation."""
    routing = scope.get("extensions", {}).get("connexion_routing")
    if not isinstance(routing, dict):
        return None
    key = routing.get(_ROUTED_KEY)
    if key is None:
        if not routing.get("operation_id"):
            return None
        # Every layer asks; the answer is kept beside Connexion's, in the same request's dict.
        key = routing[_ROUTED_KEY] = (
            str(routing.get("api_base_path") or ""),
            str(routing["operation_id"]),
        )
    return key


def principal_of(scope: Scope) -> Principal | None:
    """The caller the security layer authenticated for this request, if any."""
    context = scope.get("extensions", {}).get("connexion_context")
    principal = context.get(PRINCIPAL_CONTEXT_KEY) if isinstance(context, dict) else None
    return principal if isinstance(principal, Principal) else None


def client_label(scope: Scope) -> str:
    """The authenticated client's id, or ``anonymous`` (for metrics, logs and buckets)."""
    principal = principal_of(scope)
    return principal.client_id if principal is not None else "anonymous"
