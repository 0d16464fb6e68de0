"""Spectral ``oas`` rules about the document, references, security, examples and schemas."""

from __future__ import annotations

import json
import re
from collections.abc import Iterator

from registry.lint_rules.examples import media_examples, schema_examples
from registry.lint_rules.index import DocumentIndex
from registry.lint_rules.rule import Check, Hit, Rule
from registry.lint_rules.sites import Obj, child, schema_types
from registry.loading import JSON
from registry.model import Level

_EVAL = re.compile(r"eval\(")
_SCRIPT = re.compile(r"<script", re.IGNORECASE)
# Component kinds a $ref can use; security schemes are used by name from requirements instead.
_REFERABLE = ("schemas", "responses", "parameters", "examples", "requestBodies", "headers",
              "links", "callbacks", "pathItems")  # fmt: skip


def _ref_siblings(index: DocumentIndex) -> Iterator[Hit]:
    for site in index.refs:
        extra = sorted(key for key in site.node if key != "$ref")
        if extra:
            yield Hit(
                site.pointer,
                site.operation,
                f"keywords beside $ref are ignored before OpenAPI 3.1: {', '.join(extra)}",
            )


def _invalid_refs(index: DocumentIndex) -> Iterator[Hit]:
    for site in index.refs:
        if not site.ref.startswith("#"):
            yield Hit(
                site.pointer,
                site.operation,
                f"$ref {site.ref} is external; lint the bundled document",
            )
        elif index.target(site.ref) is None:
            yield Hit(site.pointer, site.operation, f"$ref {site.ref} does not resolve")


def _info_field(key: str, what: str) -> Check:
    def check(index: DocumentIndex) -> Iterator[Hit]:
        info = index.doc.get("info")
        value = info.get(key) if isinstance(info, dict) else None
        if not value or (isinstance(value, str) and not value.strip()):
            yield Hit("/info", None, f"info has no {what}")

    return check


def _servers(index: DocumentIndex) -> Iterator[Hit]:
    servers = index.doc.get("servers")
    if not (isinstance(servers, list) and servers):
        yield Hit("", None, "the document lists no servers")


def server_urls(index: DocumentIndex) -> Iterator[tuple[str, str]]:
    """Every root-level server URL with its pointer."""
    servers = index.doc.get("servers")
    if isinstance(servers, list):
        for i, server in enumerate(servers):
            url = server.get("url") if isinstance(server, dict) else None
            if isinstance(url, str):
                yield child(child("/servers", i), "url"), url


def _server_trailing_slash(index: DocumentIndex) -> Iterator[Hit]:
    for pointer, url in server_urls(index):
        if url.endswith("/") and url != "/":
            yield Hit(pointer, None, f"server URL {url} ends with a slash")


def _security_defined(index: DocumentIndex) -> Iterator[Hit]:
    components = index.doc.get("components")
    schemes = components.get("securitySchemes") if isinstance(components, dict) else None
    schemes = schemes if isinstance(schemes, dict) else {}
    checked: list[tuple[str, JSON, str | None]] = [("/security", index.doc.get("security"), None)]
    checked += [
        (op.security_pointer, op.security, op.label)
        for op in index.operations
        if op.security_pointer != "/security"
    ]
    for pointer, requirements, label in checked:
        if not isinstance(requirements, list):
            continue
        for i, requirement in enumerate(requirements):
            if not isinstance(requirement, dict):
                continue
            for name, scopes in requirement.items():
                where = child(child(pointer, i), name)
                found = index.resolve(where, schemes.get(name))
                if found is None:
                    yield Hit(where, label, f"security scheme '{name}' is not declared")
                    continue
                declared = _declared_scopes(found[1])
                if declared is None or not isinstance(scopes, list):
                    continue
                for scope in scopes:
                    if scope not in declared:
                        yield Hit(
                            where, label, f"scope '{scope}' is not declared by scheme '{name}'"
                        )


def _declared_scopes(scheme: Obj) -> set[str] | None:
    """The scopes an oauth2 scheme declares across its flows; None for other scheme types."""
    if scheme.get("type") != "oauth2":
        return None
    flows = scheme.get("flows")
    scopes: set[str] = set()
    if isinstance(flows, dict):
        for flow in flows.values():
            declared = flow.get("scopes") if isinstance(flow, dict) else None
            if isinstance(declared, dict):
                scopes.update(declared)
    return scopes


def _example_value_or_external(index: DocumentIndex) -> Iterator[Hit]:
    for example in index.example_objects:
        if "value" in example.node and "externalValue" in example.node:
            yield Hit(example.pointer, None, "example has both value and externalValue")


def _unused_components(index: DocumentIndex) -> Iterator[Hit]:
    components = index.doc.get("components")
    if not isinstance(components, dict):
        return
    used: set[str] = set()
    for ref in [site.ref for site in index.refs] + index.mapping_refs:
        found = index.target(ref) if ref.startswith("#") else None
        if found is not None:
            parts = found[0].split("/")
            used.add("/".join(parts[:4]))
    for kind in _REFERABLE:
        entries = components.get(kind)
        if not isinstance(entries, dict):
            continue
        for name in entries:
            pointer = child(f"/components/{kind}", name)
            if pointer not in used:
                yield Hit(pointer, None, f"component {kind}/{name} is never referenced")


def _markdown(pattern: re.Pattern[str], what: str) -> Check:
    def check(index: DocumentIndex) -> Iterator[Hit]:
        for site in index.texts:
            if pattern.search(site.text):
                yield Hit(site.pointer, site.operation, f"text contains {what}")

    return check


def _json_type(value: JSON) -> str:
    if value is None:
        return "null"
    if isinstance(value, bool):
        return "boolean"
    if isinstance(value, int):
        return "integer"
    if isinstance(value, float):
        return "integer" if value.is_integer() else "number"
    return {str: "string", list: "array", dict: "object"}[type(value)]


def _typed_enum(index: DocumentIndex) -> Iterator[Hit]:
    for site in index.schemas:
        enum = site.node.get("enum")
        types = set(schema_types(site.node))
        if not (isinstance(enum, list) and types):
            continue
        if site.node.get("nullable") is True:
            types.add("null")
        if "number" in types:
            types.add("integer")
        for i, value in enumerate(enum):
            if _json_type(value) not in types:
                yield Hit(
                    child(child(site.pointer, "enum"), i),
                    site.operation,
                    f"enum value {json.dumps(value)} is not of type {'/'.join(sorted(types))}",
                )


def _duplicated_enum(index: DocumentIndex) -> Iterator[Hit]:
    for site in index.schemas:
        enum = site.node.get("enum")
        if not isinstance(enum, list):
            continue
        seen: set[str] = set()
        for i, value in enumerate(enum):
            text = (
                repr(value)
                if isinstance(value, str | int | float)
                else json.dumps(value, sort_keys=True)
            )
            key = _json_type(value) + text
            if key in seen:
                yield Hit(
                    child(child(site.pointer, "enum"), i),
                    site.operation,
                    f"enum value {json.dumps(value)} is listed twice",
                )
            seen.add(key)


def _array_items(index: DocumentIndex) -> Iterator[Hit]:
    for site in index.schemas:
        if "array" in schema_types(site.node) and not (
            "items" in site.node or "prefixItems" in site.node
        ):
            yield Hit(site.pointer, site.operation, "array schema has no items")


WARN, ERROR = Level.WARNING, Level.ERROR

RULES: tuple[Rule, ...] = (
    Rule("no-$ref-siblings", ERROR, "Nothing stands beside $ref (ignored before 3.1).",
         _ref_siblings, frozenset({"3.0"})),
    Rule("invalid-ref", ERROR, "Every $ref is local and resolves.", _invalid_refs),
    Rule("info-contact", WARN, "info has a contact.", _info_field("contact", "contact")),
    Rule("info-description", WARN, "info has a description.",
         _info_field("description", "description")),
    Rule("oas3-api-servers", WARN, "The document lists its servers.", _servers),
    Rule("oas3-server-trailing-slash", WARN, "Server URLs do not end with a slash.",
         _server_trailing_slash),
    # Spectral warns; a gateway that enforces scopes cannot serve an undeclared scheme or scope.
    Rule("oas3-operation-security-defined", ERROR,
         "Security requirements name declared schemes and, for oauth2, declared scopes.",
         _security_defined),
    Rule("oas3-valid-schema-example", ERROR, "Schema examples satisfy their schema.",
         schema_examples),
    Rule("oas3-valid-media-example", ERROR,
         "Media type, parameter and header examples satisfy their schema.", media_examples),
    Rule("oas3-examples-value-or-externalValue", WARN,
         "Examples have value or externalValue, not both.",
         _example_value_or_external),
    Rule("oas3-unused-component", WARN, "Every component is referenced.", _unused_components),
    Rule("no-eval-in-markdown", WARN, "Descriptions and titles contain no eval(.",
         _markdown(_EVAL, "eval(")),
    Rule("no-script-tags-in-markdown", WARN, "Descriptions and titles contain no <script> tags.",
         _markdown(_SCRIPT, "a <script> tag")),
    Rule("typed-enum", WARN, "Enum values match the schema's type.", _typed_enum),
    Rule("duplicated-entry-in-enum", WARN, "Enum values are unique.", _duplicated_enum),
    Rule("array-items", ERROR, "Array schemas define items.", _array_items),
)  # fmt: skip
