"""The outcome of comparing two contract versions."""

from __future__ import annotations

from dataclasses import dataclass, field

from registry.model import Change, Level


@dataclass(frozen=True)
class DiffResult:
    """All changes between a base and a revision, most significant judged by their rules."""

    changes: list[Change] = field(default_factory=list)

    @property
    def breaking(self) -> bool:
        """True when any change is error-level (a definite break for some caller)."""
        return any(change.level is Level.ERROR for change in self.changes)

    def at_least(self, level: Level) -> list[Change]:
        """The changes at ``level`` or above."""
        return [c for c in self.changes if c.level.rank >= level.rank]

    def to_json(self) -> dict[str, object]:
        """The documented JSON shape: ``{"breaking": bool, "changes": [...]}``."""
        return {"breaking": self.breaking, "changes": [c.to_json() for c in self.changes]}
