"""Parsing Avro schemas: full names, qualified aliases, and the errors that make input unusable."""

from __future__ import annotations

import pytest

from registry.compat import AvroSchemaError, parse_avro
from registry.compat.avro_schema import Array, Enum, Fixed, Record, Union

SPEC_EXAMPLE = {
    "type": "record",
    "name": "Example",
    "fields": [
        {"name": "inheritNull", "type": {"type": "enum", "name": "Simple", "symbols": ["a", "b"]}},
        {
            "name": "explicitNamespace",
            "type": {"type": "fixed", "name": "Simple", "namespace": "explicit", "size": 12},
        },
        {
            "name": "fullName",
            "type": {
                "type": "record",
                "name": "a.full.Name",
                "namespace": "ignored",
                "aliases": ["Old", "x.y.Older"],
                "fields": [
                    {
                        "name": "inheritNamespace",
                        "type": {"type": "enum", "name": "Understanding", "symbols": ["d", "e"]},
                    },
                    {"name": "again", "type": {"type": "array", "items": "Understanding"}},
                ],
            },
        },
    ],
}


def test_full_names_follow_the_specification_example() -> None:
    schema = parse_avro(SPEC_EXAMPLE)

    assert isinstance(schema, Record)
    simple, explicit, full = (field.type for field in schema.fields)
    assert isinstance(simple, Enum)
    assert simple.fullname == "Simple"
    assert isinstance(explicit, Fixed)
    assert explicit.fullname == "explicit.Simple"
    assert isinstance(full, Record)
    assert full.fullname == "a.full.Name"
    assert full.aliases == {"a.full.Old", "x.y.Older"}
    understanding, again = (field.type for field in full.fields)
    assert isinstance(understanding, Enum)
    assert understanding.fullname == "a.full.Understanding"
    assert isinstance(again, Array)
    assert again.items is understanding


def test_recursive_reference_is_the_same_node() -> None:
    schema = parse_avro(
        {"type": "record", "name": "LongList", "fields": [
            {"name": "value", "type": "long"},
            {"name": "next", "type": ["null", "LongList"]},
        ]}
    )  # fmt: skip

    assert isinstance(schema, Record)
    nxt = schema.fields[1].type
    assert isinstance(nxt, Union)
    assert nxt.branches[1] is schema


def _record(*fields: object) -> dict[str, object]:
    return {"type": "record", "name": "R", "fields": list(fields)}


@pytest.mark.parametrize(
    ("schema", "message"),
    [
        ("Nope", "unknown type 'Nope'"),
        (42, "a schema is a string, object or array"),
        ({"type": "array"}, "array without 'items'"),
        ({"type": "map"}, "map without 'values'"),
        ({"type": "fixed", "name": "F"}, "needs a size"),
        ({"type": "enum", "name": "E", "symbols": ["A", "A"]}, "invalid or repeated symbols"),
        ({"type": "enum", "name": "E", "symbols": ["A"], "default": "B"}, "default is not one"),
        ({"type": "record", "name": "9lives", "fields": []}, "invalid name"),
        ({"type": "record", "name": "R"}, "without a 'fields' list"),
        (_record({"name": "a", "type": "int"}, {"name": "a", "type": "int"}), "defined twice"),
        (_record({"name": "a", "type": "int", "default": "x"}), "does not match the field's type"),
        (_record({"name": "a", "type": ["string", "null"], "default": None}), "first branch"),
        (["null", ["int"]], "a union may not contain a union"),
        (["int", "int"], "union lists int twice"),
        (
            _record(
                {"name": "a", "type": {"type": "fixed", "name": "F", "size": 2}},
                {"name": "b", "type": {"type": "fixed", "name": "F", "size": 2}},
            ),
            "'F' is defined twice",
        ),
    ],
)
def test_invalid_schemas_are_rejected(schema: object, message: str) -> None:
    with pytest.raises(AvroSchemaError, match=message):
        parse_avro(schema)  # type: ignore[arg-type]
