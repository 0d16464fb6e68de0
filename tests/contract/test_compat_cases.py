"""Compatibility conformance cases: one folder per case, one parametrised test per schema family.

Avro case folders hold ``new.avsc`` + ``previous1.avsc``... (oldest first) or ``reader.avsc`` +
``writer.avsc`` (a BACKWARD pair), and ``expected.yaml``: ``mode``, ``compatible``, optional
``messages`` (substrings of the issue text), ``ids``, ``note`` and ``oracle_wrong``.

Every Avro pair a mode implies is also judged by the ``avro`` package's
ReaderWriterCompatibilityChecker, an independent implementation: our verdict must equal it, except
in cases marked ``oracle_wrong``, whose text names the rule of the specification the oracle misses
(there the oracle must really disagree, and the expected verdict is the specification's).
JSON Schema folders hold ``new.json`` + ``previous*.json`` and the same ``expected.yaml``.
"""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import avro.schema
import pytest
import yaml
from avro.compatibility import ReaderWriterCompatibilityChecker, SchemaCompatibilityType

from registry.compat import CompatResult, check_avro, compat, parse_avro

CASES = Path(__file__).parent / "compat_cases"


def _cases(family: str) -> list[Path]:
    return sorted(p for p in (CASES / family).iterdir() if p.is_dir())


def _load(path: Path) -> Any:
    return json.loads(path.read_text(encoding="utf-8"))


def _schemas(folder: Path, ext: str) -> tuple[Any, list[Any]]:
    if (folder / f"reader.{ext}").exists():
        return _load(folder / f"reader.{ext}"), [_load(folder / f"writer.{ext}")]
    previous = sorted(folder.glob(f"previous*.{ext}"), key=lambda p: int(p.stem[8:]))
    return _load(folder / f"new.{ext}"), [_load(p) for p in previous]


def _implied_pairs(mode: str, new: Any, previous: list[Any]) -> list[tuple[Any, Any]]:
    """(reader, writer) pairs per Confluent's definitions, written out independently of ours."""
    if mode == "NONE" or not previous:
        return []
    olds = previous if mode.endswith("_TRANSITIVE") else previous[-1:]
    pairs: list[tuple[Any, Any]] = []
    for old in olds:
        if mode.startswith(("BACKWARD", "FULL")):
            pairs.append((new, old))
        if mode.startswith(("FORWARD", "FULL")):
            pairs.append((old, new))
    return pairs


def _oracle(reader: Any, writer: Any) -> bool:
    checker = ReaderWriterCompatibilityChecker()
    result = checker.get_compatibility(
        avro.schema.parse(json.dumps(reader)), avro.schema.parse(json.dumps(writer))
    )
    return bool(result.compatibility is SchemaCompatibilityType.compatible)


def _check_expectations(result: CompatResult, expected: dict[str, Any]) -> None:
    assert result.compatible is expected["compatible"], result.messages
    if expected["compatible"]:
        assert result.issues == ()
    else:
        assert result.issues, "an incompatible verdict must say why"
    text = "\n".join(result.messages)
    for fragment in expected.get("messages", []):
        assert fragment in text
    assert set(expected.get("ids", [])) <= {issue.id for issue in result.issues}


@pytest.mark.parametrize("folder", _cases("avro"), ids=lambda p: p.name)
def test_avro_case(folder: Path) -> None:
    expected = yaml.safe_load((folder / "expected.yaml").read_text(encoding="utf-8"))
    new, previous = _schemas(folder, "avsc")

    result = compat("avro", expected["mode"], new, previous)
    _check_expectations(result, expected)

    pairs = _implied_pairs(expected["mode"], new, previous)
    ours = [not check_avro(parse_avro(r), parse_avro(w)) for r, w in pairs]
    theirs = [_oracle(r, w) for r, w in pairs]
    assert all(ours) is result.compatible
    if "oracle_wrong" in expected:
        # The oracle misses a rule of the specification (explained in expected.yaml); make sure
        # it really disagrees here, so the note cannot go stale, and trust the spec's verdict.
        assert ours != theirs
    else:
        assert ours == theirs


@pytest.mark.parametrize("folder", _cases("json"), ids=lambda p: p.name)
def test_json_schema_case(folder: Path) -> None:
    expected = yaml.safe_load((folder / "expected.yaml").read_text(encoding="utf-8"))
    new, previous = _schemas(folder, "json")

    result = compat("json", expected["mode"], new, previous)

    _check_expectations(result, expected)
