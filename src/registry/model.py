"""Values the diff, compatibility and lint engines report."""

from __future__ import annotations

from dataclasses import dataclass
from enum import StrEnum


class Level(StrEnum):
    """How much a change matters to a caller (oasdiff's levels)."""

    ERROR = "error"
    WARNING = "warning"
    INFO = "info"

    @property
    def rank(self) -> int:
        return {"error": 3, "warning": 2, "info": 1}[self.value]


@dataclass(frozen=True, order=True)
class Change:
    """One difference between two contract versions, judged by a rule."""

    id: str
    level: Level
    operation: str | None
    location: str
    message: str

    def to_json(self) -> dict[str, str | None]:
        return {
            "id": self.id,
            "level": self.level.value,
            "operation": self.operation,
            "location": self.location,
            "message": self.message,
        }
