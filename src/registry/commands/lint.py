"""``registry lint SPEC``: governance lint of one OpenAPI document, for CI and architects."""

from __future__ import annotations

import argparse
import json
import sys
from collections import Counter
from typing import Any

from registry.lint import RULES, Finding, lint, rule_ids
from registry.loading import bundle
from registry.model import Level

_LEVELS = tuple(level.value for level in Level)


def register(subparsers: Any) -> None:
    """Add the ``lint`` sub-command to the ``registry`` parser."""
    parser = subparsers.add_parser(
        "lint",
        help="lint an OpenAPI 3.0/3.1 document against the governance rules",
        description=(
            "Bundle SPEC (its cross-file $refs) and report every rule it breaks. Exit 0 when "
            "nothing is at or above --fail-on, 1 otherwise, 2 when SPEC cannot be read."
        ),
    )
    parser.add_argument("spec", metavar="SPEC", nargs="?", help="OpenAPI document (YAML or JSON)")
    parser.add_argument("--format", choices=("text", "json"), default="text")
    parser.add_argument(
        "--fail-on",
        choices=_LEVELS,
        default=Level.ERROR.value,
        help="lowest severity that fails the run (default: error)",
    )
    parser.add_argument(
        "--rule",
        dest="disabled",
        action="extend",
        nargs="+",
        default=[],
        metavar="ID",
        help="disable the rule(s) with this id (repeatable)",
    )
    parser.add_argument(
        "--list-rules", action="store_true", help="print every rule's id, severity and purpose"
    )
    parser.set_defaults(func=run)


def run(args: argparse.Namespace) -> int:
    """Lint ``args.spec`` and print the findings; the exit status says whether it passed."""
    if args.list_rules:
        for rule in RULES:
            print(f"{rule.id:<45} {rule.severity.value:<8} {rule.description}")
        return 0
    if args.spec is None:
        print("registry lint: SPEC is required", file=sys.stderr)
        return 2
    unknown = sorted(set(args.disabled) - rule_ids())
    if unknown:
        print(f"registry lint: unknown rule id(s): {', '.join(unknown)}", file=sys.stderr)
        return 2
    findings = lint(bundle(args.spec), source=args.spec, disabled=args.disabled)
    counts = Counter(finding.severity.value for finding in findings)
    if args.format == "json":
        report = {
            "source": args.spec,
            "findings": [finding.to_json() for finding in findings],
            "counts": {level: counts.get(level, 0) for level in _LEVELS},
        }
        print(json.dumps(report, indent=2))
    else:
        print(format_text(args.spec, findings, counts))
    threshold = Level(args.fail_on).rank
    return 1 if any(finding.severity.rank >= threshold for finding in findings) else 0


def format_text(source: str, findings: list[Finding], counts: Counter[str]) -> str:
    """One ``file:pointer severity rule message`` line per finding, worst first, then a summary."""
    ordered = sorted(findings, key=lambda f: (-f.severity.rank, f.path, f.rule, f.message))
    lines = [f"{source}:{f.path or '/'} {f.severity.value} {f.rule} {f.message}" for f in ordered]
    summary = ", ".join(f"{counts.get(level, 0)} {level}" for level in _LEVELS)
    lines.append(f"{source}: {len(findings)} finding(s): {summary}")
    return "\n".join(lines)
