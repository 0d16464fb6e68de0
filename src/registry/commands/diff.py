"""``registry diff BASE REVISION``: breaking changes between two OpenAPI documents."""

from __future__ import annotations

import argparse
import sys
from typing import Any

from registry.model import Level


def register(subparsers: argparse._SubParsersAction[Any]) -> None:
    """Add the ``diff`` sub-command."""
    from registry.diff.report import FORMATS

    parser = subparsers.add_parser(
        "diff",
        help="report changes between two OpenAPI 3.0/3.1 documents",
        description="Compare BASE with REVISION and judge every change for callers. Exit 0 when "
        "nothing reaches the --fail-on level, 1 when something does, 2 on unreadable input.",
    )
    parser.add_argument("base", help="the published contract (YAML or JSON)")
    parser.add_argument("revision", help="the proposed contract (YAML or JSON)")
    parser.add_argument("--format", choices=FORMATS, default="text", help="output format")
    parser.add_argument(
        "--fail-on",
        choices=("error", "warning"),
        default="error",
        help="lowest level that makes the exit status 1 (default: error)",
    )
    parser.add_argument(
        "--deprecation-days-beta",
        type=_days,
        default=0,
        metavar="N",
        help="minimum days between deprecating a beta resource and its x-sunset; above 0 an "
        "x-sunset becomes mandatory (default: 0, like oasdiff)",
    )
    parser.add_argument(
        "--deprecation-days-stable",
        type=_days,
        default=0,
        metavar="N",
        help="the same for stable resources (and those without x-stability-level; default: 0)",
    )
    parser.add_argument(
        "--flatten-allof",
        action="store_true",
        help="merge allOf members into one schema before comparing (off by default)",
    )
    parser.set_defaults(func=run)


def _days(text: str) -> int:
    try:
        value = int(text)
    except ValueError:
        raise argparse.ArgumentTypeError(f"not a whole number of days: {text!r}") from None
    if value < 0:
        raise argparse.ArgumentTypeError(f"days must be 0 or more, not {value}")
    return value


def run(args: argparse.Namespace) -> int:
    """Diff, print the report, and return the exit status."""
    from registry.diff import diff
    from registry.diff.asyncapi import declares_asyncapi, diff_asyncapi_result
    from registry.diff.report import write

    if declares_asyncapi(args.base):
        result = diff_asyncapi_result(args.base, args.revision)
    else:
        result = diff(
            args.base,
            args.revision,
            deprecation_days_beta=args.deprecation_days_beta,
            deprecation_days_stable=args.deprecation_days_stable,
            flatten_allof=args.flatten_allof,
        )
    write(result, args.format, sys.stdout)
    return 1 if result.at_least(Level(args.fail_on)) else 0
