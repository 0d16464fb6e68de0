"""Properties of the diff: nothing changes against itself, and cosmetic rewrites are invisible.

Documents come from a small Hypothesis strategy (3.0 and 3.1, parameters, bodies, responses,
composition, component ``$ref``s) and from the repository's own specs under ``specs/openapi``.
"""

from __future__ import annotations

import copy
import json
import tempfile
from pathlib import Path
from typing import Any

import pytest
import yaml
from hypothesis import HealthCheck, example, given, settings
from hypothesis import strategies as st

from registry import diff
from registry.diff import DiffResult
from registry.loading import DocumentError, bundle, load_document

ROOT = Path(__file__).resolve().parents[3]
SPECS = sorted((ROOT / "specs" / "openapi").glob("*/v*.yaml"))
NAMES = ("a", "b", "c")
COMPONENTS = ("A", "B")

_leaf = st.fixed_dictionaries(
    {"type": st.sampled_from(["string", "integer", "number", "boolean"])},
    optional={
        "maxLength": st.integers(0, 4),
        "minimum": st.integers(0, 4),
        "enum": st.lists(st.sampled_from(["x", "y", "z"]), min_size=1, max_size=3, unique=True),
        "nullable": st.booleans(),
        "format": st.sampled_from(["int32", "int64", "date"]),
        "pattern": st.sampled_from(["^a", "^b"]),
        "description": st.text(max_size=4),
        "example": st.sampled_from(["e1", "e2"]),
    },
)


def _containers(children: st.SearchStrategy[Any]) -> st.SearchStrategy[Any]:
    return st.one_of(
        st.fixed_dictionaries(
            {
                "type": st.just("object"),
                "properties": st.dictionaries(st.sampled_from(NAMES), children, max_size=3),
            },
            optional={"required": st.lists(st.sampled_from(NAMES), unique=True, max_size=2)},
        ),
        st.fixed_dictionaries(
            {"type": st.just("array"), "items": children},
            optional={"maxItems": st.integers(0, 4), "minItems": st.integers(0, 4)},
        ),
        st.fixed_dictionaries({"oneOf": st.lists(children, min_size=1, max_size=3)}),
        st.fixed_dictionaries({"anyOf": st.lists(children, min_size=1, max_size=2)}),
    )


_plain = st.recursive(_leaf, _containers, max_leaves=6)
_refs = st.sampled_from([{"$ref": f"#/components/schemas/{name}"} for name in COMPONENTS])
_schema = st.recursive(st.one_of(_leaf, _refs), _containers, max_leaves=6)
_param = st.fixed_dictionaries(
    {
        "name": st.sampled_from(["limit", "site", "X-Site"]),
        "in": st.sampled_from(["query", "header"]),
        "schema": _schema,
    },
    optional={"required": st.booleans(), "deprecated": st.booleans()},
)
_content = st.fixed_dictionaries({"application/json": st.fixed_dictionaries({"schema": _schema})})
_operation = st.fixed_dictionaries(
    {
        "responses": st.dictionaries(
            st.sampled_from(["200", "201", "404"]),
            st.fixed_dictionaries({"description": st.just("r")}, optional={"content": _content}),
            min_size=1,
            max_size=2,
        )
    },
    optional={
        "parameters": st.lists(_param, max_size=2, unique_by=lambda p: (p["name"], p["in"])),
        "requestBody": st.fixed_dictionaries(
            {"content": _content}, optional={"required": st.booleans()}
        ),
        "deprecated": st.booleans(),
        "operationId": st.sampled_from(["one", "two"]),
    },
)
_paths = st.dictionaries(
    st.sampled_from(["/items", "/orders", "/items/{itemId}"]),
    st.dictionaries(st.sampled_from(["get", "post", "delete"]), _operation, min_size=1, max_size=2),
    max_size=3,
)
documents = st.builds(
    lambda version, paths, a, b: {
        "openapi": version,
        "info": {"title": "generated", "version": "1.0.0"},
        "paths": paths,
        "components": {"schemas": {"A": a, "B": b}},
    },
    st.sampled_from(["3.0.3", "3.1.0"]),
    _paths,
    _plain,
    _plain,
)


def _reorder(node: Any) -> Any:
    """The same JSON with every mapping's keys in reverse order."""
    if isinstance(node, dict):
        return {k: _reorder(node[k]) for k in reversed(list(node))}
    if isinstance(node, list):
        return [_reorder(v) for v in node]
    return node


def _inline(node: Any, components: dict[str, Any]) -> Any:
    """The same JSON with every component-schema ``$ref`` replaced by a copy of its target."""
    if isinstance(node, dict):
        ref = node.get("$ref")
        if isinstance(ref, str) and ref.startswith("#/components/schemas/"):
            return _inline(copy.deepcopy(components[ref.rsplit("/", 1)[1]]), components)
        return {k: _inline(v, components) for k, v in node.items()}
    if isinstance(node, list):
        return [_inline(v, components) for v in node]
    return node


def _inlined(doc: dict[str, Any]) -> dict[str, Any]:
    components = doc["components"]["schemas"]
    return {
        **_inline({k: v for k, v in doc.items() if k != "components"}, components),
        "components": doc["components"],
    }


def _summary(result: DiffResult) -> list[tuple[str, str, str | None, str]]:
    return sorted((c.id, c.level.value, c.operation, c.location) for c in result.changes)


def _verdicts(result: DiffResult) -> set[tuple[str, str, str | None]]:
    return {(c.id, c.level.value, c.operation) for c in result.changes}


FAST = settings(max_examples=40, deadline=None, suppress_health_check=[HealthCheck.too_slow])


@FAST
@given(documents)
def test_a_document_has_no_changes_against_a_copy_of_itself(doc: dict[str, Any]) -> None:
    assert diff(doc, copy.deepcopy(doc)).changes == []


@FAST
@given(documents, documents)
def test_key_order_does_not_matter(base: dict[str, Any], revision: dict[str, Any]) -> None:
    assert diff(base, revision) == diff(_reorder(base), _reorder(revision))


@FAST
@given(documents, documents)
def test_yaml_and_json_give_the_same_result(base: dict[str, Any], revision: dict[str, Any]) -> None:
    with tempfile.TemporaryDirectory() as tmp:
        folder = Path(tmp)
        (folder / "base.yaml").write_text(yaml.safe_dump(base), encoding="utf-8")
        (folder / "base.json").write_text(json.dumps(base), encoding="utf-8")
        (folder / "revision.yaml").write_text(yaml.safe_dump(revision), encoding="utf-8")
        (folder / "revision.json").write_text(json.dumps(revision), encoding="utf-8")
        from_yaml = diff(folder / "base.yaml", folder / "revision.yaml")
        from_json = diff(folder / "base.json", folder / "revision.json")
        mixed = diff(folder / "base.yaml", folder / "revision.json")
    assert from_yaml == from_json == mixed == diff(base, revision)


@FAST
@given(documents)
def test_inlining_refs_is_not_a_change(doc: dict[str, Any]) -> None:
    assert diff(doc, _inlined(doc)).changes == []
    assert diff(_inlined(doc), doc).changes == []


def _body_doc(b: dict[str, Any], third: dict[str, Any]) -> dict[str, Any]:
    """Component ``B`` reached as a property (``oneOf/1/properties/a``) and as the body itself."""
    ref = {"$ref": "#/components/schemas/B"}
    members = [{"type": "string"}, {"type": "object", "properties": {"a": ref}}, third]
    body = {"content": {"application/json": {"schema": {"oneOf": members}}}}
    return {
        "openapi": "3.0.3",
        "info": {"title": "generated", "version": "1.0.0"},
        "paths": {"/x": {"get": {"requestBody": body, "responses": {"200": {"description": "r"}}}}},
        "components": {"schemas": {"A": {"type": "string"}, "B": b}},
    }


@FAST
@given(documents, documents)
# Found in explore mode: B at a property's pointer (least) and at the body's root both gain a
# maxLength; the $ref form used to report only the property.
@example(
    _body_doc({"type": "string"}, {"$ref": "#/components/schemas/B"}),
    _body_doc({"type": "string", "maxLength": 0}, {"oneOf": [{"$ref": "#/components/schemas/B"}]}),
)
def test_inlining_refs_keeps_the_verdicts(base: dict[str, Any], revision: dict[str, Any]) -> None:
    # Per operation the same rules fire. Locations may differ: one component reached twice in an
    # operation is reported once, at its least pointer, while inlined copies are separate schemas.
    assert _verdicts(diff(base, revision)) == _verdicts(diff(_inlined(base), _inlined(revision)))


@FAST
@given(documents, documents)
def test_breaking_means_an_error_level_change(
    base: dict[str, Any], revision: dict[str, Any]
) -> None:
    result = diff(base, revision)
    assert result.breaking == any(c.level.value == "error" for c in result.changes)
    assert result.changes == sorted(
        result.changes, key=lambda c: (c.operation or "", c.location, c.id, c.message)
    )


@pytest.mark.parametrize("spec", SPECS, ids=lambda p: str(p.relative_to(ROOT)))
def test_repository_specs_are_stable_under_cosmetic_rewrites(spec: Path, tmp_path: Path) -> None:
    assert diff(spec, spec).changes == []
    # Bundling turns relative-file refs into local component refs: an equivalent document.
    bundled = bundle(spec)
    assert diff(spec, bundled).changes == []
    # The other way round only the components pulled in from shared files go away.
    assert {c.id for c in diff(bundled, spec).changes} <= {"api-schema-removed"}
    # Key order and JSON instead of YAML, next to the original so relative refs still resolve.
    reordered = spec.with_name(f".{spec.stem}.reordered.json")
    try:
        reordered.write_text(json.dumps(_reorder(load_document(spec))), encoding="utf-8")
        assert diff(spec, reordered).changes == []
    finally:
        reordered.unlink(missing_ok=True)


def test_repository_specs_exist() -> None:
    assert SPECS, "no specs under specs/openapi"


_JUNK = st.sampled_from(
    [
        None,
        1,
        "x",
        [],
        {},
        [1, "a"],
        {"$ref": "#/nope"},
        {"$ref": 3},
        True,
        {"type": 5},
        {"oneOf": "x"},
        {"enum": 3},
        {"required": "a"},
        {"properties": []},
        {"format": ["x"]},
        {"pattern": {}},
        {"x-stability-level": []},
    ]
)


_HOT_KEYS = frozenset(
    {
        "get",
        "put",
        "post",
        "delete",
        "patch",
        "schema",
        "items",
        "properties",
        "format",
        "pattern",
        "type",
        "enum",
        "required",
        "parameters",
        "responses",
        "requestBody",
        "content",
    }
)


def _node_paths(node: Any, path: tuple[Any, ...] = ()) -> list[tuple[Any, ...]]:
    found = [path] if path else []
    if isinstance(node, dict):
        for key, value in node.items():
            found += _node_paths(value, (*path, key))
    elif isinstance(node, list):
        for index, value in enumerate(node):
            found += _node_paths(value, (*path, index))
    return found


@settings(max_examples=150, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(st.data())
def test_malformed_documents_are_reported_not_crashed_on(data: st.DataObject) -> None:
    spec = data.draw(st.sampled_from(SPECS), label="spec")
    original = bundle(spec)
    broken = copy.deepcopy(original)
    for _ in range(data.draw(st.integers(1, 3), label="mutations")):
        paths = _node_paths(broken)
        # Half the time hit what the diff reads most: operations and schema keywords.
        keys = sorted({p[-1] for p in paths if isinstance(p[-1], str) and p[-1] in _HOT_KEYS})
        if keys and data.draw(st.booleans(), label="hot"):
            key = data.draw(st.sampled_from(keys), label="key")
            paths = [p for p in paths if p[-1] == key]
        path = data.draw(st.sampled_from(paths), label="path")
        parent = broken
        for part in path[:-1]:
            parent = parent[part]
        parent[path[-1]] = copy.deepcopy(data.draw(_JUNK, label="junk"))
    for base, revision in ((original, broken), (broken, original)):
        try:
            result = diff(base, revision)
        except DocumentError:
            continue
        assert all(change.location.startswith("#") for change in result.changes)
