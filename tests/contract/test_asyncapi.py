"""The AsyncAPI event catalog: valid against the official 3.0.0 schema and consistent inside.

The official JSON Schema is vendored (tests/contract/schemas/README.md says from where) and
resolved offline: a registry that refuses every remote retrieval proves nothing is fetched.
Each rule returns violations "<file>: <where>: [<rule>] <detail>"; `BROKEN` proves each rule
catches a broken copy of the catalog and names the file, the message or channel, and the rule.
"""

from __future__ import annotations

import copy
import functools
import io
import json
from collections.abc import Callable, Iterator
from dataclasses import dataclass, replace
from pathlib import Path
from typing import Any, TypeAlias

import fastavro
import pytest
from jsonschema import Draft7Validator
from jsonschema.exceptions import best_match
from referencing import Registry
from referencing.exceptions import NoSuchResource
from referencing.jsonschema import DRAFT7

from registry.avro_schemas import AvroSchemaError, load_avro_schema
from registry.loading import load_document
from tests.conftest import ROOT, SPECS

SPEC = SPECS / "asyncapi" / "logistics-events.yaml"
OFFICIAL_SCHEMA = Path(__file__).parent / "schemas" / "asyncapi-3.0.0.json"
AVRO_DEFINITION = "http://asyncapi.com/definitions/3.0.0/avroSchema_v1.json"
DOCS = ROOT / "docs" / "events.md"
DOC_URI = "urn:waybill:asyncapi:logistics-events"
ENVELOPE = (
    "eventId",
    "eventType",
    "schemaVersion",
    "schemaId",
    "occurredAt",
    "recordedAt",
    "producer",
    "correlationId",
    "causationId",
    "aggregateId",
    "aggregateVersion",
    "idempotencyKey",
)
MIN_MESSAGES = 25
SUBJECT_PREFIX = "waybill."

Violations: TypeAlias = Iterator[str]


@dataclass(frozen=True)
class Catalog:
    """The document under test, where it came from, and the page that describes it."""

    doc: dict[str, Any]
    file: str
    base: Path
    docs_text: str

    @property
    def messages(self) -> dict[str, Any]:
        """components.messages."""
        return self.doc.get("components", {}).get("messages", {})  # type: ignore[no-any-return]


def load_catalog() -> Catalog:
    """The catalog as committed."""
    return Catalog(
        doc=load_document(SPEC),
        file=SPEC.relative_to(ROOT).as_posix(),
        base=SPEC.parent,
        docs_text=DOCS.read_text(encoding="utf-8") if DOCS.exists() else "",
    )


def violation(catalog: Catalog, where: str, rule: str, detail: str) -> str:
    """The one format every failure uses: file, message or channel, rule, what is wrong."""
    return f"{catalog.file}: {where}: [{rule}] {detail}"


def _refuse(uri: str) -> Any:
    raise NoSuchResource(ref=uri)


@functools.cache
def official_validator() -> Draft7Validator:
    """The official AsyncAPI 3.0.0 schema, with remote retrieval switched off."""
    schema = json.loads(OFFICIAL_SCHEMA.read_text(encoding="utf-8"))
    return Draft7Validator(
        schema, registry=Registry(retrieve=_refuse), format_checker=Draft7Validator.FORMAT_CHECKER
    )


@functools.cache
def avro_definition_validator() -> Draft7Validator:
    """The official schema's definition of an Avro schema (what payload.schema may hold)."""
    return official_validator().evolve(schema={"$ref": AVRO_DEFINITION})


avro_schema = functools.cache(load_avro_schema)


def headers_validator(catalog: Catalog, message: str) -> Draft7Validator:
    """A validator for one message's headers, resolving its $refs inside the document."""
    registry: Registry[Any] = Registry(retrieve=_refuse).with_resource(
        DOC_URI, DRAFT7.create_resource(catalog.doc)
    )
    pointer = f"{DOC_URI}#/components/messages/{message}/headers"
    return Draft7Validator(
        {"$ref": pointer}, registry=registry, format_checker=Draft7Validator.FORMAT_CHECKER
    )


def local_ref(catalog: Catalog, ref: str) -> Any:
    """Follow a '#/...' reference inside the document; None when it leads nowhere."""
    node: Any = catalog.doc
    for part in ref.removeprefix("#/").split("/"):
        if not isinstance(node, dict) or part not in node:
            return None
        node = node[part]
    return node


def payload_path(catalog: Catalog, message: dict[str, Any]) -> Path | None:
    """The .avsc file a message's payload refers to, if it has one."""
    schema = message.get("payload", {}).get("schema")
    ref = schema.get("$ref") if isinstance(schema, dict) else None
    return (catalog.base / ref).resolve() if isinstance(ref, str) else None


# -------------------------------------------------------------------------------- document rules


def rule_official_schema(catalog: Catalog) -> Violations:
    """The document is valid against the official AsyncAPI 3.0.0 JSON Schema."""
    errors = list(official_validator().iter_errors(catalog.doc))
    by_place: dict[str, list[Any]] = {}
    for error in errors:
        by_place.setdefault("/".join(map(str, error.absolute_path)) or "/", []).append(error)
    for place, found in sorted(by_place.items()):
        best = best_match(found)
        detail = f"{best.message[:300]} (at /{'/'.join(map(str, best.absolute_path))})"
        yield violation(catalog, place, "official-schema", detail)


def rule_send_operations(catalog: Catalog) -> Violations:
    """Every channel has a send operation (Waybill is the provider) covering its messages."""
    operations = catalog.doc.get("operations", {})
    for name, operation in operations.items():
        if operation.get("action") != "send":
            yield violation(
                catalog, name, "send-operation", "Waybill only sends; action must be send"
            )
    for channel_id, channel in catalog.doc.get("channels", {}).items():
        sends = [
            op
            for op in operations.values()
            if op.get("action") == "send"
            and op.get("channel", {}).get("$ref") == f"#/channels/{channel_id}"
        ]
        if not sends:
            yield violation(
                catalog, channel_id, "send-operation", "no send operation for the channel"
            )
            continue
        wanted = {f"#/channels/{channel_id}/messages/{m}" for m in channel.get("messages", {})}
        covered = {ref.get("$ref") for op in sends for ref in op.get("messages", [])}
        if wanted - covered:
            yield violation(
                catalog,
                channel_id,
                "send-operation",
                f"messages not sent: {sorted(wanted - covered)}",
            )
        for ref in covered - wanted:
            yield violation(
                catalog, channel_id, "send-operation", f"sends {ref}, not a channel message"
            )


def rule_channel_addresses(catalog: Catalog) -> Violations:
    """One message per channel, addressed by the subject waybill.<eventType> of that message."""
    for channel_id, channel in catalog.doc.get("channels", {}).items():
        messages = channel.get("messages", {})
        if len(messages) != 1:
            yield violation(catalog, channel_id, "channel-address", "want exactly one message")
            continue
        ref = next(iter(messages.values())).get("$ref", "")
        message = local_ref(catalog, ref)
        if not isinstance(message, dict):
            yield violation(catalog, channel_id, "channel-address", f"{ref} does not resolve")
            continue
        event_types = {ex.get("headers", {}).get("eventType") for ex in message.get("examples", [])}
        expected = {f"{SUBJECT_PREFIX}{t}" for t in event_types}
        if expected != {channel.get("address")}:
            yield violation(
                catalog,
                channel_id,
                "channel-address",
                f"address {channel.get('address')!r} != {sorted(map(str, expected))}",
            )


def rule_message_count(catalog: Catalog) -> Violations:
    """The catalog covers the domain, and every message is published on some channel."""
    if len(catalog.messages) < MIN_MESSAGES:
        yield violation(
            catalog,
            "components.messages",
            "message-count",
            f"{len(catalog.messages)} < {MIN_MESSAGES}",
        )
    used = {
        ref.get("$ref")
        for channel in catalog.doc.get("channels", {}).values()
        for ref in channel.get("messages", {}).values()
    }
    for name in catalog.messages:
        if f"#/components/messages/{name}" not in used:
            yield violation(catalog, name, "message-count", "message on no channel")


def rule_servers(catalog: Catalog) -> Violations:
    """The embedded HTTP event log and NATS JetStream, both on loopback."""
    servers = catalog.doc.get("servers", {}).values()
    protocols = {(s.get("protocol"), s.get("host", "").split(":")[0]) for s in servers}
    for want in (("http", "127.0.0.1"), ("nats", "127.0.0.1")):
        if want not in protocols:
            yield violation(catalog, "servers", "servers", f"no {want[0]} server on {want[1]}")


def rule_docs_catalog(catalog: Catalog) -> Violations:
    """docs/events.md lists every channel with its payload schema."""
    rows = [line for line in catalog.docs_text.splitlines() if line.startswith("|")]
    for channel_id, channel in catalog.doc.get("channels", {}).items():
        address = str(channel.get("address"))
        row = next((r for r in rows if f"`{address}`" in r), None)
        if row is None:
            yield violation(
                catalog, channel_id, "docs-catalog", f"{address} missing from docs/events.md"
            )
            continue
        for message_ref in channel.get("messages", {}).values():
            message = local_ref(catalog, message_ref.get("$ref", "")) or {}
            path = payload_path(catalog, message)
            if path is not None and path.name not in row:
                yield violation(
                    catalog, channel_id, "docs-catalog", f"row does not name {path.name}"
                )


DOCUMENT_RULES: dict[str, Callable[[Catalog], Violations]] = {
    "official-schema": rule_official_schema,
    "send-operation": rule_send_operations,
    "channel-address": rule_channel_addresses,
    "message-count": rule_message_count,
    "servers": rule_servers,
    "docs-catalog": rule_docs_catalog,
}


# -------------------------------------------------------------------------------- message rules


def rule_message_fields(catalog: Catalog, name: str) -> Violations:
    """name, title, summary, contentType and at least one example."""
    message = catalog.messages[name]
    if message.get("name") != name:
        yield violation(catalog, name, "message-fields", f"name {message.get('name')!r} != key")
    for key in ("title", "summary", "contentType"):
        if not str(message.get(key, "")).strip():
            yield violation(catalog, name, "message-fields", f"no {key}")
    if not message.get("examples"):
        yield violation(catalog, name, "message-fields", "no examples")


def rule_envelope_headers(catalog: Catalog, name: str) -> Violations:
    """The headers schema requires the full envelope and pins the event type."""
    message = catalog.messages[name]
    examples = message.get("examples") or []
    if not isinstance(message.get("headers"), dict) or not examples:
        yield violation(
            catalog, name, "envelope-headers", "no headers schema or no example to probe"
        )
        return
    validator = headers_validator(catalog, name)
    sample = examples[0].get("headers", {})
    for field in ENVELOPE:
        if field not in sample:
            yield violation(catalog, name, "envelope-headers", f"example lacks {field}")
            continue
        without = {k: v for k, v in sample.items() if k != field}
        if validator.is_valid(without):
            yield violation(
                catalog, name, "envelope-headers", f"headers schema does not require {field}"
            )
    other_type = {**sample, "eventType": "some.other.event"}
    if validator.is_valid(other_type):
        yield violation(catalog, name, "envelope-headers", "headers schema does not pin eventType")


def rule_example_headers(catalog: Catalog, name: str) -> Violations:
    """Every example's headers are valid against the message's headers schema."""
    validator = headers_validator(catalog, name)
    for index, example in enumerate(catalog.messages[name].get("examples") or []):
        for error in validator.iter_errors(example.get("headers", {})):
            where = "/".join(map(str, error.absolute_path))
            yield violation(
                catalog,
                f"{name} example {index}",
                "example-headers",
                f"{where}: {error.message[:200]}",
            )


def rule_payload_ref(catalog: Catalog, name: str) -> Violations:
    """The payload is an Avro Multi Format Schema whose $ref names a readable .avsc."""
    message = catalog.messages[name]
    payload = message.get("payload", {})
    if not str(payload.get("schemaFormat", "")).startswith("application/vnd.apache.avro"):
        yield violation(
            catalog, name, "payload-ref", f"schemaFormat {payload.get('schemaFormat')!r}"
        )
    path = payload_path(catalog, message)
    if path is None:
        yield violation(catalog, name, "payload-ref", "payload.schema is not a $ref to an .avsc")
        return
    if path.suffix != ".avsc" or not path.is_file():
        yield violation(catalog, name, "payload-ref", f"{payload['schema']['$ref']} does not exist")
        return
    try:
        schema = avro_schema(path)
    except AvroSchemaError as exc:
        yield violation(catalog, name, "payload-ref", str(exc))
        return
    errors = list(
        official_validator().evolve(schema={"$ref": AVRO_DEFINITION}).iter_errors(schema.definition)
    )
    if errors:
        yield violation(
            catalog,
            name,
            "payload-ref",
            f"not an AsyncAPI Avro schema: {best_match(errors).message[:200]}",
        )


def rule_example_payload(catalog: Catalog, name: str) -> Violations:
    """Each example payload round-trips through the referenced .avsc and names its schema id."""
    message = catalog.messages[name]
    path = payload_path(catalog, message)
    if path is None or not path.is_file():
        yield violation(
            catalog, name, "example-payload", "no payload schema to check the examples with"
        )
        return
    schema = avro_schema(path)
    for index, example in enumerate(message.get("examples") or []):
        where = f"{name} example {index}"
        payload = example.get("payload")
        buffer = io.BytesIO()
        try:
            fastavro.schemaless_writer(buffer, schema.parsed, payload)
        except (ValueError, TypeError, KeyError, AttributeError) as exc:
            yield violation(catalog, where, "example-payload", f"does not fit {path.name}: {exc}")
            continue
        buffer.seek(0)
        decoded = fastavro.schemaless_reader(buffer, schema.parsed, None)
        if decoded != payload:
            yield violation(
                catalog, where, "example-payload", f"round trip through {path.name} changes it"
            )
        if example.get("headers", {}).get("schemaId") != schema.schema_id:
            yield violation(
                catalog,
                where,
                "example-payload",
                f"schemaId is not {schema.schema_id}, the id of {path.name}",
            )


MESSAGE_RULES: dict[str, Callable[[Catalog, str], Violations]] = {
    "message-fields": rule_message_fields,
    "envelope-headers": rule_envelope_headers,
    "example-headers": rule_example_headers,
    "payload-ref": rule_payload_ref,
    "example-payload": rule_example_payload,
}

CATALOG = load_catalog()


@pytest.mark.parametrize("rule", DOCUMENT_RULES)
def test_catalog_follows_rule(rule: str) -> None:
    found = list(DOCUMENT_RULES[rule](CATALOG))
    assert not found, "\n".join(found)


@pytest.mark.parametrize("rule", MESSAGE_RULES)
@pytest.mark.parametrize("message", sorted(CATALOG.messages))
def test_message_follows_rule(message: str, rule: str) -> None:
    found = list(MESSAGE_RULES[rule](CATALOG, message))
    assert not found, "\n".join(found)


def test_catalog_covers_the_domain_event_list() -> None:
    """Every event type DOMAIN.md names has a channel (the catalog may add more)."""
    domain = ROOT.parent / "shared" / "design" / "DOMAIN.md"
    if not domain.exists():
        pytest.skip("shared/design/DOMAIN.md is not beside the repository")
    text = domain.read_text(encoding="utf-8")
    section = text.split("## Events", 1)[1].split("\n## ", 1)[0]
    addresses = {c["address"] for c in CATALOG.doc["channels"].values()}
    named = set(expand_event_list(section))
    assert len(named) >= MIN_MESSAGES, f"read only {sorted(named)} from DOMAIN.md"
    missing = sorted(t for t in named if f"{SUBJECT_PREFIX}{t}" not in addresses)
    assert not missing, violation(CATALOG, "channels", "domain-coverage", f"missing {missing}")


def expand_event_list(section: str) -> Iterator[str]:
    """Expand DOMAIN.md's shorthand: 'a.b.c/.d' means a.b.c and a.b.d."""
    for item in section.replace("\n", " ").replace(",", ";").split(";"):
        words = [w.strip(" .()") for w in item.split("/")]
        first = words[0].split()[-1] if words[0].split() else ""
        if "." not in first:
            continue
        yield first
        stem = first.rsplit(".", 1)[0]
        for suffix in words[1:]:
            if suffix:
                yield f"{stem}.{suffix.split()[0]}"


# -------------------------------------------------------------------------------- the rules catch


DELETE = object()


def mutated(pointer: str, value: Any) -> Catalog:
    """A copy of the catalog with the node at `pointer` replaced (or deleted), under a fake name."""
    doc = copy.deepcopy(CATALOG.doc)
    *parents, last = pointer.split("/")
    node: Any = doc
    for part in parents:
        node = node[int(part)] if isinstance(node, list) else node[part]
    if value is DELETE:
        del node[last]
    else:
        node[last] = value
    return replace(CATALOG, doc=doc, file="broken/logistics-events.yaml")


M = "InventoryAdjustmentApproved"
C = "inventoryAdjustmentApproved"
MSG = f"components/messages/{M}"
EXAMPLE = f"{MSG}/examples/0"
ENVELOPE_REQUIRED = [f for f in ENVELOPE if f != "idempotencyKey"]
FEW_MESSAGES = dict(list(CATALOG.messages.items())[: MIN_MESSAGES - 1])
# (rule, where the violation must point, JSON pointer to change, new value or DELETE)
BROKEN: list[tuple[str, str, str, Any]] = [
    ("official-schema", "operations/sendItemSynced", "operations/sendItemSynced/action", "publish"),
    ("official-schema", "info", "info/version", DELETE),
    ("send-operation", C, f"operations/send{M}", DELETE),
    ("send-operation", f"send{M}", f"operations/send{M}/action", "receive"),
    ("channel-address", C, f"channels/{C}/address", "waybill.adjustments"),
    ("message-count", "components.messages", "components/messages", FEW_MESSAGES),
    ("servers", "servers", "servers/nats", DELETE),
    ("docs-catalog", C, f"channels/{C}/address", "waybill.not.in.docs"),
    ("message-fields", M, f"{MSG}/summary", DELETE),
    ("envelope-headers", M, "components/schemas/EventEnvelope/required", ENVELOPE_REQUIRED),
    ("envelope-headers", M, f"{MSG}/headers", {"$ref": "#/components/schemas/EventEnvelope"}),
    ("example-headers", f"{M} example 0", f"{EXAMPLE}/headers/occurredAt", "2026-11-25 10:03:13"),
    ("example-headers", f"{M} example 0", f"{EXAMPLE}/headers/causationId", DELETE),
    ("payload-ref", M, f"{MSG}/payload/schema/$ref", "../avro/missing.avsc"),
    ("payload-ref", M, f"{MSG}/payload/schemaFormat", "application/json"),
    ("example-payload", f"{M} example 0", f"{EXAMPLE}/payload/mode", "SOMETIMES"),
    ("example-payload", f"{M} example 0", f"{EXAMPLE}/headers/schemaId", "0000000000000000"),
]


def run_rule(rule: str, catalog: Catalog) -> list[str]:
    """All violations one rule finds, whether it is a document or a message rule."""
    if rule in DOCUMENT_RULES:
        return list(DOCUMENT_RULES[rule](catalog))
    return [v for name in catalog.messages for v in MESSAGE_RULES[rule](catalog, name)]


@pytest.mark.parametrize(
    ("rule", "where", "pointer", "value"), BROKEN, ids=[f"{b[0]}-{i}" for i, b in enumerate(BROKEN)]
)
def test_rule_reports_file_place_and_rule(rule: str, where: str, pointer: str, value: Any) -> None:
    found = run_rule(rule, mutated(pointer, value))
    expected = f"broken/logistics-events.yaml: {where}: [{rule}] "
    assert any(v.startswith(expected) for v in found), f"want {expected!r}, got {found}"
