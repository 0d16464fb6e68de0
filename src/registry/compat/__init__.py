"""Schema compatibility: Avro (specification resolution rules) and JSON Schema (Confluent's rules),
judged in Confluent's seven modes."""

from __future__ import annotations

from collections.abc import Callable, Sequence
from typing import TypeVar

from registry.compat.avro import check_avro
from registry.compat.avro_schema import AvroSchemaError, parse_avro
from registry.compat.jsonschema import JsonSchemaError, check_json_schema, parse_json_schema
from registry.compat.modes import Mode, pairings, run_mode
from registry.compat.result import CompatResult, Incompatibility, as_change
from registry.loading import JSON, DocumentError

SCHEMA_TYPES = ("avro", "json")
T = TypeVar("T")

__all__ = [
    "SCHEMA_TYPES",
    "AvroSchemaError",
    "CompatResult",
    "Incompatibility",
    "JsonSchemaError",
    "Mode",
    "check_avro",
    "check_json_schema",
    "compat",
    "pairings",
    "parse_avro",
    "parse_json_schema",
]


def compat(schema_type: str, mode: Mode | str, new: JSON, previous: Sequence[JSON]) -> CompatResult:
    """Judge ``new`` against ``previous`` (parsed JSON values, oldest first) in ``mode``.

    Raises :class:`~registry.loading.DocumentError` (``AvroSchemaError`` / ``JsonSchemaError``)
    when a schema is not valid, and ``ValueError`` for an unknown type or mode.
    """
    try:
        chosen = Mode(mode.upper() if isinstance(mode, str) else mode)
    except ValueError:
        known = ", ".join(m.value for m in Mode)
        raise ValueError(f"unknown compatibility mode {mode!r} (one of {known})") from None
    if schema_type == "avro":
        new_avro = _parsed(parse_avro, new, "new")
        old_avro = [_parsed(parse_avro, p, f"previous {i}") for i, p in enumerate(previous, 1)]
        found = run_mode(check_avro, chosen, new_avro, old_avro)
    elif schema_type == "json":
        new_json = _parsed(parse_json_schema, new, "new")
        old_json = [
            _parsed(parse_json_schema, p, f"previous {i}") for i, p in enumerate(previous, 1)
        ]
        found = run_mode(check_json_schema, chosen, new_json, old_json)
    else:
        raise ValueError(f"unknown schema type {schema_type!r} (one of {', '.join(SCHEMA_TYPES)})")
    changes = tuple(as_change(schema_type, issue, label) for label, issue in found)
    return CompatResult(compatible=not changes, issues=changes)


def _parsed(parse: Callable[[JSON], T], value: JSON, which: str) -> T:
    try:
        return parse(value)
    except DocumentError as exc:
        raise type(exc)(f"{which} schema: {exc}") from exc
