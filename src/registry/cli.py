"""``registry`` command line: diff, compat and lint for CI pipelines and architects.

Each sub-command lives in its own module under ``registry.commands`` and exposes
``register(subparsers)``; the module sets ``func`` on its parser, which returns the exit status.
Exit statuses: 0 fine, 1 the check failed (breaking / incompatible / lint errors), 2 bad input.
"""

from __future__ import annotations

import argparse
import sys
from collections.abc import Sequence
from importlib import import_module

from registry.loading import DocumentError

COMMANDS = ("diff", "compat", "lint")


def build_parser(only: str | None = None) -> argparse.ArgumentParser:
    """The ``registry`` parser; ``only`` registers that one sub-command (and imports only its
    engine), as ``main`` does when the command line names one."""
    parser = argparse.ArgumentParser(prog="registry", description="Waybill contract registry")
    sub = parser.add_subparsers(dest="command", required=True)
    for name in COMMANDS:
        if only is not None and name != only:
            continue
        try:
            module = import_module(f"registry.commands.{name}")
        except ModuleNotFoundError as exc:
            if exc.name not in {"registry.commands", f"registry.commands.{name}"}:
                raise
            continue
        module.register(sub)
    return parser


def main(argv: Sequence[str] | None = None) -> int:
    """Entry point of the ``registry`` console script."""
    args_list = list(sys.argv[1:] if argv is None else argv)
    named = args_list[0] if args_list and args_list[0] in COMMANDS else None
    parser = build_parser(named)
    try:
        args = parser.parse_args(args_list)
    except SystemExit as exc:  # argparse exits 2 on bad usage, which is our code for it too
        return int(exc.code or 0)
    try:
        code: int = args.func(args)
    except DocumentError as exc:
        print(f"registry: {exc}", file=sys.stderr)
        return 2
    return code


if __name__ == "__main__":
    raise SystemExit(main())
