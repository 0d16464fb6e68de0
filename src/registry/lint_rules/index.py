"""One structured pass over an OpenAPI 3.0/3.1 document that every lint rule reads from.

The walk visits each object once at the place it is written (a ``$ref`` is recorded, never
followed), so rules iterate small precomputed lists instead of re-walking a 4 MB document.
"""

from __future__ import annotations

import re
from collections.abc import Iterator
from urllib.parse import unquote

from registry.lint_rules.sites import (
    METHODS,
    ExampleSite,
    Located,
    Obj,
    Operation,
    RefSite,
    SchemaSite,
    TextSite,
    child,
    schema_children,
)
from registry.loading import JSON, Document, DocumentError

_MAX_REF_HOPS = 32
_VERSION = re.compile(r"^3\.(?P<minor>[01])(\.|$)")


class DocumentIndex:
    """What the rules need from one document, computed in a single walk."""

    def __init__(self, document: Document, *, source: str) -> None:
        declared = document.get("openapi")
        match = _VERSION.match(declared) if isinstance(declared, str) else None
        if match is None:
            raise DocumentError(
                f"{source}: not an OpenAPI 3.0 or 3.1 document (openapi: {declared!r})"
            )
        self.doc = document
        self.source = source
        self.version = f"3.{match['minor']}"
        self.operations: list[Operation] = []
        self.schemas: list[SchemaSite] = []
        self.examples: list[ExampleSite] = []
        self.example_objects: list[Located] = []
        self.refs: list[RefSite] = []
        self.mapping_refs: list[str] = []
        self.texts: list[TextSite] = []
        self._targets: dict[str, tuple[str, JSON] | None] = {}
        # Values several rules compute from this document (compiled validators), made once.
        self.shared: dict[str, object] = {}
        self._request_roots: list[tuple[str, JSON, str]] = []
        self._walk_document()
        self.request_schemas = self._reach_from_requests()

    # -- resolution -------------------------------------------------------------------------

    def target(self, ref: str) -> tuple[str, JSON] | None:
        """The pointer and node a local ``$ref`` names, or None (external or dangling)."""
        if ref not in self._targets:
            self._targets[ref] = self._lookup(ref)
        return self._targets[ref]

    def _lookup(self, ref: str) -> tuple[str, JSON] | None:
        if not ref.startswith("#"):
            return None
        pointer = unquote(ref[1:])
        if pointer in ("", "/"):
            return "", self.doc
        node: JSON = self.doc
        for raw in pointer.lstrip("/").split("/"):
            part = raw.replace("~1", "/").replace("~0", "~")
            if isinstance(node, dict) and part in node:
                node = node[part]
            elif isinstance(node, list) and part.isdigit() and int(part) < len(node):
                node = node[int(part)]
            else:
                return None
        return pointer, node

    def resolve(self, pointer: str, node: JSON) -> tuple[str, Obj] | None:
        """Follow ``$ref`` chains from ``node``; None when one dangles or loops."""
        for _ in range(_MAX_REF_HOPS):
            if not isinstance(node, dict):
                return None
            ref = node.get("$ref")
            if not isinstance(ref, str):
                return pointer, node
            found = self.target(ref)
            if found is None:
                return None
            pointer, node = found
        return None

    def located(self, pointer: str, node: JSON) -> Located | None:
        """``node`` resolved, remembered at the place it is written."""
        resolved = self.resolve(pointer, node)
        return Located(pointer, resolved[1], resolved[0]) if resolved else None

    # -- the walk ---------------------------------------------------------------------------

    def _text(self, pointer: str, node: Obj, op: str | None, *keys: str) -> None:
        for key in keys:
            value = node.get(key)
            if isinstance(value, str):
                self.texts.append(TextSite(child(pointer, key), value, op))

    def _ref(self, pointer: str, node: Obj, op: str | None) -> bool:
        ref = node.get("$ref")
        if not isinstance(ref, str):
            return False
        self.refs.append(RefSite(pointer, node, ref, op))
        return True

    def _walk_document(self) -> None:
        doc = self.doc
        info = doc.get("info")
        if isinstance(info, dict):
            self._text("/info", info, None, "title", "description")
        for key in ("servers", "tags"):
            entries = doc.get(key)
            if isinstance(entries, list):
                for i, entry in enumerate(entries):
                    if isinstance(entry, dict):
                        self._text(child(f"/{key}", i), entry, None, "description")
        paths = doc.get("paths")
        if isinstance(paths, dict):
            for path, item in paths.items():
                if isinstance(item, dict):
                    self._path_item(child("/paths", path), item, path)
        webhooks = doc.get("webhooks")
        if isinstance(webhooks, dict):
            for name, item in webhooks.items():
                if isinstance(item, dict):
                    self._path_item(child("/webhooks", name), item, None)
        components = doc.get("components")
        if isinstance(components, dict):
            self._components(components)

    def _path_item(self, pointer: str, item: Obj, path: str | None) -> None:
        if self._ref(pointer, item, None):
            resolved = self.resolve(pointer, item)
            if resolved is None or path is None:
                return
            # Operations of a referenced path item are listed, but walked where they are written.
            pointer, item = resolved
            for method in METHODS:
                op_node = item.get(method)
                if isinstance(op_node, dict):
                    self.operations.append(self._operation_record(pointer, item, method, path))
            return
        first = next((m for m in METHODS if isinstance(item.get(m), dict)), None)
        shared_label = f"{first.upper()} {path}" if first and path else None
        self._text(pointer, item, None, "summary", "description")
        shared = item.get("parameters")
        if isinstance(shared, list):
            for i, param in enumerate(shared):
                if isinstance(param, dict):
                    self._parameter(child(child(pointer, "parameters"), i), param, shared_label)
        for method in METHODS:
            op_node = item.get(method)
            if not isinstance(op_node, dict):
                continue
            op_pointer = child(pointer, method)
            label = f"{method.upper()} {path}" if path else None
            self._operation(op_pointer, op_node, label)
            if path is not None:
                self.operations.append(self._operation_record(pointer, item, method, path))

    def _operation(self, pointer: str, op: Obj, label: str | None) -> None:
        self._text(pointer, op, label, "summary", "description")
        params = op.get("parameters")
        if isinstance(params, list):
            for i, param in enumerate(params):
                if isinstance(param, dict):
                    self._parameter(child(child(pointer, "parameters"), i), param, label)
        body = op.get("requestBody")
        if isinstance(body, dict):
            self._request_body(child(pointer, "requestBody"), body, label)
        responses = op.get("responses")
        if isinstance(responses, dict):
            for status, response in responses.items():
                if isinstance(response, dict):
                    self._response(child(child(pointer, "responses"), status), response, label)
        callbacks = op.get("callbacks")
        if isinstance(callbacks, dict):
            for name, callback in callbacks.items():
                if isinstance(callback, dict):
                    self._callback(child(child(pointer, "callbacks"), name), callback, label)

    def _operation_record(self, item_pointer: str, item: Obj, method: str, path: str) -> Operation:
        pointer = child(item_pointer, method)
        node = item[method]
        assert isinstance(node, dict)
        record = Operation(method, path, pointer, node)
        effective: dict[tuple[str, str], Located] = {}
        for owner, owner_pointer in ((item, item_pointer), (node, pointer)):
            params = owner.get("parameters")
            if not isinstance(params, list):
                continue
            for i, param in enumerate(params):
                found = self.located(child(child(owner_pointer, "parameters"), i), param)
                if found is not None:
                    effective[_parameter_key(found.node)] = found
        record.parameters = list(effective.values())
        body = node.get("requestBody")
        if body is not None:
            record.request_body = self.located(child(pointer, "requestBody"), body)
        responses = node.get("responses")
        if isinstance(responses, dict):
            for status, response in responses.items():
                found = self.located(child(child(pointer, "responses"), status), response)
                if found is not None:
                    record.responses[str(status)] = found
        if "security" in node:
            record.security, record.security_pointer = node["security"], child(pointer, "security")
        else:
            record.security = self.doc.get("security")
        return record

    def _callback(self, pointer: str, callback: Obj, label: str | None) -> None:
        if self._ref(pointer, callback, label):
            return
        for expression, item in callback.items():
            if isinstance(item, dict):
                self._path_item(child(pointer, expression), item, None)

    def _parameter(self, pointer: str, param: Obj, label: str | None) -> None:
        if self._ref(pointer, param, label):
            if label is not None:
                resolved = self.resolve(pointer, param)
                if resolved is not None:
                    self._request_roots_of(resolved[0], resolved[1], label)
            return
        self._text(pointer, param, label, "description")
        self._carrier(pointer, param, label)
        if label is not None:
            self._request_roots_of(pointer, param, label)

    def _request_roots_of(self, pointer: str, carrier: Obj, label: str) -> None:
        """Remember the schemas a parameter or request body puts into requests."""
        if "schema" in carrier:
            self._request_roots.append((child(pointer, "schema"), carrier["schema"], label))
        content = carrier.get("content")
        if isinstance(content, dict):
            for media_type, media in content.items():
                if isinstance(media, dict) and "schema" in media:
                    media_pointer = child(child(pointer, "content"), media_type)
                    self._request_roots.append(
                        (child(media_pointer, "schema"), media["schema"], label)
                    )

    def _carrier(self, pointer: str, node: Obj, label: str | None) -> None:
        """A parameter or header: a schema with examples, or content."""
        schema = node.get("schema")
        if isinstance(schema, dict):
            schema_pointer = child(pointer, "schema")
            self._schema(schema_pointer, schema, label)
            self._media_examples(pointer, node, schema_pointer, label)
        content = node.get("content")
        if isinstance(content, dict):
            for media_type, media in content.items():
                if isinstance(media, dict):
                    self._media(child(child(pointer, "content"), media_type), media, label)

    def _request_body(self, pointer: str, body: Obj, label: str | None) -> None:
        if self._ref(pointer, body, label):
            resolved = self.resolve(pointer, body)
            if resolved is not None and label is not None:
                self._request_roots_of(resolved[0], resolved[1], label)
            return
        self._text(pointer, body, label, "description")
        self._content(pointer, body, label)
        if label is not None:
            self._request_roots_of(pointer, body, label)

    def _content(self, pointer: str, owner: Obj, label: str | None) -> None:
        content = owner.get("content")
        if isinstance(content, dict):
            for media_type, media in content.items():
                if isinstance(media, dict):
                    self._media(child(child(pointer, "content"), media_type), media, label)

    def _response(self, pointer: str, response: Obj, label: str | None) -> None:
        if self._ref(pointer, response, label):
            return
        self._text(pointer, response, label, "description")
        headers = response.get("headers")
        if isinstance(headers, dict):
            for name, header in headers.items():
                if isinstance(header, dict):
                    self._header(child(child(pointer, "headers"), name), header, label)
        self._content(pointer, response, label)
        links = response.get("links")
        if isinstance(links, dict):
            for name, link in links.items():
                if isinstance(link, dict):
                    self._ref(child(child(pointer, "links"), name), link, label)

    def _header(self, pointer: str, header: Obj, label: str | None) -> None:
        if self._ref(pointer, header, label):
            return
        self._text(pointer, header, label, "description")
        self._carrier(pointer, header, label)

    def _media(self, pointer: str, media: Obj, label: str | None) -> None:
        schema = media.get("schema")
        schema_pointer = child(pointer, "schema")
        if isinstance(schema, dict):
            self._schema(schema_pointer, schema, label)
            self._media_examples(pointer, media, schema_pointer, label)
        encoding = media.get("encoding")
        if isinstance(encoding, dict):
            for name, enc in encoding.items():
                headers = enc.get("headers") if isinstance(enc, dict) else None
                if isinstance(headers, dict):
                    base = child(child(child(pointer, "encoding"), name), "headers")
                    for header_name, header in headers.items():
                        if isinstance(header, dict):
                            self._header(child(base, header_name), header, label)

    def _media_examples(
        self, pointer: str, owner: Obj, schema_pointer: str, label: str | None
    ) -> None:
        if "example" in owner:
            example_pointer = child(pointer, "example")
            self.examples.append(
                ExampleSite(
                    example_pointer, owner["example"], schema_pointer, label, in_schema=False
                )
            )
        examples = owner.get("examples")
        if not isinstance(examples, dict):
            return
        for name, example in examples.items():
            if not isinstance(example, dict):
                continue
            example_pointer = child(child(pointer, "examples"), name)
            if not self._ref(example_pointer, example, label):
                self.example_objects.append(Located(example_pointer, example, example_pointer))
            resolved = self.resolve(example_pointer, example)
            if resolved is not None and "value" in resolved[1]:
                value_pointer = (
                    child(resolved[0], "value") if "$ref" not in example else example_pointer
                )
                self.examples.append(
                    ExampleSite(
                        value_pointer, resolved[1]["value"], schema_pointer, label, in_schema=False
                    )
                )

    def _schema(self, pointer: str, schema: JSON, label: str | None) -> None:
        if not isinstance(schema, dict):
            return
        if self._ref(pointer, schema, label) and (self.version == "3.0" or len(schema) == 1):
            return  # before 3.1, keywords beside $ref are ignored
        self.schemas.append(SchemaSite(pointer, schema, label))
        self._text(pointer, schema, label, "title", "description")
        if "example" in schema:
            self.examples.append(
                ExampleSite(
                    child(pointer, "example"), schema["example"], pointer, label, in_schema=True
                )
            )
        listed = schema.get("examples")
        if self.version != "3.0" and isinstance(listed, list):
            base = child(pointer, "examples")
            for i, value in enumerate(listed):
                self.examples.append(
                    ExampleSite(child(base, i), value, pointer, label, in_schema=True)
                )
        discriminator = schema.get("discriminator")
        mapping = discriminator.get("mapping") if isinstance(discriminator, dict) else None
        if isinstance(mapping, dict):
            self.mapping_refs.extend(v for v in mapping.values() if isinstance(v, str))
        for sub_pointer, sub in schema_children(pointer, schema):
            self._schema(sub_pointer, sub, label)

    def _components(self, components: Obj) -> None:
        def section(kind: str) -> Iterator[tuple[str, Obj]]:
            entries = components.get(kind)
            if isinstance(entries, dict):
                for name, node in entries.items():
                    if isinstance(node, dict):
                        yield child(f"/components/{kind}", name), node

        for pointer, node in section("schemas"):
            self._schema(pointer, node, None)
        for pointer, node in section("responses"):
            self._response(pointer, node, None)
        for pointer, node in section("parameters"):
            self._parameter(pointer, node, None)
        for pointer, node in section("headers"):
            self._header(pointer, node, None)
        for pointer, node in section("requestBodies"):
            self._request_body(pointer, node, None)
        for pointer, node in section("examples"):
            if not self._ref(pointer, node, None):
                self.example_objects.append(Located(pointer, node, pointer))
                self._text(pointer, node, None, "summary", "description")
        for pointer, node in section("securitySchemes"):
            if not self._ref(pointer, node, None):
                self._text(pointer, node, None, "description")
        for pointer, node in section("links"):
            self._ref(pointer, node, None)
        for pointer, node in section("callbacks"):
            self._callback(pointer, node, None)
        for pointer, node in section("pathItems"):
            self._path_item(pointer, node, None)

    def _reach_from_requests(self) -> dict[str, str]:
        """Pointers of every schema a request can carry (through refs), with the first operation."""
        reached: dict[str, str] = {}
        for root_pointer, root, label in self._request_roots:
            stack: list[tuple[str, JSON]] = [(root_pointer, root)]
            while stack:
                pointer, node = stack.pop()
                if not isinstance(node, dict) or pointer in reached:
                    continue
                ref = node.get("$ref")
                if isinstance(ref, str):
                    found = self.target(ref)
                    if found is not None and found[0] not in reached:
                        stack.append(found)
                    if self.version == "3.0" or len(node) == 1:
                        continue
                reached[pointer] = label
                stack.extend(schema_children(pointer, node))
        return reached


def _parameter_key(param: Obj) -> tuple[str, str]:
    where = str(param.get("in", ""))
    name = str(param.get("name", ""))
    return where, name.lower() if where == "header" else name
