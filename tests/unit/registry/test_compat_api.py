"""The Python API behind ``registry compat``: ``registry.compat(type, mode, new, previous)``."""

from __future__ import annotations

import pytest

import registry
from registry.compat import AvroSchemaError, Mode, pairings

V1 = {"type": "record", "name": "R", "fields": [{"name": "a", "type": "int"}]}
V2 = {"type": "record", "name": "R", "fields": [{"name": "a", "type": "long"}]}


def test_modes_are_accepted_in_any_case_and_as_enum_members() -> None:
    assert registry.compat("avro", "backward", V2, [V1]).compatible
    assert not registry.compat("avro", Mode.FORWARD, V2, [V1]).compatible


@pytest.mark.parametrize(
    ("schema_type", "mode", "message"),
    [("avro", "SIDEWAYS", "unknown compatibility mode"), ("xml", "FULL", "unknown schema type")],
)
def test_unknown_type_or_mode_is_a_value_error(schema_type: str, mode: str, message: str) -> None:
    with pytest.raises(ValueError, match=message):
        registry.compat(schema_type, mode, V1, [V1])


def test_invalid_previous_schema_names_its_position() -> None:
    with pytest.raises(AvroSchemaError, match=r"previous 2 schema: .*unknown type 'Nope'"):
        registry.compat("avro", "FULL", V1, [V1, "Nope"])


@pytest.mark.parametrize(
    ("mode", "expected"),
    [
        (Mode.NONE, []),
        (Mode.BACKWARD, [("new", "v3")]),
        (Mode.FORWARD, [("v3", "new")]),
        (Mode.FULL, [("new", "v3"), ("v3", "new")]),
        (Mode.BACKWARD_TRANSITIVE, [("new", "v3"), ("new", "v2"), ("new", "v1")]),
        (Mode.FORWARD_TRANSITIVE, [("v3", "new"), ("v2", "new"), ("v1", "new")]),
        (
            Mode.FULL_TRANSITIVE,
            [
                ("new", "v3"),
                ("v3", "new"),
                ("new", "v2"),
                ("v2", "new"),
                ("new", "v1"),
                ("v1", "new"),
            ],
        ),
    ],
)
def test_each_mode_pairs_readers_and_writers_as_confluent_defines(
    mode: Mode, expected: list[tuple[str, str]]
) -> None:
    pairs = pairings(mode, "new", ["v1", "v2", "v3"])

    assert [(p.reader, p.writer) for p in pairs] == expected
