"""Avro schemas parsed into a typed graph: full names resolved, aliases qualified, defaults checked.

The graph may be cyclic (a record can refer to itself by name), so nodes compare by identity.
"""

from __future__ import annotations

import math
import re
from dataclasses import dataclass, field
from typing import TypeAlias

from registry.loading import JSON, DocumentError

PRIMITIVES = frozenset({"null", "boolean", "int", "long", "float", "double", "bytes", "string"})
_NAME = re.compile(r"[A-Za-z_][A-Za-z0-9_]*\Z")


class AvroSchemaError(DocumentError):
    """A document is not a valid Avro schema."""


@dataclass(frozen=True)
class Decimal:
    """The ``decimal`` logical type's parameters, which must agree for schemas to match."""

    precision: int
    scale: int

    def __str__(self) -> str:
        return f"decimal({self.precision}, {self.scale})"


@dataclass(eq=False)
class Primitive:
    kind: str
    decimal: Decimal | None = None


@dataclass(eq=False)
class Named:
    """Common part of records, enums and fixed: the full name and qualified aliases."""

    fullname: str
    aliases: frozenset[str]

    @property
    def name(self) -> str:
        return self.fullname.rsplit(".", 1)[-1]


@dataclass(eq=False)
class Fixed(Named):
    size: int = 0
    decimal: Decimal | None = None
    kind = "fixed"


@dataclass(eq=False)
class Enum(Named):
    symbols: tuple[str, ...] = ()
    default: str | None = None
    kind = "enum"


@dataclass(eq=False)
class Field:
    name: str
    type: Schema
    aliases: tuple[str, ...]
    has_default: bool


@dataclass(eq=False)
class Record(Named):
    fields: list[Field] = field(default_factory=list)
    kind = "record"


@dataclass(eq=False)
class Array:
    items: Schema
    kind = "array"


@dataclass(eq=False)
class Map:
    values: Schema
    kind = "map"


@dataclass(eq=False)
class Union:
    branches: tuple[Schema, ...]
    kind = "union"


Schema: TypeAlias = "Primitive | Fixed | Enum | Record | Array | Map | Union"


def describe(schema: Schema) -> str:
    """A short human name for a schema: ``int``, ``record 'a.Line'``, ``array``."""
    if isinstance(schema, Primitive):
        return schema.kind
    if isinstance(schema, Named):
        return f"{schema.kind} '{schema.fullname}'"
    if isinstance(schema, Union):
        return "union [" + ", ".join(describe(b) for b in schema.branches) + "]"
    return schema.kind


def parse_avro(source: JSON) -> Schema:
    """Parse a JSON value (object, array or type name) into a checked Avro schema graph."""
    return _Parser().parse(source, namespace="", where="")


class _Parser:
    def __init__(self) -> None:
        self.names: dict[str, Fixed | Enum | Record] = {}

    def parse(self, node: JSON, *, namespace: str, where: str) -> Schema:
        if isinstance(node, str):
            return self.reference(node, namespace, where)
        if isinstance(node, list):
            return self.union(node, namespace, where)
        if not isinstance(node, dict):
            raise AvroSchemaError(f"{where or '/'}: a schema is a string, object or array")
        kind = node.get("type")
        if isinstance(kind, (list, dict)):
            # {"type": {...}} and {"type": [...]} wrap another schema.
            return self.parse(kind, namespace=namespace, where=where)
        if not isinstance(kind, str):
            raise AvroSchemaError(f"{where or '/'}: 'type' is missing or not a string")
        if kind in PRIMITIVES:
            return Primitive(kind, _decimal(node) if kind == "bytes" else None)
        if kind == "array":
            if "items" not in node:
                raise AvroSchemaError(f"{where or '/'}: array without 'items'")
            return Array(self.parse(node["items"], namespace=namespace, where=f"{where}/items"))
        if kind == "map":
            if "values" not in node:
                raise AvroSchemaError(f"{where or '/'}: map without 'values'")
            return Map(self.parse(node["values"], namespace=namespace, where=f"{where}/values"))
        if kind in ("record", "error", "enum", "fixed"):
            return self.named(node, kind, namespace, where)
        # A bare reference written as {"type": "a.b.Name"}.
        return self.reference(kind, namespace, where)

    def reference(self, name: str, namespace: str, where: str) -> Schema:
        if name in PRIMITIVES:
            return Primitive(name)
        full = _qualify(name, namespace)
        found = self.names.get(full) or self.names.get(name)
        if found is None:
            raise AvroSchemaError(f"{where or '/'}: unknown type '{name}'")
        return found

    def union(self, branches: list[JSON], namespace: str, where: str) -> Union:
        parsed = tuple(
            self.parse(b, namespace=namespace, where=f"{where}/{i}") for i, b in enumerate(branches)
        )
        seen: set[str] = set()
        for branch in parsed:
            if isinstance(branch, Union):
                raise AvroSchemaError(f"{where or '/'}: a union may not contain a union")
            key = branch.fullname if isinstance(branch, Named) else branch.kind
            if key in seen:
                raise AvroSchemaError(f"{where or '/'}: union lists {key} twice")
            seen.add(key)
        return Union(parsed)

    def named(self, node: dict[str, JSON], kind: str, namespace: str, where: str) -> Schema:
        raw_name = node.get("name")
        raw_space = node.get("namespace")
        if not isinstance(raw_name, str) or not raw_name:
            raise AvroSchemaError(f"{where or '/'}: {kind} without a 'name'")
        if raw_space is not None and not isinstance(raw_space, str):
            raise AvroSchemaError(f"{where or '/'}: 'namespace' is not a string")
        space = namespace if raw_space is None else raw_space
        full = _qualify(raw_name, space)
        for part in full.split("."):
            if not _NAME.match(part):
                raise AvroSchemaError(f"{where or '/'}: invalid name '{full}'")
        if full in self.names or full in PRIMITIVES:
            raise AvroSchemaError(f"{where or '/'}: '{full}' is defined twice")
        own_space = full.rpartition(".")[0]
        aliases = frozenset(_qualify(a, own_space) for a in _strings(node, "aliases", where))
        if kind == "fixed":
            size = node.get("size")
            if not isinstance(size, int) or isinstance(size, bool) or size < 0:
                raise AvroSchemaError(f"{where or '/'}: fixed '{full}' needs a size >= 0")
            fixed = Fixed(full, aliases, size=size, decimal=_decimal(node, size))
            self.names[full] = fixed
            return fixed
        if kind == "enum":
            return self.enum(node, full, aliases, where)
        record = Record(full, aliases)
        self.names[full] = record  # registered first, so fields can refer to it
        raw_fields = node.get("fields")
        if not isinstance(raw_fields, list):
            raise AvroSchemaError(f"{where or '/'}: record '{full}' without a 'fields' list")
        for raw in raw_fields:
            record.fields.append(self.field(raw, own_space, f"{where}/fields", record))
        return record

    def enum(self, node: dict[str, JSON], full: str, aliases: frozenset[str], where: str) -> Enum:
        symbols = _strings(node, "symbols", where)
        if "symbols" not in node:
            raise AvroSchemaError(f"{where or '/'}: enum '{full}' without 'symbols'")
        bad = [s for s in symbols if not _NAME.match(s)]
        if bad or len(set(symbols)) != len(symbols):
            raise AvroSchemaError(f"{where or '/'}: enum '{full}' has invalid or repeated symbols")
        default = node.get("default")
        if default is not None and default not in symbols:
            raise AvroSchemaError(
                f"{where or '/'}: enum '{full}' default is not one of its symbols"
            )
        enum = Enum(full, aliases, symbols=tuple(symbols), default=default)
        self.names[full] = enum
        return enum

    def field(self, raw: JSON, namespace: str, where: str, record: Record) -> Field:
        if not isinstance(raw, dict):
            raise AvroSchemaError(f"{where}: a field is an object")
        name = raw.get("name")
        if not isinstance(name, str) or not _NAME.match(name):
            raise AvroSchemaError(f"{where}: field without a valid 'name'")
        if any(f.name == name for f in record.fields):
            raise AvroSchemaError(f"{where}/{name}: field '{name}' is defined twice")
        if "type" not in raw:
            raise AvroSchemaError(f"{where}/{name}: field without a 'type'")
        schema = self.parse(raw["type"], namespace=namespace, where=f"{where}/{name}")
        has_default = "default" in raw
        if has_default and not _default_fits(schema, raw["default"], set()):
            raise AvroSchemaError(
                f"{where}/{name}: default {raw['default']!r} does not match the field's type "
                f"{describe(schema)} (a union's default matches its first branch)"
            )
        return Field(name, schema, tuple(_strings(raw, "aliases", where)), has_default)


def _qualify(name: str, namespace: str) -> str:
    return name if "." in name or not namespace else f"{namespace}.{name}"


def _strings(node: dict[str, JSON], key: str, where: str) -> list[str]:
    value = node.get(key, [])
    if not isinstance(value, list) or not all(isinstance(v, str) for v in value):
        raise AvroSchemaError(f"{where or '/'}: '{key}' is not a list of strings")
    return [v for v in value if isinstance(v, str)]


def _decimal(node: dict[str, JSON], size: int | None = None) -> Decimal | None:
    """The decimal parameters, or None when absent or invalid (then the spec says: ignore it)."""
    if node.get("logicalType") != "decimal":
        return None
    precision, scale = node.get("precision"), node.get("scale", 0)
    if not isinstance(precision, int) or not isinstance(scale, int) or precision <= 0:
        return None
    if not 0 <= scale <= precision:
        return None
    if size is not None and (
        size == 0 or precision > math.floor(math.log10(2 ** (8 * size - 1) - 1 or 1))
    ):
        return None
    return Decimal(precision, scale)


def _default_fits(schema: Schema, value: JSON, seen: set[int]) -> bool:
    """Whether a field default is a permitted JSON value for ``schema`` (spec's default table)."""
    if isinstance(schema, Union):
        return _default_fits(schema.branches[0], value, seen)
    if isinstance(schema, Primitive):
        return _primitive_default_fits(schema.kind, value)
    if isinstance(schema, Fixed):
        return isinstance(value, str) and len(value) == schema.size
    if isinstance(schema, Enum):
        return value in schema.symbols
    if isinstance(schema, Array):
        return isinstance(value, list) and all(_default_fits(schema.items, v, seen) for v in value)
    if isinstance(schema, Map):
        return isinstance(value, dict) and all(
            _default_fits(schema.values, v, seen) for v in value.values()
        )
    if not isinstance(value, dict):
        return False
    if id(schema) in seen:
        return True
    inner = seen | {id(schema)}
    return all(
        _default_fits(f.type, value[f.name], inner) if f.name in value else f.has_default
        for f in schema.fields
    )


def _primitive_default_fits(kind: str, value: JSON) -> bool:
    if kind == "null":
        return value is None
    if kind == "boolean":
        return isinstance(value, bool)
    if kind in ("int", "long"):
        return isinstance(value, int) and not isinstance(value, bool)
    if kind in ("float", "double"):
        return isinstance(value, (int, float)) and not isinstance(value, bool)
    return isinstance(value, str)
