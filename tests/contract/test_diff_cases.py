"""Every folder under ``diff_cases/openapi/<family>/<case>`` is one diff case.

A case holds ``base.yaml``, ``revision.yaml`` and ``expected.yaml``::

    expect:                       # changes that must be reported
      - {id: request-property-max-length-decreased, level: error, operation: POST /items}
    absent: [some-rule-id]        # ids that must not be reported (optional)
    other_errors: forbidden       # or "allowed": may unlisted error-level changes appear?
    no_changes: true              # optional: nothing at all may be reported
    options: {deprecation_days_stable: 180, flatten_allof: true}  # optional: diff() options
"""

from __future__ import annotations

from datetime import date
from pathlib import Path
from typing import Any

import pytest
import yaml

from registry import diff
from registry.model import Change, Level

CASES = Path(__file__).parent / "diff_cases" / "openapi"
TODAY = date(2026, 11, 26)  # x-sunset dates in the cases are 2001 (past) or 2099 (future)


def case_dirs() -> list[Path]:
    """All case folders, sorted so test ids are stable."""
    return sorted(p.parent for p in CASES.glob("*/*/expected.yaml"))


def load_expected(folder: Path) -> dict[str, Any]:
    """The parsed ``expected.yaml`` of a case."""
    loaded = yaml.safe_load((folder / "expected.yaml").read_text(encoding="utf-8"))
    assert isinstance(loaded, dict), f"{folder}: expected.yaml must be a mapping"
    return loaded


def _matches(change: Change, wanted: dict[str, Any]) -> bool:
    return (
        change.id == wanted["id"]
        and change.level is Level(wanted["level"])
        and ("operation" not in wanted or change.operation == wanted["operation"])
    )


@pytest.mark.parametrize("folder", case_dirs(), ids=lambda p: f"{p.parent.name}/{p.name}")
def test_diff_case(folder: Path) -> None:
    expected = load_expected(folder)
    options = expected.get("options") or {}
    result = diff(folder / "base.yaml", folder / "revision.yaml", today=TODAY, **options)
    report = "\n".join(
        f"  {c.level.value} {c.id} {c.operation} {c.message}" for c in result.changes
    )
    for wanted in expected.get("expect") or []:
        assert any(_matches(c, wanted) for c in result.changes), f"missing {wanted} in:\n{report}"
    for absent in expected.get("absent") or []:
        assert all(c.id != absent for c in result.changes), f"unexpected {absent} in:\n{report}"
    if expected.get("no_changes"):
        assert result.changes == [], f"expected no changes, got:\n{report}"
    if expected.get("other_errors", "forbidden") == "forbidden":
        allowed = {w["id"] for w in expected.get("expect") or []}
        stray = [c for c in result.changes if c.level is Level.ERROR and c.id not in allowed]
        assert not stray, f"unexpected error-level changes:\n{report}"
    assert result.breaking == any(c.level is Level.ERROR for c in result.changes)


def test_there_are_enough_cases() -> None:
    folders = case_dirs()
    in_31 = [f for f in folders if "openapi: 3.1" in (f / "base.yaml").read_text()]
    assert len(folders) >= 150
    assert len(in_31) >= 30
