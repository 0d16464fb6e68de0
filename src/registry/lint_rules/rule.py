"""What a lint rule is: an id, a severity and a check over the indexed document."""

from __future__ import annotations

from collections.abc import Callable, Iterable
from dataclasses import dataclass
from typing import TYPE_CHECKING, NamedTuple

from registry.model import Level

if TYPE_CHECKING:
    from registry.lint_rules.index import DocumentIndex


class Hit(NamedTuple):
    """One place where a rule's check failed, before the engine adds the rule's id and severity."""

    path: str
    operation: str | None
    message: str


Check = Callable[["DocumentIndex"], Iterable[Hit]]


@dataclass(frozen=True)
class Rule:
    """A governance rule: stable id, severity, one-line description and its check."""

    id: str
    severity: Level
    description: str
    check: Check
    # OpenAPI minor versions the rule applies to ("3.0", "3.1").
    versions: frozenset[str] = frozenset({"3.0", "3.1"})
