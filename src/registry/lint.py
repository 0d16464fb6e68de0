"""Governance lint for OpenAPI 3.0 and 3.1 documents: ``lint(document, source=...)``."""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass

from registry.lint_rules import RULES, DocumentIndex, Rule
from registry.loading import Document
from registry.model import Level

__all__ = ["RULES", "Finding", "Rule", "lint", "rule_ids"]


@dataclass(frozen=True, order=True)
class Finding:
    """One place where a document breaks a rule."""

    rule: str
    severity: Level
    path: str  # JSON pointer into the (bundled) document
    operation: str | None  # "METHOD /path", or None outside operations
    message: str

    def to_json(self) -> dict[str, str | None]:
        return {
            "rule": self.rule,
            "severity": self.severity.value,
            "path": self.path,
            "operation": self.operation,
            "message": self.message,
        }


def rule_ids() -> frozenset[str]:
    """The id of every rule ``lint`` knows."""
    return frozenset(rule.id for rule in RULES)


def lint(
    document: Document, *, source: str = "<document>", disabled: Iterable[str] = ()
) -> list[Finding]:
    """Every finding of every enabled rule over ``document``, sorted.

    The document should be bundled (``registry.loading.bundle``): external ``$ref``s are findings.
    Raises ``DocumentError`` when it is not an OpenAPI 3.0 or 3.1 document.
    """
    skip = set(disabled)
    unknown = skip - rule_ids()
    if unknown:
        raise ValueError(f"unknown lint rule(s): {', '.join(sorted(unknown))}")
    index = DocumentIndex(document, source=source)
    findings: list[Finding] = []
    for rule in RULES:
        if rule.id in skip or index.version not in rule.versions:
            continue
        for hit in rule.check(index):
            message = f"{hit.operation}: {hit.message}" if hit.operation else hit.message
            findings.append(Finding(rule.id, rule.severity, hit.path, hit.operation, message))
    return sorted(findings)
