"""JSON Schema compatibility by Confluent Schema Registry's rules (open/closed content models).

The writer's schema is Confluent's "original" and the reader's its "update": every difference gets
one of Confluent's change types (``registry.compat.jsonschema_rules``), and the pair is compatible
when every change type found is a compatible one. Where Confluent's checker has a quirk we judge
the constraint itself: adding ``enum`` to a typed schema narrows it, removing it widens it.
"""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from fractions import Fraction

from jsonschema.exceptions import SchemaError  # type: ignore[import-untyped]
from jsonschema.validators import (  # type: ignore[import-untyped]
    Draft202012Validator,
    validator_for,
)

from registry.compat.jsonschema_parts import compare_arrays, compare_combined, compare_objects
from registry.compat.jsonschema_rules import RULES
from registry.compat.jsonschema_shape import Shape, enum_values, shape
from registry.compat.result import Incompatibility
from registry.loading import JSON, DocumentError, resolve_pointer

_MAX_REF_HOPS = 64


class JsonSchemaError(DocumentError):
    """A document is not a usable JSON Schema."""


@dataclass(frozen=True)
class JsonSchemaDoc:
    """A checked JSON Schema document; ``$ref``s resolve inside ``root``."""

    root: JSON


def parse_json_schema(source: JSON) -> JsonSchemaDoc:
    """Check ``source`` against its metaschema and that every ``$ref`` resolves locally."""
    if not isinstance(source, (dict, bool)):
        raise JsonSchemaError("a JSON Schema is an object or a boolean")
    if isinstance(source, dict):
        try:
            validator_for(source, default=Draft202012Validator).check_schema(source)
        except SchemaError as exc:
            where = "/" + "/".join(str(p) for p in exc.absolute_path)
            raise JsonSchemaError(f"not a valid JSON Schema at {where}: {exc.message}") from None
    doc = JsonSchemaDoc(source)
    _check_refs(doc, source)
    return doc


def check_json_schema(reader: JsonSchemaDoc, writer: JsonSchemaDoc) -> list[Incompatibility]:
    """Every incompatible change from ``writer`` to ``reader`` (empty when the reader accepts
    everything the writer allows)."""
    diff = Comparison(writer, reader)
    diff.compare(writer.root, reader.root)
    return [
        Incompatibility(
            kind, path, f"{RULES[kind].reason} ({detail})" if detail else RULES[kind].reason
        )
        for kind, path, detail in diff.found
        if not RULES[kind].compatible
    ]


def _check_refs(doc: JsonSchemaDoc, node: JSON) -> None:
    if isinstance(node, list):
        for item in node:
            _check_refs(doc, item)
    elif isinstance(node, dict):
        for key, value in node.items():
            if key == "$ref" and isinstance(value, str):
                _follow(doc, value)
            elif key not in ("enum", "const", "default", "examples"):
                _check_refs(doc, value)


def _follow(doc: JsonSchemaDoc, ref: str) -> JSON:
    if not ref.startswith("#"):
        raise JsonSchemaError(f"$ref {ref!r}: only references inside the document are supported")
    try:
        return resolve_pointer(doc.root, ref[1:], source="schema")
    except DocumentError as exc:
        raise JsonSchemaError(str(exc)) from None


class Comparison:
    def __init__(self, original: JsonSchemaDoc, update: JsonSchemaDoc) -> None:
        self.docs = (original, update)
        self.found: list[tuple[str, str, str]] = []
        self.path: list[str] = []
        self.active: set[tuple[int, int]] = set()

    # -- bookkeeping -------------------------------------------------------------------------
    def add(self, kind: str, detail: str = "", key: str | None = None) -> None:
        where = self.path + ([key] if key else [])
        self.found.append((kind, "/" + "/".join(where) if where else "", detail))

    @contextmanager
    def at(self, *parts: str) -> Iterator[None]:
        self.path.extend(parts)
        try:
            yield
        finally:
            del self.path[len(self.path) - len(parts) :]

    def trial(self, original: JSON, update: JSON) -> tuple[bool, list[tuple[str, str, str]]]:
        """Compare in a sub-context: (compatible?, what it found) without recording it."""
        saved, self.found = self.found, []
        try:
            self.compare(original, update)
            found = self.found
        finally:
            self.found = saved
        return all(RULES[k].compatible for k, _, _ in found), found

    def deref(self, node: JSON, side: int) -> JSON:
        for _ in range(_MAX_REF_HOPS):
            if not (isinstance(node, dict) and isinstance(node.get("$ref"), str)):
                return node
            ref = node["$ref"]
            assert isinstance(ref, str)
            node = _follow(self.docs[side], ref)
        raise JsonSchemaError("$ref chain too long or circular")

    # -- the comparison ----------------------------------------------------------------------
    def compare(self, original: JSON | None, update: JSON | None) -> None:
        if original is None or update is None:
            if original is None and update is not None:
                self.add("schema-added")
            elif update is None and original is not None:
                self.add("schema-removed")
            return
        original, update = self.deref(original, 0), self.deref(update, 1)
        key = (id(original), id(update))
        if key in self.active:
            return
        self.active.add(key)
        try:
            self.compare_shapes(shape(original), shape(update))
        finally:
            self.active.discard(key)

    def compare_shapes(self, o: Shape, u: Shape) -> None:
        if o.kind != "combined" and u.kind == "combined":
            if len(u.parts) == 1 or u.criterion in ("anyOf", "oneOf"):
                for part in u.parts:
                    ok, found = self.trial(o.node or True, part)
                    if ok:
                        self.found.extend(found)
                        if len(u.parts) > 1:
                            self.add("sum-type-extended")
                        return
        elif o.kind == "combined" and u.kind != "combined" and len(o.parts) == 1:
            ok, found = self.trial(o.parts[0], u.node or True)
            if ok:
                self.found.extend(found)
                return
        if o.kind != u.kind:
            if o.kind != "false" and u.kind != "empty":
                self.add("type-changed", f"{_kind_name(o)} -> {_kind_name(u)}")
            return
        handler = getattr(self, f"compare_{o.kind}", None)
        if handler is not None:
            handler(o, u)

    def compare_string(self, o: Shape, u: Shape) -> None:
        self.enums(o.node, u.node)
        for name in ("maxLength", "minLength"):
            self.bound(o.node.get(name), u.node.get(name), name)
        op, up = o.node.get("pattern"), u.node.get("pattern")
        if op != up:
            if op is None:
                self.add("pattern-added", f"pattern {up!r}", "pattern")
            elif up is None:
                self.add("pattern-removed", f"pattern {op!r}", "pattern")
            else:
                self.add("pattern-changed", f"pattern {op!r} -> {up!r}", "pattern")

    def compare_number(self, o: Shape, u: Shape) -> None:
        self.enums(o.node, u.node)
        o_limits, u_limits = _limits(o.node), _limits(u.node)
        for name in ("maximum", "minimum", "exclusiveMaximum", "exclusiveMinimum"):
            self.bound(o_limits[name], u_limits[name], name)
        self.multiple_of(o.node.get("multipleOf"), u.node.get("multipleOf"))
        o_int, u_int = o.node.get("type") == "integer", u.node.get("type") == "integer"
        if o_int and not u_int:
            self.add("type-extended", "integer -> number")
        elif u_int and not o_int:
            self.add("type-narrowed", "number -> integer")

    def compare_boolean(self, o: Shape, u: Shape) -> None:
        self.enums(o.node, u.node)

    def compare_enum(self, o: Shape, u: Shape) -> None:
        self.enums(o.node, u.node)

    def compare_not(self, o: Shape, u: Shape) -> None:
        with self.at("not"):
            ok, _ = self.trial(u.node.get("not"), o.node.get("not"))
            self.add("not-type-narrowed" if ok else "not-type-extended")

    def compare_object(self, o: Shape, u: Shape) -> None:
        compare_objects(self, o.node, u.node)

    def compare_array(self, o: Shape, u: Shape) -> None:
        compare_arrays(self, o.node, u.node)

    def compare_combined(self, o: Shape, u: Shape) -> None:
        compare_combined(self, o, u)

    # -- keyword helpers ---------------------------------------------------------------------
    def enums(self, o: dict[str, JSON], u: dict[str, JSON]) -> None:
        ov, uv = enum_values(o), enum_values(u)
        if ov == uv:
            return
        if uv is None or (ov is not None and uv >= ov):
            self.add("enum-array-extended", key="enum")
        elif ov is None or ov >= uv:
            gone = "any value" if ov is None else ", ".join(sorted(ov - uv))
            self.add("enum-array-narrowed", f"no longer accepts {gone}", "enum")
        else:
            self.add(
                "enum-array-changed", f"no longer accepts {', '.join(sorted(ov - uv))}", "enum"
            )

    def bound(self, o: JSON, u: JSON, name: str) -> None:
        """Compare one numeric limit (``maxLength``, ``minimum``...); the rules say which way is
        safe."""
        if o == u or isinstance(o, bool) or isinstance(u, bool):
            return
        slug = _slug(name)
        if o is None:
            self.add(f"{slug}-added", f"{name} {u}", name)
        elif u is None:
            self.add(f"{slug}-removed", f"{name} {o}", name)
        elif isinstance(o, (int, float)) and isinstance(u, (int, float)):
            word = "increased" if u > o else "decreased"
            self.add(f"{slug}-{word}", f"{name} {o} -> {u}", name)

    def multiple_of(self, o: JSON, u: JSON) -> None:
        if o == u or isinstance(o, bool) or isinstance(u, bool):
            return
        if o is None:
            self.add("multiple-of-added", f"multipleOf {u}", "multipleOf")
        elif u is None:
            self.add("multiple-of-removed", f"multipleOf {o}", "multipleOf")
        elif isinstance(o, (int, float)) and isinstance(u, (int, float)):
            of, uf = Fraction(str(o)), Fraction(str(u))
            kind = (
                "multiple-of-expanded" if (uf / of).denominator == 1
                else "multiple-of-reduced" if (of / uf).denominator == 1
                else "multiple-of-changed"
            )  # fmt: skip
            self.add(kind, f"multipleOf {o} -> {u}", "multipleOf")


def _limits(node: dict[str, JSON]) -> dict[str, JSON]:
    """Numeric bounds in draft 6+ form (draft 4 wrote ``exclusiveMaximum: true``)."""
    limits: dict[str, JSON] = {
        "maximum": node.get("maximum"),
        "minimum": node.get("minimum"),
        "exclusiveMaximum": node.get("exclusiveMaximum"),
        "exclusiveMinimum": node.get("exclusiveMinimum"),
    }
    for name in ("maximum", "minimum"):
        ex = "exclusive" + name.capitalize()
        if limits[ex] is True:
            limits[ex], limits[name] = limits[name], None
        elif limits[ex] is False:
            limits[ex] = None
    return limits


def _slug(name: str) -> str:
    """``maxLength`` -> ``max-length``, the spelling of the rule names."""
    return "".join(f"-{c.lower()}" if c.isupper() else c for c in name)


def _kind_name(shape: Shape) -> str:
    types = shape.node.get("type")
    if shape.kind == "combined":
        return "|".join(map(str, types)) if isinstance(types, list) else shape.criterion
    if shape.kind == "number" and types == "integer":
        return "integer"
    return shape.kind
