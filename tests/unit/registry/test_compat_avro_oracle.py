"""Generated Avro schema pairs: our verdict equals the ``avro`` package's checker, both ways.

A writer schema is generated, then a reader is derived from it by random evolution steps (promote or
change a type, add or drop fields with or without defaults, rename with an alias, add or drop enum
symbols and defaults, widen or narrow unions, resize a fixed, rename a record) so that both verdicts
occur often. Aliases are always fully qualified and decimals are left out: those are the two places
the oracle departs from the specification (see docs/compatibility.md).
"""

from __future__ import annotations

import json
from typing import Any

import avro.schema
from avro.compatibility import ReaderWriterCompatibilityChecker, SchemaCompatibilityType
from hypothesis import assume, given, settings
from hypothesis import strategies as st

from registry.compat import AvroSchemaError, check_avro, parse_avro

PRIMITIVES = ["null", "boolean", "int", "long", "float", "double", "bytes", "string"]
DEFAULTS: dict[str, Any] = {
    "null": None, "boolean": False, "int": 0, "long": 0, "float": 0.5, "double": 0.5,
    "bytes": "", "string": "",
}  # fmt: skip
SYMBOLS = ["A", "B", "C", "D"]
FIELDS = ["f0", "f1", "f2", "f3"]


class _Gen:
    def __init__(self, data: st.DataObject) -> None:
        self.data = data
        self.count = 0

    def draw(self, strategy: st.SearchStrategy[Any]) -> Any:
        return self.data.draw(strategy)

    def name(self) -> str:
        self.count += 1
        return f"N{self.count}"

    def schema(self, depth: int = 0) -> Any:
        kinds = PRIMITIVES + (
            ["record", "enum", "array", "map", "union", "fixed"] if depth < 3 else []
        )
        kind = self.draw(st.sampled_from(kinds))
        if kind in PRIMITIVES:
            return kind
        if kind == "record":
            names = self.draw(st.lists(st.sampled_from(FIELDS), max_size=3, unique=True))
            return {"type": "record", "name": self.name(), "namespace": "w",
                    "fields": [self.field(n, depth) for n in names]}  # fmt: skip
        if kind == "enum":
            symbols = self.draw(st.lists(st.sampled_from(SYMBOLS), min_size=1, unique=True))
            enum: dict[str, Any] = {"type": "enum", "name": self.name(), "symbols": symbols}
            if self.draw(st.booleans()):
                enum["default"] = symbols[0]
            return enum
        if kind == "fixed":
            return {"type": "fixed", "name": self.name(), "size": self.draw(st.integers(1, 3))}
        if kind == "array":
            return {"type": "array", "items": self.schema(depth + 1)}
        if kind == "map":
            return {"type": "map", "values": self.schema(depth + 1)}
        branches = self.draw(
            st.lists(st.sampled_from(PRIMITIVES), min_size=1, max_size=3, unique=True)
        )
        if self.draw(st.booleans()):
            branches.append(self.schema(3 if depth >= 2 else depth + 1))
        return [b for b in branches if not isinstance(b, list)] or ["null"]

    def field(self, name: str, depth: int) -> dict[str, Any]:
        schema = self.schema(depth + 1)
        field: dict[str, Any] = {"name": name, "type": schema}
        default = _default(schema)
        if default is not _NONE and self.draw(st.booleans()):
            field["default"] = default
        return field

    def evolve(self, schema: Any, depth: int = 0) -> Any:
        """A reader derived from ``schema`` by zero or more evolution steps, recursively."""
        if self.draw(st.integers(0, 3)) == 0:
            return self.step(schema, depth)
        if isinstance(schema, list):
            return [self.evolve(b, depth + 1) for b in schema]
        if not isinstance(schema, dict):
            return schema
        out = dict(schema)
        if schema["type"] == "record":
            out["fields"] = [
                {**f, "type": self.evolve(f["type"], depth + 1)} for f in schema["fields"]
            ]
        elif schema["type"] == "array":
            out["items"] = self.evolve(schema["items"], depth + 1)
        elif schema["type"] == "map":
            out["values"] = self.evolve(schema["values"], depth + 1)
        return out

    def step(self, schema: Any, depth: int) -> Any:
        if isinstance(schema, str):
            choice = self.draw(st.sampled_from(["other", "union", "same"]))
            if choice == "union":
                return ["null", schema] if schema != "null" else ["null", "string"]
            return self.draw(st.sampled_from(PRIMITIVES)) if choice == "other" else schema
        if isinstance(schema, list):
            if len(schema) > 1 and self.draw(st.booleans()):
                return schema[:-1]  # a branch dropped
            extra = self.draw(st.sampled_from(PRIMITIVES))
            return schema if extra in schema else [*schema, extra]
        kind = schema["type"]
        if kind == "record":
            return self.evolve_record(schema, depth)
        if kind == "enum":
            symbols = self.draw(st.lists(st.sampled_from(SYMBOLS), min_size=1, unique=True))
            enum = {**schema, "symbols": symbols}
            enum.pop("default", None)
            if self.draw(st.booleans()):
                enum["default"] = symbols[-1]
            return enum
        if kind == "fixed":
            return {**schema, "size": self.draw(st.integers(1, 3))}
        return self.schema(depth)  # arrays and maps: something else entirely

    def evolve_record(self, schema: dict[str, Any], depth: int) -> dict[str, Any]:
        out = dict(schema)
        action = self.draw(st.sampled_from(["add", "drop", "alias", "rename", "rename-alias"]))
        fields = list(schema["fields"])
        free = [n for n in FIELDS if n not in {f["name"] for f in fields}]
        if action == "add" and free:
            fields.append(self.field(free[0], depth))
        elif action == "drop" and fields:
            fields.pop(self.draw(st.integers(0, len(fields) - 1)))
        elif action == "alias" and fields and free:
            old = fields.pop(0)
            fields.append({**old, "name": free[0], "aliases": [old["name"]]})
        elif action == "rename":
            out["name"] = schema["name"] + "x"
        elif action == "rename-alias":
            out["name"] = schema["name"] + "x"
            out["aliases"] = [f"w.{schema['name']}"]
        out["fields"] = fields
        return out


_NONE = object()


def _default(schema: Any) -> Any:
    first = schema[0] if isinstance(schema, list) else schema
    if isinstance(first, str):
        return DEFAULTS[first]
    if isinstance(first, dict) and first["type"] == "enum":
        return first["symbols"][0]
    return _NONE


def _ours(reader: Any, writer: Any) -> bool:
    return not check_avro(parse_avro(reader), parse_avro(writer))


def _oracle(reader: Any, writer: Any) -> bool:
    result = ReaderWriterCompatibilityChecker().get_compatibility(
        avro.schema.parse(json.dumps(reader)), avro.schema.parse(json.dumps(writer))
    )
    return bool(result.compatibility is SchemaCompatibilityType.compatible)


@settings(max_examples=400, deadline=None, derandomize=True)
@given(st.data())
def test_generated_pairs_agree_with_the_oracle(data: st.DataObject) -> None:
    gen = _Gen(data)
    writer = gen.schema()
    reader = gen.evolve(writer)
    try:
        parse_avro(writer)
        parse_avro(reader)
    except AvroSchemaError:
        assume(False)  # an evolution step made an invalid schema (e.g. a repeated union branch)

    assert _ours(reader, writer) == _oracle(reader, writer), (reader, writer)
    assert _ours(writer, reader) == _oracle(writer, reader), (writer, reader)
