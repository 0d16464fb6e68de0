"""What a compatibility check returns: a verdict and the reasons behind it."""

from __future__ import annotations

from dataclasses import dataclass

from registry.model import Change, Level


@dataclass(frozen=True)
class Incompatibility:
    """One reason a reader cannot read what a writer wrote, at a path inside the schema."""

    rule: str
    path: str
    message: str

    def relocated(self, prefix: str) -> Incompatibility:
        """The same reason seen from a schema that holds this one at ``prefix``."""
        return Incompatibility(self.rule, prefix + self.path, self.message)


@dataclass(frozen=True)
class CompatResult:
    """The verdict of a compatibility mode: compatible, and every error-level change if not."""

    compatible: bool
    issues: tuple[Change, ...] = ()

    @property
    def messages(self) -> list[str]:
        """The issues as ``location: message`` lines."""
        return [f"{c.location or '/'}: {c.message}" for c in self.issues]

    def to_json(self) -> dict[str, object]:
        """The machine-readable form the CLI prints with ``--format json``."""
        return {"compatible": self.compatible, "issues": [c.to_json() for c in self.issues]}


def as_change(family: str, issue: Incompatibility, context: str) -> Change:
    """Turn a checker's finding into a registry :class:`Change` (always error level)."""
    return Change(
        id=f"{family}-{issue.rule}",
        level=Level.ERROR,
        operation=None,
        location=issue.path or "/",
        message=f"{context}: {issue.message}",
    )
