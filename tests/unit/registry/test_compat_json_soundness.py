"""JSON Schema checker soundness: when it says a reader accepts what a writer allows, it does.

A writer schema is generated from a small grammar (objects with open or closed content models,
strings, numbers, enums, nullable types, arrays, bounds, required), a reader is derived by random
evolution steps, and documents valid under the writer are generated. Whenever the checker calls the
pair compatible, every such document must validate against the reader. (The converse does not hold:
Confluent's rules are deliberately conservative, e.g. for properties added to an open model.)
"""

from __future__ import annotations

from typing import Any

from hypothesis import given, settings
from hypothesis import strategies as st
from jsonschema import Draft202012Validator  # type: ignore[import-untyped]

from registry.compat import check_json_schema, parse_json_schema

PROPS = ["a", "b", "c"]
WORDS = ["x", "y", "z"]


class _Gen:
    def __init__(self, data: st.DataObject) -> None:
        self.data = data

    def draw(self, strategy: st.SearchStrategy[Any]) -> Any:
        return self.data.draw(strategy)

    def schema(self, depth: int = 0) -> dict[str, Any]:
        kinds = ["string", "integer", "number", "boolean", "enum"]
        kind = self.draw(st.sampled_from([*kinds, "object", "array"] if depth < 2 else kinds))
        if kind == "object":
            names = self.draw(st.lists(st.sampled_from(PROPS), max_size=3, unique=True))
            node: dict[str, Any] = {
                "type": "object",
                "properties": {n: self.schema(depth + 1) for n in names},
            }
            required = [n for n in names if self.draw(st.booleans())]
            if required:
                node["required"] = required
            if self.draw(st.booleans()):
                node["additionalProperties"] = False
            return node
        if kind == "array":
            return {"type": "array", "items": self.schema(depth + 1), "maxItems": 3}
        if kind == "enum":
            return {
                "type": "string",
                "enum": self.draw(st.lists(st.sampled_from(WORDS), min_size=1, unique=True)),
            }
        node = {"type": kind}
        if kind in ("integer", "number") and self.draw(st.booleans()):
            node["minimum"] = self.draw(st.integers(-3, 0))
            node["maximum"] = self.draw(st.integers(1, 4))
        if kind == "string" and self.draw(st.booleans()):
            node["maxLength"] = self.draw(st.integers(1, 4))
        if self.draw(st.booleans()):
            node["type"] = [kind, "null"]
        return node

    def evolve(self, node: dict[str, Any], depth: int = 0) -> dict[str, Any]:
        out = dict(node)
        step = self.draw(
            st.sampled_from(
                ["none", "none", "bounds", "type", "nullable", "enum", "object", "replace"]
            )
        )
        if step == "replace":
            return self.schema(depth)
        if step == "type" and node.get("type") in ("integer", "number", "string"):
            out["type"] = self.draw(st.sampled_from(["integer", "number", "string"]))
        elif step == "nullable" and isinstance(node.get("type"), str):
            out["type"] = [node["type"], "null"]
        elif step == "bounds":
            for key, values in (("minimum", (-5, 5)), ("maximum", (-1, 6)), ("maxLength", (0, 6))):
                if key in node or self.draw(st.booleans()):
                    out[key] = self.draw(st.integers(*values))
        elif step == "enum" and "enum" in node:
            out["enum"] = self.draw(st.lists(st.sampled_from(WORDS), min_size=1, unique=True))
        elif step == "object" and node.get("type") == "object":
            out = self.evolve_object(node)
        if out.get("type") == "object":
            out["properties"] = {n: self.evolve(s, depth + 1) for n, s in out["properties"].items()}
        if out.get("type") == "array":
            out["items"] = self.evolve(out["items"], depth + 1)
        return out

    def evolve_object(self, node: dict[str, Any]) -> dict[str, Any]:
        out = {**node, "properties": dict(node["properties"])}
        action = self.draw(
            st.sampled_from(["add", "drop", "require", "unrequire", "close", "open"])
        )
        free = [p for p in PROPS if p not in out["properties"]]
        if action == "add" and free:
            out["properties"][free[0]] = self.schema(2)
        elif action == "drop" and out["properties"]:
            gone = self.draw(st.sampled_from(sorted(out["properties"])))
            del out["properties"][gone]
            out["required"] = [r for r in out.get("required", []) if r != gone]
        elif action == "require" and out["properties"]:
            out["required"] = sorted({*out.get("required", []), next(iter(out["properties"]))})
        elif action == "unrequire":
            out.pop("required", None)
        elif action == "close":
            out["additionalProperties"] = False
        elif action == "open":
            out.pop("additionalProperties", None)
        if not out.get("required"):
            out.pop("required", None)
        return out

    def instance(self, node: dict[str, Any]) -> Any:
        """A document valid under ``node`` (the generator's own grammar only)."""
        kind = node["type"]
        if isinstance(kind, list):
            kind = self.draw(st.sampled_from(kind))
        if kind == "null":
            return None
        if "enum" in node:
            return self.draw(st.sampled_from(node["enum"]))
        if kind == "string":
            return self.draw(st.text(alphabet="ab", max_size=node.get("maxLength", 5)))
        if kind in ("integer", "number"):
            low, high = node.get("minimum", -10), node.get("maximum", 10)
            value = self.draw(st.integers(low, high))
            return (
                value + 0.5
                if kind == "number" and value < high and self.draw(st.booleans())
                else value
            )
        if kind == "boolean":
            return self.draw(st.booleans())
        if kind == "array":
            return [self.instance(node["items"]) for _ in range(self.draw(st.integers(0, 2)))]
        document = {
            name: self.instance(schema)
            for name, schema in node["properties"].items()
            if name in node.get("required", []) or self.draw(st.booleans())
        }
        if node.get("additionalProperties", True) is not False and self.draw(st.booleans()):
            unknown = [p for p in PROPS if p not in node["properties"]] or ["zz"]
            extra = self.draw(st.sampled_from(unknown))
            document[extra] = self.draw(st.sampled_from([1, "q", None, True]))
        return document


@settings(max_examples=300, deadline=None, derandomize=True)
@given(st.data())
def test_compatible_verdicts_accept_every_writer_document(data: st.DataObject) -> None:
    gen = _Gen(data)
    writer = gen.schema()
    reader = gen.evolve(writer)
    verdict = check_json_schema(parse_json_schema(reader), parse_json_schema(writer))
    if verdict:
        return  # an incompatible verdict may be conservative; nothing to check
    validator = Draft202012Validator(reader)
    for _ in range(5):
        document = gen.instance(writer)
        assert Draft202012Validator(writer).is_valid(document)
        assert validator.is_valid(document), (writer, reader, document)
