"""Examples must satisfy their schemas (Spectral's oas3-valid-schema/media-example).

The document itself is registered once as a JSON Schema resource, so a schema anywhere in it is
compiled from ``{"$ref": "urn:...#<pointer>"}`` and its own ``$ref``s resolve in place. OpenAPI 3.0
schemas are first rewritten to their JSON Schema meaning (``nullable``, boolean exclusive bounds,
ignored ``$ref`` siblings); 3.1 schemas already are JSON Schema 2020-12.
"""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any
from urllib.parse import quote

import jsonschema_rs

from registry.lint_rules.index import DocumentIndex
from registry.lint_rules.rule import Hit
from registry.lint_rules.sites import ExampleSite
from registry.loading import JSON

_BASE = "urn:waybill:openapi-document"
_MAX_ERRORS = 3


def as_json_schema_30(node: JSON) -> JSON:
    """A copy of an OpenAPI 3.0 document whose schemas mean what 3.0 says, in JSON Schema terms."""
    if isinstance(node, list):
        return [as_json_schema_30(item) for item in node]
    if not isinstance(node, dict):
        return node
    if isinstance(node.get("$ref"), str):
        return {"$ref": node["$ref"]}
    converted = {key: as_json_schema_30(value) for key, value in node.items()}
    declared = node.get("type")
    if node.get("nullable") is True and isinstance(declared, str):
        # 3.0.3: nullable adds null to an explicitly declared type, and nothing else.
        converted["type"] = [declared, "null"]
    for bound, exclusive in (("minimum", "exclusiveMinimum"), ("maximum", "exclusiveMaximum")):
        flag = node.get(exclusive)
        if isinstance(flag, bool):
            del converted[exclusive]
            if flag and bound in converted:
                converted[exclusive] = converted.pop(bound)
    return converted


class ExampleChecker:
    """Compiles each schema that has examples once and validates its examples."""

    def __init__(self, index: DocumentIndex) -> None:
        self.index = index
        self._registry: jsonschema_rs.Registry | None = None
        self._validators: dict[str, Any] = {}

    def _resource_registry(self) -> jsonschema_rs.Registry:
        if self._registry is None:
            document: JSON = self.index.doc
            if self.index.version == "3.0":
                document = as_json_schema_30(document)
            self._registry = jsonschema_rs.Registry(
                [(_BASE, document)], draft=jsonschema_rs.Draft202012
            )
        return self._registry

    def _dangling_refs(self) -> bool:
        return any(self.index.target(site.ref) is None for site in self.index.refs)

    def _validator(self, schema_pointer: str) -> Any:
        """The compiled validator, the error text when the schema does not compile, or None
        when one of its references dangles."""
        if schema_pointer not in self._validators:
            reference = f"{_BASE}#{quote(schema_pointer, safe='/~')}"
            try:
                self._validators[schema_pointer] = jsonschema_rs.Draft202012Validator(
                    {"$ref": reference},
                    registry=self._resource_registry(),
                    validate_formats=True,
                )
            except ValueError as exc:
                # With a dangling $ref in the document, invalid-ref already reports the cause.
                self._validators[schema_pointer] = (
                    None if self._dangling_refs() else str(exc).splitlines()[0]
                )
        return self._validators[schema_pointer]

    def check(self, site: ExampleSite) -> Hit | None:
        """The finding for one example, or None when it matches its schema."""
        validator = self._validator(site.schema_pointer)
        if validator is None:
            return None
        if isinstance(validator, str):
            return Hit(
                site.pointer,
                site.operation,
                f"example cannot be checked: the schema at #{site.schema_pointer} does not "
                f"compile ({validator})",
            )
        errors = list(_first(validator.iter_errors(site.value)))
        if not errors:
            return None
        details = "; ".join(_describe(error) for error in errors)
        return Hit(
            site.pointer,
            site.operation,
            f"example does not match its schema #{site.schema_pointer}: {details}",
        )


def _first(
    errors: Iterator[jsonschema_rs.ValidationError],
) -> Iterator[jsonschema_rs.ValidationError]:
    for count, error in enumerate(errors):
        if count == _MAX_ERRORS:
            return
        yield error


def _describe(error: jsonschema_rs.ValidationError) -> str:
    where = "/".join(str(part) for part in error.instance_path)
    return f"{'/' + where if where else 'value'}: {error.message}"


def _checker(index: DocumentIndex) -> ExampleChecker:
    """One checker per document, shared by the two example rules (validators compile once)."""
    cached = index.shared.get("examples")
    if isinstance(cached, ExampleChecker):
        return cached
    checker = ExampleChecker(index)
    index.shared["examples"] = checker
    return checker


def schema_examples(index: DocumentIndex) -> Iterator[Hit]:
    """oas3-valid-schema-example: a schema's own ``example``/``examples`` satisfy it."""
    checker = _checker(index)
    for site in index.examples:
        if site.in_schema:
            hit = checker.check(site)
            if hit is not None:
                yield hit


def media_examples(index: DocumentIndex) -> Iterator[Hit]:
    """oas3-valid-media-example: media type, parameter and header examples satisfy the schema."""
    checker = _checker(index)
    for site in index.examples:
        if not site.in_schema:
            hit = checker.check(site)
            if hit is not None:
                yield hit
