"""Who is calling: the authenticated partner, its scopes and the sites it may touch."""

from __future__ import annotations

from dataclasses import dataclass


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
