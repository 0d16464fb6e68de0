"""Avro payload schemas: loading ``.avsc`` files, their schema ids and the single-object frame.

Every event payload schema is self-contained: a shared named type (``Quantity``, ``Money``,
``StockStatus`` under ``dev.waybill.events.common``) is defined inline where a file first uses it
and referenced by name afterwards, so each file parses on its own with any Avro library and its
fingerprint covers everything a consumer needs. ``specs/avro/common/`` holds the canonical
definition of each shared type; :func:`named_types` lets a check prove the inline copies equal it.

A payload travels in the Avro single-object encoding: ``C3 01``, the 8-byte CRC-64-AVRO
fingerprint of the writer schema's Parsing Canonical Form, then the Avro binary body. The schema
id is that fingerprint as 16 hex digits, in the byte order it has in the frame.
"""

from __future__ import annotations

import copy
import io
import json
from collections.abc import Iterable, Iterator, Mapping
from dataclasses import dataclass
from pathlib import Path
from typing import TypeAlias

import fastavro
from fastavro.schema import SchemaParseException, fingerprint, to_parsing_canonical_form

from registry.loading import JSON

SINGLE_OBJECT_MARKER = b"\xc3\x01"
_FRAME_HEADER = len(SINGLE_OBJECT_MARKER) + 8
_NAMED = frozenset({"record", "error", "enum", "fixed"})
# fastavro's own notion of a (parsed) schema; its contents are fastavro's business.
ParsedSchema: TypeAlias = "str | list[object] | dict[str, object]"
_PRIMITIVES = frozenset({"null", "boolean", "int", "long", "float", "double", "bytes", "string"})


class AvroSchemaError(ValueError):
    """An Avro schema file cannot be read or parsed, or a frame does not fit any schema."""


@dataclass(frozen=True)
class AvroSchema:
    """One parsed ``.avsc`` file."""

    path: Path
    name: str  # full name of the top-level named type
    definition: JSON  # the JSON as written
    parsed: ParsedSchema
    schema_id: str


def schema_id(parsed: ParsedSchema) -> str:
    """The CRC-64-AVRO fingerprint of a parsed schema, as 16 hex digits in frame byte order."""
    canonical = to_parsing_canonical_form(parsed)
    return str(fingerprint(canonical, "CRC-64-AVRO"))


def parse_definition(definition: JSON, *, source: str = "<schema>") -> ParsedSchema:
    """Parse a schema's JSON with fastavro, in a namespace of its own."""
    if not isinstance(definition, str | list | dict):
        raise AvroSchemaError(f"{source}: a schema is a name, a union or an object")
    try:
        parsed: ParsedSchema = fastavro.parse_schema(copy.deepcopy(definition), named_schemas={})
    except (SchemaParseException, ValueError, TypeError, KeyError) as exc:
        raise AvroSchemaError(f"{source}: not a valid Avro schema: {exc}") from exc
    return parsed


def load_avro_schema(path: str | Path) -> AvroSchema:
    """Read, parse and fingerprint one ``.avsc`` file."""
    file = Path(path)
    try:
        definition: JSON = json.loads(file.read_text(encoding="utf-8"))
    except OSError as exc:
        raise AvroSchemaError(f"{file}: cannot read: {exc.strerror or exc}") from exc
    except (UnicodeDecodeError, json.JSONDecodeError) as exc:
        raise AvroSchemaError(f"{file}: not JSON: {exc}") from exc
    parsed = parse_definition(definition, source=str(file))
    if not isinstance(definition, dict) or definition.get("type") not in _NAMED:
        raise AvroSchemaError(f"{file}: the top level must be a named type (record, enum, fixed)")
    return AvroSchema(
        path=file,
        name=_full_name(definition, ""),
        definition=definition,
        parsed=parsed,
        schema_id=schema_id(parsed),
    )


def load_avro_schemas(folder: str | Path) -> dict[str, AvroSchema]:
    """Load every ``.avsc`` under ``folder``, keyed by full name; two files may not share one."""
    loaded: dict[str, AvroSchema] = {}
    for file in sorted(Path(folder).rglob("*.avsc")):
        schema = load_avro_schema(file)
        if schema.name in loaded:
            raise AvroSchemaError(
                f"{file}: {schema.name} is already defined by {loaded[schema.name].path}"
            )
        loaded[schema.name] = schema
    return loaded


def by_schema_id(schemas: Iterable[AvroSchema]) -> dict[str, AvroSchema]:
    """Index schemas by schema id, the lookup a consumer does for each frame."""
    index: dict[str, AvroSchema] = {}
    for schema in schemas:
        other = index.setdefault(schema.schema_id, schema)
        if other is not schema:
            raise AvroSchemaError(f"{schema.path} and {other.path} have the same schema id")
    return index


def encode_frame(schema: AvroSchema, datum: object) -> bytes:
    """Encode ``datum`` as an Avro single-object frame of ``schema``."""
    body = io.BytesIO()
    body.write(SINGLE_OBJECT_MARKER + bytes.fromhex(schema.schema_id))
    fastavro.schemaless_writer(body, schema.parsed, datum)
    return body.getvalue()


def decode_frame(frame: bytes, schemas: Mapping[str, AvroSchema]) -> tuple[AvroSchema, object]:
    """Decode a single-object frame with the writer schema its fingerprint names."""
    if len(frame) < _FRAME_HEADER or not frame.startswith(SINGLE_OBJECT_MARKER):
        raise AvroSchemaError("not an Avro single-object frame (no C3 01 marker)")
    key = frame[len(SINGLE_OBJECT_MARKER) : _FRAME_HEADER].hex()
    schema = schemas.get(key)
    if schema is None:
        raise AvroSchemaError(f"unknown schema id {key}")
    body = io.BytesIO(frame[_FRAME_HEADER:])
    datum: object = fastavro.schemaless_reader(body, schema.parsed, None)
    if body.tell() != len(frame) - _FRAME_HEADER:
        raise AvroSchemaError(f"trailing bytes after a {schema.name} body")
    return schema, datum


def named_types(definition: JSON) -> dict[str, JSON]:
    """Every named type a schema defines, by full name, fully expanded and namespace-free.

    Two definitions of one full name are the same type exactly when these values are equal
    (docs included), whichever file they come from and wherever their first use put them.
    """
    found: dict[str, JSON] = {}
    _collect(definition, "", found)
    return {name: _expand(found[name], found, frozenset({name})) for name in found}


def _full_name(node: Mapping[str, JSON], enclosing: str) -> str:
    name = node.get("name")
    if not isinstance(name, str):
        raise AvroSchemaError(f"named type without a name: {node}")
    if "." in name:
        return name
    namespace = node.get("namespace", enclosing)
    return f"{namespace}.{name}" if isinstance(namespace, str) and namespace else name


def _resolve(name: str, namespace: str) -> str:
    if name in _PRIMITIVES or "." in name or not namespace:
        return name
    return f"{namespace}.{name}"


def _collect(node: JSON, namespace: str, found: dict[str, JSON]) -> None:
    """Record each named definition with its children's names resolved to full names."""
    if isinstance(node, list):
        for branch in node:
            _collect(branch, namespace, found)
        return
    if not isinstance(node, dict):
        return
    kind = node.get("type")
    if kind in _NAMED:
        full = _full_name(node, namespace)
        inner = full.rpartition(".")[0]
        found[full] = _normalised(node, full, inner)
        for field in _fields(node):
            _collect(field.get("type"), inner, found)
    elif kind == "array":
        _collect(node.get("items"), namespace, found)
    elif kind == "map":
        _collect(node.get("values"), namespace, found)
    elif isinstance(kind, dict | list):
        _collect(kind, namespace, found)


def _normalised(node: dict[str, JSON], full: str, namespace: str) -> JSON:
    """The definition with its own name made full and every type reference resolved."""
    out: dict[str, JSON] = {k: v for k, v in node.items() if k not in {"namespace", "name"}}
    out["name"] = full
    if "fields" in node:
        out["fields"] = [
            {**field, "type": _references(field.get("type"), namespace)} for field in _fields(node)
        ]
    return out


def _references(node: JSON, namespace: str) -> JSON:
    """Replace nested definitions by their full names, leaving only references."""
    if isinstance(node, str):
        return _resolve(node, namespace)
    if isinstance(node, list):
        return [_references(branch, namespace) for branch in node]
    if not isinstance(node, dict):
        return node
    kind = node.get("type")
    if kind in _NAMED:
        return _full_name(node, namespace)
    if kind == "array":
        return {**node, "items": _references(node.get("items"), namespace)}
    if kind == "map":
        return {**node, "values": _references(node.get("values"), namespace)}
    if isinstance(kind, dict | list | str):
        return {**node, "type": _references(kind, namespace)}
    return node


def _expand(node: JSON, found: Mapping[str, JSON], seen: frozenset[str]) -> JSON:
    """Inline every reference to a named type, stopping at recursive ones."""
    if isinstance(node, str):
        if node in found and node not in seen:
            return _expand(found[node], found, seen | {node})
        return node
    if isinstance(node, list):
        return [_expand(branch, found, seen) for branch in node]
    if not isinstance(node, dict):
        return node
    return {
        key: _expand(value, found, seen) if key in {"type", "items", "values", "fields"} else value
        for key, value in node.items()
    }


def _fields(node: Mapping[str, JSON]) -> Iterator[dict[str, JSON]]:
    fields = node.get("fields")
    if isinstance(fields, list):
        yield from (field for field in fields if isinstance(field, dict))
