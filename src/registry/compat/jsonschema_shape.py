"""A JSON Schema node reduced to what compatibility looks at: its kind, and for combinations its
parts (``type: [a, b]`` is read as ``anyOf``; keywords beside a combiner become one more
``allOf`` part, as Confluent's checker does)."""

from __future__ import annotations

import json
from dataclasses import dataclass, field

from registry.loading import JSON

_COMBINERS = ("allOf", "anyOf", "oneOf")
_OBJECT_KEYS = frozenset(
    {"properties", "required", "additionalProperties", "patternProperties", "minProperties",
     "maxProperties", "dependencies", "dependentRequired", "dependentSchemas"}
)  # fmt: skip
_ARRAY_KEYS = frozenset(
    {"items", "prefixItems", "additionalItems", "minItems", "maxItems", "uniqueItems"}
)
_STRING_KEYS = frozenset({"minLength", "maxLength", "pattern"})
_NUMBER_KEYS = frozenset(
    {"minimum", "maximum", "exclusiveMinimum", "exclusiveMaximum", "multipleOf"}
)


@dataclass
class Shape:
    """A schema reduced to what compatibility looks at: a kind and, for combinations, parts."""

    kind: str  # empty, false, combined, object, array, string, number, boolean, null, enum, not
    node: dict[str, JSON]
    criterion: str = ""
    parts: list[JSON] = field(default_factory=list)


def shape(node: JSON) -> Shape:
    """Classify a dereferenced schema node the way Confluent's checker (everit) would."""
    if node is True or node == {}:
        return Shape("empty", {})
    if node is False or not isinstance(node, dict) or node.get("not") in ({}, True):
        return Shape("false", {"not": {}})
    combiners = [k for k in _COMBINERS if k in node]
    types = node.get("type")
    if combiners:
        rest = {k: v for k, v in node.items() if k not in combiners}
        groups: list[JSON] = [{k: node[k]} for k in combiners]
        if constraining(rest):
            groups.insert(0, rest)
        if len(groups) == 1:
            parts = node[combiners[0]]
            return Shape(
                "combined", node, combiners[0], list(parts) if isinstance(parts, list) else []
            )
        return Shape("combined", node, "allOf", groups)
    if isinstance(types, list):
        if len(types) == 1:
            return shape({**node, "type": types[0]})
        return Shape("combined", node, "anyOf", [{**node, "type": t} for t in types])
    if ("enum" in node or "const" in node) and not isinstance(types, str):
        return Shape("enum", node)
    if "not" in node:
        return Shape("not", node)
    if isinstance(types, str):
        return Shape("number" if types == "integer" else types, node)
    keys = set(node)
    for kind, marker in (("object", _OBJECT_KEYS), ("array", _ARRAY_KEYS), ("string", _STRING_KEYS),
                         ("number", _NUMBER_KEYS)):  # fmt: skip
        if keys & marker:
            return Shape(kind, node)
    return Shape("empty", node)


def constraining(node: dict[str, JSON]) -> bool:
    """Whether a node has any keyword that limits the values it accepts."""
    annotations = {"title", "description", "$id", "$schema", "default", "examples", "$comment",
                   "definitions", "$defs", "deprecated", "readOnly", "writeOnly"}  # fmt: skip
    return any(key not in annotations for key in node)


def enum_values(node: dict[str, JSON]) -> set[str] | None:
    """The allowed values (``enum`` or ``const``) as canonical JSON text, None when unlimited."""
    if "const" in node:
        return {json.dumps(node["const"], sort_keys=True)}
    values = node.get("enum")
    if isinstance(values, list):
        return {json.dumps(v, sort_keys=True) for v in values}
    return None
