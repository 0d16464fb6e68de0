"""Objects, arrays and combinations for the JSON Schema checker: where the content model decides.

An object's content model is *open* when it has no ``patternProperties`` and no
``additionalProperties`` schema and does not forbid additional properties, *closed* when
``additionalProperties`` is false, and *partially open* when a ``patternProperties`` or
``additionalProperties`` schema covers unknown properties. Arrays work the same with
``additionalItems`` (or ``items`` after ``prefixItems``).
"""

from __future__ import annotations

import json
import re
from typing import TYPE_CHECKING

from registry.compat.jsonschema_shape import Shape, shape
from registry.loading import JSON

if TYPE_CHECKING:
    from registry.compat.jsonschema import Comparison


def compare_objects(d: Comparison, o: dict[str, JSON], u: dict[str, JSON]) -> None:
    """Required-ness, properties, dependencies, additional properties and property counts."""
    o_props, u_props = _mapping(o, "properties"), _mapping(u, "properties")
    o_req, u_req = _names(o.get("required")), _names(u.get("required"))
    for name in o_props:
        if name not in u_props:
            continue
        with d.at("properties", name):
            if name in o_req and name not in u_req:
                d.add("required-attribute-removed", f"'{name}' is no longer required")
            elif name in u_req and name not in o_req:
                kind = "required-attribute-with-default-added"
                if not _has_default(d, u_props[name]):
                    kind = "required-attribute-added"
                d.add(kind, f"'{name}' became required")
    for name in [*o_props, *(n for n in u_props if n not in o_props)]:
        with d.at("properties", name):
            if name not in u_props:
                _property_removed(d, name, o_props[name], u)
            elif name not in o_props:
                _property_added(d, name, u_props[name], o, name in u_req)
            else:
                d.compare(o_props[name], u_props[name])
    _dependencies(d, o, u)
    with d.at("additionalProperties"):
        _additional(d, o.get("additionalProperties"), u.get("additionalProperties"), "properties")
    for name in ("maxProperties", "minProperties"):
        d.bound(o.get(name), u.get(name), name)


def _property_removed(d: Comparison, name: str, schema: JSON, update: dict[str, JSON]) -> None:
    if _open(update):
        d.add("property-removed-from-open-content-model", f"'{name}' removed")
        return
    partial = _partial(update, name)
    if partial is not None:
        ok, found = d.trial(schema, partial)
        d.found.extend(found)
        suffix = "is-covered-by" if ok else "not-covered-by"
        d.add(f"property-removed-{suffix}-partially-open-content-model", f"'{name}' removed")
    elif schema is False:
        d.add("property-with-false-removed-from-closed-content-model", f"'{name}' removed")
    else:
        d.add("property-removed-from-closed-content-model", f"'{name}' removed")


def _property_added(
    d: Comparison, name: str, schema: JSON, original: dict[str, JSON], required: bool
) -> None:
    if _open(original):
        if shape(d.deref(schema, 1)).kind == "empty":
            d.add("property-with-empty-schema-added-to-open-content-model", f"'{name}' added")
        else:
            d.add("property-added-to-open-content-model", f"'{name}' added")
        return
    partial = _partial(original, name)
    if partial is not None:
        ok, found = d.trial(partial, schema)
        d.found.extend(found)
        suffix = "is-covered-by" if ok else "not-covered-by"
        d.add(f"property-added-{suffix}-partially-open-content-model", f"'{name}' added")
    if not required:
        d.add("optional-property-added-to-unopen-content-model", f"'{name}' added")
    elif _has_default(d, schema):
        d.add("required-property-with-default-added-to-unopen-content-model", f"'{name}' added")
    else:
        d.add("required-property-added-to-unopen-content-model", f"'{name}' added as required")


def _dependencies(d: Comparison, o: dict[str, JSON], u: dict[str, JSON]) -> None:
    o_arrays, o_schemas = _split_dependencies(o)
    u_arrays, u_schemas = _split_dependencies(u)
    for name in sorted(set(o_arrays) | set(u_arrays)):
        with d.at("dependencies", name):
            before, after = o_arrays.get(name), u_arrays.get(name)
            if after is None:
                d.add("dependency-array-removed")
            elif before is None:
                d.add("dependency-array-added", f"{name} -> {sorted(after)}")
            elif before != after:
                kind = (
                    "dependency-array-extended" if after > before
                    else "dependency-array-narrowed" if after < before
                    else "dependency-array-changed"
                )  # fmt: skip
                d.add(kind, f"{sorted(before)} -> {sorted(after)}")
    for name in sorted(set(o_schemas) | set(u_schemas)):
        with d.at("dependencies", name):
            d.compare(o_schemas.get(name), u_schemas.get(name))


def _split_dependencies(node: dict[str, JSON]) -> tuple[dict[str, set[str]], dict[str, JSON]]:
    arrays: dict[str, set[str]] = {}
    schemas: dict[str, JSON] = {}
    for key in ("dependencies", "dependentRequired", "dependentSchemas"):
        for name, value in _mapping(node, key).items():
            if isinstance(value, list):
                arrays[name] = _names(value)
            else:
                schemas[name] = value
    return arrays, schemas


def _additional(d: Comparison, o: JSON, u: JSON, what: str) -> None:
    """``additionalProperties`` / ``additionalItems``: allowed at all, and with which schema."""
    o_permits, u_permits = o is not False, u is not False
    o_schema, u_schema = _schema_of(o), _schema_of(u)
    if o_permits != u_permits:
        d.add(f"additional-{what}-{'added' if u_permits else 'removed'}")
    elif o_schema is None and u_schema is not None:
        d.add(f"additional-{what}-narrowed")
    elif u_schema is None and o_schema is not None:
        d.add(f"additional-{what}-extended")
    elif o_schema is not None and u_schema is not None:
        d.compare(o_schema, u_schema)


def compare_arrays(d: Comparison, o: dict[str, JSON], u: dict[str, JSON]) -> None:
    """Item schemas (single and tuple form), additional items, lengths and uniqueness."""
    with d.at("items"):
        d.compare(_all_items(o), _all_items(u))
    o_tuple, u_tuple = _tuple_items(o), _tuple_items(u)
    for index in range(max(len(o_tuple), len(u_tuple))):
        with d.at("items", str(index)):
            if index < len(o_tuple) and index < len(u_tuple):
                d.compare(o_tuple[index], u_tuple[index])
            elif index < len(o_tuple):
                _item_removed(d, o_tuple[index], u)
            else:
                _item_added(d, u_tuple[index], o)
    with d.at("additionalItems"):
        _additional(d, _additional_items(o), _additional_items(u), "items")
    for name in ("maxItems", "minItems"):
        d.bound(o.get(name), u.get(name), name)
    o_unique, u_unique = o.get("uniqueItems") is True, u.get("uniqueItems") is True
    if o_unique != u_unique:
        d.add("unique-items-added" if u_unique else "unique-items-removed", key="uniqueItems")


def _item_removed(d: Comparison, schema: JSON, update: dict[str, JSON]) -> None:
    extra = _additional_items(update)
    if extra is not False and _schema_of(extra) is None:
        d.add("item-removed-from-open-content-model")
    elif _schema_of(extra) is not None:
        ok, found = d.trial(schema, _schema_of(extra))
        d.found.extend(found)
        suffix = "is-covered-by" if ok else "not-covered-by"
        d.add(f"item-removed-{suffix}-partially-open-content-model")
    elif schema is False:
        d.add("item-with-false-removed-from-closed-content-model")
    else:
        d.add("item-removed-from-closed-content-model")


def _item_added(d: Comparison, schema: JSON, original: dict[str, JSON]) -> None:
    extra = _additional_items(original)
    if extra is not False and _schema_of(extra) is None:
        empty = shape(d.deref(schema, 1)).kind == "empty"
        d.add(f"item-{'with-empty-schema-' if empty else ''}added-to-open-content-model")
    elif _schema_of(extra) is not None:
        ok, found = d.trial(_schema_of(extra), schema)
        d.found.extend(found)
        suffix = "is-covered-by" if ok else "not-covered-by"
        d.add(f"item-added-{suffix}-partially-open-content-model")
    else:
        d.add("item-added-to-closed-content-model")


def compare_combined(d: Comparison, o: Shape, u: Shape) -> None:
    """allOf/anyOf/oneOf: the criterion, the number of parts, and a one-to-one compatible
    pairing of the parts (maximum bipartite matching)."""
    if o.criterion != u.criterion:
        widened = (
            u.criterion == "anyOf"
            or (u.criterion == "oneOf" and len(o.parts) == 1)
            or (u.criterion == "allOf" and len(o.parts) == 1 and len(u.parts) == 1)
        )
        if not widened:
            d.add("combined-type-changed", f"{o.criterion} -> {u.criterion}")
            return
        d.add("combined-type-extended", f"{o.criterion} -> {u.criterion}")
    o_parts, u_parts = _distinct(o.parts), _distinct(u.parts)
    product = u.criterion == "allOf"
    if len(o_parts) != len(u_parts):
        grew = len(u_parts) > len(o_parts)
        kind = ("product" if product else "sum") + ("-type-extended" if grew else "-type-narrowed")
        d.add(kind, f"{len(o_parts)} -> {len(u_parts)} subschemas", u.criterion)
    edges: dict[tuple[int, int], list[tuple[str, str, str]]] = {}
    for i, before in enumerate(o_parts):
        with d.at(o.criterion, str(i)):
            for j, after in enumerate(u_parts):
                ok, found = d.trial(before, after)
                if ok:
                    edges[(i, j)] = found
    matching = _max_matching(len(o_parts), len(u_parts), set(edges))
    for edge in matching:
        d.found.extend(edges[edge])
    if len(matching) < min(len(o_parts), len(u_parts)):
        d.add("combined-type-subschemas-changed", key=u.criterion)


def _max_matching(left: int, right: int, edges: set[tuple[int, int]]) -> list[tuple[int, int]]:
    """Kuhn's augmenting paths; the inputs are a handful of subschemas."""
    owner: dict[int, int] = {}

    def augment(i: int, seen: set[int]) -> bool:
        for j in range(right):
            if (i, j) in edges and j not in seen:
                seen.add(j)
                if j not in owner or augment(owner[j], seen):
                    owner[j] = i
                    return True
        return False

    for i in range(left):
        augment(i, set())
    return sorted((i, j) for j, i in owner.items())


def _distinct(parts: list[JSON]) -> list[JSON]:
    seen: dict[str, JSON] = {}
    for part in parts:
        seen.setdefault(json.dumps(part, sort_keys=True), part)
    return list(seen.values())


def _mapping(node: dict[str, JSON], key: str) -> dict[str, JSON]:
    value = node.get(key)
    return value if isinstance(value, dict) else {}


def _names(value: JSON) -> set[str]:
    return {v for v in value if isinstance(v, str)} if isinstance(value, list) else set()


def _has_default(d: Comparison, schema: JSON) -> bool:
    resolved = d.deref(schema, 1)
    return isinstance(resolved, dict) and "default" in resolved


def _schema_of(value: JSON) -> JSON:
    """The schema of ``additionalProperties``/``additionalItems``, None when absent or boolean."""
    return value if isinstance(value, dict) and value else None


def _open(node: dict[str, JSON]) -> bool:
    extra = node.get("additionalProperties")
    return not _mapping(node, "patternProperties") and extra is not False and not _schema_of(extra)


def _partial(node: dict[str, JSON], name: str) -> JSON:
    for pattern, schema in _mapping(node, "patternProperties").items():
        if re.search(pattern, name):
            return schema
    return _schema_of(node.get("additionalProperties"))


def _all_items(node: dict[str, JSON]) -> JSON:
    items = node.get("items")
    return items if "prefixItems" not in node and isinstance(items, (dict, bool)) else None


def _tuple_items(node: dict[str, JSON]) -> list[JSON]:
    for key in ("prefixItems", "items"):
        value = node.get(key)
        if isinstance(value, list):
            return value
    return []


def _additional_items(node: dict[str, JSON]) -> JSON:
    return node.get("items") if "prefixItems" in node else node.get("additionalItems")
