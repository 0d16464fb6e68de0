"""The pieces of an OpenAPI document the lint rules look at, and helpers to walk schemas."""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass, field

from registry.loading import JSON

Obj = dict[str, JSON]

METHODS = ("get", "put", "post", "delete", "options", "head", "patch", "trace")
UNSAFE_METHODS = frozenset({"post", "put", "patch", "delete"})

# Schema keywords whose value is a map of subschemas, a single subschema, or a list of them.
_MAP_KEYWORDS = ("properties", "patternProperties", "$defs", "definitions", "dependentSchemas")
_ONE_KEYWORDS = (
    "items", "additionalProperties", "not", "if", "then", "else", "contains", "propertyNames",
    "unevaluatedItems", "unevaluatedProperties", "additionalItems", "contentSchema",
)  # fmt: skip
_LIST_KEYWORDS = ("allOf", "anyOf", "oneOf", "prefixItems")
_KEYWORD_KINDS = {
    **dict.fromkeys(_MAP_KEYWORDS, "map"),
    **dict.fromkeys(_ONE_KEYWORDS, "one"),
    **dict.fromkeys(_LIST_KEYWORDS, "list"),
}


def escape(key: str) -> str:
    """Escape one JSON pointer token (RFC 6901)."""
    return key.replace("~", "~0").replace("/", "~1")


def child(pointer: str, key: str | int) -> str:
    """The pointer of ``key`` inside the node at ``pointer``."""
    return f"{pointer}/{escape(str(key))}"


def schema_children(pointer: str, schema: Obj) -> Iterator[tuple[str, JSON]]:
    """Every direct subschema of ``schema`` with its pointer, in the schema's key order."""
    for keyword, value in schema.items():
        kind = _KEYWORD_KINDS.get(keyword)
        if kind is None:
            continue
        if kind == "map":
            if isinstance(value, dict):
                base = child(pointer, keyword)
                for name, sub in value.items():
                    yield child(base, name), sub
        elif isinstance(value, dict):
            yield child(pointer, keyword), value
        elif isinstance(value, list) and (kind == "list" or keyword == "items"):
            yield from _each(child(pointer, keyword), value)


def _each(pointer: str, items: list[JSON]) -> Iterator[tuple[str, JSON]]:
    for i, item in enumerate(items):
        yield child(pointer, i), item


def schema_types(schema: Obj) -> frozenset[str]:
    """The ``type`` of a schema as a set (3.1 allows a list)."""
    declared = schema.get("type")
    if isinstance(declared, str):
        return frozenset({declared})
    if isinstance(declared, list):
        return frozenset(t for t in declared if isinstance(t, str))
    return frozenset()


@dataclass(frozen=True)
class Located:
    """An object as resolved (``node``), where it is written (``pointer``) and where it lives."""

    pointer: str
    node: Obj
    target: str = ""  # where ``node`` itself is (differs from ``pointer`` through a $ref)


@dataclass(frozen=True)
class SchemaSite:
    """A schema object (not a bare ``$ref``) at its own location."""

    pointer: str
    node: Obj
    operation: str | None


@dataclass(frozen=True)
class ExampleSite:
    """An example value and the pointer of the schema it must satisfy."""

    pointer: str
    value: JSON
    schema_pointer: str
    operation: str | None
    in_schema: bool  # True for a schema's own example(s), False for media/parameter/header ones


@dataclass(frozen=True)
class RefSite:
    """A ``$ref`` object where it is written."""

    pointer: str
    node: Obj
    ref: str
    operation: str | None


@dataclass(frozen=True)
class TextSite:
    """A description, summary or title (rendered as Markdown by documentation tools)."""

    pointer: str
    text: str
    operation: str | None


@dataclass
class Operation:
    """An operation under ``paths`` with its effective (path + operation level) inputs."""

    method: str
    path: str
    pointer: str
    node: Obj
    parameters: list[Located] = field(default_factory=list)
    request_body: Located | None = None
    responses: dict[str, Located] = field(default_factory=dict)
    security: JSON = None  # effective requirements (operation-level, else the document's)
    security_pointer: str = "/security"

    @property
    def label(self) -> str:
        return f"{self.method.upper()} {self.path}"

    @property
    def operation_id(self) -> str | None:
        value = self.node.get("operationId")
        return value if isinstance(value, str) else None
