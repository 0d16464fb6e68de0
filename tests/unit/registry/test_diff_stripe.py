"""Robustness on real documents: Stripe's 4 MB OpenAPI versions diff without error."""

from __future__ import annotations

from collections import Counter
from pathlib import Path

import pytest

from registry import diff
from registry.model import Level

ROOT = Path(__file__).resolve().parents[3]
STRIPE = ROOT.parent / "shared" / "corpus" / "stripe"
PAIRS = [
    ("spec3-2022-04-07-fc5a2b92.json", "spec3-2022-04-12-e0123a38.json"),
    ("spec3-2021-12-21-628e7c2c.json", "spec3-2022-04-07-fc5a2b92.json"),
]


def _path(name: str) -> Path:
    path = STRIPE / name
    if not path.exists():
        pytest.skip(f"Stripe corpus absent: {path}")
    return path


@pytest.mark.slow
@pytest.mark.parametrize(("base", "revision"), PAIRS, ids=["04-07..04-12", "2021-12..2022-04"])
def test_stripe_pair_diffs_and_finds_real_changes(base: str, revision: str) -> None:
    result = diff(_path(base), _path(revision))
    ids = Counter(change.id for change in result.changes)
    assert ids["endpoint-added"] >= 1
    assert ids["response-optional-property-added"] > 100  # new fields reach most operations
    assert all(c.operation is None or " /v1/" in c.operation for c in result.changes)
    assert all(c.location.startswith("#/") for c in result.changes)


@pytest.mark.slow
def test_stripe_winter_release_is_breaking_for_some_callers() -> None:
    result = diff(_path(PAIRS[1][0]), _path(PAIRS[1][1]))
    errors = Counter(c.id for c in result.changes if c.level is Level.ERROR)
    assert result.breaking
    # refund.reason lost maxLength 5000 (it became an enum): oasdiff's rule flags the unset bound.
    assert errors["response-property-max-length-unset"] >= 1
    # Expandable fields went from `$ref X` to `anyOf: [X, deleted_X]`: one added member each,
    # not "type became any" with every property of X removed.
    assert "response-property-type-generalized" not in errors
    assert "response-required-property-removed" not in errors
    assert any(c.id == "response-property-any-of-added" for c in result.changes)


@pytest.mark.slow
def test_a_stripe_document_has_no_changes_against_itself() -> None:
    path = _path(PAIRS[0][1])
    assert diff(path, path).changes == []
