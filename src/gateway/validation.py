"""OpenAPI 3.0 schemas compiled once into jsonschema-rs validators, and the checks built on them.

OpenAPI 3.0 schema objects are a dialect of JSON Schema draft 4/5; they are translated into draft
2020-12 (``nullable`` becomes a type union, boolean ``exclusiveMinimum`` a number, ``readOnly``
properties stop being required in requests and ``writeOnly`` ones in responses) and compiled with
the document's translated ``components`` embedded, so local ``#/components/...`` refs resolve.
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass
from typing import Any, Literal

import jsonschema_rs

from registry.loading import JSON, Document, DocumentError, resolve_pointer

Direction = Literal["request", "response"]
Validator = Any  # jsonschema_rs.Validator; the stubs are not visible to mypy (ignored imports)

# Annotation-only keywords (and OpenAPI vocabulary JSON Schema does not know) dropped on
# translation; ``x-*`` extensions go too.
_DROPPED = frozenset(
    {
        "example",
        "examples",
        "discriminator",
        "xml",
        "externalDocs",
        "deprecated",
        "nullable",
        "readOnly",
        "writeOnly",
        "description",
        "title",
    }
)
_SCHEMA_LISTS = ("allOf", "anyOf", "oneOf")
_MAX_MESSAGE = 1024
MAX_ERRORS = 100


@dataclass(frozen=True)
class Violation:
    """One way an input breaks its schema: where (a JSON pointer or parameter name) and why."""

    pointer: str
    message: str

    def as_json(self) -> dict[str, str]:
        """The ``errors`` item of a validation problem."""
        return {"pointer": self.pointer, "message": self.message}


def _pointer(parts: Iterable[str | int]) -> str:
    return "".join("/" + str(p).replace("~", "~0").replace("/", "~1") for p in parts)


def violations(validator: Validator, instance: object, *, prefix: str = "") -> list[Violation]:
    """Every error of ``instance`` (at most ``MAX_ERRORS``), with pointers under ``prefix``."""
    found: list[Violation] = []
    for error in validator.iter_errors(instance):
        message = str(error.message)
        if len(message) > _MAX_MESSAGE:
            message = message[: _MAX_MESSAGE - 3] + "..."
        found.append(Violation(prefix + _pointer(error.instance_path), message))
        if len(found) >= MAX_ERRORS:
            break
    return found


class SchemaCompiler:
    """Translates and compiles the schemas of one bundled document, for one direction."""

    def __init__(self, document: Document, direction: Direction) -> None:
        self.document = document
        self.direction = direction
        components = document.get("components")
        schemas = components.get("schemas") if isinstance(components, dict) else None
        translated = {
            name: self.translate(schema)
            for name, schema in (schemas.items() if isinstance(schemas, dict) else ())
        }
        self._components: dict[str, JSON] = {"schemas": translated}

    def deref(self, node: JSON) -> JSON:
        """Follow local ``$ref``s (bounded) to the node they name; None when one dangles."""
        for _ in range(32):
            ref = node.get("$ref") if isinstance(node, dict) else None
            if not isinstance(ref, str):
                return node
            if not ref.startswith("#"):
                raise DocumentError(f"non-local $ref {ref!r} in a bundled document")
            node = resolve_pointer(self.document, ref[1:])
        raise DocumentError("$ref chain longer than 32 links")

    def translate(self, node: JSON) -> JSON:
        """One OpenAPI 3.0 schema object as a JSON Schema 2020-12 schema."""
        if not isinstance(node, dict):
            return node
        if isinstance(node.get("$ref"), str):
            return {"$ref": node["$ref"]}  # OpenAPI 3.0: siblings of $ref are ignored
        out: dict[str, JSON] = {}
        for key, value in node.items():
            if key in _DROPPED or key.startswith("x-"):
                continue
            if key == "properties" and isinstance(value, dict):
                out[key] = {name: self.translate(sub) for name, sub in value.items()}
            elif key in ("items", "not") or (key == "additionalProperties" and value is not True):
                out[key] = self.translate(value)
            elif key in _SCHEMA_LISTS and isinstance(value, list):
                out[key] = [self.translate(sub) for sub in value]
            elif key in ("exclusiveMinimum", "exclusiveMaximum") and isinstance(value, bool):
                bound = "minimum" if key == "exclusiveMinimum" else "maximum"
                if value and bound in node:
                    out[key] = node[bound]
            else:
                out[key] = value
        for key in ("exclusiveMinimum", "exclusiveMaximum"):
            bound = "minimum" if key == "exclusiveMinimum" else "maximum"
            if node.get(key) is True:
                out.pop(bound, None)
        if node.get("nullable") is True and "type" in out:
            types = out["type"] if isinstance(out["type"], list) else [out["type"]]
            out["type"] = [*types, "null"]
            if isinstance(out.get("enum"), list) and None not in out["enum"]:  # type: ignore[operator]
                out["enum"] = [*out["enum"], None]  # type: ignore[misc]
        required = out.get("required")
        properties = node.get("properties")
        if isinstance(required, list) and isinstance(properties, dict):
            hidden = "readOnly" if self.direction == "request" else "writeOnly"
            kept = [
                name
                for name in required
                if not _flag(self._safe_deref(properties.get(str(name))), hidden)
            ]
            if kept:
                out["required"] = kept
            else:
                out.pop("required")
        return out

    def _safe_deref(self, node: JSON) -> JSON:
        try:
            return self.deref(node)
        except DocumentError:
            return None

    def compile(self, schema: JSON) -> Validator:
        """A validator for ``schema`` (OpenAPI 3.0), its local refs resolvable."""
        root = self.translate(schema)
        if not isinstance(root, dict):  # a bare boolean schema
            root = {} if root is not False else {"not": {}}
        root = {**root, "components": self._components}
        return jsonschema_rs.Draft202012Validator(root, validate_formats=True)

    def kind(self, schema: JSON) -> str | None:
        """The declared ``type`` of a schema (through refs and combinators), for coercion."""
        for _ in range(8):
            node = self._safe_deref(schema)
            if not isinstance(node, dict):
                return None
            if isinstance(node.get("type"), str):
                return str(node["type"])
            parts = [p for key in _SCHEMA_LISTS for p in _list(node.get(key))]
            typed = [self.kind(p) for p in parts]
            return next((t for t in typed if t), None)
        return None

    def item_kind(self, schema: JSON) -> str | None:
        """The ``type`` of an array schema's items."""
        node = self._safe_deref(schema)
        return self.kind(node.get("items")) if isinstance(node, dict) else None


def _flag(node: JSON, name: str) -> bool:
    return isinstance(node, dict) and node.get(name) is True


def _list(value: JSON) -> list[JSON]:
    return value if isinstance(value, list) else []


# ---------------------------------------------------------------------------------------------
# Parameters: strings on the wire, coerced to their declared types, then validated together.

Location = Literal["path", "query", "header"]
# OpenAPI: these header parameters are ignored; the transport defines them.
_IGNORED_HEADERS = frozenset({"accept", "content-type", "authorization"})
_INTEGER = re.compile(r"^-?[0-9]+$")
_NUMBER = re.compile(r"^-?(0|[1-9][0-9]*)(\.[0-9]+)?([eE][+-]?[0-9]+)?$")


def coerce(value: str, kind: str | None) -> object:
    """A wire string as the declared scalar type; left as is when it does not parse."""
    if kind == "integer" and _INTEGER.match(value):
        return int(value)
    if kind == "number" and _NUMBER.match(value):
        number = float(value)
        return int(number) if number.is_integer() and abs(number) < 2**53 else number
    if kind == "boolean" and value in ("true", "false"):
        return value == "true"
    return value


@dataclass(frozen=True)
class Parameter:
    """One declared path, query or header parameter, as far as parsing it needs."""

    name: str
    location: Location
    required: bool
    kind: str | None
    item_kind: str | None
    exploded: bool

    @property
    def key(self) -> str:
        """Header names compare case-insensitively."""
        return self.name.lower() if self.location == "header" else self.name

    def parse(self, values: Sequence[str]) -> object:
        """The typed value of this parameter from its raw occurrence(s)."""
        if self.kind == "array":
            items: list[str] = []
            for value in values:
                if self.exploded and self.location == "query":
                    items.append(value)
                else:
                    parts = value.split(",") if value else []
                    if self.location == "header":  # repeated fields arrive joined by ", "
                        parts = [part.strip() for part in parts]
                    items.extend(parts)
            return [coerce(item, self.item_kind) for item in items]
        return coerce(values[-1], self.kind)


def compile_parameter(raw: Mapping[str, JSON], compiler: SchemaCompiler) -> Parameter | None:
    """A parameter object; None for locations and headers that are not validated here."""
    location = raw.get("in")
    name = raw.get("name")
    if location not in ("path", "query", "header") or not isinstance(name, str):
        return None  # cookie parameters are not used by the gateway's contracts
    if location == "header" and name.lower() in _IGNORED_HEADERS:
        return None
    schema = raw.get("schema")
    kind = compiler.kind(schema)
    style = raw.get("style", "form" if location == "query" else "simple")
    explode = raw.get("explode", style == "form")
    if kind == "object" or style not in ("form", "simple"):
        raise DocumentError(
            f"parameter {name!r} in {location}: style {style!r} of type {kind!r} is not supported"
        )
    return Parameter(
        name=name,
        location=location,  # type: ignore[arg-type]
        required=bool(raw.get("required", location == "path")),
        kind=kind,
        item_kind=compiler.item_kind(schema) if kind == "array" else None,
        exploded=bool(explode),
    )


def parameters_schema(raws: Iterable[Mapping[str, JSON]]) -> dict[str, JSON]:
    """One object schema over ``{"path": {...}, "query": {...}, "header": {...}}``."""
    sections: dict[str, dict[str, JSON]] = {"path": {}, "query": {}, "header": {}}
    for raw in raws:
        location, name = raw.get("in"), raw.get("name")
        if location in sections and isinstance(name, str) and "schema" in raw:
            key = name.lower() if location == "header" else name
            sections[str(location)][key] = raw["schema"]
    return {
        "type": "object",
        "properties": {
            location: {"type": "object", "properties": props}
            for location, props in sections.items()
            if props
        },
    }
