"""JSON out: orjson for plain documents, the standard library for what orjson refuses."""

from __future__ import annotations

import json
from datetime import UTC, datetime
from enum import StrEnum

import pytest
from hypothesis import given
from hypothesis import strategies as st

from gateway import jsonio

_PLAIN = st.recursive(
    st.none()
    | st.booleans()
    | st.integers(min_value=-(2**63), max_value=2**63 - 1)
    | st.text(alphabet=st.characters(exclude_categories=["Cs"])),
    lambda inner: st.lists(inner, max_size=4) | st.dictionaries(st.text(), inner, max_size=4),
    max_leaves=20,
)


@given(_PLAIN)
def test_plain_documents_round_trip_through_the_fast_encoder(document: object) -> None:
    encoded = jsonio.dumps_plain(document)
    assert encoded is not None
    assert json.loads(encoded) == document
    assert jsonio.dumps(document) == encoded


class Colour(StrEnum):
    RED = "red"


@pytest.mark.parametrize(
    ("document", "expected"),
    [
        ({"big": 2**70}, {"big": 2**70}),
        ({1: "non-string key"}, {"1": "non-string key"}),
        ({"lone": "\ud800"}, {"lone": "\ud800"}),
        ({"at": datetime(2026, 11, 26, tzinfo=UTC)}, {"at": "2026-11-26T00:00:00+00:00"}),
    ],
    ids=["big int", "int key", "lone surrogate", "datetime"],
)
def test_what_orjson_refuses_goes_through_the_standard_library(
    document: object, expected: object
) -> None:
    assert jsonio.dumps_plain(document) is None
    encoded = jsonio.dumps(document, default=lambda v: v.isoformat())  # type: ignore[attr-defined]
    assert json.loads(encoded) == expected


def test_enums_are_written_as_their_values() -> None:
    assert jsonio.dumps({"colour": Colour.RED}) == b'{"colour":"red"}'
