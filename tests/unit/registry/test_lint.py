"""Each lint rule fires on its bad case folder, and no rule fires on the clean documents."""

from __future__ import annotations

import pytest

from registry.lint import RULES, Finding, lint, rule_ids
from registry.lint_rules.owasp import bounded_pattern
from registry.loading import DocumentError
from registry.model import Level
from tests.unit.registry.lint_support import CLEAN_BASES, LintCase, at, clean, load_cases

CASES = load_cases()


@pytest.mark.parametrize("base", CLEAN_BASES)
def test_clean_document_has_no_finding(base: str) -> None:
    assert lint(clean(base), source=base) == []


@pytest.mark.parametrize("case", CASES, ids=lambda c: c.name)
def test_rule_fires_on_its_bad_case(case: LintCase) -> None:
    findings = lint(case.document, source=case.name)
    fired = {f.rule for f in findings}
    assert fired == case.expected, "\n".join(f"{f.rule} {f.path} {f.message}" for f in findings)
    for finding in findings:
        assert finding.operation is None or finding.message.startswith(f"{finding.operation}: ")
    messages = [f.message for f in findings]
    for expected in case.messages:
        assert any(expected in m for m in messages), (expected, messages)
    for unwanted in case.absent:
        assert not any(unwanted in m for m in messages), (unwanted, messages)


def test_every_rule_has_a_bad_case() -> None:
    covered = set().union(*(case.expected for case in CASES))
    assert rule_ids() - covered == set()
    assert covered - rule_ids() == set(), "cases expect rules that do not exist"


def test_rule_ids_are_unique_and_described() -> None:
    ids = [rule.id for rule in RULES]
    assert len(ids) == len(set(ids))
    assert all(rule.description.endswith(".") for rule in RULES)


def test_findings_point_at_the_broken_place_and_name_the_operation() -> None:
    case = next(c for c in CASES if c.name == "waybill-idempotency-key-missing")
    (finding,) = [f for f in lint(case.document) if f.rule == "waybill-idempotency-key"]
    assert finding == Finding(
        rule="waybill-idempotency-key",
        severity=Level.ERROR,
        path="/paths/~1parcels/post",
        operation="POST /parcels",
        message="POST /parcels: unsafe operation has no Idempotency-Key header parameter",
    )


def test_shared_request_schema_names_the_first_operation_sending_it() -> None:
    case = next(c for c in CASES if c.name == "owasp_api4_2019-integer-limit")
    (finding,) = lint(case.document)
    assert finding.path == "/components/schemas/ParcelInput/properties/weightGrams"
    assert finding.operation == "POST /parcels"


def test_response_only_schemas_need_no_limits() -> None:
    document = clean("_clean")
    # Parcel is only ever returned: its unbounded strings and integers are not findings.
    assert at(document, "/components/schemas/Parcel/properties/reference") == {"type": "string"}
    assert lint(document) == []


def test_disabled_rules_do_not_run() -> None:
    case = next(c for c in CASES if c.name == "operation-operationId-valid-in-url")
    findings = lint(case.document, disabled=["waybill-operation-id-camel-case"])
    assert {f.rule for f in findings} == {"operation-operationId-valid-in-url"}


def test_unknown_disabled_rule_is_refused() -> None:
    with pytest.raises(ValueError, match="no-such-rule"):
        lint(clean("_clean"), disabled=["no-such-rule"])


@pytest.mark.parametrize("version", ["2.0", "3.2.0", None])
def test_documents_other_than_openapi_3_0_or_3_1_are_refused(version: str | None) -> None:
    document = clean("_clean")
    document["openapi"] = version
    with pytest.raises(DocumentError, match=r"fixture\.yaml: not an OpenAPI 3\.0 or 3\.1"):
        lint(document, source="fixture.yaml")


def test_findings_are_sorted_and_hashable() -> None:
    case = next(c for c in CASES if c.name == "waybill-problem-json")
    findings = lint(case.document)
    assert findings == sorted(findings)
    assert len(set(findings)) == len(findings) == 3  # Forbidden is used by all three operations


@pytest.mark.parametrize(
    ("pattern", "bounded"),
    [
        ("^[A-Z0-9]{2,3}$", True),
        ("^(0|[1-9][0-9]{0,14})(\\.[0-9]{1,6})?$", True),
        ("^[+*]{1,4}$", True),  # quantifier characters inside a class are literals
        ("^\\+[0-9]{4}$", True),
        ("^[0-9]+$", False),
        ("^a*$", False),
        ("^x{2,}$", False),
        ("[A-Z]{2}", False),  # unanchored: matches inside longer strings
        ("^[A-Z]{2}\\$", False),  # the final $ is a literal dollar
    ],
)
def test_bounded_pattern(pattern: str, bounded: bool) -> None:
    assert bounded_pattern(pattern) is bounded
