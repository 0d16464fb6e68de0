"""``registry compat``: is a new Avro / JSON Schema version compatible with the previous ones?"""

from __future__ import annotations

import argparse
import json
from typing import Any

from registry.compat import SCHEMA_TYPES, CompatResult, Mode, compat, parse_avro, parse_json_schema
from registry.loading import JSON, DocumentError, load_file


def register(subparsers: Any) -> None:
    """Add the ``compat`` sub-command to the ``registry`` parser."""
    parser = subparsers.add_parser(
        "compat",
        help="check a schema version against previous ones in a Confluent compatibility mode",
        description=(
            "Judge NEW against PREVIOUS versions (oldest first) in --mode. Avro follows the "
            "specification's schema-resolution rules, JSON Schema Confluent's content-model rules. "
            "Exit 0 compatible, 1 incompatible, 2 when a file cannot be read or is not a schema."
        ),
    )
    parser.add_argument("--type", dest="schema_type", choices=SCHEMA_TYPES, required=True)
    parser.add_argument(
        "--mode",
        choices=[m.value for m in Mode],
        type=str.upper,
        default=Mode.BACKWARD.value,
        help="compatibility mode (default: BACKWARD, as in Confluent Schema Registry)",
    )
    parser.add_argument("--format", choices=("text", "json"), default="text")
    parser.add_argument("new", metavar="NEW", help="the candidate schema file")
    parser.add_argument(
        "previous", metavar="PREVIOUS", nargs="*", help="earlier versions, oldest first"
    )
    parser.set_defaults(func=run)


def run(args: argparse.Namespace) -> int:
    """Load the files, run the check and print the verdict; the exit status is the verdict."""
    new = _load(args.new, args.schema_type)
    previous = [_load(path, args.schema_type) for path in args.previous]
    result = compat(args.schema_type, args.mode, new, previous)
    if args.format == "json":
        report = {"type": args.schema_type, "mode": args.mode, **result.to_json()}
        print(json.dumps(report, indent=2))
    else:
        print(_text(result, args))
    return 0 if result.compatible else 1


def _load(path: str, schema_type: str) -> JSON:
    """Read one schema file and check it is a schema, naming the file if it is not."""
    document = load_file(path)
    try:
        if schema_type == "avro":
            parse_avro(document)
        else:
            parse_json_schema(document)
    except DocumentError as exc:
        raise type(exc)(f"{path}: {exc}") from exc
    return document


def _text(result: CompatResult, args: argparse.Namespace) -> str:
    versions = len(args.previous)
    head = "compatible" if result.compatible else f"incompatible ({len(result.issues)} issue(s))"
    lines = [f"{head}: {args.new} in {args.mode} mode against {versions} previous version(s)"]
    lines.extend(f"  {c.id} at {c.location}: {c.message}" for c in result.issues)
    return "\n".join(lines)
