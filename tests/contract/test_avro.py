"""Avro payload schemas: each file parses, follows the house rules, and carries real examples.

Each rule is a function returning violations ("<file>: <where>: [<rule>] <detail>"); the tests
run every rule over every schema or message, and `BROKEN` proves each rule catches a bad input.
"""

from __future__ import annotations

import copy
import functools
import json
import re
from collections import defaultdict
from collections.abc import Callable, Iterator
from datetime import date, datetime
from pathlib import Path
from typing import Any, TypeAlias

import pytest

from registry.avro_schemas import (
    AvroSchema,
    AvroSchemaError,
    by_schema_id,
    decode_frame,
    encode_frame,
    load_avro_schema,
    load_avro_schemas,
    named_types,
)
from registry.loading import JSON, load_document
from tests.conftest import ROOT, SPECS

AVRO = SPECS / "avro"
SPEC = SPECS / "asyncapi" / "logistics-events.yaml"
FILES = sorted(AVRO.rglob("*.avsc"))
COMMON = "dev.waybill.events.common"
DOMAINS = frozenset(
    {
        "items",
        "inbound",
        "inventory",
        "fulfillment",
        "shipment",
        "transfer",
        "cyclecount",
        "reconciliation",
    }
)
DECIMAL = re.compile(r"^-?(0|[1-9][0-9]{0,14})(\.[0-9]{1,6})?$")
UOM = re.compile(r"^[A-Z0-9]{2,3}$")
CURRENCY = re.compile(r"^[A-Z]{3}$")
RFC3339 = re.compile(r"^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}(\.\d{1,9})?(Z|[+-]\d{2}:\d{2})$")
ISO_DATE = re.compile(r"^\d{4}-\d{2}-\d{2}$")
SSCC_FIELDS = frozenset({"sscc", "ssccs", "parentSscc", "handlingUnitSsccs"})
GTIN_FIELDS = frozenset({"gtin"})

Violations: TypeAlias = Iterator[str]
Schema: TypeAlias = dict[str, Any]


def rel(path: Path) -> str:
    """A path as the report shows it, relative to the repository."""
    return path.resolve().relative_to(ROOT).as_posix()


def violation(file: str, where: str, rule: str, detail: str) -> str:
    """The one format every failure uses: file, message or type, rule, what is wrong."""
    return f"{file}: {where}: [{rule}] {detail}"


def gs1_check_digit_ok(digits: str) -> bool:
    """GS1 mod-10: weights 3,1,3,... from the right, excluding the check digit."""
    body, check = digits[:-1], int(digits[-1])
    total = sum(int(d) * (3 if i % 2 == 0 else 1) for i, d in enumerate(reversed(body)))
    return (10 - total % 10) % 10 == check


# -------------------------------------------------------------------------------- schema rules


def walk_named(node: JSON, where: str) -> Iterator[tuple[str, dict[str, JSON]]]:
    """Yield every record and enum definition with a readable location."""
    if isinstance(node, list):
        for branch in node:
            yield from walk_named(branch, where)
    elif isinstance(node, dict):
        kind = node.get("type")
        if kind in ("record", "enum", "fixed"):
            here = f"{where}/{node.get('name')}" if where else str(node.get("name"))
            yield here, node
            for field in fields_of(node):
                yield from walk_named(field.get("type"), f"{here}.{field.get('name')}")
        elif kind == "array":
            yield from walk_named(node.get("items"), where)
        elif kind == "map":
            yield from walk_named(node.get("values"), where)
        elif isinstance(kind, dict | list):
            yield from walk_named(kind, where)


def fields_of(node: dict[str, JSON]) -> Iterator[dict[str, JSON]]:
    """The field objects of a record definition."""
    fields = node.get("fields")
    if isinstance(fields, list):
        yield from (field for field in fields if isinstance(field, dict))


def rule_namespace(file: str, definition: JSON) -> Violations:
    """Event payloads live in dev.waybill.events.<domain>, shared types in .common."""
    assert isinstance(definition, dict)
    namespace = str(definition.get("namespace", ""))
    if "/common/" in f"/{file}":
        if namespace != COMMON:
            yield violation(
                file, str(definition.get("name")), "namespace", f"{namespace!r} != {COMMON!r}"
            )
        return
    prefix, _, domain = namespace.rpartition(".")
    if prefix != "dev.waybill.events" or domain not in DOMAINS:
        yield violation(
            file,
            str(definition.get("name")),
            "namespace",
            f"{namespace!r} is not dev.waybill.events.<domain>",
        )
    if definition.get("type") != "record":
        yield violation(
            file, str(definition.get("name")), "namespace", "an event payload must be a record"
        )


def rule_docs(file: str, definition: JSON) -> Violations:
    """Every record, enum and field says what it is."""
    for where, node in walk_named(definition, ""):
        if not str(node.get("doc", "")).strip():
            yield violation(file, where, "doc", "named type without a doc")
        for field in fields_of(node):
            if not str(field.get("doc", "")).strip():
                yield violation(file, f"{where}.{field.get('name')}", "doc", "field without a doc")


def rule_optional_fields(file: str, definition: JSON) -> Violations:
    """Optional fields are ["null", T] with default null, so adding one stays compatible."""
    for where, node in walk_named(definition, ""):
        for field in fields_of(node):
            kind = field.get("type")
            if not (isinstance(kind, list) and "null" in kind):
                continue
            if kind[0] != "null" or field.get("default", ...) is not None:
                yield violation(
                    file,
                    f"{where}.{field.get('name')}",
                    "optional",
                    'want ["null", T] with default null',
                )


def rule_no_floats(file: str, definition: JSON) -> Violations:
    """Quantities and money are decimal strings; a float or double anywhere is a mistake."""
    text_types: list[str] = []

    def visit(node: JSON) -> None:
        if isinstance(node, str):
            text_types.append(node)
        elif isinstance(node, list):
            for item in node:
                visit(item)
        elif isinstance(node, dict):
            for key in ("type", "items", "values", "fields"):
                if key in node:
                    visit(node[key])

    visit(definition)
    for bad in sorted({t for t in text_types if t in ("float", "double")}):
        yield violation(file, "schema", "no-floats", f"uses {bad}; use a decimal string")


SCHEMA_RULES: dict[str, Callable[[str, JSON], Violations]] = {
    "namespace": rule_namespace,
    "doc": rule_docs,
    "optional": rule_optional_fields,
    "no-floats": rule_no_floats,
}


@pytest.mark.parametrize("path", FILES, ids=lambda p: p.relative_to(AVRO).as_posix())
def test_schema_parses_with_fastavro(path: Path) -> None:
    schema = load_avro_schema(path)
    assert re.fullmatch(r"[0-9a-f]{16}", schema.schema_id)
    assert schema.name.startswith("dev.waybill.events."), violation(
        rel(path), schema.name, "namespace", "outside dev.waybill.events"
    )


@pytest.mark.parametrize("rule", SCHEMA_RULES)
@pytest.mark.parametrize("path", FILES, ids=lambda p: p.relative_to(AVRO).as_posix())
def test_schema_follows_rule(path: Path, rule: str) -> None:
    found = list(SCHEMA_RULES[rule](rel(path), load_avro_schema(path).definition))
    assert not found, "\n".join(found)


def definitions_by_name() -> dict[str, dict[str, JSON]]:
    """Full name -> {file: expanded definition} over every schema file."""
    table: dict[str, dict[str, JSON]] = defaultdict(dict)
    for path in FILES:
        for name, body in named_types(load_avro_schema(path).definition).items():
            table[name][rel(path)] = body
    return dict(table)


DEFINITIONS = definitions_by_name()
SHARED = sorted(
    name for name, where in DEFINITIONS.items() if len(where) > 1 or name.startswith(COMMON)
)


@pytest.mark.parametrize("name", SHARED)
def test_named_type_has_one_definition_everywhere(name: str) -> None:
    """A type reused across files (inlined at first use) is the same in every file."""
    where = DEFINITIONS[name]
    canonical_file = next((f for f in where if "/common/" in f), None)
    if name.startswith(COMMON):
        assert canonical_file, violation(
            sorted(where)[0], name, "shared-type", f"no definition under {rel(AVRO / 'common')}"
        )
    reference_file = canonical_file or sorted(where)[0]
    reference = where[reference_file]
    differing = sorted(f for f, body in where.items() if body != reference)
    assert not differing, "\n".join(
        violation(f, name, "shared-type", f"differs from the definition in {reference_file}")
        for f in differing
    )


# -------------------------------------------------------------------------------- examples

DOC: dict[str, Any] = load_document(SPEC)
MESSAGES: dict[str, Any] = DOC["components"]["messages"]
SPEC_FILE = rel(SPEC)


def payload_schema(message: dict[str, Any]) -> AvroSchema:
    """The schema file a message's payload $ref points at."""
    ref = message["payload"]["schema"]["$ref"]
    return load_avro_schema((SPEC.parent / ref).resolve())


def expanded(schema: AvroSchema) -> Schema:
    """The top-level record with every named type inlined."""
    body = named_types(schema.definition)[schema.name]
    assert isinstance(body, dict)
    return body


def rule_conventions(where: str, schema: Schema, datum: Any) -> Violations:
    """Example values look like the real thing: exact decimals, UoM codes, RFC 3339, GS1 ids."""
    name = schema.get("name", "")
    if name == f"{COMMON}.Quantity":
        if not DECIMAL.match(datum["value"]) or not UOM.match(datum["uom"]):
            yield violation(SPEC_FILE, where, "conventions", f"bad quantity {datum}")
        return
    if name == f"{COMMON}.Money":
        if not DECIMAL.match(datum["amount"]) or not CURRENCY.match(datum["currency"]):
            yield violation(SPEC_FILE, where, "conventions", f"bad money {datum}")
        return
    for field in schema.get("fields", []):
        value = datum[field["name"]]
        here = f"{where}.{field['name']}"
        yield from check_field(here, field, value)
        kind = field["type"]
        if isinstance(kind, list):
            branches = [b for b in kind if b != "null"]
            if value is None or len(branches) != 1:
                continue
            kind = branches[0]
        items = kind.get("items") if isinstance(kind, dict) and kind["type"] == "array" else None
        if isinstance(kind, dict) and kind.get("type") == "record":
            yield from rule_conventions(here, kind, value)
        elif isinstance(items, dict) and items.get("type") == "record":
            for index, item in enumerate(value):
                yield from rule_conventions(f"{here}[{index}]", items, item)


def check_field(where: str, field: Schema, value: Any) -> Violations:
    """Checks a field's doc or name asks for: timestamps, dates and GS1 check digits."""
    doc = str(field.get("doc", ""))
    if isinstance(value, str):
        texts = [value]
    elif isinstance(value, list):
        texts = [item for item in value if isinstance(item, str)]
    else:
        texts = []
    for text in texts:
        if "RFC 3339 timestamp" in doc and not (
            RFC3339.match(text) and datetime.fromisoformat(text)
        ):
            yield violation(
                SPEC_FILE, where, "conventions", f"{text!r} is not RFC 3339 with offset"
            )
        if "ISO 8601 calendar date" in doc and not (
            ISO_DATE.match(text) and date.fromisoformat(text)
        ):
            yield violation(SPEC_FILE, where, "conventions", f"{text!r} is not an ISO 8601 date")
        if field["name"] in SSCC_FIELDS and not (
            len(text) == 18 and text.isdigit() and gs1_check_digit_ok(text)
        ):
            yield violation(SPEC_FILE, where, "conventions", f"{text!r} is not a valid SSCC-18")
        if field["name"] in GTIN_FIELDS and not (
            text.isdigit() and len(text) in (8, 12, 13, 14) and gs1_check_digit_ok(text)
        ):
            yield violation(SPEC_FILE, where, "conventions", f"{text!r} is not a valid GTIN")


def examples() -> Iterator[tuple[str, int]]:
    """(message, example index) for every example in the catalog."""
    for name, message in MESSAGES.items():
        for index, _ in enumerate(message.get("examples", [])):
            yield name, index


EXAMPLES = list(examples())


@functools.cache
def schema_index() -> dict[str, AvroSchema]:
    """Every schema file by schema id, as a consumer would hold them."""
    return by_schema_id(load_avro_schema(path) for path in FILES)


@pytest.mark.parametrize(("message", "index"), EXAMPLES, ids=[f"{m}-{i}" for m, i in EXAMPLES])
def test_example_round_trips_through_a_single_object_frame(message: str, index: int) -> None:
    example = MESSAGES[message]["examples"][index]
    schema = payload_schema(MESSAGES[message])
    registry = schema_index()
    frame = encode_frame(schema, example["payload"])
    assert frame[2:10].hex() == example["headers"]["schemaId"], violation(
        SPEC_FILE,
        message,
        "schema-id",
        f"header schemaId != fingerprint {schema.schema_id} of {rel(schema.path)}",
    )
    decoded_schema, decoded = decode_frame(frame, registry)
    assert decoded_schema.path == schema.path
    assert decoded == example["payload"], violation(
        SPEC_FILE, message, "round-trip", "frame decodes differently"
    )


@pytest.mark.parametrize(("message", "index"), EXAMPLES, ids=[f"{m}-{i}" for m, i in EXAMPLES])
def test_example_values_follow_conventions(message: str, index: int) -> None:
    schema = payload_schema(MESSAGES[message])
    found = list(
        rule_conventions(message, expanded(schema), MESSAGES[message]["examples"][index]["payload"])
    )
    assert not found, "\n".join(found)


# -------------------------------------------------------------------------------- the rules catch


def broken_schema(mutate: Callable[[Schema], None]) -> Schema:
    """A copy of a real schema with one defect."""
    definition = copy.deepcopy(load_avro_schema(AVRO / "shipment.confirmed.avsc").definition)
    assert isinstance(definition, dict)
    mutate(definition)
    return definition


def set_field(definition: Schema, name: str, **changes: Any) -> None:
    """Change one top-level field of a record definition in place."""
    field = next(f for f in definition["fields"] if f["name"] == name)
    field.update(changes)


BROKEN_SCHEMAS: list[tuple[str, Callable[[Schema], None]]] = [
    ("namespace", lambda d: d.update(namespace="com.example.events")),
    ("doc", lambda d: set_field(d, "siteId", doc="")),
    ("optional", lambda d: set_field(d, "trackingNumber", type=["string", "null"])),
    ("optional", lambda d: set_field(d, "trackingNumber", default="none")),
    ("no-floats", lambda d: set_field(d, "siteId", type="double")),
]


@pytest.mark.parametrize(("rule", "mutate"), BROKEN_SCHEMAS, ids=[r for r, _ in BROKEN_SCHEMAS])
def test_schema_rule_reports_a_broken_schema(rule: str, mutate: Callable[[Schema], None]) -> None:
    found = list(SCHEMA_RULES[rule]("specs/avro/shipment.confirmed.avsc", broken_schema(mutate)))
    assert found
    assert all(
        f.startswith("specs/avro/shipment.confirmed.avsc: ") and f"[{rule}]" in f for f in found
    ), found


def test_shared_type_drift_is_visible_in_named_types() -> None:
    """named_types tells an edited inline Quantity apart from the canonical one."""
    drifted = broken_schema(lambda d: None)
    inline = next(node for _, node in walk_named(drifted, "") if node.get("name") == "Quantity")
    next(fields_of(inline))["doc"] = "changed"
    canonical = DEFINITIONS[f"{COMMON}.Quantity"]["specs/avro/common/Quantity.avsc"]
    assert named_types(drifted)[f"{COMMON}.Quantity"] != canonical


BROKEN_VALUES: list[tuple[str, Any]] = [
    ("shippedAt", "2026-11-25 15:10"),
    ("shippedAt", "2026-11-25T15:10:00"),
    ("handlingUnits", [{"sscc": "340123450000001232", "parentSscc": None, "packagingType": "PX",
                        "grossWeight": None, "trackingNumber": None}]),
    ("lines", [{"lineNumber": 1, "orderLineRef": "SO-1/10", "itemId": "SKU-1",
                "shippedQty": {"value": "1.5e3", "uom": "EA"},
                "shippedQtyBase": {"value": "1", "uom": "EA"},
                "lotId": None, "serialNumbers": [], "shortQty": None, "shortReason": None,
                "handlingUnitSsccs": []}]),
]  # fmt: skip


@pytest.mark.parametrize(
    ("field", "value"), BROKEN_VALUES, ids=[f"{f}-{i}" for i, (f, _) in enumerate(BROKEN_VALUES)]
)
def test_convention_rule_reports_a_bad_example(field: str, value: Any) -> None:
    message = MESSAGES["ShipmentConfirmed"]
    payload = copy.deepcopy(message["examples"][0]["payload"])
    payload[field] = value
    found = list(rule_conventions("ShipmentConfirmed", expanded(payload_schema(message)), payload))
    assert found
    assert all(
        f.startswith(f"{SPEC_FILE}: ShipmentConfirmed.{field}") and "[conventions]" in f
        for f in found
    )


# -------------------------------------------------------------------------------- loader errors


def valid_frame() -> bytes:
    """A real frame: the ShipmentConfirmed example."""
    schema = payload_schema(MESSAGES["ShipmentConfirmed"])
    return encode_frame(schema, MESSAGES["ShipmentConfirmed"]["examples"][0]["payload"])


BAD_FRAMES: list[tuple[str, Callable[[], bytes], str]] = [
    ("empty", lambda: b"", "no C3 01 marker"),
    ("no-marker", lambda: b"\x00\x01" + valid_frame()[2:], "no C3 01 marker"),
    ("unknown-id", lambda: valid_frame()[:2] + bytes(8) + valid_frame()[10:], "unknown schema id"),
    ("trailing-bytes", lambda: valid_frame() + b"\x00", "trailing bytes"),
]


@pytest.mark.parametrize(
    ("frame", "message"), [(f, m) for _, f, m in BAD_FRAMES], ids=[n for n, _, _ in BAD_FRAMES]
)
def test_decode_frame_refuses_what_it_cannot_trust(
    frame: Callable[[], bytes], message: str
) -> None:
    with pytest.raises(AvroSchemaError, match=message):
        decode_frame(frame(), schema_index())


UNKNOWN_TYPE = {"type": "record", "name": "R", "fields": [{"name": "a", "type": "Nope"}]}
BAD_FILES: list[tuple[str, str, str]] = [
    ("not-json", "{ nope", "not JSON"),
    ("unknown-type", json.dumps(UNKNOWN_TYPE), "not a valid Avro schema"),
    ("not-named", '"string"', "must be a named type"),
]


@pytest.mark.parametrize(
    ("text", "message"), [(t, m) for _, t, m in BAD_FILES], ids=[n for n, _, _ in BAD_FILES]
)
def test_load_names_the_file_it_cannot_use(tmp_path: Path, text: str, message: str) -> None:
    bad = tmp_path / "bad.avsc"
    bad.write_text(text, encoding="utf-8")
    with pytest.raises(AvroSchemaError, match=message) as caught:
        load_avro_schema(bad)
    assert str(bad) in str(caught.value)


def test_two_files_may_not_define_the_same_payload(tmp_path: Path) -> None:
    for name in ("a.avsc", "b.avsc"):
        (tmp_path / name).write_text(json.dumps({"type": "enum", "name": "x.E", "symbols": ["A"]}))
    with pytest.raises(AvroSchemaError, match="already defined"):
        load_avro_schemas(tmp_path)
