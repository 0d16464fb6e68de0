"""Reading what Connexion's routing layer decided about the current request."""

from __future__ import annotations

from starlette.types import Scope


def routed_operation(scope: Scope) -> tuple[str, str] | None:
    """``(api_base_path, operation_id)`` of a request Connexion routed to an operation."""
    routing = scope.get("extensions", {}).get("connexion_routing", {})
    operation_id = routing.get("operation_id")
    if not operation_id:
        return None
    return str(routing.get("api_base_path") or ""), str(operation_id)
