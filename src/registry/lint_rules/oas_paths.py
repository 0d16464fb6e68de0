"""Spectral ``oas`` rules about operations, tags and paths, with Spectral's ids."""

from __future__ import annotations

import re
from collections.abc import Iterator

from registry.lint_rules.index import DocumentIndex
from registry.lint_rules.rule import Check, Hit, Rule
from registry.lint_rules.sites import Located, Obj, child
from registry.model import Level

_TEMPLATE = re.compile(r"{([^}]*)}")
_URL_SAFE_ID = re.compile(r"^[A-Za-z0-9\-._~:/?#\[\]@!$&'()*+,;=]+$")


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
)  # fmt: skip
