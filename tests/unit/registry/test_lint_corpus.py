"""Lint survives real-world documents: Stripe's 4 MB OpenAPI descriptions (shared corpus)."""

from __future__ import annotations

from pathlib import Path

import pytest

from registry.lint import lint
from registry.lint_rules.index import DocumentIndex
from registry.loading import load_document
from registry.model import Level
from tests.conftest import ROOT

STRIPE = ROOT.parent / "shared" / "corpus" / "stripe"
DOCUMENTS = sorted(STRIPE.glob("spec3-*.json")) if STRIPE.is_dir() else []


@pytest.mark.skipif(not DOCUMENTS, reason=f"the Stripe corpus is not at {STRIPE}")
@pytest.mark.parametrize("path", DOCUMENTS, ids=lambda p: p.name)
def test_stripe_documents_lint_to_well_formed_findings(path: Path) -> None:
    document = load_document(path)
    findings = lint(document, source=str(path))
    index = DocumentIndex(document, source=str(path))
    labels = {op.label for op in index.operations}
    assert len(labels) > 200
    assert findings, "a public API written without Waybill's rules breaks some of them"
    for finding in findings:
        assert isinstance(finding.severity, Level)
        assert finding.operation is None or finding.operation in labels
        assert finding.path == "" or index.target("#" + finding.path) is not None, finding
    # Stripe declares HTTP Basic auth, which the OWASP rules reject.
    assert any(f.rule == "owasp:api2:2019-no-http-basic" for f in findings)
