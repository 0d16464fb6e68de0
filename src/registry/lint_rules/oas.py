"""The core of Spectral's ``oas`` ruleset, with its rule ids (checks written from its docs)."""

from __future__ import annotations

import json
import re
from collections.abc import Iterator

from registry.lint_rules.examples import media_examples, schema_examples
from registry.lint_rules.index import DocumentIndex, Located, Obj, child, schema_types
from registry.lint_rules.rule import Check, Hit, Rule
from registry.loading import JSON
from registry.model import Level

_TEMPLATE = re.compile(r"{([^}]*)}")
_URL_SAFE_ID = re.compile(r"^[A-Za-z0-9\-._~:/?#\[\]@!$&'()*+,;=]+$")
_EVAL = re.compile(r"eval\(")
_SCRIPT = re.compile(r"<script", re.IGNORECASE)
# Component kinds a $ref can use; security schemes are used by name from requirements instead.
_REFERABLE = ("schemas", "responses", "parameters", "examples", "requestBodies", "headers",
              "links", "callbacks", "pathItems")  # fmt: skip


def _operation_ids(index: DocumentIndex) -> Iterator[Hit]:
    for op in index.operations:
        if not op.operation_id:
            yield Hit(op.pointer, op.label, "has no operationId")


def _operation_ids_unique(index: DocumentIndex) -> Iterator[Hit]:
    first: dict[str, str] = {}
    for op in index.operations:
        op_id = op.operation_id
        if op_id is None:
            continue
        if op_id in first:
            yield Hit(
                child(op.pointer, "operationId"),
                op.label,
                f"operationId '{op_id}' is already used by {first[op_id]}",
            )
        else:
            first[op_id] = op.label


def _operation_ids_url_safe(index: DocumentIndex) -> Iterator[Hit]:
    for op in index.operations:
        op_id = op.operation_id
        if op_id and not _URL_SAFE_ID.match(op_id):
            yield Hit(
                child(op.pointer, "operationId"),
                op.label,
                f"operationId '{op_id}' has characters that are not safe in a URL",
            )


def _operation_field(key: str, what: str) -> Check:
    def check(index: DocumentIndex) -> Iterator[Hit]:
        for op in index.operations:
            value = op.node.get(key)
            if not (isinstance(value, str) and value.strip()):
                yield Hit(op.pointer, op.label, f"has no {what}")

    return check


def _operation_tags(index: DocumentIndex) -> Iterator[Hit]:
    for op in index.operations:
        tags = op.node.get("tags")
        if not (isinstance(tags, list) and tags):
            yield Hit(op.pointer, op.label, "has no tags")


def _declared_tags(index: DocumentIndex) -> list[tuple[int, str]]:
    tags = index.doc.get("tags")
    if not isinstance(tags, list):
        return []
    names = [(i, tag.get("name")) for i, tag in enumerate(tags) if isinstance(tag, dict)]
    return [(i, name) for i, name in names if isinstance(name, str)]


def _operation_tag_defined(index: DocumentIndex) -> Iterator[Hit]:
    declared = {name for _, name in _declared_tags(index)}
    for op in index.operations:
        tags = op.node.get("tags")
        if not isinstance(tags, list):
            continue
        for i, tag in enumerate(tags):
            if isinstance(tag, str) and tag not in declared:
                yield Hit(
                    child(child(op.pointer, "tags"), i),
                    op.label,
                    f"tag '{tag}' is not declared in the document's tags",
                )


def _tags_unique(index: DocumentIndex) -> Iterator[Hit]:
    seen: set[str] = set()
    for i, name in _declared_tags(index):
        if name in seen:
            yield Hit(child("/tags", i), None, f"tag '{name}' is declared twice")
        seen.add(name)


def _success_response(index: DocumentIndex) -> Iterator[Hit]:
    for op in index.operations:
        codes = op.node.get("responses")
        keys = [str(code) for code in codes] if isinstance(codes, dict) else []
        if not any(key[:1] in ("2", "3") for key in keys):
            yield Hit(child(op.pointer, "responses"), op.label, "has no 2xx or 3xx response")


def _operation_parameters(index: DocumentIndex) -> Iterator[Hit]:
    for op in index.operations:
        path_item = op.pointer.rsplit("/", 1)[0]
        for owner, pointer in ((op.node, op.pointer), (_node_at(index, path_item), path_item)):
            params = owner.get("parameters") if owner else None
            if not isinstance(params, list):
                continue
            seen: set[tuple[str, str]] = set()
            for i, param in enumerate(params):
                found = index.located(child(child(pointer, "parameters"), i), param)
                if found is None:
                    continue
                where, name = str(found.node.get("in")), str(found.node.get("name"))
                key = (where, name.lower() if where == "header" else name)
                if key in seen:
                    yield Hit(
                        found.pointer, op.label, f"parameter '{name}' in {where} is declared twice"
                    )
                seen.add(key)


def _node_at(index: DocumentIndex, pointer: str) -> Obj | None:
    found = index.target("#" + pointer)
    return found[1] if found and isinstance(found[1], dict) else None


def _path_params(index: DocumentIndex) -> Iterator[Hit]:
    for op in index.operations:
        used = _TEMPLATE.findall(op.path)
        declared: dict[str, Located] = {
            str(p.node.get("name")): p for p in op.parameters if p.node.get("in") == "path"
        }
        for name in sorted({n for n in used if used.count(n) > 1}):
            yield Hit(op.pointer, op.label, f"path parameter {{{name}}} appears twice in the path")
        for name in dict.fromkeys(used):
            if name and name not in declared:
                yield Hit(op.pointer, op.label, f"path parameter {{{name}}} is not declared")
        for name, param in declared.items():
            if name not in used:
                yield Hit(param.pointer, op.label, f"path parameter '{name}' is not in the path")
            elif param.node.get("required") is not True:
                yield Hit(param.pointer, op.label, f"path parameter '{name}' must be required")
    yield from _equivalent_paths(index)


def _equivalent_paths(index: DocumentIndex) -> Iterator[Hit]:
    paths = index.doc.get("paths")
    if not isinstance(paths, dict):
        return
    shapes: dict[str, str] = {}
    for path in paths:
        shape = _TEMPLATE.sub("{}", path)
        if shape in shapes:
            yield Hit(child("/paths", path), None, f"path {path} is equivalent to {shapes[shape]}")
        else:
            shapes[shape] = path


def _path_shapes(index: DocumentIndex) -> Iterator[tuple[str, str]]:
    paths = index.doc.get("paths")
    if isinstance(paths, dict):
        for path in paths:
            yield child("/paths", path), path


def _path_declarations(index: DocumentIndex) -> Iterator[Hit]:
    for pointer, path in _path_shapes(index):
        if "{}" in path:
            yield Hit(pointer, None, f"path {path} has an empty parameter declaration {{}}")


def _no_trailing_slash(index: DocumentIndex) -> Iterator[Hit]:
    for pointer, path in _path_shapes(index):
        if len(path) > 1 and path.endswith("/"):
            yield Hit(pointer, None, f"path {path} ends with a slash")


def _no_query_in_path(index: DocumentIndex) -> Iterator[Hit]:
    for pointer, path in _path_shapes(index):
        if "?" in path:
            yield Hit(pointer, None, f"path {path} includes a query string; use query parameters")


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
    Rule("operation-operationId", WARN, "Operations have an operationId.", _operation_ids),
    Rule("operation-operationId-unique", ERROR, "operationIds are unique in the document.",
         _operation_ids_unique),
    Rule("operation-operationId-valid-in-url", WARN, "operationIds use URL-safe characters.",
         _operation_ids_url_safe),
    Rule("operation-summary", WARN, "Operations have a summary.",
         _operation_field("summary", "summary")),
    Rule("operation-description", WARN, "Operations have a description.",
         _operation_field("description", "description")),
    Rule("operation-tags", WARN, "Operations have a non-empty tags list.", _operation_tags),
    Rule("operation-tag-defined", WARN, "Operation tags are declared in the document's tags.",
         _operation_tag_defined),
    Rule("openapi-tags-uniqueness", ERROR, "Document tags have unique names.", _tags_unique),
    Rule("operation-success-response", WARN, "Operations have a 2xx or 3xx response.",
         _success_response),
    Rule("operation-parameters", WARN, "Parameters are unique by name and location.",
         _operation_parameters),
    Rule("path-params", ERROR, "Path parameters are declared, used, required and unambiguous.",
         _path_params),
    Rule("path-declarations-must-exist", WARN, "Path templates name their parameter.",
         _path_declarations),
    Rule("path-keys-no-trailing-slash", WARN, "Paths do not end with a slash.", _no_trailing_slash),
    Rule("path-not-include-query", WARN, "Paths carry no query string.", _no_query_in_path),
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
