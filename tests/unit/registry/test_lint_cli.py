"""``registry lint``: exit statuses, text and JSON reports, disabling rules."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
import yaml

from registry.cli import main
from registry.lint import rule_ids
from registry.loading import JSON
from tests.unit.registry.lint_support import apply_patch, at, clean


def _write(tmp_path: Path, name: str, document: JSON) -> str:
    path = tmp_path / name
    path.write_text(yaml.safe_dump(document, sort_keys=False), encoding="utf-8")
    return str(path)


def _broken(tmp_path: Path) -> str:
    """The clean document whose POST lost its Idempotency-Key requirement."""
    document = apply_patch(
        clean("_clean"),
        [
            {
                "op": "replace",
                "path": "/components/parameters/IdempotencyKey/required",
                "value": False,
            }
        ],
    )
    return _write(tmp_path, "parcels.yaml", document)


def test_broken_contract_fails_naming_file_operation_and_rule(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    spec = _broken(tmp_path)
    assert main(["lint", spec]) == 1
    lines = capsys.readouterr().out.splitlines()
    assert lines[0] == (
        f"{spec}:/paths/~1parcels/post/parameters/0 error waybill-idempotency-key "
        "POST /parcels: the Idempotency-Key header must be required"
    )
    assert lines[-1] == f"{spec}: 1 finding(s): 1 error, 0 warning, 0 info"


def test_clean_contract_passes(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    spec = _write(tmp_path, "clean.yaml", clean("_clean"))
    assert main(["lint", spec]) == 0
    assert capsys.readouterr().out.strip() == f"{spec}: 0 finding(s): 0 error, 0 warning, 0 info"


def test_fail_on_sets_the_threshold(tmp_path: Path) -> None:
    document = apply_patch(clean("_clean"), [{"op": "remove", "path": "/info/contact"}])
    spec = _write(tmp_path, "warned.yaml", document)
    assert main(["lint", spec]) == 0
    assert main(["lint", spec, "--fail-on", "warning"]) == 1
    assert main(["lint", spec, "--fail-on", "info"]) == 1


def test_disabled_rules_do_not_fail_the_run(tmp_path: Path) -> None:
    spec = _broken(tmp_path)
    assert main(["lint", spec, "--rule", "waybill-idempotency-key"]) == 0
    assert main(["lint", spec, "--rule", "info-contact", "waybill-idempotency-key"]) == 0


def test_json_report_lists_findings_and_counts(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    spec = _broken(tmp_path)
    assert main(["lint", spec, "--format", "json"]) == 1
    report = json.loads(capsys.readouterr().out)
    assert report["counts"] == {"error": 1, "warning": 0, "info": 0}
    (finding,) = report["findings"]
    assert finding["rule"] == "waybill-idempotency-key"
    assert finding["operation"] == "POST /parcels"
    assert finding["path"] == "/paths/~1parcels/post/parameters/0"


def test_cross_file_refs_are_bundled_before_linting(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    document = clean("_clean")
    schemas = at(document, "/components/schemas")
    shared: JSON = {
        "openapi": "3.0.3",
        "info": {"title": "Shared", "version": "1"},
        "paths": {},
        "components": {"schemas": {"Problem": schemas.pop("Problem")}},
    }
    (tmp_path / "common").mkdir()
    _write(tmp_path / "common", "components.yaml", shared)
    text = yaml.safe_dump(document, sort_keys=False).replace(
        "'#/components/schemas/Problem'", "'../common/components.yaml#/components/schemas/Problem'"
    )
    (tmp_path / "svc").mkdir()
    spec = tmp_path / "svc" / "v1.yaml"
    spec.write_text(text, encoding="utf-8")
    assert main(["lint", str(spec)]) == 0, capsys.readouterr().out


@pytest.mark.parametrize(
    ("content", "message"),
    [
        (None, "cannot read"),
        ("openapi: [unclosed", "not valid YAML or JSON"),
        (
            "swagger: '2.0'\ninfo: {title: x, version: '1'}\npaths: {}\n",
            "not an OpenAPI 3.0 or 3.1",
        ),
    ],
)
def test_unreadable_input_exits_2(
    tmp_path: Path, capsys: pytest.CaptureFixture[str], content: str | None, message: str
) -> None:
    spec = tmp_path / "spec.yaml"
    if content is not None:
        spec.write_text(content, encoding="utf-8")
    assert main(["lint", str(spec)]) == 2
    assert message in capsys.readouterr().err


def test_unknown_rule_id_exits_2(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    spec = _write(tmp_path, "clean.yaml", clean("_clean"))
    assert main(["lint", spec, "--rule", "no-such-rule"]) == 2
    assert "no-such-rule" in capsys.readouterr().err


def test_list_rules_prints_every_rule(capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["lint", "--list-rules"]) == 0
    listed = {line.split()[0] for line in capsys.readouterr().out.splitlines()}
    assert listed == rule_ids()


def test_spec_is_required_without_list_rules(capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["lint"]) == 2
    assert "SPEC is required" in capsys.readouterr().err
