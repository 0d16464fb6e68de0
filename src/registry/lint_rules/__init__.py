"""The lint rule table: Spectral's core ``oas`` rules, Waybill governance and OWASP limits."""

from __future__ import annotations

from registry.lint_rules import governance, oas, oas_paths, owasp
from registry.lint_rules.index import DocumentIndex
from registry.lint_rules.rule import Hit, Rule

RULES: tuple[Rule, ...] = oas_paths.RULES + oas.RULES + governance.RULES + owasp.RULES

__all__ = ["RULES", "DocumentIndex", "Hit", "Rule"]
