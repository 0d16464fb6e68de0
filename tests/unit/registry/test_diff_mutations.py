"""Mutation test of the diff: known-breaking edits of the repository's specs must be reported,
known-cosmetic edits must not be.

Each spec under ``specs/openapi`` is bundled, read as OpenAPI 3.0 and as 3.1 (``nullable``
rewritten to type lists), and edited by one mutation at a time. A breaking mutation names the rule
ids that may report it and the operation it must be reported for (the first and second operation
where it applies, so shared components are exercised through several operations); a cosmetic one
must leave no change at warning or error level. False negatives are the worst defect a diff tool
can have, so every breaking mutation must be found on every spec where it applies.
"""

from __future__ import annotations

import copy
import json
import re
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from datetime import date
from pathlib import Path
from typing import Any

import pytest
import yaml

from registry import diff
from registry.diff.rules import RULES
from registry.loading import bundle
from registry.model import Level

ROOT = Path(__file__).resolve().parents[3]
SPECS = sorted((ROOT / "specs" / "openapi").glob("*/v*.yaml"))
METHODS = ("get", "put", "post", "delete", "patch")
TODAY = date(2026, 11, 26)
Doc = dict[str, Any]
# A mutation edits a document in place and returns (acceptable ids, operation), or None when
# it finds no place to apply at the given index.
Mutation = Callable[[Doc, int], tuple[frozenset[str], str | None] | None]


# -- reading the documents ------------------------------------------------------------------------


def _to_31(node: Any) -> Any:
    """The same document in OpenAPI 3.1: ``nullable: true`` becomes a ``"null"`` type entry."""
    if isinstance(node, list):
        return [_to_31(v) for v in node]
    if not isinstance(node, dict):
        return node
    out = {k: _to_31(v) for k, v in node.items() if k != "nullable"}
    if node.get("nullable") is True and isinstance(node.get("type"), str):
        out["type"] = [node["type"], "null"]
    return out


_BUNDLED: dict[tuple[Path, str], Doc] = {}


def _load(spec: Path, dialect: str) -> Doc:
    key = (spec, dialect)
    if key not in _BUNDLED:
        doc = bundle(spec)
        if dialect == "3.1":
            doc = _to_31(doc)
            doc["openapi"] = "3.1.0"
        _BUNDLED[key] = doc
    return copy.deepcopy(_BUNDLED[key])


def _deref(doc: Doc, node: Any) -> Any:
    for _ in range(32):
        if not (isinstance(node, dict) and isinstance(node.get("$ref"), str)):
            return node
        target: Any = doc
        for part in node["$ref"].lstrip("#/").split("/"):
            target = target[part.replace("~1", "/").replace("~0", "~")]
        node = target
    raise AssertionError("reference chain too long")


def _operations(doc: Doc) -> Iterator[tuple[str, str, Doc]]:
    for path in sorted(doc.get("paths") or {}):
        item = doc["paths"][path]
        for method in METHODS:
            if isinstance(item.get(method), dict):
                yield f"{method.upper()} {path}", path, item[method]


def _json_schema(doc: Doc, holder: Any) -> Any:
    """The schema of a body's ``application/json`` (or first) media type."""
    content = (_deref(doc, holder) or {}).get("content") or {}
    media = content.get("application/json") or next(iter(content.values()), None)
    return _deref(doc, media.get("schema")) if isinstance(media, dict) else None


def _request_schema(doc: Doc, op: Doc) -> Any:
    return _json_schema(doc, op["requestBody"]) if "requestBody" in op else None


def _success_schemas(doc: Doc, op: Doc) -> Iterator[Any]:
    for status in sorted(op.get("responses") or {}):
        if str(status).startswith("2"):
            schema = _json_schema(doc, op["responses"][status])
            if schema is not None:
                yield schema


@dataclass
class _Prop:
    owner: Doc  # the object schema holding the property
    name: str
    schema: Doc  # the property's schema, references followed


def _properties(doc: Doc, schema: Any, *, hidden: str) -> Iterator[_Prop]:
    """Properties under an object schema, through properties, items and allOf, each once.

    ``hidden`` is ``readOnly`` for requests (such properties never travel) and ``writeOnly``
    for responses.
    """
    seen: set[int] = set()
    stack = [schema]
    while stack:
        node = _deref(doc, stack.pop(0))
        if not isinstance(node, dict) or id(node) in seen:
            continue
        seen.add(id(node))
        for name, raw in (node.get("properties") or {}).items():
            prop = _deref(doc, raw)
            if isinstance(prop, dict) and prop.get(hidden) is not True:
                yield _Prop(node, name, prop)
                stack.append(prop)
        if isinstance(node.get("items"), dict):
            stack.append(node["items"])
        stack.extend(node.get("allOf") or [])


def _nth(found: Iterator[Any], index: int) -> Any:
    for i, item in enumerate(found):
        if i == index:
            return item
    return None


def _pick(
    doc: Doc, index: int, side: str, test: Callable[[_Prop], bool]
) -> tuple[str, _Prop] | None:
    """The index-th (operation, property) on ``side`` whose property passes ``test``."""

    def candidates() -> Iterator[tuple[str, _Prop]]:
        for name, _, op in _operations(doc):
            if side == "request":
                schemas = [_request_schema(doc, op)]
                hidden = "readOnly"
            else:
                schemas = list(_success_schemas(doc, op))
                hidden = "writeOnly"
            for schema in schemas:
                for prop in _properties(doc, schema, hidden=hidden):
                    if test(prop):
                        yield name, prop
                        break  # one property per operation: spread over operations

    return _nth(candidates(), index)  # type: ignore[no-any-return]


def _type_of(schema: Doc) -> Any:
    kind = schema.get("type")
    if isinstance(kind, list):
        rest = [k for k in kind if k != "null"]
        return rest[0] if len(rest) == 1 else None
    return kind


# -- breaking mutations -------------------------------------------------------------------------


def remove_operation(doc: Doc, index: int) -> tuple[frozenset[str], str | None] | None:
    found = _nth((o for o in _operations(doc) if o[2].get("deprecated") is not True), index)
    if found is None:
        return None
    name, path, _ = found
    del doc["paths"][path][name.split()[0].lower()]
    ids = {"api-removed-without-deprecation", "api-path-removed-without-deprecation"}
    return frozenset(ids), name


def remove_required_response_property(doc: Doc, index: int) -> Any:
    hit = _pick(doc, index, "response", lambda p: p.name in (p.owner.get("required") or []))
    if hit is None:
        return None
    name, prop = hit
    del prop.owner["properties"][prop.name]
    prop.owner["required"].remove(prop.name)
    return frozenset({"response-required-property-removed"}), name


def optional_request_property_becomes_required(doc: Doc, index: int) -> Any:
    hit = _pick(doc, index, "request", lambda p: p.name not in (p.owner.get("required") or []))
    if hit is None:
        return None
    name, prop = hit
    prop.owner.setdefault("required", []).append(prop.name)
    ids = {"request-property-became-required", "request-property-became-required-with-default"}
    return frozenset(ids), name


def new_required_request_property(doc: Doc, index: int) -> Any:
    hit = _pick(doc, index, "request", lambda p: True)
    if hit is None:
        return None
    name, prop = hit
    prop.owner["properties"]["zzAdded"] = {"type": "string"}
    prop.owner.setdefault("required", []).append("zzAdded")
    return frozenset({"new-required-request-property"}), name


def narrow_request_enum(doc: Doc, index: int) -> Any:
    hit = _pick(doc, index, "request", lambda p: len(p.schema.get("enum") or []) >= 2)
    if hit is None:
        return None
    name, prop = hit
    prop.schema["enum"] = prop.schema["enum"][:-1]
    return frozenset({"request-property-enum-value-removed"}), name


def widen_response_enum(doc: Doc, index: int) -> Any:
    hit = _pick(doc, index, "response", lambda p: bool(p.schema.get("enum")))
    if hit is None:
        return None
    name, prop = hit
    prop.schema["enum"] = [*prop.schema["enum"], "zz-new-value"]
    return frozenset({"response-property-enum-value-added"}), name


def change_response_type(doc: Doc, index: int) -> Any:
    hit = _pick(doc, index, "response", lambda p: _type_of(p.schema) == "string")
    if hit is None:
        return None
    name, prop = hit
    for key in ("format", "pattern", "maxLength", "minLength", "enum"):
        prop.schema.pop(key, None)
    nullable = isinstance(prop.schema.get("type"), list)
    prop.schema["type"] = ["integer", "null"] if nullable else "integer"
    return frozenset({"response-property-type-changed"}), name


def change_request_type(doc: Doc, index: int) -> Any:
    hit = _pick(doc, index, "request", lambda p: _type_of(p.schema) in ("integer", "number"))
    if hit is None:
        return None
    name, prop = hit
    for key in ("format", "minimum", "maximum", "exclusiveMinimum", "exclusiveMaximum"):
        prop.schema.pop(key, None)
    nullable = isinstance(prop.schema.get("type"), list)
    prop.schema["type"] = ["boolean", "null"] if nullable else "boolean"
    return frozenset({"request-property-type-changed"}), name


def tighten_request_max_length(doc: Doc, index: int) -> Any:
    hit = _pick(doc, index, "request", lambda p: (p.schema.get("maxLength") or 0) >= 2)
    if hit is None:
        return None
    name, prop = hit
    prop.schema["maxLength"] -= 1
    return frozenset({"request-property-max-length-decreased"}), name


def loosen_response_max_length(doc: Doc, index: int) -> Any:
    hit = _pick(doc, index, "response", lambda p: isinstance(p.schema.get("maxLength"), int))
    if hit is None:
        return None
    name, prop = hit
    prop.schema["maxLength"] += 10
    return frozenset({"response-property-max-length-increased"}), name


def raise_request_minimum(doc: Doc, index: int) -> Any:
    hit = _pick(doc, index, "request", lambda p: isinstance(p.schema.get("minimum"), int))
    if hit is None:
        return None
    name, prop = hit
    prop.schema["minimum"] += 1
    return frozenset({"request-property-min-increased"}), name


def response_property_becomes_nullable(doc: Doc, index: int) -> Any:
    def plain(p: _Prop) -> bool:
        return isinstance(p.schema.get("type"), str) and p.schema.get("nullable") is not True

    hit = _pick(doc, index, "response", plain)
    if hit is None:
        return None
    name, prop = hit
    if str(doc["openapi"]).startswith("3.1"):
        prop.schema["type"] = [prop.schema["type"], "null"]
    else:
        prop.schema["nullable"] = True
    return frozenset({"response-property-became-nullable"}), name


def add_required_parameter(doc: Doc, index: int) -> Any:
    found = _nth(_operations(doc), index)
    if found is None:
        return None
    name, _, op = found
    param = {"name": "zzAdded", "in": "query", "required": True, "schema": {"type": "string"}}
    op.setdefault("parameters", []).append(param)
    return frozenset({"new-required-request-parameter"}), name


def optional_parameter_becomes_required(doc: Doc, index: int) -> Any:
    def optional(op: Doc) -> Iterator[Doc]:
        for raw in op.get("parameters") or []:
            node = _deref(doc, raw)
            if node.get("required") is not True:
                yield raw

    found = _nth(((n, op) for n, _, op in _operations(doc) if any(optional(op))), index)
    if found is None:
        return None
    name, op = found
    raw = next(optional(op))
    # Inline the parameter so only this operation changes.
    inline = copy.deepcopy(_deref(doc, raw))
    inline["required"] = True
    op["parameters"][op["parameters"].index(raw)] = inline
    return frozenset({"request-parameter-became-required"}), name


def remove_response_media_type(doc: Doc, index: int) -> Any:
    def with_content(op: Doc) -> str | None:
        for status in sorted(op.get("responses") or {}):
            if str(status).startswith("2") and _deref(doc, op["responses"][status]).get("content"):
                return str(status)
        return None

    found = _nth(((n, op) for n, _, op in _operations(doc) if with_content(op)), index)
    if found is None:
        return None
    name, op = found
    status = with_content(op)
    assert status is not None
    response = copy.deepcopy(_deref(doc, op["responses"][status]))
    response["content"].pop(next(iter(response["content"])))
    op["responses"][status] = response
    return frozenset({"response-media-type-removed"}), name


def remove_request_media_type(doc: Doc, index: int) -> Any:
    found = _nth(((n, op) for n, _, op in _operations(doc) if "requestBody" in op), index)
    if found is None:
        return None
    name, op = found
    body = copy.deepcopy(_deref(doc, op["requestBody"]))
    body["content"].pop(next(iter(body["content"])))
    op["requestBody"] = body
    return frozenset({"request-body-media-type-removed"}), name


def remove_success_response(doc: Doc, index: int) -> Any:
    def success(op: Doc) -> list[str]:
        return [s for s in sorted(op.get("responses") or {}) if str(s).startswith("2")]

    found = _nth(((n, op) for n, _, op in _operations(doc) if success(op)), index)
    if found is None:
        return None
    name, op = found
    del op["responses"][success(op)[0]]
    return frozenset({"response-success-status-removed"}), name


def add_security_scope(doc: Doc, index: int) -> Any:
    found = _nth(((n, op) for n, _, op in _operations(doc) if op.get("security")), index)
    if found is None:
        return None
    name, op = found
    requirement = op["security"][0]
    scheme = next(iter(requirement))
    requirement[scheme] = [*requirement[scheme], "zz:admin"]
    return frozenset({"api-security-scope-added"}), name


def _inline_params(doc: Doc, op: Doc) -> list[Doc]:
    """The operation's parameters as inline copies, so an edit touches only this operation."""
    op["parameters"] = [copy.deepcopy(_deref(doc, raw)) for raw in op.get("parameters") or []]
    for param in op["parameters"]:
        if "schema" in param:
            param["schema"] = copy.deepcopy(_deref(doc, param["schema"]))
    return op["parameters"]  # type: ignore[no-any-return]


def narrow_parameter_enum(doc: Doc, index: int) -> Any:
    def has_enum(op: Doc) -> bool:
        for raw in op.get("parameters") or []:
            schema = _deref(doc, _deref(doc, raw).get("schema"))
            if isinstance(schema, dict) and len(schema.get("enum") or []) >= 2:
                return True
        return False

    found = _nth(((n, op) for n, _, op in _operations(doc) if has_enum(op)), index)
    if found is None:
        return None
    name, op = found
    for param in _inline_params(doc, op):
        if len(param["schema"].get("enum") or []) >= 2:
            param["schema"]["enum"] = param["schema"]["enum"][1:]
            break
    return frozenset({"request-parameter-enum-value-removed"}), name


def tighten_request_max_items(doc: Doc, index: int) -> Any:
    hit = _pick(doc, index, "request", lambda p: (p.schema.get("maxItems") or 0) >= 2)
    if hit is None:
        return None
    name, prop = hit
    prop.schema["maxItems"] -= 1
    return frozenset({"request-property-max-items-decreased"}), name


def add_request_pattern(doc: Doc, index: int) -> Any:
    def free_text(p: _Prop) -> bool:
        keys = ("pattern", "enum", "format", "const")
        return _type_of(p.schema) == "string" and not any(k in p.schema for k in keys)

    hit = _pick(doc, index, "request", free_text)
    if hit is None:
        return None
    name, prop = hit
    prop.schema["pattern"] = "^[A-Z]+$"
    return frozenset({"request-property-pattern-added"}), name


def lower_response_min_length(doc: Doc, index: int) -> Any:
    hit = _pick(doc, index, "response", lambda p: (p.schema.get("minLength") or 0) >= 1)
    if hit is None:
        return None
    name, prop = hit
    prop.schema["minLength"] = 0
    return frozenset({"response-property-min-length-decreased"}), name


def response_property_gains_one_of_member(doc: Doc, index: int) -> Any:
    hit = _pick(doc, index, "response", lambda p: _type_of(p.schema) == "string")
    if hit is None:
        return None
    name, prop = hit
    original = copy.deepcopy(prop.schema)
    prop.schema.clear()
    prop.schema["oneOf"] = [original, {"type": "integer"}]
    return frozenset({"response-property-one-of-added"}), name


def request_array_gains_unique_items(doc: Doc, index: int) -> Any:
    def array(p: _Prop) -> bool:
        return _type_of(p.schema) == "array" and p.schema.get("uniqueItems") is not True

    hit = _pick(doc, index, "request", array)
    if hit is None:
        return None
    name, prop = hit
    prop.schema["uniqueItems"] = True
    return frozenset({"request-property-unique-items-added"}), name


def flip_query_parameter_explode(doc: Doc, index: int) -> Any:
    def has_query(op: Doc) -> bool:
        return any(_deref(doc, raw).get("in") == "query" for raw in op.get("parameters") or [])

    found = _nth(((n, op) for n, _, op in _operations(doc) if has_query(op)), index)
    if found is None:
        return None
    name, op = found
    param = next(p for p in _inline_params(doc, op) if p.get("in") == "query")
    style = param.get("style", "form")
    param["explode"] = not param.get("explode", style == "form")
    return frozenset({"request-parameter-style-changed"}), name


BREAKING: dict[str, Mutation] = {
    f.__name__: f
    for f in (
        remove_operation,
        remove_required_response_property,
        optional_request_property_becomes_required,
        new_required_request_property,
        narrow_request_enum,
        widen_response_enum,
        change_response_type,
        change_request_type,
        tighten_request_max_length,
        loosen_response_max_length,
        raise_request_minimum,
        response_property_becomes_nullable,
        add_required_parameter,
        optional_parameter_becomes_required,
        remove_response_media_type,
        remove_request_media_type,
        remove_success_response,
        add_security_scope,
        narrow_parameter_enum,
        tighten_request_max_items,
        add_request_pattern,
        lower_response_min_length,
        response_property_gains_one_of_member,
        request_array_gains_unique_items,
        flip_query_parameter_explode,
    )
}
# Mutations some spec must exercise (the others may find no place in a small spec set).
MUST_APPLY = frozenset(BREAKING) - {
    "change_request_type",
    "raise_request_minimum",
    "tighten_request_max_items",
    "lower_response_min_length",
    "request_array_gains_unique_items",
}


def _describe(changes: list[Any]) -> str:
    return "\n".join(f"  {c.level.value} {c.id} {c.operation} {c.message}" for c in changes)


_APPLIED: set[str] = set()


@pytest.mark.parametrize("dialect", ["3.0", "3.1"])
@pytest.mark.parametrize("mutation", sorted(BREAKING))
@pytest.mark.parametrize("spec", SPECS, ids=lambda p: f"{p.parent.name}-{p.stem}")
def test_breaking_mutation_is_reported(spec: Path, mutation: str, dialect: str) -> None:
    for index in (0, 1):
        base = _load(spec, dialect)
        revision = copy.deepcopy(base)
        applied = BREAKING[mutation](revision, index)
        if applied is None:
            continue
        _APPLIED.add(mutation)
        ids, operation = applied
        changes = diff(base, revision, today=TODAY).changes
        hits = [c for c in changes if c.id in ids and c.operation == operation]
        assert hits, f"{mutation} #{index} on {operation}: none of {sorted(ids)} in\n" + _describe(
            changes
        )
        for hit in hits:
            assert hit.level is RULES[hit.id].level
        if any(RULES[i].level is Level.ERROR for i in ids):
            assert any(c.level is Level.ERROR for c in hits), _describe(changes)


def test_every_breaking_mutation_found_a_place() -> None:
    for spec in SPECS:
        for mutation, apply in BREAKING.items():
            for index in (0, 1):
                if apply(_load(spec, "3.0"), index) is not None:
                    _APPLIED.add(mutation)
    assert MUST_APPLY <= _APPLIED, f"never applied: {sorted(MUST_APPLY - _APPLIED)}"


# -- cosmetic mutations -------------------------------------------------------------------------

_NAME_MAPS = frozenset(
    {"properties", "patternProperties", "schemas", "parameters", "responses", "headers"}
    | {"examples", "securitySchemes", "requestBodies", "paths", "content", "links", "callbacks"}
    | {"mapping", "scopes", "variables", "webhooks", "$defs", "definitions"}
)


def _walk_keywords(node: Any, visit: Callable[[Doc], None], parent: str | None = None) -> None:
    """Call ``visit`` on every mapping that is an object of the specification (not a name map)."""
    if isinstance(node, list):
        for item in node:
            _walk_keywords(item, visit)
    elif isinstance(node, dict):
        if parent not in _NAME_MAPS:
            visit(node)
        for key, value in node.items():
            if key in ("example", "examples", "default", "enum", "const"):
                continue  # values, not specification objects
            _walk_keywords(value, visit, key if parent not in _NAME_MAPS else None)


def _holders(op: Doc) -> list[Any]:
    """The request body and responses of an operation (objects with ``content``)."""
    return [op.get("requestBody"), *(op.get("responses") or {}).values()]


def edit_descriptions(doc: Doc) -> Doc:
    def visit(node: Doc) -> None:
        for key in ("description", "summary", "title"):
            if isinstance(node.get(key), str):
                node[key] = node[key] + " (reworded)"

    _walk_keywords(doc, visit)
    return doc


def edit_examples(doc: Doc) -> Doc:
    def visit(node: Doc) -> None:
        if "example" in node:
            node["example"] = {"changed": True}
        if isinstance(node.get("examples"), list):
            node["examples"] = ["changed"]

    _walk_keywords(doc, visit)
    return doc


def _reverse_keys(node: Any) -> Any:
    if isinstance(node, dict):
        return {k: _reverse_keys(node[k]) for k in reversed(list(node))}
    if isinstance(node, list):
        return [_reverse_keys(v) for v in node]
    return node


def reverse_key_order(doc: Doc) -> Doc:
    return _reverse_keys(doc)  # type: ignore[no-any-return]


def reorder_enums_and_required(doc: Doc) -> Doc:
    def visit(node: Doc) -> None:
        for key in ("enum", "required"):
            if isinstance(node.get(key), list):
                node[key] = list(reversed(node[key]))

    _walk_keywords(doc, visit)
    return doc


def inline_component_refs(doc: Doc) -> Doc:
    """Replace every schema ``$ref`` used directly by a body with a copy of its target."""
    for _, _, op in _operations(doc):
        for holder in _holders(op):
            if not isinstance(holder, dict) or "$ref" in holder:
                continue
            for media in (holder.get("content") or {}).values():
                schema = media.get("schema")
                if isinstance(schema, dict) and "$ref" in schema:
                    media["schema"] = copy.deepcopy(_deref(doc, schema))
    return doc


def extract_inline_schemas(doc: Doc) -> Doc:
    """Move inline body and property schemas into ``components.schemas`` behind ``$ref``s."""
    schemas = doc.setdefault("components", {}).setdefault("schemas", {})
    count = 0
    for owner in list(schemas.values()):
        for name, prop in list((owner.get("properties") or {}).items()):
            if isinstance(prop, dict) and "$ref" not in prop and "type" in prop:
                count += 1
                schemas[f"ZzExtracted{count}"] = prop
                owner["properties"][name] = {"$ref": f"#/components/schemas/ZzExtracted{count}"}
    for _, _, op in _operations(doc):
        for holder in _holders(op):
            if not isinstance(holder, dict) or "$ref" in holder:
                continue
            for media in (holder.get("content") or {}).values():
                schema = media.get("schema")
                if isinstance(schema, dict) and "$ref" not in schema:
                    count += 1
                    schemas[f"ZzExtracted{count}"] = schema
                    media["schema"] = {"$ref": f"#/components/schemas/ZzExtracted{count}"}
    return doc


def inline_parameter_refs(doc: Doc) -> Doc:
    for _, _, op in _operations(doc):
        _inline_params(doc, op)
    return doc


def rename_path_parameters(doc: Doc) -> Doc:
    """``/items/{id}`` -> ``/items/{idRenamed}``: the path template and its parameters."""
    renamed: dict[str, Any] = {}
    for path, item in doc["paths"].items():
        new_path = re.sub(r"\{([^}]+)\}", r"{\1Renamed}", path)
        for method in METHODS:
            if isinstance(item.get(method), dict):
                for param in _inline_params(doc, item[method]):
                    if param.get("in") == "path":
                        param["name"] += "Renamed"
        item["parameters"] = [copy.deepcopy(_deref(doc, p)) for p in item.get("parameters") or []]
        for param in item["parameters"]:
            if param.get("in") == "path":
                param["name"] += "Renamed"
        renamed[new_path] = item
    doc["paths"] = renamed
    return doc


def wrap_body_schemas_in_single_all_of(doc: Doc) -> Doc:
    """``schema: {$ref: X}`` -> ``schema: {allOf: [{$ref: X}]}``, the same set of values."""
    for _, _, op in _operations(doc):
        for holder in _holders(op):
            if not isinstance(holder, dict) or "$ref" in holder:
                continue
            for media in (holder.get("content") or {}).values():
                if isinstance(media.get("schema"), dict):
                    media["schema"] = {"allOf": [media["schema"]]}
    return doc


def status_codes_as_numbers(doc: Doc) -> Doc:
    """``'200':`` -> ``200:``, as an unquoted YAML key reads (JSON keys are always text)."""
    for _, _, op in _operations(doc):
        responses = op.get("responses") or {}
        op["responses"] = {int(k) if str(k).isdigit() else k: v for k, v in responses.items()}
    return doc


COSMETIC: dict[str, Callable[[Doc], Doc]] = {
    f.__name__: f
    for f in (
        edit_descriptions,
        edit_examples,
        reverse_key_order,
        reorder_enums_and_required,
        inline_component_refs,
        extract_inline_schemas,
        inline_parameter_refs,
        rename_path_parameters,
        wrap_body_schemas_in_single_all_of,
        status_codes_as_numbers,
    )
}


@pytest.mark.parametrize("dialect", ["3.0", "3.1"])
@pytest.mark.parametrize("mutation", sorted(COSMETIC))
@pytest.mark.parametrize("spec", SPECS, ids=lambda p: f"{p.parent.name}-{p.stem}")
def test_cosmetic_mutation_is_silent(spec: Path, mutation: str, dialect: str) -> None:
    base = _load(spec, dialect)
    revision = COSMETIC[mutation](copy.deepcopy(base))
    changes = diff(base, revision, today=TODAY).changes
    loud = [c for c in changes if c.level is not Level.INFO]
    assert not loud, f"{mutation} produced:\n" + _describe(loud)


def test_every_cosmetic_mutation_edits_some_spec() -> None:
    for name, mutation in COSMETIC.items():
        docs = [_load(spec, "3.0") for spec in SPECS]
        edited = [mutation(copy.deepcopy(doc)) for doc in docs]
        assert any(a != b for a, b in zip(docs, edited, strict=True)) or any(
            json.dumps(a) != json.dumps(b) for a, b in zip(docs, edited, strict=True)
        ), f"{name} changed nothing in any spec"


@pytest.mark.parametrize("spec", SPECS, ids=lambda p: f"{p.parent.name}-{p.stem}")
def test_yaml_and_json_copies_are_the_same_contract(spec: Path, tmp_path: Path) -> None:
    doc = _load(spec, "3.0")
    as_yaml, as_json = tmp_path / "a.yaml", tmp_path / "b.json"
    as_yaml.write_text(yaml.safe_dump(doc, sort_keys=True), encoding="utf-8")
    as_json.write_text(json.dumps(doc, indent=1), encoding="utf-8")
    assert diff(as_yaml, as_json, today=TODAY).changes == []
    assert diff(as_json, as_yaml, today=TODAY).changes == []
