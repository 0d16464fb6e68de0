"""Waybill's own governance rules: naming, idempotency, problem+json errors, security, reuse."""

from __future__ import annotations

import json
import re
from collections.abc import Iterator

from registry.lint_rules.index import DocumentIndex
from registry.lint_rules.rule import Hit, Rule
from registry.lint_rules.sites import UNSAFE_METHODS, Located, Obj, Operation, child, schema_types
from registry.loading import JSON
from registry.model import Level

PROBLEM_JSON = "application/problem+json"
_CAMEL_CASE = re.compile(r"^[a-z][a-z0-9]*(?:[A-Z][a-z0-9]*)*$")
_KEBAB_CASE = re.compile(r"^[a-z0-9]+(?:-[a-z0-9]+)*$")
_TEMPLATE = re.compile(r"{[^}]*}")
_COMPONENT_SCHEMA = re.compile(r"^/components/schemas/[^/]+$")
_MIN_SHARED_PROPERTIES = 3
# Keywords that document a schema without changing which values it accepts.
_ANNOTATIONS = frozenset(
    {"description", "title", "example", "examples", "externalDocs", "$comment"}
)
_SUBSCHEMA_MAPS = frozenset({"properties", "patternProperties", "$defs", "dependentSchemas"})
_SUBSCHEMA_LISTS = frozenset({"allOf", "anyOf", "oneOf", "prefixItems"})


def _camel_case_ids(index: DocumentIndex) -> Iterator[Hit]:
    for op in index.operations:
        op_id = op.operation_id
        if op_id is not None and not _CAMEL_CASE.match(op_id):
            yield Hit(
                child(op.pointer, "operationId"),
                op.label,
                f"operationId '{op_id}' is not camelCase",
            )


def _kebab_case_paths(index: DocumentIndex) -> Iterator[Hit]:
    paths = index.doc.get("paths")
    if not isinstance(paths, dict):
        return
    for path in paths:
        for segment in path.strip("/").split("/"):
            static = _TEMPLATE.sub("", segment)
            if segment and static and not _KEBAB_CASE.match(static.strip("-._")):
                yield Hit(
                    child("/paths", path),
                    None,
                    f"path {path}: segment '{segment}' is not kebab-case",
                )


def _idempotency_key(index: DocumentIndex) -> Iterator[Hit]:
    for op in index.operations:
        if op.method not in UNSAFE_METHODS:
            continue
        header = next(
            (
                p
                for p in op.parameters
                if p.node.get("in") == "header"
                and str(p.node.get("name", "")).lower() == "idempotency-key"
            ),
            None,
        )
        if header is None:
            yield Hit(
                op.pointer, op.label, "unsafe operation has no Idempotency-Key header parameter"
            )
        elif header.node.get("required") is not True:
            yield Hit(header.pointer, op.label, "the Idempotency-Key header must be required")


def _is_error_status(status: str) -> bool:
    return status == "default" or status[:1] in ("4", "5")


def _has_problem_body(response: Obj) -> bool:
    content = response.get("content")
    return isinstance(content, dict) and any(
        isinstance(media_type, str) and media_type.split(";")[0].strip() == PROBLEM_JSON
        for media_type in content
    )


def _problem_json(index: DocumentIndex) -> Iterator[Hit]:
    for op in index.operations:
        if not any(status[:1] == "4" for status in op.responses):
            yield Hit(child(op.pointer, "responses"), op.label, "documents no 4xx response")
        if op.method == "head":
            continue  # HEAD responses carry no body
        for status, response in op.responses.items():
            if _is_error_status(status) and not _has_problem_body(response.node):
                yield Hit(
                    response.pointer,
                    op.label,
                    f"response {status} has no {PROBLEM_JSON} body",
                )


def is_secured(op: Operation) -> bool:
    """Whether every alternative of the effective security requirements needs credentials."""
    requirements = op.security
    return (
        isinstance(requirements, list)
        and bool(requirements)
        and all(isinstance(r, dict) and r for r in requirements)
    )


def _covers(responses: dict[str, Located], code: str) -> bool:
    return code in responses or f"{code[0]}XX" in responses or f"{code[0]}xx" in responses


def _required_errors(op: Operation) -> list[tuple[str, str]]:
    needed = [("429", "every operation can be rate limited")]
    if op.request_body is not None:
        needed += [("400", "it takes a body"), ("422", "it takes a body")]
    # A PUT that answers 201 creates at the caller's URI: a missing resource is not an error.
    upsert = op.method == "put" and "201" in op.responses
    if _TEMPLATE.search(op.path) and not upsert:
        needed.append(("404", "it has path parameters"))
    if is_secured(op):
        needed += [("401", "it is secured"), ("403", "it is secured")]
    return needed


def _error_responses(index: DocumentIndex) -> Iterator[Hit]:
    for op in index.operations:
        missing = [
            (code, why) for code, why in _required_errors(op) if not _covers(op.responses, code)
        ]
        if missing:
            listed = ", ".join(f"{code} ({why})" for code, why in sorted(missing))
            yield Hit(child(op.pointer, "responses"), op.label, f"does not document {listed}")


def _operation_security(index: DocumentIndex) -> Iterator[Hit]:
    for op in index.operations:
        requirements = op.security
        if not (isinstance(requirements, list) and requirements):
            yield Hit(op.pointer, op.label, "has no security requirement (nor inherits one)")
        elif not is_secured(op):
            yield Hit(
                op.security_pointer,
                op.label,
                "allows anonymous calls (an empty security requirement)",
            )


def _create_links(index: DocumentIndex) -> Iterator[Hit]:
    for op in index.operations:
        created = op.responses.get("201")
        if created is None:
            continue
        links = created.node.get("links")
        if not (isinstance(links, dict) and links):
            yield Hit(
                created.pointer, op.label, "response 201 has no links to the created resource"
            )


def _value_text(value: JSON) -> str:
    if value is None or isinstance(value, str | int | float):
        return repr(value)  # distinguishes True from 1 and "1" from 1, like JSON does
    return json.dumps(value, sort_keys=True)


def _shape(node: JSON, memo: dict[int, str]) -> str:
    """A canonical text of what a schema accepts (annotations dropped), memoised per node."""
    if not isinstance(node, dict):
        return _value_text(node)
    known = memo.get(id(node))
    if known is not None:
        return known
    parts: list[str] = []
    for key in sorted(node):
        value = node[key]
        if key in _ANNOTATIONS or key.startswith("x-"):
            continue
        if key in _SUBSCHEMA_MAPS and isinstance(value, dict):
            inner = ",".join(f"{k!r}:{_shape(value[k], memo)}" for k in sorted(value))
            text = "{" + inner + "}"
        elif key in _SUBSCHEMA_LISTS and isinstance(value, list):
            text = "[" + ",".join(_shape(item, memo) for item in value) + "]"
        elif isinstance(value, dict):
            text = _shape(value, memo)
        else:
            text = _value_text(value)
        parts.append(f"{key!r}:{text}")
    result = "{" + ",".join(parts) + "}"
    memo[id(node)] = result
    return result


def _is_shared_object(node: Obj) -> bool:
    properties = node.get("properties")
    types = schema_types(node)
    return (
        isinstance(properties, dict)
        and len(properties) >= _MIN_SHARED_PROPERTIES
        and (not types or "object" in types)
    )


def _duplicated_inline_schemas(index: DocumentIndex) -> Iterator[Hit]:
    memo: dict[int, str] = {}
    components: dict[str, str] = {}
    for site in index.schemas:
        if _COMPONENT_SCHEMA.match(site.pointer) and _is_shared_object(site.node):
            components.setdefault(_shape(site.node, memo), site.pointer)
    first_inline: dict[str, str] = {}
    flagged: set[str] = set()
    for site in index.schemas:
        if _COMPONENT_SCHEMA.match(site.pointer) or not _is_shared_object(site.node):
            continue
        if _inside(site.pointer, flagged):
            continue  # the enclosing duplicate already says it
        shape = _shape(site.node, memo)
        if shape in components:
            flagged.add(site.pointer)
            yield Hit(
                site.pointer,
                site.operation,
                f"inline object schema repeats the component #{components[shape]}; use a $ref",
            )
        elif shape in first_inline:
            flagged.add(site.pointer)
            yield Hit(
                site.pointer,
                site.operation,
                f"inline object schema repeats #{first_inline[shape]}; make it a component",
            )
        else:
            first_inline[shape] = site.pointer


def _inside(pointer: str, prefixes: set[str]) -> bool:
    cut = pointer.rfind("/")
    while cut > 0:
        pointer = pointer[:cut]
        if pointer in prefixes:
            return True
        cut = pointer.rfind("/")
    return False


ERROR, WARN = Level.ERROR, Level.WARNING

RULES: tuple[Rule, ...] = (
    Rule("waybill-operation-id-camel-case", ERROR,
         "operationIds are camelCase (handlers are named after them).", _camel_case_ids),
    Rule("waybill-path-kebab-case", ERROR, "Static path segments are kebab-case.",
         _kebab_case_paths),
    Rule("waybill-idempotency-key", ERROR,
         "POST, PUT, PATCH and DELETE take a required Idempotency-Key header.", _idempotency_key),
    Rule("waybill-problem-json", ERROR,
         "Operations document 4xx responses, and every error response is application/problem+json.",
         _problem_json),
    Rule("waybill-error-responses", ERROR,
         "Operations document 429; 400 and 422 with a body; 404 with path parameters (except "
         "a creating PUT); 401 and 403 when secured.", _error_responses),
    Rule("waybill-operation-security", ERROR,
         "Every operation requires credentials (its own security or the document's).",
         _operation_security),
    Rule("waybill-create-links", ERROR,
         "201 responses link to the created resource.", _create_links),
    Rule("waybill-no-duplicated-inline-schema", WARN,
         "An inline object schema with 3+ properties appears once; repeats become components.",
         _duplicated_inline_schemas),
)  # fmt: skip
