"""Who is calling: the authenticated partner, its scopes and the sites it may touch."""

from __future__ import annotations

from dataclasses import dataclass

# Key under the ASGI scope's ``extensions.connexion_context`` where the security layer puts the
# authenticated Principal; handlers read it from ``connexion.context.context``.
PRINCIPAL_CONTEXT_KEY = "principal"


@dataclass(frozen=True)
class Principal:
    """An authenticated caller. ``sites`` limits every read, write and list filter."""

    client_id: str
    scopes: frozenset[str]
    sites: frozenset[str]

    def has_scopes(self, required: frozenset[str]) -> bool:
        """True when every required scope was granted."""
        return required <= self.scopes

    def may_access_site(self, site_id: str) -> bool:
        """True when the site is one of the caller's; otherwise callers see 404, not 403."""
        return site_id in self.sites
