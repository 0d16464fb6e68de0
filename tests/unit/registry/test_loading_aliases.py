"""YAML aliases: ordinary reuse parses; a document that expands into a huge tree is refused."""

from __future__ import annotations

import pytest

from registry.loading import DocumentError, parse_text


def test_an_anchor_used_a_few_times_is_fine() -> None:
    doc = parse_text("base: &q {value: '1', uom: EA}\nuse: [*q, *q]\n")
    assert doc == {"base": {"value": "1", "uom": "EA"}, "use": [doc["base"], doc["base"]]}  # type: ignore[index]


def test_ampersands_in_prose_are_not_anchors() -> None:
    assert parse_text("note: 'Tom & Jerry &co'\n") == {"note": "Tom & Jerry &co"}


def test_billion_laughs_is_refused_before_any_walk() -> None:
    lines = ["a0: &a0 [x, x, x, x, x, x, x, x, x, x]"]
    for level in range(1, 9):
        refs = ", ".join([f"*a{level - 1}"] * 10)
        lines.append(f"a{level}: &a{level} [{refs}]")
    with pytest.raises(DocumentError, match="aliases expand"):
        parse_text("\n".join(lines) + "\n", source="bomb.yaml")
