"""The rules table: oasdiff's ids and levels, a case for every rule, and current docs."""

from __future__ import annotations

import csv
import re
from pathlib import Path

import pytest
import yaml

from registry.diff import docs
from registry.diff.rules import RULES, Direction
from registry.model import Level

ROOT = Path(__file__).resolve().parents[3]
OASDIFF_TABLE = ROOT.parent / "shared" / "design" / "reference" / "oasdiff-checks.tsv"
CASES = ROOT / "tests" / "contract" / "diff_cases" / "openapi"
LEVELS = {"ERR": Level.ERROR, "WARN": Level.WARNING, "INFO": Level.INFO}
DIRECTIONS = {"Request": Direction.REQUEST, "Response": Direction.RESPONSE, "None": Direction.NONE}


def _oasdiff() -> dict[str, tuple[Level, Direction]]:
    if not OASDIFF_TABLE.exists():
        pytest.skip(f"oasdiff reference table absent: {OASDIFF_TABLE}")
    with OASDIFF_TABLE.open(encoding="utf-8") as handle:
        rows = list(csv.DictReader(handle, delimiter="\t"))
    return {r["id"]: (LEVELS[r["level"]], DIRECTIONS[r["direction"]]) for r in rows}


def _case_ids() -> set[str]:
    ids: set[str] = set()
    for path in CASES.glob("*/*/expected.yaml"):
        expected = yaml.safe_load(path.read_text(encoding="utf-8"))
        ids.update(item["id"] for item in expected.get("expect") or [])
    return ids


def test_oasdiff_rules_keep_oasdiff_ids_levels_and_directions() -> None:
    table = _oasdiff()
    for rule in RULES.values():
        if rule.origin == "oasdiff":
            assert rule.id in table, f"{rule.id} is not an oasdiff check"
            assert (rule.level, rule.direction) == table[rule.id], rule.id
        else:
            assert rule.origin == "waybill", rule.id
            assert rule.id not in table, f"{rule.id} exists in oasdiff: use origin oasdiff"


def test_the_table_is_large_and_well_formed() -> None:
    assert len(RULES) >= 120
    assert sum(r.level is Level.ERROR for r in RULES.values()) >= 100
    for rule in RULES.values():
        assert re.fullmatch(r"[a-z0-9]+(-[a-z0-9]+)*", rule.id), rule.id
        assert rule.description.endswith("."), rule.id
        assert rule.example, rule.id


def test_every_error_rule_has_a_case() -> None:
    covered = _case_ids()
    missing = [r.id for r in RULES.values() if r.level is Level.ERROR and r.id not in covered]
    assert not missing, f"error-level rules without a case: {missing}"


def test_every_rule_has_a_case() -> None:
    missing = sorted(set(RULES) - _case_ids())
    assert not missing, f"rules without a case: {missing}"


def test_cases_only_name_known_rules() -> None:
    unknown = sorted(_case_ids() - set(RULES))
    assert not unknown, f"cases expect unknown rule ids: {unknown}"


def test_rules_doc_is_current() -> None:
    page = ROOT / "docs" / "diff-rules.md"
    assert page.read_text(encoding="utf-8") == docs.render(), (
        "docs/diff-rules.md is stale: run `python -m registry.diff.docs docs/diff-rules.md`"
    )
