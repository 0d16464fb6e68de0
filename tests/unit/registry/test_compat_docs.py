"""docs/compatibility.md documents every compatibility and AsyncAPI rule the code can report."""

from __future__ import annotations

from pathlib import Path

import pytest

from registry.compat.avro import RULES as AVRO_RULES
from registry.compat.jsonschema_rules import RULES as JSON_RULES
from registry.diff.asyncapi import RULES as ASYNCAPI_RULES

DOC = Path(__file__).parents[3] / "docs" / "compatibility.md"
IDS = sorted(
    {f"avro-{rule}" for rule in AVRO_RULES}
    | {f"`{rule}`" for rule in JSON_RULES}
    | set(ASYNCAPI_RULES)
)


@pytest.mark.parametrize("rule", IDS)
def test_rule_is_documented(rule: str) -> None:
    assert rule in DOC.read_text(encoding="utf-8")
